# Copyright: (c) 2026, fabricops maintainers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The APIC connection options shared by every fabricops.aci module."""

from __future__ import annotations


class ModuleDocFragment:
    """Connection and authentication options, with the ACI_* environment fallbacks cisco.aci uses."""

    DOCUMENTATION = r"""
options:
  host:
    description:
      - The APIC to talk to, without scheme or path, as a host name or IP address with an optional port
        (V(apic1), V(apic1:8443), V(10.0.0.1:443)). An IPv6 literal takes its port inside brackets
        (V([2001:db8::1]:443)); without a port it may be given bare or in brackets.
      - Several members of an APIC cluster can be given, as a list or as comma-separated text
        (V(apic1,apic2:8443)). They are tried in the order given; when one cannot be reached (refused,
        timed out, name or TLS failure), the request goes to the next, as the event source fails over.
      - The event source reads this option, and E(ACI_HOST), the same way.
      - If not set in the task, the value of the environment variable E(ACI_HOST) is used.
    type: raw
    aliases: [hostname]
  port:
    description:
      - Port of the APIC REST API, for every address in O(host) given without its own port.
      - If not set in the task, E(ACI_PORT) is used; without either, the scheme's default port (443, or 80
        with O(use_ssl=false)).
    type: int
  username:
    description:
      - User name to log in with, or the certificate user for signature authentication.
      - For a login domain, write it the APIC way, for example V(apic#fallback\\admin).
      - If not set in the task, E(ACI_USERNAME) or E(ANSIBLE_NET_USERNAME) is used; without either, V(admin).
    type: str
    aliases: [user]
  password:
    description:
      - Password for password (session) authentication.
      - If not set in the task, E(ACI_PASSWORD) or E(ANSIBLE_NET_PASSWORD) is used.
      - One of O(password) and O(private_key) is required. When both are set, O(private_key) is used.
    type: str
  private_key:
    description:
      - RSA private key for signature (certificate) authentication, as PEM text or the path to a PEM file.
      - The matching X.509 certificate must be registered on the APIC user as O(certificate_name).
      - Every request is signed; no session is opened.
      - If not set in the task, E(ACI_PRIVATE_KEY) or E(ANSIBLE_NET_SSH_KEYFILE) is used.
      - Needs the Python package C(cryptography) on the host that runs the module.
    type: str
    aliases: [cert_key]
  certificate_name:
    description:
      - Name of the X.509 certificate registered on the APIC user, used with O(private_key).
      - If not set in the task, E(ACI_CERTIFICATE_NAME) is used; without either, the base name of the
        O(private_key) file without its extension, or O(username) when the key is given as PEM text.
    type: str
    aliases: [cert_name]
  validate_certs:
    description:
      - Verify the APIC's TLS certificate and host name.
      - Only set this to V(false) for a lab APIC with a self-signed certificate; prefer O(ca_path).
      - If not set in the task, E(ACI_VALIDATE_CERTS) is used; without either, V(true).
    type: bool
  ca_path:
    description:
      - PEM file (or directory of hashed PEM files) holding the CA certificates that signed the APIC's
        certificate. Without it, the system trust store is used.
      - If not set in the task, E(ACI_CA_PATH) is used (the AWX credential type of this collection sets it
        to the CA file it writes).
    type: path
  use_ssl:
    description:
      - Use HTTPS. Set to V(false) only for an APIC with plain HTTP enabled.
      - If not set in the task, E(ACI_USE_SSL) is used; without either, V(true).
    type: bool
  use_proxy:
    description:
      - Use a proxy from the environment (C(https_proxy) and friends).
      - If not set in the task, E(ACI_USE_PROXY) is used; without either, V(true).
    type: bool
  timeout:
    description:
      - Seconds to wait for each answer from the APIC.
      - If not set in the task, E(ACI_TIMEOUT) is used; without either, V(30).
    type: int
notes:
  - Password sessions are opened once per task, logged in again once if the token times out, and
    logged out at the end of the task.
  - To open one session per play instead, run the tasks on a host with
    C(ansible_connection=ansible.netcommon.httpapi) and C(ansible_network_os=fabricops.aci.aci) (see the
    P(fabricops.aci.aci#httpapi) plugin); the connection's host and login are then used, and these options
    are ignored except O(private_key).
  - Secrets (password, private key, session token) never appear in results or failure messages.
"""
