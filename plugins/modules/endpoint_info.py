#!/usr/bin/python
# Copyright: (c) 2026, fabricops maintainers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Where an endpoint (MAC or IP) is learned on the fabric, and where it has been."""

from __future__ import annotations

DOCUMENTATION = r"""
module: endpoint_info
short_description: Where an endpoint (MAC or IP address) is on the fabric, and its move history
version_added: 0.1.0
description:
  - Finds the endpoints (C(fvCEp)) with the MAC address O(mac) or the IP address O(ip), in every EPG they
    are learned in, with the port, switch and pod they are learned on and their encapsulation.
  - With O(history=true) (the default) it also reads the history records about the endpoint (C(eventRecord)
    and C(aaaModLR)), which tell when it was learned, each move from one port or switch to another, and when
    it aged out. An endpoint that aged out is still found in its history by O(mac).
author:
  - fabricops maintainers (@fabricops)
extends_documentation_fragment:
  - fabricops.aci.connection
  - fabricops.aci.attributes.info
options:
  mac:
    description: MAC address, in any case, for example V(00:50:56:A1:01:11).
    type: str
  ip:
    description: IP address, for example V(10.1.1.11).
    type: str
  tenant:
    description: Only endpoints of this tenant.
    type: str
  history:
    description: Also read the endpoint's history records.
    type: bool
    default: true
  minutes:
    description: Only history of the last this many minutes (RV(moves) counts the moves in it).
    type: int
  history_limit:
    description: At most this many history entries, the most recent ones.
    type: int
    default: 50
"""

EXAMPLES = r"""
- name: Where is the endpoint an event came from, and how often did it move in the last 10 minutes?
  fabricops.aci.endpoint_info:
    mac: "{{ ansible_eda.event.aci.attributes.mac }}"
    minutes: 10
  register: endpoint

- name: Say where it is
  ansible.builtin.debug:
    msg: "{{ endpoint.endpoints | map(attribute='path') | list }}, {{ endpoint.moves }} move(s)"
"""

RETURN = r"""
found:
  description: Whether the endpoint is learned anywhere now.
  returned: always
  type: bool
endpoints:
  description: Where the endpoint is learned now, one entry per EPG.
  returned: always
  type: list
  elements: dict
  contains:
    dn:
      description: DN of the endpoint (C(fvCEp)).
      type: str
      returned: always
    mac:
      description: MAC address.
      type: str
      returned: always
    ips:
      description: IP addresses learned for it.
      type: list
      elements: str
      returned: always
    encap:
      description: Encapsulation, for example V(vlan-100).
      type: str
      returned: always
    epg:
      description: DN of the EPG it is learned in.
      type: str
      returned: always
    tenant:
      description: Tenant of the EPG.
      type: str
      returned: always
    path:
      description: Fabric path it is learned on, for example V(topology/pod-1/paths-101/pathep-[eth1/1]).
      type: str
      returned: always
    pod:
      description: Pod of that path.
      type: int
      returned: always
    nodes:
      description: Switches of that path (two for a vPC).
      type: list
      elements: int
      returned: always
    interface:
      description: Interface of that path, for example V(eth1/1).
      type: str
      returned: always
  sample: [{"dn": "uni/tn-prod/ap-shop/epg-web/cep-00:50:56:A1:01:11", "mac": "00:50:56:A1:01:11",
            "ips": ["10.1.1.11"], "encap": "vlan-100", "epg": "uni/tn-prod/ap-shop/epg-web", "tenant": "prod",
            "path": "topology/pod-1/paths-101/pathep-[eth1/1]", "pod": 1, "nodes": [101], "interface": "eth1/1"}]
history:
  description: History entries about the endpoint, most recent first.
  returned: always
  type: list
  elements: dict
  contains:
    class:
      description: V(eventRecord) or V(aaaModLR).
      type: str
      returned: always
    id:
      description: Record id.
      type: str
      returned: always
    affected:
      description: DN of the endpoint the entry is about.
      type: str
      returned: always
    created:
      description: When it happened.
      type: str
      returned: always
    cause:
      description: What happened, for example V(endpoint-moved).
      type: str
      returned: always
    action:
      description: V(creation), V(modification) or V(deletion).
      type: str
      returned: always
    description:
      description: Text of the entry.
      type: str
      returned: always
    from_path:
      description: For a move, the path it left; else V(null).
      type: str
      returned: always
    to_path:
      description: For a move, the path it moved to; else V(null).
      type: str
      returned: always
moves:
  description: Number of moves in RV(history).
  returned: always
  type: int
  sample: 2
paths:
  description: Every path the endpoint was seen on in RV(history) or is learned on now, sorted.
  returned: always
  type: list
  elements: str
"""

from datetime import datetime, timezone

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.fabricops.aci.plugins.module_utils.argspec import connection_argument_spec
from ansible_collections.fabricops.aci.plugins.module_utils.core.dn import parent_dn, tenant_of
from ansible_collections.fabricops.aci.plugins.module_utils.core.history import (
    AUDIT_CLASS,
    EVENT_CLASS,
    event_record,
    newest_first,
    path_location,
    time_window,
    within,
)
from ansible_collections.fabricops.aci.plugins.module_utils.core.query import class_path, eq, mo_path, wcard
from ansible_collections.fabricops.aci.plugins.module_utils.results import split_object
from ansible_collections.fabricops.aci.plugins.module_utils.runner import run_module

