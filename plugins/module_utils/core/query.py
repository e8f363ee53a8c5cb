# Copyright: (c) 2026, fabricops maintainers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""API paths, query strings and query-target-filter expressions, written the way the APIC wants them.

The APIC expects brackets, commas, quotes and parentheses raw in its URLs (fully percent-encoding a
query is known to break it), so nothing here uses ``urllib.parse.quote``/``urlencode``. Only what would
change the meaning of the URL is escaped: '%', spaces and non-printable or non-ASCII characters anywhere,
'?' and '#' in paths, '&', '#' and '+' in query values.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

_CLASS_NAME = re.compile(r"^[a-z][a-zA-Z0-9]*$")
_PROPERTY = re.compile(r"^[a-z][a-zA-Z0-9]*\.[a-zA-Z][a-zA-Z0-9]*$")
_OPTION_NAME = re.compile(r"^[a-zA-Z][a-zA-Z0-9-]*$")

_PATH_UNSAFE = frozenset("%?# ")
_VALUE_UNSAFE = frozenset("%&#+ ")


def _escape(text: str, unsafe: frozenset) -> str:
    """Percent-encode only the characters in ``unsafe`` and those outside printable ASCII."""
    out = []
    for char in text:
        if char in unsafe or not " " <= char <= "~":
            out.extend(f"%{byte:02X}" for byte in char.encode("utf-8"))
        else:
            out.append(char)
    return "".join(out)


def check_class_name(cls: str) -> str:
    """Return ``cls`` when it looks like an APIC class name (``fvTenant``), else raise ValueError."""
    if not isinstance(cls, str) or not _CLASS_NAME.match(cls):
        raise ValueError(
            f"class name {cls!r} is not an APIC class name; use the camel-case class such as 'fvTenant'"
        )
    return cls


def _check_dn(dn: str) -> str:
    dn = (dn or "").strip("/")
    if not dn:
        raise ValueError("DN must not be empty; give a DN such as 'uni/tn-example'")
    return dn


def class_path(cls: str, node: str | None = None) -> str:
    """The path of a class query: ``/api/class/<cls>.json``, or ``/api/node/class/<node>/<cls>.json``.

    ``node`` is the DN of a node (``topology/pod-1/node-101``) to scope the query to one switch.
    """
    check_class_name(cls)
    if node:
        return f"/api/node/class/{_escape(_check_dn(node), _PATH_UNSAFE)}/{cls}.json"
    return f"/api/class/{cls}.json"


def mo_path(dn: str) -> str:
    """The path of a managed-object query or post: ``/api/mo/<dn>.json`` (brackets kept raw)."""
    return f"/api/mo/{_escape(_check_dn(dn), _PATH_UNSAFE)}.json"


def _option_value(value: object) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (list, tuple)):
        return ",".join(_option_value(item) for item in value)
    return _escape(str(value), _VALUE_UNSAFE)


def query_string(options: Mapping[str, object]) -> str:
    """Query options as the APIC reads them, in the given order; ``None`` values are left out.

    Lists become comma-separated (``target-subtree-class=fvBD,fvCtx``), booleans become yes/no.
    """
    parts = []
    for name, value in options.items():
        if value is None:
            continue
        if not _OPTION_NAME.match(name):
            raise ValueError(f"query option name {name!r} is not valid; use names such as 'query-target'")
        parts.append(f"{name}={_option_value(value)}")
    return "&".join(parts)


def build_url(path: str, options: Mapping[str, object] | None = None) -> str:
    """``path`` plus its query string (no '?' when there are no options)."""
    query = query_string(options or {})
    return f"{path}?{query}" if query else path


def _literal(value: object) -> str:
    text = ("yes" if value else "no") if isinstance(value, bool) else str(value)
    if '"' in text:
        raise ValueError(f"filter value {text!r} contains a double quote, which APIC filters cannot express")
    return f'"{text}"'


def _compare(operator: str, prop: str, value: object) -> str:
    if not isinstance(prop, str) or not _PROPERTY.match(prop):
        raise ValueError(f"filter property {prop!r} must be written as <class>.<attribute>, e.g. 'fvTenant.name'")
    return f"{operator}({prop},{_literal(value)})"


def eq(prop: str, value: object) -> str:
    """``eq(fvTenant.name,"a")``: property equals value."""
    return _compare("eq", prop, value)


def ne(prop: str, value: object) -> str:
    """Property differs from value."""
    return _compare("ne", prop, value)


def lt(prop: str, value: object) -> str:
    """Property is less than value."""
    return _compare("lt", prop, value)


def gt(prop: str, value: object) -> str:
    """Property is greater than value."""
    return _compare("gt", prop, value)


def le(prop: str, value: object) -> str:
    """Property is less than or equal to value."""
    return _compare("le", prop, value)


def ge(prop: str, value: object) -> str:
    """Property is greater than or equal to value."""
    return _compare("ge", prop, value)


def wcard(prop: str, value: object) -> str:
    """Property matches the wildcard (substring/regex) pattern the APIC calls wcard."""
    return _compare("wcard", prop, value)


def _combine(operator: str, exprs: tuple) -> str:
    items = [expr for expr in exprs if expr]
    if not items:
        raise ValueError(f"{operator}() needs at least one filter expression")
    if len(items) == 1:
        return items[0]
    joined = ",".join(items)
    return f"{operator}({joined})"


def and_(*exprs: str) -> str:
    """All expressions hold; a single expression is returned unchanged, empty ones are ignored."""
    return _combine("and", exprs)


def or_(*exprs: str) -> str:
    """Any expression holds; a single expression is returned unchanged, empty ones are ignored."""
    return _combine("or", exprs)


def not_(expr: str) -> str:
    """The expression does not hold."""
    if not expr:
        raise ValueError("not() needs a filter expression")
    return f"not({expr})"
