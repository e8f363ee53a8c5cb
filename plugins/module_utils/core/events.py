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
import json
import uuid

try:  # CPython's own SHA-1: the same digest as OpenSSL's, and cheaper to copy for a short input
    from _sha1 import sha1 as _sha1
except ImportError:  # an interpreter built without it
    _sha1 = hashlib.sha1

try:
    import orjson

    HAS_ORJSON = True
except ImportError:  # the standard encoder gives the same bytes for APIC attributes, only slower
    HAS_ORJSON = False

from ansible_collections.fabricops.aci.plugins.module_utils.core.dn import parent_dn as _parent_dn_slow
from ansible_collections.fabricops.aci.plugins.module_utils.core.dn import rn_of as _rn_of_slow
from ansible_collections.fabricops.aci.plugins.module_utils.core.dn import tenant_of as _tenant_of_slow

EXISTING = "existing"  # objects present when the source starts, emitted only when asked for

# A fixed namespace: the same change always hashes to the same meta.uuid, in any process.
UUID_NAMESPACE = uuid.UUID("5f0c6a8e-6d2b-4c55-9a43-4b1e8e2f1c07")

# Attributes that describe the notification rather than the object; never listed as changed.
BOOKKEEPING = frozenset(("dn", "rn", "status", "childAction", "modTs"))

_TENANT_PREFIX = "uni/tn-"
_TENANT_LENGTH = len(_TENANT_PREFIX)
_TRUE_TEXT = frozenset(("yes", "true"))


_PREFIXES = {}  # type: dict[tuple, object]
_SORTED = orjson.OPT_SORT_KEYS if HAS_ORJSON else 0


def _prefix(subscription: str, cls: str, status: str):
    """SHA-1 state after the namespace, subscription, class and status (built once, copied per event)."""
    if len(_PREFIXES) > 4096:  # bounded: subscriptions x classes x statuses are few, but never trust that
        _PREFIXES.clear()
    base = _sha1(UUID_NAMESPACE.bytes + f"{subscription}\x1f{cls}\x1f{status}\x1f".encode())
    _PREFIXES[subscription, cls, status] = base
    return base


def _canonical_slow(attributes: dict) -> bytes:
    """Sorted-key JSON with the standard encoder: the same bytes orjson writes for APIC attributes."""
    return json.dumps(attributes, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                      default=str).encode("utf-8")


def event_uuid(subscription: str, cls: str, status: str, attributes: dict, changed: list | None = None,
               dn: str | None = None) -> str:
    """A UUID (version 5 layout) over the subscription, class, status and the change's identity, order-free.

    The identity is what the change made of the object (``change_identity``), so the same change has
    the same id whether a push or a later snapshot delivered it: a change emitted again after a drop,
    a restart or an unconfirmed delivery can be recognised as the one before.
    """
    base = _PREFIXES.get((subscription, cls, status)) or _prefix(subscription, cls, status)
    digest = base.copy()
    identity = change_identity(status, attributes, changed, dn)
    try:
        digest.update(orjson.dumps(identity, option=_SORTED) if HAS_ORJSON else _canonical_slow(identity))
    except TypeError:  # keys that are not strings: only the standard encoder copes
        digest.update(_canonical_slow(identity))
    text = digest.hexdigest()
    # version 5 in the 13th hex digit, RFC 4122 variant (8, 9, a or b) in the 17th, as uuid.uuid5 writes them
    return f"{text[:8]}-{text[8:12]}-5{text[13:16]}-{_VARIANT[text[16]]}{text[17:20]}-{text[20:32]}"


# Attributes that differ between a push and a snapshot of the same object state (a push says
# ``rn: ""`` and its own status; a snapshot the real rn and ``status: ""``): never part of an identity.
_NOT_IDENTITY = frozenset(("rn", "status", "childAction"))


def change_identity(status: str, attributes: dict, changed: list | None = None, dn: str | None = None) -> dict:
    """The part of a change that names it, the same from a push and from a snapshot.

    - deleted: the DN alone (a snapshot has nothing else to say about an object that is gone);
    - modified, with ``changed`` known: the new values of the changed properties and ``modTs``
      (a sparse push and a full snapshot object agree on exactly these);
    - otherwise (created, existing): every attribute but the notification's own bookkeeping.
    """
    if dn is None:
        dn = attributes.get("dn", "")
    if status == "deleted":
        return {"dn": dn}
    if status == "modified" and changed is not None:
        identity = {}
        for name in changed:  # a plain loop: a comprehension costs a function call per event
            if name in attributes:
                identity[name] = attributes[name]
        stamp = attributes.get("modTs")
        if stamp is not None:
            identity["modTs"] = stamp
        identity["dn"] = dn
        return identity
    identity = {name: value for name, value in attributes.items() if name not in _NOT_IDENTITY}
    identity["dn"] = dn
    return identity


