#!/usr/bin/python
# Copyright: (c) 2026, fabricops maintainers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Ensure a tenant, with an optional baseline, is present or absent."""

from __future__ import annotations

DOCUMENTATION = r"""
module: tenant
short_description: Ensure an ACI tenant and its baseline are present or absent
version_added: 0.1.0
description:
  - Ensures the tenant O(name) exists with the given O(description) and O(annotation), or does not exist.
  - With O(baseline), also ensures a VRF, a bridge domain bound to it (optionally with a gateway subnet)
    and an application profile inside the tenant, in one request.
  - Reports C(changed) only when something declared differs; objects not declared are left alone.
author:
  - fabricops maintainers (@fabricops)
extends_documentation_fragment:
  - fabricops.aci.connection
  - fabricops.aci.attributes.write
options:
  name:
    description: Name of the tenant.
    type: str
    required: true
    aliases: [tenant]
  description:
    description: Description of the tenant (C(descr)). Left unchanged when not given.
    type: str
    aliases: [descr]
  annotation:
    description: Annotation of the tenant, for example V(orchestrator:ansible). Left unchanged when not given.
    type: str
  baseline:
    description: Objects every tenant of this kind starts with. Ignored when O(state=absent).
    type: dict
    suboptions:
      vrf:
        description: Name of a VRF (C(fvCtx)) to ensure.
        type: str
      bridge_domain:
        description: Name of a bridge domain (C(fvBD)) to ensure, bound to O(baseline.vrf) when given.
        type: str
      subnet:
        description:
          - Gateway address and mask of a subnet (C(fvSubnet)) on O(baseline.bridge_domain), e.g. V(10.0.0.1/24).
        type: str
      application_profile:
        description: Name of an application profile (C(fvAp)) to ensure.
        type: str
  state:
    description: V(present) creates or updates the tenant; V(absent) deletes it with everything inside it.
    type: str
    choices: [present, absent]
    default: present
"""

EXAMPLES = r"""
- name: Give a new tenant its baseline
  fabricops.aci.tenant:
    host: apic.example.net
    username: admin
    password: "{{ apic_password }}"
    name: "{{ ansible_eda.event.aci.tenant | default('prod') }}"
    description: managed by EDA
    annotation: orchestrator:ansible
    baseline:
      vrf: main
      bridge_domain: web
      subnet: 10.10.0.1/24
      application_profile: shop

- name: Delete a tenant
  fabricops.aci.tenant:
    name: scratch
    state: absent
"""

RETURN = r"""
dn:
  description: The DN of the tenant.
  returned: always
  type: str
  sample: uni/tn-prod
previous:
  description: All attributes of the tenant before the task, C({}) when it did not exist.
  returned: always
  type: dict
  sample: {"dn": "uni/tn-prod", "name": "prod", "descr": ""}
current:
  description: All attributes of the tenant after the task (predicted in check mode), C({}) when absent.
  returned: always
  type: dict
  sample: {"dn": "uni/tn-prod", "name": "prod", "descr": "managed by EDA"}
sent:
  description: The JSON posted to the APIC (only what changed), C({}) when nothing was posted.
  returned: always
  type: dict
  sample: {"fvTenant": {"attributes": {"dn": "uni/tn-prod", "descr": "managed by EDA"}}}
"""

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.fabricops.aci.plugins.module_utils.argspec import connection_argument_spec
from ansible_collections.fabricops.aci.plugins.module_utils.core.dn import make_rn
from ansible_collections.fabricops.aci.plugins.module_utils.mo_state import apply_state
from ansible_collections.fabricops.aci.plugins.module_utils.mo_tree import node
from ansible_collections.fabricops.aci.plugins.module_utils.runner import run_module


def baseline_children(baseline: dict) -> list:
    """The baseline objects as canonical child nodes of the tenant."""
    children = []
    if baseline.get("vrf"):
        children.append(node("fvCtx", {"name": baseline["vrf"]}))
    if baseline.get("bridge_domain"):
        bd_children = []
        if baseline.get("vrf"):
            bd_children.append(node("fvRsCtx", {"tnFvCtxName": baseline["vrf"]}))
        if baseline.get("subnet"):
            bd_children.append(node("fvSubnet", {"ip": baseline["subnet"]}))
        children.append(node("fvBD", {"name": baseline["bridge_domain"]}, bd_children))
    if baseline.get("application_profile"):
        children.append(node("fvAp", {"name": baseline["application_profile"]}))
    return children


def desired_tenant(params: dict) -> dict:
    """The tenant tree this task declares."""
    attributes = {"name": params["name"]}
    if params["description"] is not None:
        attributes["descr"] = params["description"]
    if params["annotation"] is not None:
        attributes["annotation"] = params["annotation"]
    return node("fvTenant", attributes, baseline_children(params["baseline"] or {}))


def main() -> None:
    """Entry point."""
    spec = connection_argument_spec()
    spec.update(
        name={"type": "str", "required": True, "aliases": ["tenant"]},
        description={"type": "str", "aliases": ["descr"]},
        annotation={"type": "str"},
        baseline={
            "type": "dict",
            "options": {
                "vrf": {"type": "str"},
                "bridge_domain": {"type": "str"},
                "subnet": {"type": "str"},
                "application_profile": {"type": "str"},
            },
            "required_by": {"subnet": "bridge_domain"},
        },
        state={"type": "str", "choices": ["present", "absent"], "default": "present"},
    )
    module = AnsibleModule(argument_spec=spec, supports_check_mode=True)
    params = module.params
    if "/" in params["name"] or not params["name"].strip():
        module.fail_json(msg="name: a tenant name cannot be empty or contain '/'; give the plain name, e.g. prod")
    dn = "uni/" + make_rn("tn", params["name"])

    def work(client):
        desired = desired_tenant(params) if params["state"] == "present" else None
        return apply_state(client, dn, params["state"], desired, module.check_mode, module._diff)

    run_module(module, work)


if __name__ == "__main__":
    main()
