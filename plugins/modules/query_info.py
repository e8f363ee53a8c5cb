#!/usr/bin/python
# Copyright: (c) 2026, fabricops maintainers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Query a class or DN on the APIC and return flat, typed objects."""

from __future__ import annotations

DOCUMENTATION = r"""
module: query_info
short_description: Query APIC objects by class or DN and get flat, typed results
version_added: 0.1.0
description:
  - Runs one APIC query, by class (O(class_name)) or by object (O(dn)), with the APIC query options, and
    returns every matching object as one flat dictionary.
  - Large results are fetched page by page (O(page_size) objects per request); the module always returns
    all of them.
  - Health scores and faults asked for with O(include) are attached to each object as C(health) and C(faults).
author:
  - fabricops maintainers (@fabricops)
extends_documentation_fragment:
  - fabricops.aci.connection
  - fabricops.aci.attributes.info
options:
  class_name:
    description: Query every object of this class, for example V(fvTenant). Mutually exclusive with O(dn).
    type: str
  dn:
    description: Query this object (and, with O(query_target), its children or subtree).
    type: str
  node:
    description:
      - DN of a switch or controller, for example V(topology/pod-1/node-101), to run a class query on that
        node only. Only with O(class_name).
    type: str
  query_target:
    description: Return the object itself, its direct children, or its whole subtree (C(query-target)).
    type: str
    choices: [self, children, subtree]
  target_subtree_class:
    description: With O(query_target), only return objects of these classes (C(target-subtree-class)).
    type: list
    elements: str
  filter:
    description:
      - A C(query-target-filter) expression, written the APIC way (C(eq), C(ne), C(lt), C(gt), C(le), C(ge),
        C(wcard), C(and), C(or), C(not)); see the examples.
    type: str
    aliases: [query_target_filter]
  rsp_subtree:
    description: Include no children, direct children or the full subtree of each result (C(rsp-subtree)).
    type: str
    choices: ['no', children, full]
  rsp_subtree_class:
    description: With O(rsp_subtree), only include children of these classes (C(rsp-subtree-class)).
    type: list
    elements: str
  include:
    description: Attach the health score (C(health)) and/or the faults (C(faults)) of each object.
    type: list
    elements: str
    choices: [health, faults]
  order_by:
    description: Sort order, for example V(fvTenant.name|asc) (C(order-by)).
    type: str
  page_size:
    description: Objects fetched per request while paging.
    type: int
    default: 1000
notes:
  - Exactly one of O(class_name) and O(dn) is required.
"""

EXAMPLES = r"""
- name: All tenants whose name starts with "prod", with their health
  fabricops.aci.query_info:
    class_name: fvTenant
    filter: wcard(fvTenant.name,"^prod")
    include: [health]
  register: tenants

- name: Bridge domains and VRFs of one tenant
  fabricops.aci.query_info:
    dn: uni/tn-prod
    query_target: subtree
    target_subtree_class: [fvBD, fvCtx]
  register: prod

- name: Use the results
  ansible.builtin.debug:
    msg: "{{ tenants.objects | map(attribute='name') | list }}"
"""

RETURN = r"""
objects:
  description:
    - Every matching object as a flat dictionary, C(class) plus the object's attributes.
    - Health scores, fault occurrences and the like are integers; everything else is text as the APIC sends it.
    - C(health) (integer) and C(faults) (list of fault records as returned by M(fabricops.aci.fault_info)) are
      present when asked for with O(include); other included children are in C(children).
  returned: always
  type: list
  elements: dict
  sample: [{"class": "fvTenant", "dn": "uni/tn-prod", "name": "prod", "descr": "", "health": 95}]
total:
  description: Number of objects returned.
  returned: always
  type: int
  sample: 1
query:
  description: The API path and query string that were used (without paging options).
  returned: always
  type: str
  sample: /api/class/fvTenant.json?rsp-subtree-include=health
"""

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.fabricops.aci.plugins.module_utils.argspec import connection_argument_spec
from ansible_collections.fabricops.aci.plugins.module_utils.core.query import build_url, class_path, mo_path
from ansible_collections.fabricops.aci.plugins.module_utils.results import flatten
from ansible_collections.fabricops.aci.plugins.module_utils.runner import run_module


def query_options(params: dict) -> dict:
    """The APIC query options for the module's parameters, in a stable order."""
    return {
        "query-target": params["query_target"],
        "target-subtree-class": params["target_subtree_class"] or None,
        "query-target-filter": params["filter"],
        "rsp-subtree": params["rsp_subtree"],
        "rsp-subtree-class": params["rsp_subtree_class"] or None,
        "rsp-subtree-include": params["include"] or None,
        "order-by": params["order_by"],
    }


def main() -> None:
    """Entry point."""
    spec = connection_argument_spec()
    spec.update(
        class_name={"type": "str"},
        dn={"type": "str"},
        node={"type": "str"},
        query_target={"type": "str", "choices": ["self", "children", "subtree"]},
        target_subtree_class={"type": "list", "elements": "str"},
        filter={"type": "str", "aliases": ["query_target_filter"]},
        rsp_subtree={"type": "str", "choices": ["no", "children", "full"]},
        rsp_subtree_class={"type": "list", "elements": "str"},
        include={"type": "list", "elements": "str", "choices": ["health", "faults"]},
        order_by={"type": "str"},
        page_size={"type": "int", "default": 1000},
    )
    module = AnsibleModule(
        argument_spec=spec,
        supports_check_mode=True,
        mutually_exclusive=[("class_name", "dn"), ("dn", "node")],
        required_one_of=[("class_name", "dn")],
    )
    params = module.params
    if params["page_size"] < 1:
        module.fail_json(msg=f"page_size: must be at least 1, got {params['page_size']}")

    def work(client):
        path = class_path(params["class_name"], params["node"]) if params["class_name"] else mo_path(params["dn"])
        options = query_options(params)
        objects = [flatten(obj) for obj in client.get_all(path, options, params["page_size"])]
        return {"changed": False, "objects": objects, "total": len(objects), "query": build_url(path, options)}

    run_module(module, work)


if __name__ == "__main__":
    main()
