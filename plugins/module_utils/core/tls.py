# Copyright: (c) 2026, fabricops maintainers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one place that builds TLS contexts, for the modules' HTTP and the event source's websocket alike.

Keeping it in one function means ``validate_certs`` and the CA option mean exactly the same thing
everywhere, and verification is never switched off by accident in one code path only.
"""

from __future__ import annotations

import os
import ssl


def ssl_context(validate_certs: bool = True, ca_file: str | None = None, option: str = "ca_path") -> ssl.SSLContext:
    """A client TLS context (TLS 1.2 or newer).

    With ``validate_certs`` the server certificate and host name are checked against ``ca_file`` (a PEM
    file or a directory of hashed CA files) or, when it is not given, the system trust store. Without it
    nothing is checked: that is the user's explicit choice for lab APICs with self-signed certificates.
    ``option`` is the user-facing name of the CA option, used in error messages.
    """
    if not validate_certs:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    elif ca_file:
        path = os.path.expanduser(ca_file)
        if not os.path.exists(path):
            raise ValueError(
                f"{option}: CA file {ca_file!r} does not exist; give the PEM file of the CA that signed the "
                "APIC certificate"
            )
        try:
            if os.path.isdir(path):
                context = ssl.create_default_context(capath=path)
            else:
                context = ssl.create_default_context(cafile=path)
        except (ssl.SSLError, OSError) as exc:
            raise ValueError(
                f"{option}: could not load CA certificates from {ca_file!r} ({exc.__class__.__name__}); "
                "give a PEM file of CA certificates"
            ) from None
    else:
        context = ssl.create_default_context()
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    return context
