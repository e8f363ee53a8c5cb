# Copyright: (c) 2026, fabricops maintainers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The APIC side of ansible.netcommon's httpapi connection: one session per host and play, in memory only.

ansible starts one ``ansible-connection`` process per host for a play that uses
``ansible_connection: ansible.netcommon.httpapi``; this plugin lives in it. It logs in once, keeps the token
in that process's memory, serves every module request of the play over the connection's local socket, logs
in again when the token times out and logs out when ansible closes the connection at the end of the play.
The HTTP work is the modules' own client (TLS from one place, no cookie jar, secrets redacted), so a module
behaves the same with or without the connection; the token never crosses the socket.
"""

from __future__ import annotations

DOCUMENTATION = r"""
name: aci
author:
  - fabricops maintainers (@fabricops)
short_description: Keep one APIC session for all the fabricops.aci tasks of a play
version_added: 0.1.0
description:
  - Used with C(ansible_network_os=fabricops.aci.aci) and
    C(ansible_connection=ansible.netcommon.httpapi); needs the C(ansible.netcommon) collection.
  - The connection logs in to the APIC once (C(aaaLogin)), every fabricops.aci module of the play sends its
    requests through it, the session is refreshed by a new login when the APIC says the token timed out, and
    it is logged out when the play ends or the connection has been idle for C(persistent_connect_timeout).
  - The session token stays in the memory of the connection process; it is never written to a file and
    never reaches a module, a result or a log.
  - Where to connect and how comes from the connection variables C(ansible_host),
    C(ansible_httpapi_port), C(ansible_httpapi_use_ssl) (set it to V(true), the connection defaults to
    HTTP), C(ansible_httpapi_validate_certs), C(ansible_httpapi_ca_path), C(ansible_httpapi_use_proxy) and
    C(ansible_command_timeout). The user is C(ansible_user) and the password C(ansible_password) (or
    C(ansible_httpapi_password)); without them, E(ACI_USERNAME) and E(ACI_PASSWORD) are read, as the modules
    read them.
  - C(ansible_host) takes what the modules' O(fabricops.aci.mo#module:host) takes, a cluster included (for
    example V(apic1,apic2:8443)); the members are tried in turn, as the modules try them.
  - The modules' own connection options (O(fabricops.aci.mo#module:host), O(fabricops.aci.mo#module:password)
    and the others) are not used under this connection, except O(fabricops.aci.mo#module:private_key), since a
    task with a private key signs its requests directly and signed requests need no session.
"""

import json
import os

from ansible.module_utils.connection import ConnectionError as RpcConnectionError
from ansible.plugins.httpapi import HttpApiBase
from ansible_collections.fabricops.aci.plugins.module_utils.client import ApicClient
from ansible_collections.fabricops.aci.plugins.module_utils.core import errors
from ansible_collections.fabricops.aci.plugins.module_utils.core.connection import ENV_FALLBACKS, cluster_settings


def _from_env(option: str) -> str | None:
    """The first ACI_* (or ANSIBLE_NET_*) variable that is set for a connection option, as modules read it."""
    return next((os.environ[name] for name in ENV_FALLBACKS[option] if os.environ.get(name)), None)


class HttpApi(HttpApiBase):
    """One ApicClient per connection, logged in on connect and out on close."""

    def __init__(self, connection) -> None:
        super().__init__(connection)
        self._client = None  # type: ApicClient | None

    def _settings(self, username: str | None, password: str | None) -> tuple:
        """Settings of the APIC (or of each cluster member) that ``ansible_host`` names, the modules' way."""
        option = self.connection.get_option
        return cluster_settings(
            {
                "host": option("host"),
                "port": option("port"),
                "username": username or _from_env("username"),
                "password": password or _from_env("password"),
                "validate_certs": option("validate_certs"),
                "use_ssl": option("use_ssl"),
                "use_proxy": option("use_proxy"),
                "timeout": option("persistent_command_timeout"),
                "ca_path": option("ca_path"),
            },
            environ={},
        )

    def _open(self, username: str | None, password: str | None) -> None:
        """Log in once; core errors (refused login, unreachable APIC, bad settings) are raised as they are."""
        if self._client is None:
            client = ApicClient(*self._settings(username, password))
            client.login()
            self._client = client

    def login(self, username: str | None, password: str | None) -> None:
        """Open the play's APIC session (called by the connection when it connects)."""
        try:
            self._open(username, password)
        except errors.ConnectionFailedError as exc:
            raise RpcConnectionError(exc.reason) from None
        except (errors.ApicError, ValueError) as exc:
            raise RpcConnectionError(f"login failed: {exc}") from None

    def logout(self) -> None:
        """End the session (called by the connection when the play is done with it)."""
        if self._client is not None:
            self._client.logout()
            self._client = None

    def send_request(self, method: str, url: str, body: str | None = None) -> list:
        """One APIC request for a module: ``[status, answer text]``; the session is looked after here.

        A refused login goes back as the APIC's own error answer, so the module fails exactly as it does
        without the connection (same message, ``status``, ``code`` and error class).
        """
        data = None if body is None else body.encode("utf-8")
        try:
            self._open(self.connection.get_option("remote_user"), self.connection.get_option("password"))
            if not self.connection.connected:
                self.connection._connect()  # marks the netcommon connection connected; it logs out on close
            status, raw = self._client.exchange(method, url, data)
        except errors.ConnectionFailedError as exc:
            raise RpcConnectionError(exc.reason) from None
        except ValueError as exc:
            raise RpcConnectionError(f"login failed: {exc}") from None
        except errors.ApicError as exc:
            return [exc.status, json.dumps(_error_answer(exc))]
        return [status, raw.decode("utf-8", errors="replace")]


def _error_answer(exc: errors.ApicError) -> dict:
    """The APIC error envelope of a core error, as the APIC sends it."""
    return {"totalCount": "1", "imdata": [{"error": {"attributes": {"code": exc.code, "text": exc.text}}}]}
