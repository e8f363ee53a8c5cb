"""The `aaaLogin` envelope, as a real APIC sends it (protocol reference 1.2): every value a string.

aaaLogin and aaaRefresh answer with the same class (`aaaLogin`); clients (Cobra, acitoolkit, pyaci) read
`imdata[0].aaaLogin.attributes.token` from both, so the refresh answer must not be called anything else.
"""

from __future__ import annotations

import hashlib

from .options import SimOptions
from .sessions import Session

BUILD_TIME = "Thu Jan 01 00:00:00 UTC 2026"


def set_cookie_header(token: str, tls: bool) -> str:
    """`APIC-cookie=<token>; path=/; HttpOnly[; Secure]`, unquoted even though the token holds `/` and `=`."""
    return f"APIC-cookie={token}; path=/; HttpOnly" + ("; Secure" if tls else "")


def site_fingerprint(seed: str) -> str:
    """A stable per-simulator fingerprint (16 characters, like a real one)."""
    return hashlib.sha256(seed.encode()).hexdigest()[:16]


def login_body(session: Session, options: SimOptions, node: str, fingerprint: str, refresh: bool) -> dict:
    """The `{"totalCount":"1","imdata":[{"aaaLogin":...}]}` answer for a login or a refresh.

    On refresh `urlToken` comes back empty (clients keep the value from the login), and sessionId,
    creationTime and firstLoginTime stay those of the session.
    """
    attrs = {
        "token": session.token,
        "siteFingerprint": fingerprint,
        "refreshTimeoutSeconds": _seconds(options.refresh_timeout),
        "maximumLifetimeSeconds": _seconds(options.maximum_lifetime),
        "guiIdleTimeoutSeconds": "1200",
        "restTimeoutSeconds": "90",
        "creationTime": str(int(session.created_epoch)),
        "firstLoginTime": str(int(session.created_epoch)),
        "userName": session.user,
        "remoteUser": "false",
        "unixUserId": "15374",
        "sessionId": session.session_id,
        "lastName": "",
        "firstName": "",
        "changePassword": "no",
        "version": options.version,
        "buildTime": BUILD_TIME,
        "node": node,
    }
    if session.url_token is not None:
        attrs["urlToken"] = "" if refresh else session.url_token
    children = [
        {
            "aaaUserDomain": {
                "attributes": {"name": "all", "rolesR": "admin", "rolesW": "admin"},
                "children": [
                    {"aaaReadRoles": {"attributes": {}, "children": [{"role": {"attributes": {"name": "admin"}}}]}},
                    {"aaaWriteRoles": {"attributes": {}, "children": [{"role": {"attributes": {"name": "admin"}}}]}},
                ],
            }
        },
        {
            "DnDomainMapEntry": {
                "attributes": {"dn": "uni/tn-common", "readPrivileges": "admin", "writePrivileges": "admin"}
            }
        },
    ]
    return {"totalCount": "1", "imdata": [{"aaaLogin": {"attributes": attrs, "children": children}}]}


def webtoken_body(session: Session, options: SimOptions) -> dict:
    """The `webtokenSession` answer a certificate user gets: a token for `/socket<token>` binding."""
    attrs = {
        "token": session.token,
        "refreshTimeoutSeconds": _seconds(options.refresh_timeout),
        "maximumLifetimeSeconds": _seconds(options.maximum_lifetime),
        "creationTime": str(int(session.created_epoch)),
        "userName": session.user,
    }
    return {"totalCount": "1", "imdata": [{"webtokenSession": {"attributes": attrs}}]}


def _seconds(value: float) -> str:
    """Whole seconds as a string; sub-second test settings round up so clients never see "0"."""
    return str(max(1, int(value + 0.999)))
