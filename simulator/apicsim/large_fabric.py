"""A large fabric, generated from a handful of sizes: switches, ports, tenants and learned endpoints.

What clients see at scale on a real APIC: one `fabricNode` (with its `topSystem` `sys`) per switch,
`l1PhysIf` `phys-[eth1/N]` with its `ethpmPhysIf` `phys` per leaf port, tenants with VRFs (`fvCtx`),
bridge domains (`fvBD` bound through `fvRsCtx`), one application profile (`fvAp`) of EPGs (`fvAEPg`
bound through `fvRsBd`), and endpoints (`fvCEp` `cep-<MAC>` under their EPG, with an `fvIp` child and
the `fvRsCEpToPathEp` naming the leaf port they were learned on, `topology/pod-P/paths-N/pathep-[ethX/Y]`).

DN and attribute forms follow the APIC Management Information Model reference (the "MO-<class>" pages
of Cisco's published model reference: fvCEp, fvIp, l1PhysIf, ethpmPhysIf, fabricNode, topSystem),
Cisco's "Operating Cisco ACI" guide (appendix "Classes": topSystem, fabricNode, fvCEp class queries)
and the class/DN walkthrough of Cisco Live's ACI programmability lab; the simulator's own default
fabric and endpoint operations use the same forms.

Seeding goes straight into the tree (:meth:`Mit.place`): no per-object checks, change records, audit or
pushes, like a seed file loaded before anyone listens. Leaves are numbered from 1101 and spines from
1001, so the profile sits beside the default fabric's nodes (101, 102, 201...).
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields
from typing import Any

from .clock import apic_timestamp
from .mit import Mit

SPINE_BASE = 1000
LEAF_BASE = 1100
MAX_NODE_ID = 4000
TENANT_PREFIX = "lf"


@dataclass(frozen=True)
class FabricSize:
    """How big the generated fabric is; every count is per its parent (ports per leaf, VRFs per tenant...)."""

    pods: int = 1
    spines: int = 2
    leaves: int = 4
    ports: int = 48
    tenants: int = 2
    vrfs: int = 1
    bds: int = 2
    epgs: int = 4
    endpoints: int = 1000
    """Endpoints in the whole fabric, spread round-robin over every EPG and leaf port."""

    @classmethod
    def parse(cls, value: str | Mapping[str, Any] | FabricSize) -> FabricSize:
        """From `endpoints=100000,leaves=20` (the CLI form) or a mapping; bad input names the fix."""
        if isinstance(value, FabricSize):
            return value
        if isinstance(value, str):
            pairs: dict[str, Any] = {}
            for item in filter(None, (part.strip() for part in value.split(","))):
                key, sep, number = item.partition("=")
                if not sep:
                    raise ValueError(f"large_fabric: {item!r} must be name=count (e.g. endpoints=100000)")
                pairs[key.strip().replace("-", "_")] = number.strip()
            value = pairs
        if not isinstance(value, Mapping):
            raise ValueError("large_fabric must be a mapping of sizes or 'name=count,...' (e.g. endpoints=1000)")
        names = [f.name for f in fields(cls)]
        unknown = sorted(set(value) - set(names))
        if unknown:
            raise ValueError(f"large_fabric: unknown size(s) {unknown}; known: {', '.join(names)}")
        try:
            sizes = {key: int(number) for key, number in value.items()}
        except (TypeError, ValueError):
            raise ValueError(f"large_fabric: sizes must be whole numbers, got {dict(value)!r}") from None
        size = cls(**sizes)
        size.validate()
        return size

    def validate(self) -> None:
        for name, number in asdict(self).items():
            low = 0 if name == "endpoints" else 1
            if number < low:
                raise ValueError(f"large_fabric: {name} must be >= {low}, not {number}")
        if self.pods * self.spines > LEAF_BASE - SPINE_BASE:
            raise ValueError(f"large_fabric: pods * spines must be <= {LEAF_BASE - SPINE_BASE}")
        if self.pods * self.leaves > MAX_NODE_ID - LEAF_BASE:
            raise ValueError(f"large_fabric: pods * leaves must be <= {MAX_NODE_ID - LEAF_BASE}")
        if self.ports > 128:
            raise ValueError(f"large_fabric: ports (per leaf) must be <= 128, not {self.ports}")


def endpoint_mac(index: int) -> str:
    """A unique, locally administered MAC for endpoint ``index`` (02:... never clashes with real vendors)."""
    return "02:" + ":".join(f"{(index >> shift) & 255:02X}" for shift in (32, 24, 16, 8, 0))


def endpoint_ip(index: int) -> str:
    return f"10.{(index >> 16) & 255}.{(index >> 8) & 255}.{index & 255}"


def seed_large_fabric(mit: Mit, size: FabricSize | Mapping[str, Any] | str) -> dict[str, Any]:
    """Add the fabric ``size`` describes to ``mit``; returns the objects made, per class, and the seconds taken.

    Nothing is pushed or audited: call it before clients subscribe (the control action says so too).
    """
    size = FabricSize.parse(size)
    if mit.get(f"uni/tn-{TENANT_PREFIX}0001") is not None:
        raise ValueError("large_fabric: the tree already holds a large fabric (uni/tn-lf0001); seed it once")
    started = time.perf_counter()
    before = len(mit)
    stamp = apic_timestamp(time.time())
    cat = mit.catalogue
    info = {name: cat.get(name) for name in (
        "fabricPod", "fabricNode", "topSystem", "l1PhysIf", "ethpmPhysIf", "fvTenant", "fvCtx", "fvBD",
        "fvRsCtx", "fvAp", "fvAEPg", "fvRsBd", "fvCEp", "fvIp", "fvRsCEpToPathEp")}
    place = mit.place
    already = {name: mit.count_class(name) for name in info}

    topology = mit.get("topology")
    ports: list[tuple[str, str]] = []  # (path DN, oper DN) of every leaf port, leaf-major
    spine_id, leaf_id = SPINE_BASE, LEAF_BASE
    for pod in range(1, size.pods + 1):
        pod_mo = mit.get(f"topology/pod-{pod}") or place(topology, info["fabricPod"], f"pod-{pod}",
                                                          {"id": str(pod)}, stamp)
        for role, count in (("spine", size.spines), ("leaf", size.leaves)):
            for _ in range(count):
                if role == "spine":
                    spine_id += 1
                    node = spine_id
                else:
                    leaf_id += 1
                    node = leaf_id
                name = f"pod{pod}-{role}{node}"
                address = f"10.{pod}.{node // 256}.{node % 256}"
                serial = f"FDO{pod:02d}{node:05d}"
                common = {"id": str(node), "name": name, "role": role, "address": address, "serial": serial,
                          "version": "n9000-16.0(5h)"}
                node_mo = place(pod_mo, info["fabricNode"], f"node-{node}",
                                {**common, "model": "N9K-C9364C" if role == "spine" else "N9K-C93180YC-FX",
                                 "fabricSt": "active", "nodeType": "unspecified"}, stamp)
                sys_mo = place(node_mo, info["topSystem"], "sys",
                               {**common, "podId": str(pod), "state": "in-service",
                                "systemUpTime": "42:03:17:09.000"}, stamp)
                if role != "leaf":
                    continue
                for n in range(1, size.ports + 1):
                    iface = f"eth1/{n}"
                    l1 = place(sys_mo, info["l1PhysIf"], f"phys-[{iface}]", {"id": iface, "usage": "epg"}, stamp)
                    place(l1, info["ethpmPhysIf"], "phys", {"usage": "epg", "lastLinkStChg": stamp}, stamp)
                    ports.append((f"topology/pod-{pod}/paths-{node}/pathep-[{iface}]", l1.dn))

    uni = mit.get("uni")
    epgs: list[tuple[Any, str]] = []  # (EPG object, encap)
    for t in range(1, size.tenants + 1):
        tenant = place(uni, info["fvTenant"], f"tn-{TENANT_PREFIX}{t:04d}",
                       {"name": f"{TENANT_PREFIX}{t:04d}", "descr": "large fabric"}, stamp)
        for v in range(1, size.vrfs + 1):
            place(tenant, info["fvCtx"], f"ctx-vrf{v}", {"name": f"vrf{v}"}, stamp)
        for b in range(1, size.bds + 1):
            bd = place(tenant, info["fvBD"], f"BD-bd{b}", {"name": f"bd{b}"}, stamp)
            place(bd, info["fvRsCtx"], "rsctx", {"tnFvCtxName": f"vrf{(b - 1) % size.vrfs + 1}"}, stamp)
        ap = place(tenant, info["fvAp"], "ap-app", {"name": "app"}, stamp)
        for e in range(1, size.epgs + 1):
            epg = place(ap, info["fvAEPg"], f"epg-epg{e}", {"name": f"epg{e}"}, stamp)
            place(epg, info["fvRsBd"], "rsbd", {"tnFvBDName": f"bd{(e - 1) % size.bds + 1}"}, stamp)
            epgs.append((epg, f"vlan-{len(epgs) % 3967 + 2}"))

    cep_info, ip_info, rs_info = info["fvCEp"], info["fvIp"], info["fvRsCEpToPathEp"]
    n_epgs, n_ports = len(epgs), len(ports)
    for i in range(size.endpoints):
        epg, encap = epgs[i % n_epgs]
        path = ports[(i // n_epgs) % n_ports][0]
        mac, ip = endpoint_mac(i + 1), endpoint_ip(i + 1)
        cep = place(epg, cep_info, f"cep-{mac}", {"mac": mac, "name": mac, "ip": ip, "encap": encap,
                                                  "fabricPathDn": path, "lcC": "learned"}, stamp)
        place(cep, ip_info, f"ip-[{ip}]", {"addr": ip, "fabricPathDn": path, "createTs": stamp}, stamp)
        place(cep, rs_info, f"rscEpToPathEp-[{path}]", {"tDn": path}, stamp)

    counts = {name: mit.count_class(name) - already[name] for name in info}
    return {"objects": len(mit) - before, "classes": counts, "sizes": asdict(size),
            "seconds": round(time.perf_counter() - started, 3)}
