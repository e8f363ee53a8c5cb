"""TLS material for the simulator: a private CA, a loopback server certificate and a certificate user.

Why generate instead of shipping files: a CA key committed to a repository is a CA anyone can sign with, and
clients of the simulator must be able to *verify* TLS (never disable it) against a CA that exists only on
this machine. The CA and the certificate user's key are kept in the state directory across runs, so a user
can trust the CA once; the server certificate is re-issued at every start for the addresses in use.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import os
import ssl
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from .signature import certificate_dn

DEFAULT_HOSTS: tuple[str, ...] = ("127.0.0.1", "::1", "localhost")
_ONE_DAY = dt.timedelta(days=1)


@dataclass(frozen=True, slots=True)
class TlsFiles:
    """Where the server's TLS files live; `ca_cert` is the file clients verify with."""

    ca_cert: Path
    ca_key: Path
    server_cert: Path
    server_key: Path

    def server_context(self) -> ssl.SSLContext:
        """An SSL context serving the generated certificate (TLS 1.2+)."""
        ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        ctx.minimum_version = ssl.TLSVersion.TLSv1_2
        ctx.load_cert_chain(self.server_cert, self.server_key)
        return ctx

    def client_context(self) -> ssl.SSLContext:
        """An SSL context that verifies the simulator with its CA, hostname checks included."""
        return ssl.create_default_context(cafile=str(self.ca_cert))


@dataclass(frozen=True, slots=True)
class CertUserFiles:
    """A certificate (signature-auth) user: its private key, its X.509 certificate and the APIC names."""

    user: str
    cert_name: str
    key: Path
    cert: Path

    @property
    def dn(self) -> str:
        """The DN clients put in the `APIC-Certificate-DN` cookie."""
        return certificate_dn(self.user, self.cert_name)


def ensure_tls(state_dir: Path, hosts: Iterable[str] = DEFAULT_HOSTS) -> TlsFiles:
    """Create (or reuse) the CA in `state_dir` and issue a fresh server certificate for `hosts`."""
    state_dir.mkdir(parents=True, exist_ok=True)
    files = TlsFiles(
        ca_cert=state_dir / "ca.pem",
        ca_key=state_dir / "ca.key",
        server_cert=state_dir / "server.pem",
        server_key=state_dir / "server.key",
    )
    ca_key, ca_cert = _load_or_create_ca(files.ca_key, files.ca_cert)
    key = ec.generate_private_key(ec.SECP256R1())
    cert = _issue(ca_key, ca_cert, key.public_key(), "apicsim server", _san(hosts), server=True)
    _write_key(files.server_key, key)
    _write_cert(files.server_cert, cert)
    return files


def ensure_cert_user(state_dir: Path, user: str, cert_name: str | None = None) -> CertUserFiles:
    """Create (or reuse) an RSA key and certificate for a signature-auth user.

    RSA because APIC request signatures are RSA-SHA256 (PKCS#1 v1.5), which is what client libraries produce.
    The key file is named after the certificate so clients that derive the certificate name from the key's
    file name (cisco.aci does) find the right one.
    """
    cert_name = cert_name or user
    state_dir.mkdir(parents=True, exist_ok=True)
    files = CertUserFiles(user, cert_name, state_dir / f"{cert_name}.key", state_dir / f"{cert_name}.crt")
    if files.key.exists() and files.cert.exists():
        return files
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    cert = _self_signed(key, user).sign(key, hashes.SHA256())
    _write_key(files.key, key)
    _write_cert(files.cert, cert)
    return files


def _load_or_create_ca(key_path: Path, cert_path: Path):
    """Reuse a CA that is still valid for a while; otherwise make a new one."""
    if key_path.exists() and cert_path.exists():
        cert = x509.load_pem_x509_certificate(cert_path.read_bytes())
        if cert.not_valid_after_utc - dt.datetime.now(dt.UTC) > dt.timedelta(days=30):
            key = serialization.load_pem_private_key(key_path.read_bytes(), password=None)
            return key, cert
    key = ec.generate_private_key(ec.SECP256R1())
    ski = x509.SubjectKeyIdentifier.from_public_key(key.public_key())
    cert = (
        _self_signed(key, "apicsim local CA")
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True, content_commitment=False, key_encipherment=False, data_encipherment=False,
                key_agreement=False, key_cert_sign=True, crl_sign=True, encipher_only=False, decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(ski, critical=False)
        .sign(key, hashes.SHA256())
    )
    _write_key(key_path, key)
    _write_cert(cert_path, cert)
    return key, cert


def _self_signed(key, common_name: str) -> x509.CertificateBuilder:
    """A ten-year self-signed certificate builder for `key` (extensions are the caller's)."""
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    now = dt.datetime.now(dt.UTC)
    return (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - _ONE_DAY)
        .not_valid_after(now + dt.timedelta(days=3650))
    )


def _issue(ca_key, ca_cert, public_key, common_name: str, san: x509.SubjectAlternativeName, server: bool):
    """Sign a leaf certificate with the extensions strict verifiers (Python 3.13+, OpenSSL 3) require."""
    now = dt.datetime.now(dt.UTC)
    ca_ski = ca_cert.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value
    usage = ExtendedKeyUsageOID.SERVER_AUTH if server else ExtendedKeyUsageOID.CLIENT_AUTH
    return (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)]))
        .issuer_name(ca_cert.subject)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - _ONE_DAY)
        .not_valid_after(now + dt.timedelta(days=365))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True, content_commitment=False, key_encipherment=False, data_encipherment=False,
                key_agreement=True, key_cert_sign=False, crl_sign=False, encipher_only=False, decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.ExtendedKeyUsage([usage]), critical=False)
        .add_extension(san, critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ca_ski), critical=False)
        .sign(ca_key, hashes.SHA256())
    )


def _san(hosts: Iterable[str]) -> x509.SubjectAlternativeName:
    """IP addresses become IP SANs (clients check those for IP URLs), everything else a DNS SAN."""
    names: list[x509.GeneralName] = []
    for host in hosts:
        try:
            names.append(x509.IPAddress(ipaddress.ip_address(host)))
        except ValueError:
            names.append(x509.DNSName(host))
    return x509.SubjectAlternativeName(names)


def _write_key(path: Path, key) -> None:
    """Write a private key readable by the owner only, atomically (parallel test workers share nothing)."""
    data = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    _atomic_write(path, data, mode=0o600)


def _write_cert(path: Path, cert: x509.Certificate) -> None:
    _atomic_write(path, cert.public_bytes(serialization.Encoding.PEM), mode=0o644)


def _atomic_write(path: Path, data: bytes, mode: int) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
    os.replace(tmp, path)
