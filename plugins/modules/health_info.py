#!/usr/bin/python
# Copyright: (c) 2026, fabricops maintainers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The health score of an object and the unhealthiest objects beneath it."""

from __future__ import annotations

DOCUMENTATION = r"""
module: health_info
short_description: Health score of an APIC object and the unhealthiest objects beneath it
version_added: 0.1.0
description:
  - Reads the health score (C(healthInst)) of the object at O(dn), and the objects in its subtree whose
    score is below O(threshold), worst first.
  - Use it in a reaction playbook to explain a health drop pushed by the event source.
author:
  - fabricops maintainers (@fabricops)
extends_documentation_fragment:
  - fabricops.aci.connection
  - fabricops.aci.attributes.info
options:
  dn:
    description: DN of the object, for example V(uni/tn-prod) or V(topology/pod-1/node-101).
    type: str
    required: true
  threshold:
    description: Only objects whose score is below this value are listed in RV(unhealthiest).
    type: int
    default: 100
  limit:
    description: At most this many objects are listed in RV(unhealthiest).
    type: int
    default: 10
"""

EXAMPLES = r"""
- name: Why did this tenant's health drop?
  fabricops.aci.health_info:
    dn: "uni/tn-{{ ansible_eda.event.aci.tenant }}"
    threshold: 90
    limit: 5
  register: health

- name: Report
  ansible.builtin.debug:
    msg: "{{ health.dn }} is at {{ health.health }}; worst: {{ health.unhealthiest | map(attribute='dn') | list }}"
"""

RETURN = r"""
dn:
  description: The DN that was asked about.
  returned: always
  type: str
  sample: uni/tn-prod
exists:
  description: Whether the object exists. When it does not, the other values are empty.
  returned: always
  type: bool
  sample: true
class_name:
  description: APIC class of the object.
  returned: always
  type: str
  sample: fvTenant
health:
  description: Current health score (0 to 100), or V(null) when the object has no score.
  returned: always
  type: int
  sample: 82
previous:
  description: Previous health score, or V(null).
  returned: always
  type: int
  sample: 100
max_severity:
  description: Highest severity among the faults that lower the score.
  returned: always
  type: str
  sample: major
updated:
  description: When the score last changed, as the APIC writes timestamps.
  returned: always
  type: str
  sample: "2026-11-01T10:00:00.000+00:00"
unhealthiest:
  description: Objects beneath O(dn) with a score below O(threshold), lowest score first.
  returned: always
  type: list
  elements: dict
  contains:
    dn:
      description: DN of the object.
      type: str
      returned: always
    tenant:
      description: Tenant the object belongs to, or V(null) outside tenants.
      type: str
      returned: always
    health:
      description: Current score.
      type: int
      returned: always
    previous:
      description: Previous score.
      type: int
      returned: always
    change:
      description: Last change of the score.
      type: int
      returned: always
    max_severity:
      description: Highest fault severity on the object.
      type: str
      returned: always
    updated:
      description: When the score last changed.
      type: str
      returned: always
  sample: [{"dn": "uni/tn-prod/BD-web", "tenant": "prod", "health": 70, "previous": 100, "change": -30,
            "max_severity": "major", "updated": "2026-11-01T10:00:00.000+00:00"}]
"""

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.fabricops.aci.plugins.module_utils.argspec import connection_argument_spec
from ansible_collections.fabricops.aci.plugins.module_utils.core.query import lt, mo_path
from ansible_collections.fabricops.aci.plugins.module_utils.results import (
    HEALTH_CLASS,
    health_record,
    split_object,
)
from ansible_collections.fabricops.aci.plugins.module_utils.runner import run_module


def object_health(client, dn: str) -> dict:
    """The object's own class and score (``exists`` False when there is no such object)."""
    imdata = client.get(mo_path(dn), {"rsp-subtree-include": "health"}).get("imdata") or []
    if not imdata:
        return {"exists": False, "class_name": "", "health": None, "previous": None, "max_severity": "",
                "updated": ""}
    cls, _attributes, children = split_object(imdata[0])
    result = {"exists": True, "class_name": cls, "health": None, "previous": None, "max_severity": "", "updated": ""}
    for child in children:
        child_cls, child_attributes, _grandchildren = split_object(child)
        if child_cls == HEALTH_CLASS:
            record = health_record(child_attributes)
            result.update(health=record["health"], previous=record["previous"],
                          max_severity=record["max_severity"], updated=record["updated"])
    return result


def unhealthiest(client, dn: str, threshold: int, limit: int) -> list:
    """Scores below ``threshold`` in the subtree of ``dn`` (its own score excluded), lowest first."""
    options = {
        "query-target": "subtree",
        "target-subtree-class": HEALTH_CLASS,
        "query-target-filter": lt(HEALTH_CLASS + ".cur", threshold),
    }
    records = []
    for obj in client.get_all(mo_path(dn), options):
        cls, attributes, _children = split_object(obj)
        record = health_record(attributes)
        # Checked here too: the filter narrows the transfer, this keeps the result right regardless.
        if cls == HEALTH_CLASS and record["dn"] != dn and record["health"] is not None \
                and record["health"] < threshold:
            records.append(record)
    records.sort(key=lambda record: (record["health"], record["dn"]))
    return records[:limit]


def main() -> None:
    """Entry point."""
    spec = connection_argument_spec()
    spec.update(
        dn={"type": "str", "required": True},
        threshold={"type": "int", "default": 100},
        limit={"type": "int", "default": 10},
    )
    module = AnsibleModule(argument_spec=spec, supports_check_mode=True)
    params = module.params
    if params["limit"] < 0:
        module.fail_json(msg=f"limit: must be 0 or more, got {params['limit']}")
    dn = params["dn"].strip("/")

    def work(client):
        result = {"changed": False, "dn": dn}
        result.update(object_health(client, dn))
        found = unhealthiest(client, dn, params["threshold"], params["limit"]) if result["exists"] else []
        result["unhealthiest"] = found
        return result

    run_module(module, work)


if __name__ == "__main__":
    main()
