#!/usr/bin/python
# Copyright: (c) 2026, fabricops maintainers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Active faults under an APIC object, by severity, with their lifecycle fields."""

from __future__ import annotations

DOCUMENTATION = r"""
module: fault_info
short_description: Active faults under an APIC object, by severity, with their lifecycle
version_added: 0.1.0
description:
  - Lists the faults (C(faultInst)) raised on the object at O(dn) and everything beneath it, or on the
    whole fabric when O(dn) is not given, worst first, with counts per severity.
  - Cleared faults are left out unless O(include_cleared=true) or V(cleared) is listed in O(severity).
author:
  - fabricops maintainers (@fabricops)
extends_documentation_fragment:
  - fabricops.aci.connection
  - fabricops.aci.attributes.info
options:
  dn:
    description: DN of the object whose subtree is searched, for example V(uni/tn-prod). Without it, every fault.
    type: str
  severity:
    description: Only faults with one of these severities.
    type: list
    elements: str
    choices: [critical, major, minor, warning, info, cleared]
  lifecycle:
    description: Only faults in one of these lifecycle states (C(lc)).
    type: list
    elements: str
    choices: [soaking, soaking-clearing, raised, raised-clearing, retaining]
  include_cleared:
    description: Also list faults whose severity is V(cleared) (retained for history).
    type: bool
    default: false
"""

EXAMPLES = r"""
- name: Major and critical faults of the tenant an event came from
  fabricops.aci.fault_info:
    dn: "uni/tn-{{ ansible_eda.event.aci.tenant }}"
    severity: [critical, major]
  register: faults

- name: Stop when something critical is raised
  ansible.builtin.assert:
    that: faults.counts.critical == 0
    fail_msg: "{{ faults.faults | map(attribute='description') | first }}"
"""

RETURN = r"""
faults:
  description: The matching faults, worst severity first, most recent first within a severity.
  returned: always
  type: list
  elements: dict
  contains:
    class:
      description: V(faultInst).
      type: str
      returned: always
    dn:
      description: DN of the fault.
      type: str
      returned: always
    affected:
      description: DN of the object the fault is raised on.
      type: str
      returned: always
    tenant:
      description: Tenant of the affected object, or V(null) outside tenants.
      type: str
      returned: always
    code:
      description: Fault code, for example V(F0467).
      type: str
      returned: always
    severity:
      description: Current severity.
      type: str
      returned: always
    lifecycle:
      description: Lifecycle state (C(lc)), for example V(raised) or V(retaining).
      type: str
      returned: always
    cause:
      description: Cause.
      type: str
      returned: always
    description:
      description: Text of the fault (C(descr)).
      type: str
      returned: always
    subject:
      description: Subject.
      type: str
      returned: always
    type:
      description: Fault type, for example V(config) or V(operational).
      type: str
      returned: always
    domain:
      description: Domain, for example V(tenant) or V(infra).
      type: str
      returned: always
    rule:
      description: Fault rule.
      type: str
      returned: always
    created:
      description: When the fault was raised.
      type: str
      returned: always
    last_transition:
      description: When the lifecycle last changed.
      type: str
      returned: always
    occurrences:
      description: How many times the fault has been raised (C(occur)).
      type: int
      returned: always
    acknowledged:
      description: Whether an operator acknowledged it.
      type: bool
      returned: always
    delegated:
      description: Whether it is delegated to a logical object.
      type: bool
      returned: always
    original_severity:
      description: Severity when first raised.
      type: str
      returned: always
    previous_severity:
      description: Severity before the last change.
      type: str
      returned: always
    highest_severity:
      description: Highest severity reached.
      type: str
      returned: always
  sample: [{"class": "faultInst", "dn": "uni/tn-prod/BD-web/fault-F0467", "affected": "uni/tn-prod/BD-web",
            "tenant": "prod", "code": "F0467", "severity": "major", "lifecycle": "raised", "occurrences": 1,
            "acknowledged": false}]
counts:
  description: Number of returned faults per severity (every severity is present).
  returned: always
  type: dict
  sample: {"critical": 0, "major": 1, "minor": 0, "warning": 0, "info": 0, "cleared": 0}
total:
  description: Number of returned faults.
  returned: always
  type: int
  sample: 1
"""

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.fabricops.aci.plugins.module_utils.argspec import connection_argument_spec
from ansible_collections.fabricops.aci.plugins.module_utils.core.query import and_, class_path, eq, mo_path, ne, or_
from ansible_collections.fabricops.aci.plugins.module_utils.results import (
    LIFECYCLES,
    SEVERITIES,
    count_by_severity,
    fault_record,
    sort_faults,
    split_object,
)
from ansible_collections.fabricops.aci.plugins.module_utils.runner import run_module

FAULT_CLASS = "faultInst"


def fault_filter(severity: list, lifecycle: list, include_cleared: bool) -> str | None:
    """The query-target-filter for the requested severities and lifecycle states."""
    parts = []
    if severity:
        parts.append(or_(*(eq(FAULT_CLASS + ".severity", value) for value in severity)))
    elif not include_cleared:
        parts.append(ne(FAULT_CLASS + ".severity", "cleared"))
    if lifecycle:
        parts.append(or_(*(eq(FAULT_CLASS + ".lc", value) for value in lifecycle)))
    return and_(*parts) if parts else None


def wanted(record: dict, severity: list, lifecycle: list, include_cleared: bool) -> bool:
    """The same selection applied locally, so the result is right whatever the server's filter did."""
    if severity:
        return record["severity"] in severity and (not lifecycle or record["lifecycle"] in lifecycle)
    if not include_cleared and record["severity"] == "cleared":
        return False
    return not lifecycle or record["lifecycle"] in lifecycle


def main() -> None:
    """Entry point."""
    spec = connection_argument_spec()
    spec.update(
        dn={"type": "str"},
        severity={"type": "list", "elements": "str", "choices": list(SEVERITIES)},
        lifecycle={"type": "list", "elements": "str", "choices": list(LIFECYCLES)},
        include_cleared={"type": "bool", "default": False},
    )
    module = AnsibleModule(argument_spec=spec, supports_check_mode=True)
    params = module.params
    severity = params["severity"] or []
    lifecycle = params["lifecycle"] or []

    def work(client):
        options = {"query-target-filter": fault_filter(severity, lifecycle, params["include_cleared"])}
        if params["dn"]:
            path = mo_path(params["dn"])
            options = dict({"query-target": "subtree", "target-subtree-class": FAULT_CLASS}, **options)
        else:
            path = class_path(FAULT_CLASS)
        records = []
        for obj in client.get_all(path, options):
            cls, attributes, _children = split_object(obj)
            record = fault_record(cls, attributes)
            if cls == FAULT_CLASS and wanted(record, severity, lifecycle, params["include_cleared"]):
                records.append(record)
        faults = sort_faults(records)
        return {"changed": False, "faults": faults, "counts": count_by_severity(faults), "total": len(faults)}

    run_module(module, work)


if __name__ == "__main__":
    main()
