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
    CONNECTION_TABLE,
    ConnectionSettings,
    cluster_settings,
)

# Module types of the table's kinds: host is raw (one address, a YAML list of cluster members or
# comma-separated text, read by core/hosts.py).
_MODULE_TYPES = {"hosts": "raw", "str": "str", "int": "int", "bool": "bool", "path": "path"}


def connection_argument_spec() -> dict:
    """A fresh argument spec for the connection options (callers add their own options to it)."""
    spec = {}
    for option in CONNECTION_TABLE:
        entry = {"type": _MODULE_TYPES[option.kind], "fallback": (env_fallback, list(option.env))}
        if option.aliases:
            entry["aliases"] = list(option.aliases)
        if option.secret:
            entry["no_log"] = True
        spec[option.name] = entry
    return spec


def settings_from_params(params: dict) -> tuple[ConnectionSettings, ...]:
    """Validated settings of every APIC ``host`` names, in failover order (fallbacks already applied by
    ansible, defaults here)."""
    return cluster_settings({name: params.get(name) for name in CONNECTION_OPTIONS}, environ={})
