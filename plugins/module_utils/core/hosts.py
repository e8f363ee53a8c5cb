# Copyright: (c) 2026, fabricops maintainers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The ``host`` option (and ``ACI_HOST``): one APIC or the members of a cluster, each with an optional port.

The modules and the event source read it with this one parser, so a value means the same everywhere:
``apic1``, ``apic1:8443``, ``[2001:db8::1]:443``, a bare IPv6 literal (``2001:db8::1``), and several
of these as a YAML list or as comma-separated text (the form an environment variable can carry).
"""

from __future__ import annotations

from collections.abc import Mapping

IPV6_WITH_PORT = "[2001:db8::1]:443"


def type_name(value: object) -> str:
    """How an error names what was given instead of text: ``a mapping``, ``a list``, ``int``."""
    if isinstance(value, Mapping):
        return "a mapping"
    if isinstance(value, (list, tuple)):
        return "a list"
    return type(value).__name__


def _port(option: str, text: str, item: str) -> int:
    port = int(text) if text.strip().isdigit() else 0
    if not 1 <= port <= 65535:
        raise ValueError(f"{option}: the port in {item!r} must be a whole number between 1 and 65535")
    return port


def split_host(item: str, option: str = "host") -> tuple[str, int | None]:
    """One address as ``(host, port or None)``; IPv6 literals come back without brackets.

    Exactly one colon means ``host:port``; more colons without brackets mean a bare IPv6 literal, whose
    port can only be given in brackets.
    """
    item = item.strip()
    if "/" in item:
        raise ValueError(f"{option}: give only the APIC address (name or IP, optionally :port), without a "
                         f"scheme or path, got {item!r}")
    if item.startswith("["):
        host, rest = item[1:].split("]", 1) if "]" in item else (item[1:], "")
        if not host or (rest and not rest.startswith(":")):
            raise ValueError(f"{option}: cannot read {item!r}; write IPv6 with a port as '{IPV6_WITH_PORT}'")
        return host, (_port(option, rest[1:], item) if rest else None)
    if "]" in item:
        raise ValueError(f"{option}: cannot read {item!r}; write IPv6 with a port as '{IPV6_WITH_PORT}'")
    if item.count(":") == 1:
        host, port = item.split(":")
        if not host:
            raise ValueError(f"{option}: {item!r} has a port but no address")
        return host, _port(option, port, item)
    return item, None


def parse_hosts(value: object, option: str = "host") -> list[tuple[str, int | None]]:
    """Every address in ``value`` (a list, or comma-separated text) as ``(host, port or None)``, in order."""
    if isinstance(value, (list, tuple)):
        items = list(value)
    elif value is None or isinstance(value, str):
        items = (value or "").split(",")
    else:
        raise ValueError(f"{option}: must be a string or a list of APIC addresses, got {type_name(value)}")
    hosts = []
    for item in items:
        if not isinstance(item, str):
            raise ValueError(f"{option}: expected APIC addresses as text, got {type(item).__name__}")
        if item.strip():
            hosts.append(split_host(item, option))
    if not hosts:
        raise ValueError(f"{option}: required; give the APIC address, a list of cluster members, or export ACI_HOST")
    return hosts
