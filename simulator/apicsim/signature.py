"""Signature-based (certificate) authentication: verify `APIC-Request-Signature` cookies.

A signed request carries four cookies: the RSA-SHA256 (PKCS#1 v1.5) signature, in base64, of
`METHOD + path?query + body` (no host, no space), the algorithm `v1.0`, a fingerprint (clients send a
placeholder, so it is not checked) and `APIC-Certificate-DN=uni/userext/user-<u>/usercert-<name>` naming
the registered certificate whose public key verifies the signature.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import unquote

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

SIGNATURE_COOKIE = "APIC-Request-Signature"
DN_COOKIE = "APIC-Certificate-DN"
ALGORITHM_COOKIE = "APIC-Certificate-Algorithm"
SUPPORTED_ALGORITHM = "v1.0"


class SignatureError(Exception):
    """A signed request that does not verify; the message is safe to return (it holds no secret)."""


@dataclass(frozen=True, slots=True)
class CertUser:
    user: str
    cert_name: str


def certificate_dn(user: str, cert_name: str) -> str:
    """The DN of a user's registered certificate, as clients name it in `APIC-Certificate-DN`."""
    return f"uni/userext/user-{user}/usercert-{cert_name}"


def signed_payloads(method: str, raw_path_qs: str, body: bytes) -> list[bytes]:
    """The byte strings a client may have signed for this request.

    Clients sign the path and query as they wrote them; the reference says unquoted. A request whose URL
    was percent-encoded on the wire is therefore checked both raw and unquoted.
    """
    candidates = [raw_path_qs]
    unquoted = unquote(raw_path_qs)
    if unquoted != raw_path_qs:
        candidates.append(unquoted)
    return [method.upper().encode() + c.encode() + body for c in candidates]


class SignatureVerifier:
    """Registered user certificates, keyed by their APIC DN."""

    def __init__(self) -> None:
        self._keys: dict[str, tuple[CertUser, rsa.RSAPublicKey]] = {}

    def register(self, user: str, cert_name: str, cert_pem: bytes) -> str:
        """Register an X.509 certificate (PEM) for `user`; returns its DN."""
        key = x509.load_pem_x509_certificate(cert_pem).public_key()
        if not isinstance(key, rsa.RSAPublicKey):
            raise ValueError(f"certificate {cert_name!r} of {user!r} must hold an RSA key (APIC signs RSA-SHA256)")
        dn = certificate_dn(user, cert_name)
        self._keys[dn] = (CertUser(user, cert_name), key)
        return dn

    def is_signed(self, cookies: Mapping[str, str]) -> bool:
        return SIGNATURE_COOKIE in cookies

    def verify(self, cookies: Mapping[str, str], method: str, raw_path_qs: str, body: bytes) -> CertUser:
        """The certificate user who signed this request, or SignatureError."""
        if cookies.get(ALGORITHM_COOKIE, SUPPORTED_ALGORITHM) != SUPPORTED_ALGORITHM:
            raise SignatureError(f"Unsupported certificate algorithm {cookies.get(ALGORITHM_COOKIE)!r}")
        dn = cookies.get(DN_COOKIE, "")
        entry = self._keys.get(dn)
        if entry is None:
            raise SignatureError(f"Unknown certificate DN {dn!r}")
        user, key = entry
        try:
            signature = base64.b64decode(cookies[SIGNATURE_COOKIE], validate=True)
        except (binascii.Error, ValueError):
            raise SignatureError("Request signature is not valid base64") from None
        for payload in signed_payloads(method, raw_path_qs, body):
            try:
                key.verify(signature, payload, padding.PKCS1v15(), hashes.SHA256())
                return user
            except InvalidSignature:
                continue
        raise SignatureError("Request signature verification failed")
