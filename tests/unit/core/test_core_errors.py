"""APIC error envelopes become typed exceptions with one-line, readable messages."""

import json

import pytest
from ansible_collections.fabricops.aci.plugins.module_utils.core import errors


def envelope(code, text):
    return {"totalCount": "1", "imdata": [{"error": {"attributes": {"code": code, "text": text}}}]}


@pytest.mark.parametrize(
    ("status", "code", "text", "cls"),
    [
        (401, "401", "Username or password is incorrect - FAILED local authentication", errors.AuthenticationError),
        (403, "403", "Token was invalid (Error: Token timeout)", errors.TokenExpiredError),
        (
            403,
            "403",
            "Need a valid webtoken cookie (named APIC-Cookie) or a signed request with signature in the cookie",
            errors.TokenExpiredError,
        ),
        (403, "403", "Insufficient privileges to access the object", errors.ForbiddenError),
        (
            405,
            "405",
            "Subscription request failed, unable to locate opened web socket. Please re-login to the application",
            errors.SocketNotOpenError,
        ),
        (400, "400", "Request failed, unresolved class for fvNope", errors.UnknownClassError),
        (400, "122", "unknown managed object class fvNope", errors.UnknownClassError),
        (503, "", "", errors.ThrottledError),
        (429, "", "", errors.ThrottledError),
        (400, "107", "bad request", errors.ApicError),
    ],
)
def test_classification(status, code, text, cls):
    exc = errors.error_from_response(status, json.dumps(envelope(code, text)).encode())
    assert type(exc) is cls
    assert isinstance(exc, errors.ApicError)
    assert (exc.status, exc.code, exc.text) == (status, code, text)


def test_message_shape():
    exc = errors.error_from_response(400, envelope("122", "unknown managed object class fvNope"))
    assert str(exc) == "APIC error 400 (code 122): unknown managed object class fvNope"
    exc = errors.error_from_response(401, envelope("401", "User credential is incorrect"))
    assert str(exc) == "APIC error 401: User credential is incorrect"


def test_a_token_timeout_is_handled_where_any_403_is():
    # Code that handles a refusal (``except ForbiddenError``, as the certificate login does) must also see
    # a token timeout, while code that retries an expired token can tell the two apart.
    timeout = errors.error_from_response(403, json.dumps(envelope("403", "Token was invalid (Error: Token timeout)")))
    refused = errors.error_from_response(403, json.dumps(envelope("403", "Insufficient privileges")))
    for exc in (timeout, refused):
        with pytest.raises(errors.ForbiddenError):
            raise exc
    assert isinstance(timeout, errors.TokenExpiredError) and not isinstance(refused, errors.TokenExpiredError)


@pytest.mark.parametrize(
    ("body", "text"),
    [
        (None, ""),
        (b"", ""),
        (
            "<html><body><h1>503 Service\n Temporarily Unavailable</h1></body></html>",
            "503 Service Temporarily Unavailable",
        ),
        (b"not json at all", "not json at all"),
        ({"imdata": []}, ""),
        ([1, 2], ""),
    ],
)
def test_odd_bodies_still_give_one_line(body, text):
    exc = errors.error_from_response(503, body)
    assert isinstance(exc, errors.ThrottledError)
    assert exc.text == text
    assert "\n" not in str(exc)


def test_long_text_is_cut():
    exc = errors.error_from_response(500, envelope("1", "x" * 5000))
    assert len(exc.text) == 300
    assert exc.text.endswith("...")


def test_connection_failed_names_host_only():
    exc = errors.ConnectionFailedError("apic.example:443", "Connection\n refused")
    assert str(exc) == "Cannot connect to the APIC at apic.example:443: Connection refused"
    assert exc.host == "apic.example:443"
