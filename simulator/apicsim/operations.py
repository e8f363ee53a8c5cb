"""Operational events of the fabric: a port going down or up, a switch leaving or rejoining, endpoints learned,
moving and ageing out.

Each is what an APIC shows when it happens on real hardware: the operational objects change (`ethpmPhysIf`
`operSt`, `fabricNode` `fabricSt`, `fvCEp` and its `fvIp` / `fvRsCEpToPathEp` children), the related fault
goes through its lifecycle (F0532 for a port that is down, F0110 for a switch that left the fabric), and an
`eventRecord` keeps the transition in the history (what `endpoint_info` reads to show an endpoint's moves).
None of it writes an audit record: nobody configured anything.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from .audit import HistoryLog
from .clock import SimClock, apic_timestamp
from .errors import bad_request
from .faults import FaultEngine, FaultSpec
from .mit import Mit

PORT_DOWN_FAULT = "F0532"
NODE_INACTIVE_FAULT = "F0110"
_MAC = re.compile(r"^[0-9A-Fa-f]{2}(:[0-9A-Fa-f]{2}){5}$")
_INTERFACE = re.compile(r"^eth\d+/\d+(/\d+)?$")


@dataclass(frozen=True, slots=True)
class Port:
    """A front-panel port of a leaf or spine, named as an operator names it."""

    pod: int
    node: int
    interface: str

    @property
    def l1_dn(self) -> str:
        return f"topology/pod-{self.pod}/node-{self.node}/sys/phys-[{self.interface}]"

    @property
    def oper_dn(self) -> str:
        return f"{self.l1_dn}/phys"

    @property
    def path_dn(self) -> str:
        """The fabric path of the port, as EPG static paths and endpoints name it."""
        return f"topology/pod-{self.pod}/paths-{self.node}/pathep-[{self.interface}]"


def port(node: int | str, interface: str, pod: int | str = 1) -> Port:
    """A validated port; bad input names the argument and the expected form."""
    if not _INTERFACE.match(str(interface)):
        raise bad_request(f"interface must look like eth1/1, not {interface!r}")
    try:
        return Port(int(pod), int(node), str(interface))
    except (TypeError, ValueError):
        raise bad_request(f"node and pod must be numbers (node=101, pod=1), not {node!r} / {pod!r}") from None


def normal_mac(mac: str) -> str:
    if not isinstance(mac, str) or not _MAC.match(mac):
        raise bad_request(f"mac must look like 00:50:56:A1:01:11, not {mac!r}")
    return mac.upper()


class FabricOperations:
    """Drives operational state through the object tree, the fault engine and the event history."""

    def __init__(self, mit: Mit, faults: FaultEngine, history: HistoryLog, clock: SimClock) -> None:
        self._mit = mit
        self._faults = faults
        self._history = history
        self._clock = clock

    # ---------------------------------------------------------------- ports

    def link_down(self, node: int | str, interface: str, pod: int | str = 1, reason: str = "link-failure",
                  ) -> dict[str, Any]:
        """The port loses its link: operSt down (operStQual `reason`), resetCtr + 1, fault F0532 raised."""
        p = port(node, interface, pod)
        old = self._ensure_port(p)
        stamp = self._stamp()
        changes = self._mit.modify(p.oper_dn, {
            "operSt": "down", "operStQual": reason, "lastLinkStChg": stamp, "operSpeed": "unknown",
            "resetCtr": str(int(old.get("resetCtr", "0") or 0) + 1)})
        self._mit.modify(p.l1_dn, {"operSt": "down"})
        if changes:
            self._history.event(p.oper_dn, "port-down", f"Port {p.interface} of node {p.node} is down ({reason})",
                                f"operSt (Old: {old.get('operSt', '')}, New: down)", code="E4208219")
        fault = self._faults.raise_fault(FaultSpec(
            parent_dn=p.l1_dn, code=PORT_DOWN_FAULT, severity="warning",
            cause="interface-physical-down", subject="port-down", type="communications", domain="access",
            rule="ethpm-if-port-down-infra", descr=f"Port is down, reason:{reason}(connected), used by:EPG"))
        return {"dn": p.oper_dn, "operSt": "down", "fault": fault, "changed": bool(changes)}

    def link_up(self, node: int | str, interface: str, pod: int | str = 1) -> dict[str, Any]:
        """The link comes back: operSt up, the F0532 fault starts clearing."""
        p = port(node, interface, pod)
        old = self._ensure_port(p)
        changes = self._mit.modify(p.oper_dn, {"operSt": "up", "operStQual": "none",
                                               "lastLinkStChg": self._stamp(), "operSpeed": "10G"})
        self._mit.modify(p.l1_dn, {"operSt": "up"})
        if changes:
            self._history.event(p.oper_dn, "port-up", f"Port {p.interface} of node {p.node} is up",
                                f"operSt (Old: {old.get('operSt', '')}, New: up)", code="E4208220")
        fault = None
        if self._mit.get(f"{p.l1_dn}/fault-{PORT_DOWN_FAULT}") is not None:
            fault = self._faults.clear_fault(p.l1_dn, PORT_DOWN_FAULT)
        return {"dn": p.oper_dn, "operSt": "up", "fault": fault, "changed": bool(changes)}

    def _ensure_port(self, p: Port) -> dict[str, str]:
        """The port's operational attributes; a port the seed lacks is created on a switch that exists."""
        sys_dn = f"topology/pod-{p.pod}/node-{p.node}/sys"
        if self._mit.get(sys_dn) is None:
            raise bad_request(f"no switch node-{p.node} in pod-{p.pod}; use a node of the fabric (101, 102...)")
        with self._mit.batch():
            if self._mit.get(p.l1_dn) is None:
                self._mit.create("l1PhysIf", p.l1_dn, {"id": p.interface, "usage": "epg"})
            if self._mit.get(p.oper_dn) is None:
                self._mit.create("ethpmPhysIf", p.oper_dn, {"usage": "epg"})
        return dict(self._mit.get(p.oper_dn).attrs)

    # ---------------------------------------------------------------- nodes

    def node_down(self, node: int | str, pod: int | str = 1) -> dict[str, Any]:
        """The switch leaves the fabric: fabricSt inactive, fault F0110 (critical) raised on it."""
        dn = self._node_dn(node, pod)
        return self._node_state(dn, "inactive", raised=True)

    def node_up(self, node: int | str, pod: int | str = 1) -> dict[str, Any]:
        """The switch is back: fabricSt active, F0110 clearing."""
        dn = self._node_dn(node, pod)
        return self._node_state(dn, "active", raised=False)

    def _node_dn(self, node: int | str, pod: int | str) -> str:
        try:
            dn = f"topology/pod-{int(pod)}/node-{int(node)}"
        except (TypeError, ValueError):
            raise bad_request(f"node and pod must be numbers (node=101, pod=1), not {node!r} / {pod!r}") from None
        if self._mit.get(dn) is None:
            raise bad_request(f"no node {dn} in the fabric; use a node that exists (101, 102, 201...)")
        return dn

    def _node_state(self, dn: str, state: str, raised: bool) -> dict[str, Any]:
        mo = self._mit.get(dn)
        old = mo.attrs.get("fabricSt", "")
        changes = self._mit.modify(dn, {"fabricSt": state, "lastStateModTs": self._stamp()})
        if changes:
            name = mo.attrs.get("name") or dn
            self._history.event(dn, f"node-{state}", f"Node {name} is {state}",
                                f"fabricSt (Old: {old}, New: {state})", code="E4205126")
        fault = None
        if raised:
            fault = self._faults.raise_fault(FaultSpec(
                parent_dn=dn, code=NODE_INACTIVE_FAULT, severity="critical", cause="node-inactive",
                subject="fabric-node", type="operational", domain="infra", rule="fabric-node-inactive",
                descr=f"Node {mo.attrs.get('id', '')} not reachable. unknown"))
        elif self._mit.get(f"{dn}/fault-{NODE_INACTIVE_FAULT}") is not None:
            fault = self._faults.clear_fault(dn, NODE_INACTIVE_FAULT)
        return {"dn": dn, "fabricSt": state, "fault": fault, "changed": bool(changes)}

    # ------------------------------------------------------------ endpoints

    def endpoint_learn(self, epg: str, mac: str, node: int | str, interface: str, ip: str = "",
                       encap: str = "", pod: int | str = 1) -> dict[str, Any]:
        """An endpoint appears in `epg` on a port (an endpoint already there moves instead)."""
        mac = normal_mac(mac)
        p = port(node, interface, pod)
        if self._mit.get(epg) is None or self._mit.get(epg).cls != "fvAEPg":
            raise bad_request(f"epg must be the DN of an existing EPG (uni/tn-X/ap-Y/epg-Z), not {epg!r}")
        dn = f"{epg}/cep-{mac}"
        if self._mit.get(dn) is not None:
            return self.endpoint_move(epg, mac, node, interface, pod)
        encap = encap or self._static_encap(epg, p) or "vlan-1"
        stamp = self._stamp()
        with self._mit.batch():
            self._mit.create("fvCEp", dn, {"mac": mac, "name": mac, "ip": ip or "0.0.0.0", "encap": encap,
                                           "fabricPathDn": p.path_dn, "lcC": "learned"})
            if ip:
                self._mit.create("fvIp", f"{dn}/ip-[{ip}]", {"addr": ip, "fabricPathDn": p.path_dn,
                                                             "createTs": stamp})
            self._mit.create("fvRsCEpToPathEp", f"{dn}/rscEpToPathEp-[{p.path_dn}]", {"tDn": p.path_dn})
        self._history.event(dn, "endpoint-learned", f"Endpoint {mac} learned on {p.path_dn}",
                            f"fabricPathDn:{p.path_dn}, encap:{encap}" + (f", ip:{ip}" if ip else ""),
                            ind="creation", code="E4209236")
        return {"dn": dn, "fabricPathDn": p.path_dn, "encap": encap}

    def endpoint_move(self, epg: str, mac: str, node: int | str, interface: str, pod: int | str = 1,
                      ) -> dict[str, Any]:
        """The endpoint is now seen on another port (or another leaf)."""
        mac = normal_mac(mac)
        p = port(node, interface, pod)
        dn = f"{epg}/cep-{mac}"
        mo = self._mit.get(dn)
        if mo is None:
            raise bad_request(f"no endpoint {mac} in {epg}; learn it first (endpoint_learn)")
        old_path = mo.attrs.get("fabricPathDn", "")
        if old_path == p.path_dn:
            return {"dn": dn, "fabricPathDn": p.path_dn, "moved": False}
        with self._mit.batch():
            self._mit.modify(dn, {"fabricPathDn": p.path_dn})
            for child in list(mo.children.values()):
                if child.cls == "fvIp":
                    self._mit.modify(child.dn, {"fabricPathDn": p.path_dn})
                elif child.cls == "fvRsCEpToPathEp":
                    self._mit.delete(child.dn)
            self._mit.create("fvRsCEpToPathEp", f"{dn}/rscEpToPathEp-[{p.path_dn}]", {"tDn": p.path_dn})
        self._history.event(dn, "endpoint-moved", f"Endpoint {mac} moved from {old_path} to {p.path_dn}",
                            f"fabricPathDn (Old: {old_path}, New: {p.path_dn})", ind="modification",
                            code="E4209237")
        return {"dn": dn, "fabricPathDn": p.path_dn, "previous": old_path, "moved": True}

    def endpoint_age_out(self, epg: str, mac: str) -> dict[str, Any]:
        """The endpoint was not seen for the aging interval: it is removed."""
        mac = normal_mac(mac)
        dn = f"{epg}/cep-{mac}"
        mo = self._mit.get(dn)
        if mo is None:
            raise bad_request(f"no endpoint {mac} in {epg} to age out")
        path = mo.attrs.get("fabricPathDn", "")
        self._mit.delete(dn)
        self._history.event(dn, "endpoint-aged-out", f"Endpoint {mac} aged out from {path}",
                            f"fabricPathDn:{path}", ind="deletion", code="E4209238")
        return {"dn": dn, "deleted": True}

    def _static_encap(self, epg: str, p: Port) -> str:
        binding = self._mit.get(f"{epg}/rspathAtt-[{p.path_dn}]")
        return binding.attrs.get("encap", "") if binding is not None else ""

    def _stamp(self) -> str:
        return apic_timestamp(self._clock.epoch())
