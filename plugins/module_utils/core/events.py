# Copyright: (c) 2026, fabricops maintainers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""One object change turned into the EDA event that rules read.

Rules should say ``event.aci.status == "created"`` or ``event.aci.health.current < 70``, never dig
into ``imdata[0]`` or compare numbers held in strings, so the event carries typed, named fields next
to the attributes exactly as the APIC sent them. ``meta.uuid`` is derived from the change itself, so
the same change delivered twice has the same id and a consumer can drop the duplicate
(ansible-rulebook keeps a ``meta.uuid`` it is given).

Every field is documented in docs/event_reference.md.
"""

from __future__ import annotations

import hashlib
import uuid

from ansible_collections.fabricops.aci.plugins.module_utils.core.dn import parent_dn as _parent_dn_slow
from ansible_collections.fabricops.aci.plugins.module_utils.core.dn import rn_of as _rn_of_slow
from ansible_collections.fabricops.aci.plugins.module_utils.core.dn import tenant_of as _tenant_of_slow

EXISTING = "existing"  # objects present when the source starts, emitted only when asked for

# A fixed namespace: the same change always hashes to the same meta.uuid, in any process.
UUID_NAMESPACE = uuid.UUID("5f0c6a8e-6d2b-4c55-9a43-4b1e8e2f1c07")

# Attributes that describe the notification rather than the object; never listed as changed.
BOOKKEEPING = frozenset(("dn", "rn", "status", "childAction", "modTs"))

_TENANT_PREFIX = "uni/tn-"
_TRUE_TEXT = frozenset(("yes", "true"))


def event_uuid(subscription: str, cls: str, status: str, attributes: dict) -> str:
    """A UUID (version 5 layout) over the subscription, class, status and every attribute, order-free."""
    parts = [subscription, cls, status]
    for key in sorted(attributes):
        parts.append(key)
        parts.append(str(attributes[key]))
    digest = hashlib.sha1(UUID_NAMESPACE.bytes + "\x1f".join(parts).encode("utf-8")).digest()
    return str(uuid.UUID(bytes=digest[:16], version=5))


def _split_last(dn: str) -> tuple:
    """``(parent, rn)`` of a DN; plain DNs take a fast path, bracketed ones the full parser."""
    if "[" not in dn:
        cut = dn.rfind("/")
        return dn[:cut] if cut >= 0 else "", dn[cut + 1:]
    try:
        return _parent_dn_slow(dn), _rn_of_slow(dn)
    except ValueError:
        return "", dn


def tenant_of(dn: str) -> str | None:
    """The tenant name for objects under ``uni/tn-<name>``, else None."""
    if not dn.startswith(_TENANT_PREFIX):
        return None
    end = dn.find("/", len(_TENANT_PREFIX))
    name = dn[len(_TENANT_PREFIX):] if end < 0 else dn[len(_TENANT_PREFIX):end]
    if "[" in name:
        return _tenant_of_slow(dn)
    return name


def to_int(value: object) -> int | None:
    """An integer from an APIC attribute string ("85"), or None when absent or not a number."""
    if value is None or value == "":
        return None
    try:
        return int(value)  # type: ignore[call-overload]
    except (TypeError, ValueError):
        try:
            return int(float(value))  # type: ignore[arg-type]
        except (TypeError, ValueError):
            return None


def _to_bool(value: object) -> bool | None:
    if value is None or value == "":
        return None
    return str(value).lower() in _TRUE_TEXT


def health_fields(attributes: dict) -> dict:
    """Typed health score fields of a healthInst-like object (``cur``, ``prev``, ``maxSev``...)."""
    current = to_int(attributes.get("cur"))
    previous = to_int(attributes.get("prev"))
    return {
        "current": current,
        "previous": previous,
        "change": to_int(attributes.get("chng")),
        "max_severity": attributes.get("maxSev"),
        "tw_score": to_int(attributes.get("twScore")),
    }


def fault_fields(attributes: dict) -> dict:
    """Typed fault fields of a faultInst/faultDelegate/faultRecord object."""
    return {
        "code": attributes.get("code"),
        "severity": attributes.get("severity"),
        "previous_severity": attributes.get("prevSeverity"),
        "highest_severity": attributes.get("highestSeverity"),
        "original_severity": attributes.get("origSeverity"),
        "lifecycle": attributes.get("lc"),
        "occurrences": to_int(attributes.get("occur")),
        "acknowledged": _to_bool(attributes.get("ack")),
        "delegated": _to_bool(attributes.get("delegated")),
        "cause": attributes.get("cause"),
        "description": attributes.get("descr"),
        "type": attributes.get("type"),
        "domain": attributes.get("domain"),
        "subject": attributes.get("subject"),
        "rule": attributes.get("rule"),
        "created": attributes.get("created"),
        "last_transition": attributes.get("lastTransition"),
    }


def is_health(cls: str) -> bool:
    """healthInst and its relatives (healthNodeInst...): the classes that carry a health score."""
    return cls.startswith("health") and cls.endswith("Inst")


def is_fault(cls: str) -> bool:
    """faultInst, faultDelegate and faultRecord: the classes that carry fault fields."""
    return cls in ("faultInst", "faultDelegate", "faultRecord")


def changed_names(attributes: dict) -> list:
    """The properties a sparse ``modified`` push reports, without the notification's bookkeeping."""
    return [name for name in attributes if name not in BOOKKEEPING]


def build_event(cls: str, dn: str, status: str, attributes: dict, subscription: str, apic: str,
                recovered: bool = False, changed: list | None = None) -> dict:
    """The EDA event for one change.

    ``changed`` lists the properties that changed (modified only; [] otherwise). ``attributes`` is
    passed on without copying.
    """
    parent, rn = _split_last(dn)
    aci = {
        "class": cls,
        "dn": dn,
        "rn": rn,
        "parent_dn": parent,
        "tenant": tenant_of(dn),
        "status": status,
        "attributes": attributes,
        "changed": changed if changed is not None else [],
        "subscription": subscription,
        "apic": apic,
        "recovered": recovered,
    }
    if is_health(cls):
        aci["health"] = health_fields(attributes)
    elif is_fault(cls):
        aci["fault"] = fault_fields(attributes)
    return {"aci": aci, "meta": {"uuid": event_uuid(subscription, cls, status, attributes)}}


def status_event(fields: dict, event_id: str) -> dict:
    """The heartbeat event: under its own top-level key ``aci_status`` so no object rule can match it."""
    return {"aci_status": fields, "meta": {"uuid": event_id}}
