# Copyright: (c) 2026, fabricops maintainers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Ensure a managed object (and its declared children) is present or absent: the shared engine of the
``mo`` and ``tenant`` modules. Reads, plans with ``mo_tree``, writes only when the plan says so."""

from __future__ import annotations

from ansible_collections.fabricops.aci.plugins.module_utils.core.query import mo_path
from ansible_collections.fabricops.aci.plugins.module_utils.mo_tree import from_apic, plan, predicted_attributes


def read_object(client, dn: str, with_children: bool) -> dict | None:
    """The object at ``dn`` in canonical form (with its whole subtree when asked), or None."""
    options = {"rsp-subtree": "full"} if with_children else None
    imdata = client.get(mo_path(dn), options).get("imdata") or []
    return from_apic(imdata[0], "dn") if imdata else None


def ensure_present(client, dn: str, desired: dict, check_mode: bool) -> dict:
    """Create or update the object so that everything declared in ``desired`` holds."""
    existing = read_object(client, dn, bool(desired["children"]))
    decision = plan(desired, existing, dn)
    if decision["changed"] and not check_mode:
        client.post(mo_path(dn), decision["payload"])
        written = read_object(client, dn, False)
        current = written["attributes"] if written else {}
    elif decision["changed"]:
        current = predicted_attributes(existing, desired, dn)
    else:
        current = existing["attributes"]
    return {
        "changed": decision["changed"],
        "dn": dn,
        "previous": existing["attributes"] if existing else {},
        "current": current,
        "sent": decision["payload"] or {},
        "diff": {"before": decision["before"], "after": decision["after"]},
    }


def ensure_absent(client, dn: str, check_mode: bool) -> dict:
    """Delete the object (and so its subtree) if it exists."""
    existing = read_object(client, dn, False)
    if existing is not None and not check_mode:
        client.delete(mo_path(dn))
    before = {existing["class"]: {"attributes": existing["attributes"]}} if existing else {}
    return {
        "changed": existing is not None,
        "dn": dn,
        "previous": existing["attributes"] if existing else {},
        "current": {},
        "sent": {},
        "diff": {"before": before, "after": {}},
    }


def apply_state(client, dn: str, state: str, desired: dict | None, check_mode: bool, want_diff: bool) -> dict:
    """Run ``state`` (present needs ``desired``) and keep the diff only when ``--diff`` asked for it."""
    if state == "absent":
        result = ensure_absent(client, dn, check_mode)
    else:
        result = ensure_present(client, dn, desired, check_mode)
    diff = result.pop("diff")
    if want_diff:
        result["diff"] = diff
    return result
