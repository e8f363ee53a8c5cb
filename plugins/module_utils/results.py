# Copyright: (c) 2026, fabricops maintainers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""APIC answers shaped into flat, typed results that playbooks can use without digging into ``imdata``.

The APIC sends every value as a string. Only attributes whose meaning is numeric or boolean everywhere
are converted (health scores, fault occurrences, acknowledgement flags); names stay strings even when
they look like numbers, so a tenant called "2024" is not turned into an integer.
"""

from __future__ import annotations

from ansible_collections.fabricops.aci.plugins.module_utils.core.dn import parent_dn, tenant_of
from ansible_collections.fabricops.aci.plugins.module_utils.core.events import apic_int

SEVERITIES = ("critical", "major", "minor", "warning", "info", "cleared")
LIFECYCLES = ("soaking", "soaking-clearing", "raised", "raised-clearing", "retaining")
HEALTH_CLASS = "healthInst"
FAULT_CLASSES = ("faultInst", "faultDelegate")
_INTEGERS = {
    "healthInst": ("cur", "prev", "twScore", "chng"),
    "faultInst": ("occur",),
    "faultDelegate": ("occur",),
}


def split_object(obj: dict) -> tuple:
    """``(class, attributes, children)`` of one ``{"<class>": {"attributes", "children"}}`` object."""
    ((cls, body),) = obj.items()
    body = body or {}
    return cls, dict(body.get("attributes") or {}), list(body.get("children") or [])


def typed_attributes(cls: str, attributes: dict) -> dict:
    """Attributes with the class's numeric ones as ints."""
    out = dict(attributes)
    for name in _INTEGERS.get(cls, ()):
        if name in out:
            out[name] = apic_int(out[name], out[name])
    return out


def flatten(obj: dict) -> dict:
    """One flat dict per object: ``class`` plus its attributes; an included health score becomes
    ``health`` (int), included faults become ``faults`` (list of fault records), other children
    ``children`` (flattened the same way)."""
    cls, attributes, children = split_object(obj)
    flat = {"class": cls}
    flat.update(typed_attributes(cls, attributes))
    for child in children:
        child_cls, child_attributes, _grandchildren = split_object(child)
        if child_cls == HEALTH_CLASS:
            flat["health"] = apic_int(child_attributes.get("cur"))
        elif child_cls in FAULT_CLASSES:
            flat.setdefault("faults", []).append(fault_record(child_cls, child_attributes))
        else:
            flat.setdefault("children", []).append(flatten(child))
    return flat


def health_record(attributes: dict) -> dict:
    """A healthInst as ``dn`` (of the object it scores), ``health``, ``previous``, ``max_severity``..."""
    health_dn = attributes.get("dn", "")
    owner = parent_dn(health_dn) if health_dn.endswith("/health") else health_dn
    return {
        "dn": owner,
        "tenant": tenant_of(owner),
        "health": apic_int(attributes.get("cur")),
        "previous": apic_int(attributes.get("prev")),
        "max_severity": attributes.get("maxSev", ""),
        "change": apic_int(attributes.get("chng"), 0),
        "updated": attributes.get("updTs", ""),
    }


def _yes(value: object) -> bool:
    return str(value).lower() in ("yes", "true")


def fault_record(cls: str, attributes: dict) -> dict:
    """A faultInst/faultDelegate with readable names and typed values, plus the object it is raised on."""
    fault_dn = attributes.get("dn", "")
    affected = parent_dn(fault_dn) if fault_dn else ""
    return {
        "class": cls,
        "dn": fault_dn,
        "affected": affected,
        "tenant": tenant_of(affected),
        "code": attributes.get("code", ""),
        "severity": attributes.get("severity", ""),
        "lifecycle": attributes.get("lc", ""),
        "cause": attributes.get("cause", ""),
        "description": attributes.get("descr", ""),
        "subject": attributes.get("subject", ""),
        "type": attributes.get("type", ""),
        "domain": attributes.get("domain", ""),
        "rule": attributes.get("rule", ""),
        "created": attributes.get("created", ""),
        "last_transition": attributes.get("lastTransition", ""),
        "occurrences": apic_int(attributes.get("occur"), 0),
        "acknowledged": _yes(attributes.get("ack", "no")),
        "delegated": _yes(attributes.get("delegated", "no")),
        "original_severity": attributes.get("origSeverity", ""),
        "previous_severity": attributes.get("prevSeverity", ""),
        "highest_severity": attributes.get("highestSeverity", ""),
    }


def severity_rank(severity: str) -> int:
    """0 for critical ... 5 for cleared; unknown severities sort last."""
    return SEVERITIES.index(severity) if severity in SEVERITIES else len(SEVERITIES)


def sort_faults(faults: list) -> list:
    """Worst first; within a severity, the most recently changed first."""
    by_time = sorted(faults, key=lambda fault: (fault["last_transition"] or fault["created"]), reverse=True)
    return sorted(by_time, key=lambda fault: severity_rank(fault["severity"]))


def count_by_severity(faults: list) -> dict:
    """``{"critical": n, ..., "cleared": n}`` with every severity present."""
    counts = dict.fromkeys(SEVERITIES, 0)
    for fault in faults:
        if fault["severity"] in counts:
            counts[fault["severity"]] += 1
    return counts
