"""The control surface: change the fabric and inject failures, from Python or over HTTP (`/_sim/<action>`).

Every action is a method of `Control`; the HTTP layer maps `POST /_sim/<action>` with a JSON object of
keyword arguments onto it (and `GET /_sim/stats`), so the CLI, tests, demos and benchmarks all drive the
same code.
"""

from __future__ import annotations

import functools
import inspect
import json
import time
from collections.abc import Callable
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from aiohttp import web

from .audit import Actor
from .churn import Churn
from .errors import ApiError, bad_request
from .faults import FaultSpec
from .large_fabric import seed_large_fabric
from .rest import error_response, json_response
from .users import DEMO_USER, parse_login_name

if TYPE_CHECKING:
    from .audit import HistoryLog
    from .chaos import Chaos
    from .clock import SimClock
    from .cluster import Cluster
    from .faults import FaultEngine
    from .mit import Mit
    from .operations import FabricOperations

BURST_TENANT = "uni/tn-apicsim-burst"
#: Who the control API's object actions are attributed to unless a `user` is named.
OPERATOR = DEMO_USER


class Control:
    """Actions on a running simulator; methods return JSON-able summaries.

    It drives exactly the parts it is handed: the tree and its audit log, the fault and operations
    engines, chaos, the clock, and the cluster (sockets, sessions, members up and down).
    """

    def __init__(
        self,
        *,
        mit: Mit,
        history: HistoryLog,
        faults: FaultEngine,
        operations: FabricOperations,
        chaos: Chaos,
        clock: SimClock,
        cluster: Cluster,
    ) -> None:
        self._mit = mit
        self._history = history
        self._faults = faults
        self._operations = operations
        self._chaos = chaos
        self._clock = clock
        self._cluster = cluster
        self._burst_seq = 0
        self.grouping = False
        self._churn = Churn(mit, operations, self._churn_modify)
        self._operator = _actor(OPERATOR)

    # ------------------------------------------------------------ objects

    def create(self, cls: str, dn: str, attrs: dict[str, str] | None = None, user: str = OPERATOR) -> dict[str, Any]:
        """Create one object (and its implicit children) with system rights, audited as `user`'s change."""
        actor = _actor(user)
        return self._audited(self._mit.create(cls, dn, attrs or {}), actor)

    def post(self, dn: str, body: dict[str, Any], user: str = OPERATOR) -> dict[str, Any]:
        """Apply an APIC-style POST body at `dn` (nested trees, status created/modified/deleted)."""
        actor = _actor(user)
        return self._audited(self._mit.post(dn, body), actor)

    def modify(self, dn: str, attrs: dict[str, str], user: str = OPERATOR) -> dict[str, Any]:
        actor = _actor(user)
        return self._audited(self._mit.modify(dn, attrs), actor)

    def _churn_modify(self, dn: str, attrs: dict[str, str]) -> None:
        """An operator's edit made by the churn: audited like `modify`, without building a reply nobody reads."""
        self._history.audit(self._mit.modify(dn, attrs), self._operator)

    def delete(self, dn: str, user: str = OPERATOR) -> dict[str, Any]:
        actor = _actor(user)
        return self._audited(self._mit.delete(dn), actor)

    def create_tenant(self, name: str, descr: str = "", user: str = OPERATOR) -> dict[str, Any]:
        """The demo's favourite change: a new tenant `uni/tn-<name>`."""
        return self.post("uni", {"fvTenant": {"attributes": {"name": name, "descr": descr}}}, user=user)

    def _audited(self, changes, actor: Actor) -> dict[str, Any]:
        """An operator's change leaves an audit record (aaaModLR) like one made through REST."""
        self._history.audit(changes, actor)
        return _changes(changes)

    def get(self, dn: str) -> dict[str, Any]:
        """The object at `dn` with its subtree, or an empty dict."""
        mo = self._mit.get(dn)
        return mo.to_dict(children=True) if mo is not None else {}

    # ------------------------------------------------------- health, faults

    def set_health(self, dn: str, score: int, max_sev: str | None = None) -> dict[str, Any]:
        """Set `<dn>/health` (cur, prev, chng, twScore, maxSev, updTs)."""
        return _changes(self._mit.set_health(dn, int(score), max_sev))

    def raise_fault(self, dn: str, code: str, severity: str = "major", **details: str) -> dict[str, Any]:
        """Raise fault `code` on `dn`; it soaks, then is raised (see faults.py for the lifecycle)."""
        spec = _fault_spec(dn, code, severity, details)
        return {"dn": self._faults.raise_fault(spec)}

    def clear_fault(self, dn: str, code: str, cls: str = "faultInst", affected: str = "") -> dict[str, Any]:
        """The condition behind fault `code` on `dn` ceased: clearing, retaining, then deleted."""
        return {"dn": self._faults.clear_fault(dn, code, cls=cls, affected=affected)}

    # --------------------------------------------------- operational events

    def link_down(self, node: int, interface: str, pod: int = 1, reason: str = "link-failure") -> dict[str, Any]:
        """Port `interface` of switch `node` loses its link (ethpmPhysIf operSt down, fault F0532)."""
        return self._operations.link_down(node, interface, pod, reason)

    def link_up(self, node: int, interface: str, pod: int = 1) -> dict[str, Any]:
        """The port's link is back (operSt up, F0532 clearing)."""
        return self._operations.link_up(node, interface, pod)

    def link_flap(self, node: int, interface: str, times: int = 3, pod: int = 1) -> dict[str, Any]:
        """The port goes down and up `times` times in a row."""
        times = int(times)
        if times < 1:
            raise bad_request(f"link_flap times must be >= 1, not {times}")
        for _ in range(times):
            self._operations.link_down(node, interface, pod)
            self._operations.link_up(node, interface, pod)
        return {"dn": f"topology/pod-{pod}/node-{node}/sys/phys-[{interface}]/phys", "flaps": times}

    def node_down(self, node: int, pod: int = 1) -> dict[str, Any]:
        """Switch `node` leaves the fabric (fabricNode fabricSt inactive, fault F0110)."""
        return self._operations.node_down(node, pod)

    def node_up(self, node: int, pod: int = 1) -> dict[str, Any]:
        """Switch `node` rejoins the fabric (fabricSt active, F0110 clearing)."""
        return self._operations.node_up(node, pod)

    def endpoint_learn(self, epg: str, mac: str, node: int, interface: str, ip: str = "", encap: str = "",
                       pod: int = 1) -> dict[str, Any]:
        """Endpoint `mac` (optionally with `ip`) is learned in EPG `epg` on a port of `node`."""
        return self._operations.endpoint_learn(epg, mac, node, interface, ip, encap, pod)

    def endpoint_move(self, epg: str, mac: str, node: int, interface: str, pod: int = 1) -> dict[str, Any]:
        """Endpoint `mac` of `epg` is now seen on another port or leaf."""
        return self._operations.endpoint_move(epg, mac, node, interface, pod)

    def endpoint_age_out(self, epg: str, mac: str) -> dict[str, Any]:
        """Endpoint `mac` of `epg` ages out (deleted)."""
        return self._operations.endpoint_age_out(epg, mac)

    # ---------------------------------------------------------------- burst

    def burst(self, count: int, dn: str | None = None, multi: bool = False) -> dict[str, Any]:
        """Modify `dn`'s descr `count` times, as fast as the simulator can, for throughput tests.

        One change per commit gives one frame per change; `multi` makes one commit whose changes share
        frames (up to `max_mos_per_frame` MOs each). Values are `burst-<n>` with `n` increasing across
        bursts, so a receiver can check it lost nothing and kept the order.
        """
        count = int(count)
        if count < 1:
            raise bad_request(f"burst count must be >= 1, not {count}")
        mit = self._mit
        target = dn or BURST_TENANT
        if mit.get(target) is None:
            if dn is not None:
                raise bad_request(f"burst target {dn} does not exist; create it first or omit dn")
            self.create_tenant(target.rsplit("tn-", 1)[1])
        first = self._burst_seq + 1
        started = time.perf_counter()
        if multi:
            with self._grouped(), mit.batch():
                for n in range(first, first + count):
                    mit.modify(target, {"descr": f"burst-{n}"})
        else:
            modify = mit.modify
            for n in range(first, first + count):
                modify(target, {"descr": f"burst-{n}"})
        self._burst_seq = first + count - 1
        return {"dn": target, "count": count, "first": first, "last": self._burst_seq,
                "seconds": round(time.perf_counter() - started, 6)}

    @contextmanager
    def _grouped(self):
        self.grouping = True
        try:
            yield
        finally:
            self.grouping = False

    # ------------------------------------------------------- scale, churn

    def large_fabric(self, **sizes: int) -> dict[str, Any]:
        """Add a generated fabric of these sizes (pods, spines, leaves, ports, tenants, vrfs, bds, epgs,
        endpoints). It is seeded, not pushed: ask for it before clients subscribe."""
        try:
            return seed_large_fabric(self._mit, sizes)
        except ValueError as exc:
            raise bad_request(str(exc)) from None

    def churn(self, duration: float, rate: float, seed: int = 0, mix: dict[str, float] | None = None,
              ) -> dict[str, Any]:
        """Change the fabric in the background for `duration` seconds at `rate` events a second: endpoints
        moving, learned and ageing out, links flapping, health drifting, tenant edits (weights in `mix`)."""
        return self._churn.start(duration, rate, seed, mix)

    def churn_stop(self) -> dict[str, Any]:
        """Stop a running churn; its counts stay in `stats`."""
        return self._churn.stop()

    # ---------------------------------------------------------------- chaos

    def drop(self, member: int | None = None, abort: bool = True) -> dict[str, Any]:
        """Drop every websocket (of one member, or all); abort=True closes TCP without a close frame."""
        dropped = sum(m.drop_sockets(abort=abort) for m in self._members(member))
        return {"dropped": dropped}

    def expire_sessions(self) -> dict[str, Any]:
        """End every session now: the next request with an old token gets the token-timeout 403."""
        return {"expired": sum(store.expire_all() for store in self._cluster.session_stores())}

    def throttle_logins(self, seconds: float, all_requests: bool = False) -> dict[str, Any]:
        """Answer aaaLogin (or, with all_requests, every API call) with 503 for `seconds`."""
        self._chaos.throttle_logins(float(seconds), all_requests=bool(all_requests))
        return self._chaos.state()

    def disturb_refreshes(
        self, seconds: float = 0, count: int = 0, delay: float = 0, fail: bool = True, before_auth: bool = False
    ) -> dict[str, Any]:
        """Delay and/or fail subscriptionRefresh for `seconds`, or for the next `count` calls.

        `before_auth` delays the request before its token is checked (a refresh racing aaaRefresh).
        """
        if float(seconds) <= 0 and int(count) <= 0:
            raise bad_request("disturb_refreshes needs seconds > 0 or count > 0")
        self._chaos.disturb_refreshes(float(seconds), int(count), float(delay), bool(fail), bool(before_auth))
        return self._chaos.state()

    def delete_on_query(self, match: str, dns: list[str]) -> dict[str, Any]:
        """Delete `dns` when the next GET whose path and query contain `match` arrives, just before it is
        answered: a deletion committed at an exact moment of a client's reading (between two snapshot pages)."""
        doomed = [str(dn) for dn in dns]
        if not match or not doomed:
            raise bad_request("delete_on_query needs a non-empty match and at least one DN")

        def delete() -> None:
            for dn in doomed:
                self.delete(dn)

        self._chaos.trap_query(str(match), delete)
        return self._chaos.state()

    def drop_on_query(self, match: str) -> dict[str, Any]:
        """When the next GET whose path and query contain `match` arrives, drop every websocket and abort
        that request's connection unanswered: a connection lost in the middle of a client's reading."""
        if not match:
            raise bad_request("drop_on_query needs a non-empty match")

        def drop() -> bool:
            self.drop()
            return True  # the request's own connection goes too

        self._chaos.trap_query(str(match), drop)
        return self._chaos.state()

    def hold_pushes(self) -> dict[str, Any]:
        """Hold every push from now on (the commits still happen): pushes that reach clients late."""
        self._chaos.hold_pushes()
        return self._chaos.state()

    def release_pushes(self) -> dict[str, Any]:
        """Push the held commits, in commit order, and stop holding."""
        held = self._chaos.release_pushes()
        for changes in held:
            for member in self._cluster.members:
                if member.up:
                    member.deliver(changes, self.grouping)
        return {"released": len(held)}

    def reset_chaos(self) -> dict[str, Any]:
        self._chaos.reset()
        return self._chaos.state()

    def advance_clock(self, seconds: float) -> dict[str, Any]:
        """Jump the simulator clock: sessions, subscriptions and fault timers that fall due fire now."""
        self._clock.advance(float(seconds))
        return {"advanced": float(seconds)}

    async def member_down(self, member: int) -> dict[str, Any]:
        """Take a cluster member down: its sockets drop and it stops accepting connections."""
        await self._cluster.down(int(member))
        return self.stats()

    async def member_up(self, member: int) -> dict[str, Any]:
        await self._cluster.up(int(member))
        return self.stats()

    def stats(self) -> dict[str, Any]:
        """Objects, sessions, sockets, subscriptions and frames pushed, per member."""
        return {
            "objects": len(self._mit),
            "sessions": sum(len(store.live()) for store in self._cluster.session_stores()),
            "members": [m.stats() for m in self._cluster.members],
            "faults_in_lifecycle": len(self._faults.active()),
            "chaos": self._chaos.state(),
            "churn": self._churn.state(),
        }

    def _members(self, index: int | None):
        members = self._cluster.members
        if index is None:
            return members
        return [members[int(index)]]

    # ----------------------------------------------------------------- HTTP

    def actions(self) -> dict[str, Callable[..., Any]]:
        """Action name (as in `/_sim/<name>`, dashes or underscores) -> bound method."""
        names = (
            "create", "post", "modify", "delete", "create_tenant", "get", "set_health", "raise_fault",
            "clear_fault", "burst", "drop", "expire_sessions", "throttle_logins", "disturb_refreshes",
            "reset_chaos", "advance_clock", "member_down", "member_up", "stats", "link_down", "link_up",
            "link_flap", "node_down", "node_up", "endpoint_learn", "endpoint_move", "endpoint_age_out",
            "large_fabric", "churn", "churn_stop", "delete_on_query", "drop_on_query", "hold_pushes", "release_pushes",
        )
        return {name: getattr(self, name) for name in names}

    async def handle(self, request: web.Request) -> web.Response:
        """`POST /_sim/<action>` with a JSON object of keyword arguments; `GET /_sim/stats`."""
        name = request.match_info["action"].replace("-", "_")
        action = self.actions().get(name)
        try:
            if action is None:
                raise ApiError(404, 404, f"unknown control action {name!r}; known: {', '.join(sorted(self.actions()))}")
            kwargs = await _kwargs(request)
            try:
                inspect.signature(action).bind(**kwargs)
            except TypeError as exc:
                raise bad_request(f"bad arguments for {name}: {exc}") from None
            result = action(**kwargs)
            if inspect.isawaitable(result):
                result = await result
        except ApiError as error:
            return error_response(error)
        except (ValueError, IndexError) as exc:
            return error_response(bad_request(f"{name}: {exc}"))
        return json_response(result)


