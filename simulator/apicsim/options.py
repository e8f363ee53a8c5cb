"""Every knob of the simulator in one place, with the reason for each default.

Where the protocol reference marks a behaviour UNK (unknown on a real APIC), it is an option here; the
default is the stricter choice, so a client that works against the default also works against the lenient
variant.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path

IDLE_STRICT = "strict"
IDLE_SLIDING = "sliding"
HANDSHAKE_REJECT = "reject"
HANDSHAKE_ACCEPT_CLOSE = "accept-close"


@dataclass
class SimOptions:
    """Options of one simulated APIC (or cluster); all durations in seconds."""

    host: str = "127.0.0.1"
    """Listen address; loopback only (`::1` for IPv6)."""
    port: int = 0
    """TCP port of the first member; 0 picks a free one (the CLI defaults to 8443)."""
    tls: bool = True
    """HTTPS/WSS with a generated CA (the default, like a real APIC); False serves plain HTTP/WS."""
    state_dir: Path | None = None
    """Where the CA, server certificate and certificate-user key live; None: a fresh temporary directory."""
    seed: Path | None = None
    """Seed fabric data file for the object tree; None: the packaged default fabric."""
    large_fabric: dict[str, int] | str | None = None
    """Also seed a generated large fabric of these sizes (see `large_fabric.FabricSize`: pods, spines, leaves,
    ports, tenants, vrfs, bds, epgs, endpoints), as a mapping or `endpoints=100000,leaves=40`; None: none."""
    version: str = "5.2(7f)"
    """APIC version reported in `aaaLogin`."""

    # sessions (protocol reference 1.5-1.7, 1.10)
    refresh_timeout: float = 600.0
    """`refreshTimeoutSeconds`: a session not refreshed within this window expires (APIC default 600)."""
    maximum_lifetime: float = 86400.0
    """`maximumLifetimeSeconds`: no refresh extends a session beyond this (APIC default 86400)."""
    idle_timer: str = IDLE_STRICT
    """UNK on a real APIC. "strict": only aaaLogin/aaaRefresh restart the idle window; "sliding": every
    authenticated request does. Strict by default so clients must refresh as every library does."""
    old_token_survives_refresh: bool = False
    """UNK on a real APIC. False: aaaRefresh invalidates the previous token at once (strict default)."""

    # websocket (reference 2)
    handshake_on_bad_token: str = HANDSHAKE_REJECT
    """UNK. "reject": answer the upgrade with HTTP 403; "accept-close": upgrade, then close at once."""
    ws_close_code: int = 1008
    """UNK. Close code used when the server ends a socket (logout, session expiry): 1008 policy violation."""

    # subscriptions (reference 3, 5)
    subscription_refresh_timeout: float = 60.0
    """Default `refresh-timeout` of a subscription when the client gives none (DOC: 60)."""
    refresh_error_status: int = 400
    """UNK. HTTP status (and error code) answered to subscriptionRefresh of an unknown or expired id."""
    refresh_from_other_session: bool = True
    """UNK. Whether a subscription may be refreshed with another session's cookie (clients that re-login and
    keep their ids rely on it)."""

    # query limits
    max_query_objects: int = 50_000
    """UNK. A class or subtree query that would return more objects than this in one answer (the whole result,
    or the one page asked with `page-size`) is refused with HTTP 400 "Unable to process the query, result
    dataset is too big", as a real APIC refuses large results. The text is the one clients match on:
    acitoolkit's `Session.get` (datacenter/acitoolkit, acitoolkit/acisession.py) pages with
    `page-size=10000` when a 400 answer holds it. Where a real APIC draws the line depends on the size of
    the objects and its load (reports put it near 100,000 objects); half of that is the strict default, so a
    client that pages here also pages there. A page that would hold more than the limit is refused the same way."""

    # push frames (reference 4)
    full_modified_classes: frozenset[str] = frozenset({"faultInst", "faultDelegate"})
    """Classes whose `modified` pushes carry the full object instead of only the changed properties."""
    multi_mo_frames: bool = False
    """UNK. True: changes of one commit going to the same subscriptions share one frame (clients must iterate
    imdata); False: one MO per frame as in Cisco's examples."""
    max_mos_per_frame: int = 16
    """Upper bound of MOs in one frame when `multi_mo_frames` is on."""
    follow_up_modified: bool = False
    """Push system-initiated `modified` follow-ups after creating a BD, VRF or EPG (segment/pcTag assignment)."""
    follow_up_delay: float = 0.05
    """Delay of the follow-up `modified` after the create."""
    derived_mos: bool = False
    """Also push derived MOs (e.g. `fvRtBd` under the BD when an EPG's `fvRsBd` is created)."""

    # faults (reference 4, FAULTS)
    fault_soaking_interval: float = 120.0
    fault_clearing_interval: float = 120.0
    fault_retention_interval: float = 3600.0
    fault_time_scale: float = 1.0
    """Multiplies the three fault intervals (0.01 turns 120 s into 1.2 s for demos and tests)."""

    # history records (reference 4: aaaModLR, eventRecord)
    history_records_max: int = 10_000
    """Audit and event records kept; beyond it the oldest are deleted, as an APIC rolls its records over."""
    audit_delay: float = 0.0
    """UNK. Seconds between a configuration commit and its audit records (`aaaModLR`). An APIC writes them after
    the change; how long after, and so how late their pushes follow the object's, is not documented. 0 writes
    them right after the commit."""

    # cluster (reference 6)
    members: int = 1
    """Number of simulated APIC cluster members, each on its own port, sharing one object tree."""
    tokens_across_members: bool = False
    """UNK. True: a token from one member is valid on the others (shared session store)."""

    users: dict[str, str] = field(default_factory=dict)
    """Extra password users (name -> password) beside the demo admin."""

    def replace(self, **changes) -> SimOptions:
        """A copy with `changes` applied; unknown names fail with the list of valid ones."""
        valid = {f.name for f in dataclasses.fields(self)}
        unknown = sorted(set(changes) - valid)
        if unknown:
            raise TypeError(f"unknown simulator option(s) {unknown}; valid options: {sorted(valid)}")
        return dataclasses.replace(self, **changes)

    def validate(self) -> None:
        """Fail early, naming the option and the fix."""
        if self.idle_timer not in (IDLE_STRICT, IDLE_SLIDING):
            raise ValueError(f"idle_timer must be {IDLE_STRICT!r} or {IDLE_SLIDING!r}, not {self.idle_timer!r}")
        if self.handshake_on_bad_token not in (HANDSHAKE_REJECT, HANDSHAKE_ACCEPT_CLOSE):
            raise ValueError(
                f"handshake_on_bad_token must be {HANDSHAKE_REJECT!r} or {HANDSHAKE_ACCEPT_CLOSE!r}, "
                f"not {self.handshake_on_bad_token!r}"
            )
        for name in ("refresh_timeout", "maximum_lifetime", "subscription_refresh_timeout", "fault_time_scale"):
            if getattr(self, name) <= 0:
                raise ValueError(f"{name} must be > 0 seconds, not {getattr(self, name)!r}")
        if self.members < 1:
            raise ValueError(f"members must be >= 1, not {self.members!r}")
        if self.audit_delay < 0:
            raise ValueError(f"audit_delay must be >= 0 seconds, not {self.audit_delay!r}")
        if self.history_records_max < 1:
            raise ValueError(f"history_records_max must be >= 1, not {self.history_records_max!r}")
        if self.max_query_objects < 1:
            raise ValueError(f"max_query_objects must be >= 1, not {self.max_query_objects!r}")
        if self.large_fabric is not None:
            from .large_fabric import FabricSize

            FabricSize.parse(self.large_fabric)
        if self.max_mos_per_frame < 1:
            raise ValueError(f"max_mos_per_frame must be >= 1, not {self.max_mos_per_frame!r}")
