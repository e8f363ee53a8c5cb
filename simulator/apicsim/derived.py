"""Derived MOs: objects the APIC creates on its own side of a relation and pushes to subtree subscribers.

When an EPG's `fvRsBd` points at a bridge domain, the APIC keeps the reverse relation `fvRtBd` under that
BD (`<bd>/rtbd-[<epg>]`) and pushes it (observed in real captures). These are not stored in the object
tree (the class catalogue does not model them); they only travel as extra pushes when the
`derived_mos` option is on, which is enough for clients that must tolerate classes they never asked for.
"""

from __future__ import annotations

from collections.abc import Iterable

from .dn import parent_dn
from .mit import Change

# relation class -> (derived class, RN prefix of the derived object under the target)
_REVERSE = {"fvRsBd": ("fvRtBd", "rtbd"), "fvRsCtx": ("fvRtCtx", "rtctx")}


def derived_changes(changes: Iterable[Change]) -> list[Change]:
    """The derived-MO changes implied by `changes` (created/deleted relations with a target DN)."""
    out: list[Change] = []
    for change in changes:
        reverse = _REVERSE.get(change.cls)
        target = change.attrs.get("tDn", "")
        if reverse is None or not target or change.status not in ("created", "deleted"):
            continue
        cls, prefix = reverse
        source = parent_dn(change.dn)
        dn = f"{target}/{prefix}-[{source}]"
        attrs = {"dn": dn, "tDn": source, "tCl": "fvAEPg" if change.cls == "fvRsBd" else "fvBD",
                 "lcOwn": "local", "childAction": "", "status": change.status}
        if "modTs" in change.attrs:
            attrs["modTs"] = change.attrs["modTs"]
        out.append(Change(change.status, cls, dn, attrs, (), change.ts))
    return out
