# Copyright: (c) 2026, fabricops maintainers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""How every module runs: build the client, do the work, turn any failure into one clear fail_json.

Failures carry ``status`` and ``code`` (when the APIC answered) or ``host`` (when it could not be
reached) so playbooks can branch on them, and the session token is registered as a no_log value the
moment it exists, so nothing a module prints can contain it. Under the httpapi connection
(plugins/httpapi/aci.py) the module sends its requests through the play's session instead of opening
its own, unless the task signs its requests with a private key.
"""

from __future__ import annotations

from ansible_collections.fabricops.aci.plugins.module_utils.argspec import settings_from_params
from ansible_collections.fabricops.aci.plugins.module_utils.client import ApicClient
from ansible_collections.fabricops.aci.plugins.module_utils.core.errors import ApicError, ConnectionFailedError
from ansible_collections.fabricops.aci.plugins.module_utils.core.redact import redact
from ansible_collections.fabricops.aci.plugins.module_utils.persistent import SessionClient, uses_connection


def _failure_fields(exc: Exception) -> dict:
    if isinstance(exc, ApicError):
        return {"status": exc.status, "code": exc.code, "error_class": exc.__class__.__name__}
    if isinstance(exc, ConnectionFailedError):
        return {"host": exc.host, "error_class": exc.__class__.__name__}
    return {"error_class": "ValueError"}


def run_module(module, work) -> None:
    """Call ``work(client)`` and exit with its result dict, or fail with a one-line message."""
    client = None
    secrets = tuple(value for value in (module.params.get("password"), module.params.get("private_key")) if value)
    try:
        if uses_connection(module):
            client = SessionClient(module._socket_path)
        else:
            client = ApicClient(*settings_from_params(module.params))
        result = work(client)
    except (ApicError, ConnectionFailedError, ValueError) as exc:
        if client is not None:
            secrets += client.secrets
            module.no_log_values.update(client.secrets)
            client.logout()
        module.fail_json(msg=redact(str(exc), secrets), **_failure_fields(exc))
    module.no_log_values.update(client.secrets)
    client.logout()
    module.exit_json(**result)
