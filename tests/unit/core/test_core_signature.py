"""Signed requests must verify with the user's public key over exactly METHOD + unquoted path + body."""

import base64

import pytest
from ansible_collections.fabricops.aci.plugins.module_utils.core import signature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding


def _verify(key, cookie, payload):
    key.public_key().verify(base64.b64decode(cookie), payload, padding.PKCS1v15(), hashes.SHA256())


def test_cookies_verify_over_unquoted_path_and_body(rsa_key, rsa_pem):
    key = signature.load_private_key(rsa_pem)
    body = b'{"fvTenant":{"attributes":{"name":"a"}}}'
    path = '/api/class/fvTenant.json?query-target-filter=eq(fvTenant.name,%22a%20b%22)'
    cookies = signature.signature_cookies(key, "alice", "alice-cert", "post", path, body)
    assert list(cookies) == [
        "APIC-Request-Signature",
        "APIC-Certificate-Algorithm",
        "APIC-Certificate-Fingerprint",
        "APIC-Certificate-DN",
    ]
    assert cookies["APIC-Certificate-Algorithm"] == "v1.0"
    assert cookies["APIC-Certificate-Fingerprint"] == "fingerprint"
    assert cookies["APIC-Certificate-DN"] == "uni/userext/user-alice/usercert-alice-cert"
    expected = b'POST/api/class/fvTenant.json?query-target-filter=eq(fvTenant.name,"a b")' + body
    _verify(rsa_key, cookies["APIC-Request-Signature"], expected)
    with pytest.raises(Exception):  # noqa: B017 - any InvalidSignature: a different payload must not verify
        _verify(rsa_key, cookies["APIC-Request-Signature"], expected + b" ")


def test_str_body_and_empty_body(rsa_key, rsa_pem):
    key = signature.load_private_key(rsa_pem)
    cookies = signature.signature_cookies(key, "u", "c", "GET", "/socketTOKEN/+=")
    _verify(rsa_key, cookies["APIC-Request-Signature"], b"GET/socketTOKEN/+=")
    assert signature.signature_payload("post", "/p", "é") == b"POST/p" + "é".encode()


def test_key_from_file(tmp_path, rsa_pem):
    path = tmp_path / "alice.key"
    path.write_text(rsa_pem)
    assert signature.load_private_key(str(path)).key_size == 2048


def test_missing_file_is_named_but_key_text_never_echoed(tmp_path):
    missing = str(tmp_path / "nope.key")
    with pytest.raises(ValueError, match="private_key") as info:
        signature.load_private_key(missing)
    assert missing in str(info.value)
    secretish = "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7"
    with pytest.raises(ValueError, match="private_key") as info:
        signature.load_private_key(secretish)
    assert secretish not in str(info.value)


def test_rejects_non_rsa_encrypted_and_garbage(ec_pem, rsa_key):
    with pytest.raises(ValueError, match="RSA"):
        signature.load_private_key(ec_pem)
    encrypted = rsa_key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(b"pass"),
    ).decode()
    with pytest.raises(ValueError, match="passphrase"):
        signature.load_private_key(encrypted)
    garbage = "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"
    with pytest.raises(ValueError, match="could not read") as info:
        signature.load_private_key(garbage)
    assert "AAAA" not in str(info.value)
    with pytest.raises(ValueError, match="private_key"):
        signature.load_private_key("")
