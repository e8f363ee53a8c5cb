# Copyright: (c) 2026, fabricops maintainers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The connection options every module takes, matching the ``fabricops.aci.connection`` doc fragment.

No option with an ``ACI_*`` fallback has an argument-spec default: ansible would set the default before
it looks at the environment, and the variable would never be read. Defaults are applied afterwards by
``core.connection.connection_settings``, which every entry point (modules and event source) shares.
"""

from __future__ import annotations

from ansible.module_utils.basic import env_fallback
from ansible_collections.fabricops.aci.plugins.module_utils.core.connection import (
    CONNECTION_OPTIONS,
    ENV_FALLBACKS,
    OPTION_ALIASES,
    SECRET_OPTIONS,
    ConnectionSettings,
    cluster_settings,
)

# host is raw: one address, a YAML list of cluster members or comma-separated text (core/hosts.py).
_TYPES = {
    "host": "raw",
    "port": "int",
    "username": "str",
    "password": "str",
    "private_key": "str",
    "certificate_name": "str",
    "validate_certs": "bool",
    "use_ssl": "bool",
    "use_proxy": "bool",
    "timeout": "int",
}


def connection_argument_spec() -> dict:
    """A fresh argument spec for the connection options (callers add their own options to it)."""
    spec = {}
    for name, kind in _TYPES.items():
        option = {"type": kind, "fallback": (env_fallback, list(ENV_FALLBACKS[name]))}
        if name in OPTION_ALIASES:
            option["aliases"] = list(OPTION_ALIASES[name])
        if name in SECRET_OPTIONS:
            option["no_log"] = True
        spec[name] = option
    spec["ca_path"] = {"type": "path", "fallback": (env_fallback, list(ENV_FALLBACKS["ca_path"]))}
    return spec


def settings_from_params(params: dict) -> tuple[ConnectionSettings, ...]:
    """Validated settings of every APIC ``host`` names, in failover order (fallbacks already applied by
    ansible, defaults here)."""
    return cluster_settings({name: params.get(name) for name in CONNECTION_OPTIONS}, environ={})
