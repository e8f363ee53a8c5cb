"""One TLS context builder: verification on by default, the CA option honoured, off only when asked."""

import socket
import ssl
import threading

import pytest
from ansible_collections.fabricops.aci.plugins.module_utils.core import tls


def _handshake(context, files):
    """Run a real TLS handshake against a loopback server presenting the test certificate."""
    server_context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server_context.load_cert_chain(str(files["cert"]), str(files["key"]))
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(5)

    def serve():
        try:
            conn, _ = listener.accept()
            with server_context.wrap_socket(conn, server_side=True):
                pass
        except (OSError, ssl.SSLError):
            pass

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        with (
            socket.create_connection(listener.getsockname(), timeout=5) as raw,
            context.wrap_socket(raw, server_hostname="127.0.0.1") as wrapped,
        ):
            return wrapped.version()
    finally:
        thread.join(5)
        listener.close()


def test_ca_file_is_trusted(tls_files):
    context = tls.ssl_context(True, str(tls_files["ca"]))
    assert context.verify_mode == ssl.CERT_REQUIRED and context.check_hostname
    assert _handshake(context, tls_files) in ("TLSv1.2", "TLSv1.3")


def test_system_store_rejects_private_ca(tls_files):
    with pytest.raises(ssl.SSLCertVerificationError):
        _handshake(tls.ssl_context(True), tls_files)


def test_validation_off_accepts_anything(tls_files):
    context = tls.ssl_context(False, None)
    assert context.verify_mode == ssl.CERT_NONE
    assert _handshake(context, tls_files)


def test_directory_of_cas(tls_files):
    context = tls.ssl_context(True, str(tls_files["ca"].parent))
    assert context.verify_mode == ssl.CERT_REQUIRED


def test_bad_ca_option_names_the_option(tmp_path):
    with pytest.raises(ValueError, match=r"^ca_path: CA file .* does not exist"):
        tls.ssl_context(True, str(tmp_path / "missing.pem"))
    bad = tmp_path / "bad.pem"
    bad.write_text("not a certificate")
    with pytest.raises(ValueError, match=r"^ca_file: could not load"):
        tls.ssl_context(True, str(bad), option="ca_file")