ENDPOINT_CLASS = "fvCEp"
IP_CLASS = "fvIp"
_WITH_IPS = {"rsp-subtree": "children", "rsp-subtree-class": IP_CLASS}


def endpoint_entry(attributes: dict, children: list) -> dict:
    """One learned endpoint with its EPG, tenant, IPs and where it is learned."""
    dn = attributes.get("dn", "")
    ips = []
    for child in children:
        cls, child_attributes, _grandchildren = split_object(child)
        if cls == IP_CLASS and child_attributes.get("addr"):
            ips.append(child_attributes["addr"])
    if not ips and attributes.get("ip") not in (None, "", "0.0.0.0"):
        ips.append(attributes["ip"])
    entry = {"dn": dn, "mac": attributes.get("mac", ""), "ips": sorted(ips), "encap": attributes.get("encap", ""),
             "epg": parent_dn(dn), "tenant": tenant_of(dn), "learned": attributes.get("lcC", "")}
    entry.update(path_location(attributes.get("fabricPathDn", "")))
    return entry


def main() -> None:
    """Entry point."""
    spec = connection_argument_spec()
    spec.update(
        mac={"type": "str"},
        ip={"type": "str"},
        tenant={"type": "str"},
        history={"type": "bool", "default": True},
        minutes={"type": "int"},
        history_limit={"type": "int", "default": 50},
    )
    module = AnsibleModule(argument_spec=spec, supports_check_mode=True, required_one_of=[("mac", "ip")])
    params = module.params
    mac = (params["mac"] or "").strip().upper()
    ip = (params["ip"] or "").strip()

    def work(client):
        start, end = time_window(None, None, params["minutes"], datetime.now(timezone.utc))
        found = {}
        if mac:
            path = class_path(ENDPOINT_CLASS)
            by_mac = dict(_WITH_IPS, **{"query-target-filter": eq(ENDPOINT_CLASS + ".mac", mac)})
            for obj in client.get_all(path, by_mac):
                cls, attributes, children = split_object(obj)
                if cls == ENDPOINT_CLASS:
                    found[attributes.get("dn", "")] = endpoint_entry(attributes, children)
        if ip:
            ip_filter = {"query-target-filter": eq(IP_CLASS + ".addr", ip)}
            owners = {parent_dn(split_object(obj)[1].get("dn", ""))
                      for obj in client.get_all(class_path(IP_CLASS), ip_filter)}
            endpoint_filter = {"query-target-filter": eq(ENDPOINT_CLASS + ".ip", ip)}
            for obj in client.get_all(class_path(ENDPOINT_CLASS), endpoint_filter):
                owners.add(split_object(obj)[1].get("dn", ""))
            for dn in sorted(owners - set(found)):
                for obj in client.get(mo_path(dn), _WITH_IPS).get("imdata") or []:
                    cls, attributes, children = split_object(obj)
                    if cls == ENDPOINT_CLASS:
                        found[dn] = endpoint_entry(attributes, children)
        endpoints = [entry for entry in found.values()
                     if (not mac or entry["mac"].upper() == mac) and (not ip or ip in entry["ips"])
                     and (not params["tenant"] or entry["tenant"] == params["tenant"])]
        endpoints.sort(key=lambda entry: entry["dn"])
        history = []
        macs = sorted({mac} if mac else {entry["mac"].upper() for entry in endpoints})
        if params["history"]:
            for endpoint_mac in macs:
                history.extend(endpoint_history(client, endpoint_mac, params["tenant"], start, end))
        history = newest_first(history)[:params["history_limit"]]
        moves = sum(1 for entry in history if entry["from_path"] and entry["to_path"])
        paths = {entry["path"] for entry in endpoints if entry["path"]}
        paths.update(p for entry in history for p in (entry["from_path"], entry["to_path"]) if p)
        return {"changed": False, "found": bool(endpoints), "endpoints": endpoints, "history": history,
                "moves": moves, "paths": sorted(paths)}

    run_module(module, work)


def endpoint_history(client, mac: str, tenant: str | None, start, end) -> list:
    """The event and audit records about the endpoint ``mac`` in any EPG (of ``tenant`` when given)."""
    suffix = "/cep-" + mac
    entries = []
    for cls in (EVENT_CLASS, AUDIT_CLASS):
        options = {"query-target-filter": wcard(cls + ".affected", "cep-" + mac)}
        for obj in client.get_all(class_path(cls), options):
            record_cls, attributes, _children = split_object(obj)
            affected = attributes.get("affected", "")
            if record_cls != cls or not affected.upper().endswith(suffix.upper()):
                continue
            if tenant and tenant_of(affected) != tenant:
                continue
            if within(attributes.get("created", ""), start, end):
                entries.append(event_record(cls, attributes))
    return entries


if __name__ == "__main__":
    main()