_VARIANT = {digit: "89ab"[int(digit, 16) & 3] for digit in "0123456789abcdef"}


def dn_parts(dn: str) -> tuple:
    """``(parent DN, rn, tenant or None)``: plain DNs take a fast path, bracketed ones core/dn.py's parser."""
    if "[" in dn:
        try:
            return _parent_dn_slow(dn), _rn_of_slow(dn), _tenant_of_slow(dn)
        except ValueError:  # unbalanced brackets: still an event, with what can be said
            return "", dn, None
    # one C call per part (rpartition gives "" as the parent of a DN without "/", as intended)
    parent, _slash, rn = dn.rpartition("/")
    if dn.startswith(_TENANT_PREFIX):
        return parent, rn, dn[_TENANT_LENGTH:].partition("/")[0]
    return parent, rn, None


def apic_int(value: object, default: int | None = None) -> int | None:
    """An integer from an APIC attribute string ("85", "85.0"), or ``default`` when absent or not a number.

    For reading attributes; options given by a user are read by core/connection.py ``option_int``, which
    refuses what is not a number instead.
    """
    if value is None or value == "":
        return default
    try:
        return int(value)  # type: ignore[call-overload]
    except (TypeError, ValueError):
        try:
            return int(float(value))  # type: ignore[arg-type]
        except (TypeError, ValueError, OverflowError):
            return default


def _to_bool(value: object) -> bool | None:
    if value is None or value == "":
        return None
    return str(value).lower() in _TRUE_TEXT


def health_fields(attributes: dict) -> dict:
    """Typed health score fields of a healthInst-like object (``cur``, ``prev``, ``maxSev``...)."""
    current = apic_int(attributes.get("cur"))
    previous = apic_int(attributes.get("prev"))
    return {
        "current": current,
        "previous": previous,
        "change": apic_int(attributes.get("chng")),
        "max_severity": attributes.get("maxSev"),
        "tw_score": apic_int(attributes.get("twScore")),
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
        "occurrences": apic_int(attributes.get("occur")),
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


def changed_names(names) -> list:
    """The property names worth reporting as changed: the notification's bookkeeping left out."""
    return [name for name in names if name not in BOOKKEEPING]


_HEALTH = "health"
_FAULT = "fault"
_KINDS = {}  # type: dict[str, str]


def _kind(cls: str) -> str:
    """Whether a class carries health or fault fields (cached: the hot path asks for every event)."""
    kind = _HEALTH if is_health(cls) else _FAULT if is_fault(cls) else ""
    if len(_KINDS) < 4096:
        _KINDS[cls] = kind
    return kind


_DN_PARTS = {}  # type: dict[str, tuple]


def _dn_parts_cached(dn: str) -> tuple:
    """``dn_parts`` remembered per DN: the objects that change are mostly the ones that changed before."""
    if len(_DN_PARTS) >= 8192:  # bounded: a burst over many objects only costs the look-up
        _DN_PARTS.clear()
    parts = _DN_PARTS[dn] = dn_parts(dn)
    return parts


def build_event(cls: str, dn: str, status: str, attributes: dict, subscription: str, apic: str,
                recovered: bool = False, changed: list | None = None) -> dict:
    """The EDA event for one change.

    ``changed`` lists the properties that changed (modified only; [] otherwise). ``attributes`` is
    passed on without copying.
    """
    parent, rn, tenant = _DN_PARTS.get(dn) or _dn_parts_cached(dn)
    kind = _KINDS.get(cls)
    if kind is None:
        kind = _kind(cls)
    aci = {
        "class": cls,
        "dn": dn,
        "rn": rn,
        "parent_dn": parent,
        "tenant": tenant,
        "status": status,
        "attributes": attributes,
        "changed": changed if changed is not None else [],
        "subscription": subscription,
        "apic": apic,
        "recovered": recovered,
    }
    if kind is _HEALTH:
        aci["health"] = health_fields(attributes)
    elif kind is _FAULT:
        aci["fault"] = fault_fields(attributes)
    return {"aci": aci, "meta": {"uuid": event_uuid(subscription, cls, status, attributes, changed, dn)}}


def status_event(fields: dict, event_id: str) -> dict:
    """The heartbeat event: under its own top-level key ``aci_status`` so no object rule can match it."""
    return {"aci_status": fields, "meta": {"uuid": event_id}}
