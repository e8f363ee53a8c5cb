# Copyright: (c) 2026, fabricops maintainers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Distinguished names (DNs) as the APIC writes them.

A DN is a '/'-separated list of relative names (RNs). RN values that contain '/' are wrapped in
brackets, and brackets nest (``subnetBddefDn-[uni/bd-[uni/tn-x/BD-y]-isSvc-no]``), so a plain
``str.split('/')`` cuts objects in half. Everything here counts bracket depth instead.
"""

from __future__ import annotations

# Characters that force an RN value into brackets: the DN separator and the brackets themselves.
_NEEDS_BRACKETS = frozenset("/[]")


def split_dn(dn: str) -> list[str]:
    """Split a DN into RNs, never splitting on a '/' that sits inside brackets.

    Raises ValueError on unbalanced brackets, because a half-parsed DN would silently
    address the wrong object.
    """
    if not dn:
        return []
    rns = []  # type: list[str]
    depth = 0
    start = 0
    for index, char in enumerate(dn):
        if char == "[":
            depth += 1
        elif char == "]":
            depth -= 1
            if depth < 0:
                raise ValueError(f"DN {dn!r} has a ']' without a matching '['")
        elif char == "/" and depth == 0:
            rns.append(dn[start:index])
            start = index + 1
    if depth != 0:
        raise ValueError(f"DN {dn!r} has a '[' without a matching ']'")
    rns.append(dn[start:])
    if any(rn == "" for rn in rns):
        raise ValueError(f"DN {dn!r} has an empty RN (a leading, trailing or doubled '/')")
    return rns


def join_dn(rns: list[str] | tuple[str, ...]) -> str:
    """Join RNs back into a DN (the inverse of split_dn)."""
    return "/".join(rns)


def parent_dn(dn: str) -> str:
    """The DN of the parent object; '' for a top-level object such as 'uni'."""
    return join_dn(split_dn(dn)[:-1])


def rn_of(dn: str) -> str:
    """The last RN of a DN ('' for an empty DN)."""
    rns = split_dn(dn)
    return rns[-1] if rns else ""


def make_rn(prefix: str, value: str, bracket: bool | None = None) -> str:
    """Build an RN from its class prefix and naming value.

    ``bracket=None`` brackets the value only when it must be (it holds '/' or brackets), which is
    what the APIC does for names; pass ``bracket=True`` for classes whose RNs are always bracketed.
    """
    if not prefix:
        raise ValueError("RN prefix must not be empty")
    value = str(value)
    if bracket is None:
        bracket = any(char in _NEEDS_BRACKETS for char in value)
    if bracket:
        return f"{prefix}-[{value}]"
    return f"{prefix}-{value}"


def rn_value(rn: str, prefix: str) -> str | None:
    """The naming value of an RN with the given prefix, brackets removed; None when the prefix differs."""
    head = prefix + "-"
    if not rn.startswith(head):
        return None
    value = rn[len(head):]
    if value.startswith("[") and value.endswith("]"):
        return value[1:-1]
    return value


def tenant_of(dn: str) -> str | None:
    """The tenant name of an object under ``uni/tn-<name>``, or None for anything else."""
    try:
        rns = split_dn(dn)
    except ValueError:
        return None
    if len(rns) < 2 or rns[0] != "uni":
        return None
    return rn_value(rns[1], "tn")