async def _kwargs(request: web.Request) -> dict[str, Any]:
    if request.method == "GET" or not request.can_read_body:
        return dict(request.query)
    try:
        body = json.loads(await request.read())
    except ValueError:
        raise bad_request("control request body must be a JSON object of keyword arguments") from None
    if not isinstance(body, dict):
        raise bad_request("control request body must be a JSON object of keyword arguments")
    return body


def _actor(user: str) -> Actor:
    """Who an operator action is attributed to; a login form (`apic#dom\\\\user`) is recorded by its user."""
    if not isinstance(user, str) or not user:
        raise bad_request("user must be a non-empty APIC user name (e.g. admin)")
    return _named_actor(user)


@functools.lru_cache(maxsize=64)
def _named_actor(user: str) -> Actor:
    # Cached: a churn attributes tens of thousands of edits a second to the same operator, and Actor is frozen.
    return Actor(parse_login_name(user).user)


def _changes(changes) -> dict[str, Any]:
    return {"changes": [{"status": c.status, "cls": c.cls, "dn": c.dn} for c in changes]}


def _fault_spec(dn: str, code: str, severity: str, details: dict[str, str]) -> FaultSpec:
    allowed = {"initial_severity", "cause", "descr", "rule", "subject", "type", "domain", "cls", "affected"}
    unknown = sorted(set(details) - allowed)
    if unknown:
        raise bad_request(f"raise_fault: unknown field(s) {unknown}; allowed: {sorted(allowed)}")
    return FaultSpec(parent_dn=dn, code=code, severity=severity, **details)
