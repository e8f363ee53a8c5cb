#!/usr/bin/python
# Copyright: (c) 2026, fabricops maintainers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Ensure any APIC managed object is present or absent."""

from __future__ import annotations

DOCUMENTATION = r"""
module: mo
short_description: Ensure any APIC managed object is present or absent
version_added: 0.1.0
description:
  - Ensures that the managed object at O(dn) exists with the declared O(attributes) and O(children), or
    that it does not exist.
  - Only what is declared is compared and written. Attributes and children that are not declared are
    left as they are, so the module reports C(changed) only when a declared value differs.
  - Children are matched to existing children of the same class by the first naming attribute they
    carry (C(rn), C(name), C(ip), C(tDn), C(addr), C(mac)). A child with none of these, such as
    C(fvRsCtx), is treated as the only child of its class.
author:
  - fabricops maintainers (@fabricops)
extends_documentation_fragment:
  - fabricops.aci.connection
  - fabricops.aci.attributes.write
options:
  dn:
    description:
      - Distinguished name of the object, for example V(uni/tn-prod/BD-web). Bracketed values such as
        V(uni/tn-prod/BD-web/subnet-[10.0.0.1/24]) are written as the APIC writes them.
    type: str
    required: true
  class_name:
    description:
      - APIC class of the object, for example V(fvBD). Required when O(state=present).
    type: str
  attributes:
    description:
      - Attributes to ensure, as the APIC names them. Booleans are sent as V(yes) or V(no), numbers as text.
    type: dict
    default: {}
  children:
    description:
      - 'Child objects to ensure present, in the APIC JSON form: one class name as the key, with
        C(attributes) and optional C(children) beneath it (see the examples).'
      - Children that are not listed are not removed; use O(state=absent) on their own DN for that.
    type: list
    elements: dict
    default: []
  state:
    description:
      - V(present) creates or updates the object; V(absent) deletes it with its whole subtree.
    type: str
    choices: [present, absent]
    default: present
"""

EXAMPLES = r"""
- name: Ensure a bridge domain bound to a VRF
  fabricops.aci.mo:
    host: apic.example.net
    username: admin
    password: "{{ apic_password }}"
    dn: uni/tn-prod/BD-web
    class_name: fvBD
    attributes:
      name: web
      descr: web tier
      arpFlood: true
    children:
      - fvRsCtx:
          attributes:
            tnFvCtxName: prod
      - fvSubnet:
          attributes:
            ip: 10.0.0.1/24

- name: Remove it again, signing the request with a certificate
  fabricops.aci.mo:
    host: apic.example.net
    username: automation
    private_key: /etc/ansible/keys/automation.key
    dn: uni/tn-prod/BD-web
    state: absent
"""

RETURN = r"""
dn:
  description: The DN of the object.
  returned: always
  type: str
  sample: uni/tn-prod/BD-web
previous:
  description: All attributes of the object before the task, C({}) when it did not exist.
  returned: always
  type: dict
  sample: {"dn": "uni/tn-prod/BD-web", "name": "web", "descr": ""}
current:
  description:
    - All attributes of the object after the task, C({}) when it is absent.
    - In check mode, the attributes the object would have.
  returned: always
  type: dict
  sample: {"dn": "uni/tn-prod/BD-web", "name": "web", "descr": "web tier"}
sent:
  description: The JSON posted to the APIC (only what changed), C({}) when nothing was posted.
  returned: always
  type: dict
  sample: {"fvBD": {"attributes": {"dn": "uni/tn-prod/BD-web", "descr": "web tier"}}}
"""

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.fabricops.aci.plugins.module_utils.argspec import connection_argument_spec
from ansible_collections.fabricops.aci.plugins.module_utils.core.dn import split_dn
from ansible_collections.fabricops.aci.plugins.module_utils.mo_state import apply_state
from ansible_collections.fabricops.aci.plugins.module_utils.mo_tree import from_apic
from ansible_collections.fabricops.aci.plugins.module_utils.runner import run_module


def main() -> None:
    """Entry point."""
    spec = connection_argument_spec()
    spec.update(
        dn={"type": "str", "required": True},
        class_name={"type": "str"},
        attributes={"type": "dict", "default": {}},
        children={"type": "list", "elements": "dict", "default": []},
        state={"type": "str", "choices": ["present", "absent"], "default": "present"},
    )
    module = AnsibleModule(
        argument_spec=spec,
        supports_check_mode=True,
        required_if=[("state", "present", ("class_name",))],
    )
    params = module.params

    def work(client):
        dn = params["dn"].strip("/")
        try:
            split_dn(dn)
        except ValueError as exc:
            raise ValueError(f"dn: {exc}; write bracketed values as the APIC does, e.g. subnet-[10.0.0.1/24]") from None
        desired = None
        if params["state"] == "present":
            desired = from_apic(
                {params["class_name"]: {"attributes": params["attributes"], "children": params["children"]}},
                "children",
            )
        return apply_state(client, dn, params["state"], desired, module.check_mode, module._diff)

    run_module(module, work)


if __name__ == "__main__":
    main()
