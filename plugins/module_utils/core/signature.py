# Copyright: (c) 2026, fabricops maintainers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Certificate (signature) authentication: every request carries an RSA-SHA256 signature in cookies.

The APIC verifies ``METHOD + path?query + body`` (path without host, query not percent-encoded)
against the X.509 certificate registered as ``uni/userext/user-<user>/usercert-<name>``. There is no
session: each request is signed on its own. ``cryptography`` is imported lazily so password-only users
and sanity import tests do not need it.
"""

from __future__ import annotations

import base64
import os
from urllib.parse import unquote

try:
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import padding, rsa

    HAS_CRYPTOGRAPHY = True
except ImportError:
    HAS_CRYPTOGRAPHY = False

CERTIFICATE_ALGORITHM = "v1.0"
CERTIFICATE_FINGERPRINT = "fingerprint"
_PEM_MARKER = "-----BEGIN"
_NEEDS_CRYPTOGRAPHY = (
    "private_key: certificate authentication needs the Python package 'cryptography' on the host that "
    "runs the module or event source; install it (pip install cryptography) or use a password"
)


def _looks_like_path(value: str) -> bool:
    """Only echo the value in an error when it is plainly a file name, never possible key material."""
    return "\n" not in value and len(value) < 1024 and ("/" in value or value.endswith((".pem", ".key")))


def _read_key_text(value: str) -> bytes:
    if _PEM_MARKER in value:
        return value.encode("utf-8")
    path = os.path.expanduser(value.strip())
    if not os.path.isfile(path):
        where = f" {value!r}" if _looks_like_path(value) else ""
        raise ValueError(
            f"private_key: the value{where} is neither PEM text nor a readable file; give the PEM text of the "
            "RSA private key or the path to its PEM file"
        )
    with open(path, "rb") as handle:
        return handle.read()


def load_private_key(value: str):
    """Load an unencrypted RSA private key from PEM text or from the path of a PEM file.

    Raises ValueError with a one-line message naming the option; the key itself never appears in it.
    """
    if not value or not isinstance(value, str):
        raise ValueError("private_key: give the PEM text of the RSA private key or the path to its PEM file")
    if not HAS_CRYPTOGRAPHY:
        raise ValueError(_NEEDS_CRYPTOGRAPHY)
    pem = _read_key_text(value)
    try:
        key = serialization.load_pem_private_key(pem, password=None)
    except TypeError:
        raise ValueError("private_key: the key is protected by a passphrase; give an unencrypted PEM key") from None
    except Exception:
        raise ValueError(
            "private_key: could not read a PEM private key; give a PEM 'PRIVATE KEY' or 'RSA PRIVATE KEY' block"
        ) from None
    if not isinstance(key, rsa.RSAPrivateKey):
        raise ValueError("private_key: the APIC signs requests with RSA only; give an RSA private key")
    return key


def certificate_dn(username: str, certificate_name: str) -> str:
    """The DN of a user's registered certificate, which the APIC uses to find the public key."""
    return f"uni/userext/user-{username}/usercert-{certificate_name}"


def signature_payload(method: str, path: str, body: bytes | str = b"") -> bytes:
    """The exact bytes the APIC verifies: METHOD + unquoted path?query + body."""
    if isinstance(body, str):
        body = body.encode("utf-8")
    return method.upper().encode("ascii") + unquote(path).encode("utf-8") + (body or b"")


def sign(key, payload: bytes) -> str:
    """Base64 RSA-SHA256 (PKCS#1 v1.5) signature of ``payload``."""
    if not HAS_CRYPTOGRAPHY:
        raise ValueError(_NEEDS_CRYPTOGRAPHY)
    signature = key.sign(payload, padding.PKCS1v15(), hashes.SHA256())
    return base64.b64encode(signature).decode("ascii")


def signature_cookies(key, username: str, certificate_name: str, method: str, path: str,
                      body: bytes | str = b"") -> dict[str, str]:
    """The four cookies that authenticate one signed request."""
    return {
        "APIC-Request-Signature": sign(key, signature_payload(method, path, body)),
        "APIC-Certificate-Algorithm": CERTIFICATE_ALGORITHM,
        "APIC-Certificate-Fingerprint": CERTIFICATE_FINGERPRINT,
        "APIC-Certificate-DN": certificate_dn(username, certificate_name),
    }
