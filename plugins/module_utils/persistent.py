# Copyright: (c) 2026, fabricops maintainers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The module side of the persistent APIC session: requests go to the play's httpapi connection.

Under ``ansible_connection: ansible.netcommon.httpapi`` and ``ansible_network_os: fabricops.aci.aci``,
ansible hands every module the local socket of the connection process (``module._socket_path``). That
process (plugins/httpapi/aci.py) holds the one logged-in session of the play; this client only forwards
each request and reads the answer, so it never holds a token and has nothing to log out.
"""

from __future__ import annotations

from ansible.module_utils.connection import Connection
from ansible.module_utils.connection import ConnectionError as RpcConnectionError
from ansible_collections.fabricops.aci.plugins.module_utils.client import ApicClient
from ansible_collections.fabricops.aci.plugins.module_utils.core import errors


class SessionClient(ApicClient):
    """ApicClient's interface (get, post, delete, get_all) over the connection's socket."""

    def __init__(self, socket_path: str) -> None:  # pylint: disable=super-init-not-called
        self._connection = Connection(socket_path)

    @property
    def secrets(self) -> tuple:
        """Nothing secret ever reaches this side of the socket."""
        return ()

    @property
    def _where(self) -> str:
        """The APIC the connection talks to, for failure messages."""
        try:
            return str(self._connection.get_option("host"))
        except RpcConnectionError:
            return "the host of the ansible.netcommon.httpapi connection"

    def login(self) -> None:
        """The connection logs in; nothing to do here."""
        return None

    def logout(self) -> None:
        """The connection logs out when the play is done with it."""
        return None

    def exchange(self, method: str, url: str, body: bytes | None) -> tuple[int, bytes]:
        try:
            status, text = self._connection.send_request(method, url, None if body is None else body.decode("utf-8"))
        except RpcConnectionError as exc:
            raise errors.ConnectionFailedError(self._where, str(exc)) from None
        return int(status), text.encode("utf-8")


def uses_connection(module) -> bool:
    """True when the task runs under a persistent connection and signs nothing itself (no private key)."""
    return bool(getattr(module, "_socket_path", None)) and not module.params.get("private_key")
