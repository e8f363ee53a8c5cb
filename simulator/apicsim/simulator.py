"""The simulator as one object: start it, point clients at `url`, drive it through `control`, stop it.

    async with Simulator(refresh_timeout=5) as sim:
        ...  # sim.url, sim.ca_file, sim.username, sim.password, sim.mit, sim.control

`SimulatorThread` runs the same thing on a background thread for synchronous code (subprocess-based
tests of ansible-playbook and ansible-rulebook, scripts), with `call()` to run control actions on the
simulator's own loop.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import inspect
import shutil
import ssl
import tempfile
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from .audit import HistoryLog
from .chaos import Chaos
from .clock import SimClock
from .cluster import Cluster
from .control import Control
from .derived import derived_changes
from .faults import FaultEngine
from .followups import FollowUps
from .large_fabric import seed_large_fabric
from .login_envelope import site_fingerprint
from .member import Member
from .mit import Change, Mit
from .operations import FabricOperations
from .options import SimOptions
from .sessions import SessionStore
from .signature import SignatureVerifier
from .tls import CertUserFiles, TlsFiles, ensure_cert_user, ensure_tls
from .users import CERT_USER, DEMO_PASSWORD, DEMO_USER, UserDirectory

SWEEP_INTERVAL = 30.0


class Simulator:
    """A simulated APIC (or cluster) with its object tree, sessions, sockets and control surface."""

    def __init__(self, options: SimOptions | None = None, *, mit: Mit | None = None, **overrides: Any) -> None:
        options = options or SimOptions()
        if overrides:
            options = options.replace(**overrides)
        options.validate()
        self.options = options
        self.clock = SimClock()
        self.mit = mit if mit is not None else Mit.from_seed(options.seed)
        if options.large_fabric is not None:
            # Before the history log and members listen: a seed, not a change anyone is told about.
            seed_large_fabric(self.mit, options.large_fabric)
        self.users = UserDirectory(passwords={DEMO_USER: DEMO_PASSWORD, **options.users})
        self.verifier = SignatureVerifier()
        self.chaos = Chaos(self.clock)
        self.faults = FaultEngine(self.mit, self.clock, options)
        self.history = HistoryLog(self.mit, options.history_records_max, options.audit_delay)
        self.operations = FabricOperations(self.mit, self.faults, self.history, self.clock)
        self.fingerprint = site_fingerprint(str(id(self)))
        self.cluster = Cluster(self._members(), shared_sessions=options.tokens_across_members)
        self.control = Control(
            mit=self.mit,
            history=self.history,
            faults=self.faults,
            operations=self.operations,
            chaos=self.chaos,
            clock=self.clock,
            cluster=self.cluster,
        )
        self.tls: TlsFiles | None = None
        self.cert_user: CertUserFiles | None = None
        self.state_dir: Path | None = None
        self._own_state_dir = False
        self._unlisten: Callable[[], None] | None = None
        self._unlisten_follow_ups: Callable[[], None] | None = None

    def _members(self) -> list[Member]:
        """One Member per cluster member, each with its own session store unless tokens work across members."""
        options = self.options
        shared = SessionStore(self.clock, options) if options.tokens_across_members else None
        return [
            Member(
                index,
                options=options,
                clock=self.clock,
                mit=self.mit,
                sessions=shared or SessionStore(self.clock, options),
                users=self.users,
                verifier=self.verifier,
                history=self.history,
                chaos=self.chaos,
                fingerprint=self.fingerprint,
            )
            for index in range(options.members)
        ]

    # ------------------------------------------------------------ lifecycle

    async def start(self) -> Simulator:
        options = self.options
        if options.state_dir is None:
            self.state_dir = Path(tempfile.mkdtemp(prefix="apicsim-"))
            self._own_state_dir = True
        else:
            self.state_dir = Path(options.state_dir)
        hosts = ("127.0.0.1", "::1", "localhost", options.host)
        ssl_context = None
        if options.tls:
            self.tls = ensure_tls(self.state_dir, dict.fromkeys(hosts))
            ssl_context = self.tls.server_context()
        self.cert_user = ensure_cert_user(self.state_dir, CERT_USER)
        self.verifier.register(self.cert_user.user, self.cert_user.cert_name, self.cert_user.cert.read_bytes())
        self.clock.start()
        self._unlisten = self.mit.listen(self._deliver)
        if options.follow_up_modified:
            follow_ups = FollowUps(self.mit, self.clock, options.follow_up_delay)
            self._unlisten_follow_ups = self.mit.listen(follow_ups.on_commit)
        await self.cluster.start(options.host, options.port, ssl_context, self.control.handle)
        self._sweep()
        return self

    async def stop(self) -> None:
        """Close sockets (with a close frame), stop servers and timers; leaves nothing running."""
        for unlisten in (self._unlisten, self._unlisten_follow_ups):
            if unlisten is not None:
                unlisten()
        self._unlisten = self._unlisten_follow_ups = None
        self.control.churn_stop()
        self.faults.stop()
        await self.cluster.stop()
        await self.clock.stop()
        if self._own_state_dir and self.state_dir is not None:
            shutil.rmtree(self.state_dir, ignore_errors=True)

    async def __aenter__(self) -> Simulator:
        return await self.start()

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    def _sweep(self) -> None:
        """Forget lapsed subscriptions now and then (they already stopped pushing; this frees memory)."""
        for member in self.cluster.members:
            member.subs.sweep()
        self.clock.call_later(SWEEP_INTERVAL, self._sweep)

    def _deliver(self, changes: Sequence[Change]) -> None:
        if self.options.derived_mos:
            extra = derived_changes(changes)
            if extra:
                changes = [*changes, *extra]
        held = self.chaos.held
        if held is not None:
            held.append(changes)
            return
        grouped = self.control.grouping
        for member in self.cluster.members:
            if member.up:
                member.deliver(changes, grouped)

    # ---------------------------------------------------------- for clients

    @property
    def url(self) -> str:
        """Base URL of the first member, e.g. `https://127.0.0.1:8443`."""
        return self.cluster.members[0].url

    @property
    def urls(self) -> list[str]:
        return [m.url for m in self.cluster.members]

    @property
    def ws_url(self) -> str:
        """Base of the websocket URL; append `/socket<token>`."""
        return self.url.replace("http", "ws", 1)

    @property
    def control_url(self) -> str:
        return self.url + "/_sim"

    @property
    def host(self) -> str:
        return self.options.host

    @property
    def port(self) -> int:
        return self.cluster.members[0].port

    @property
    def ca_file(self) -> Path | None:
        """The CA certificate clients verify TLS with (None when serving plain HTTP)."""
        return self.tls.ca_cert if self.tls is not None else None

    def client_ssl_context(self) -> ssl.SSLContext | None:
        """An SSL context that verifies this simulator with its CA (None for plain HTTP)."""
        return self.tls.client_context() if self.tls is not None else None

    @property
    def username(self) -> str:
        return DEMO_USER

    @property
    def password(self) -> str:
        return self.users.passwords[DEMO_USER]

    def describe(self) -> dict[str, Any]:
        """What the CLI prints and writes for `apicsim ctl`: URLs, ports, users, file paths."""
        cert = self.cert_user
        return {
            "url": self.url,
            "urls": self.urls,
            "port": self.port,
            "control_url": self.control_url,
            "ca_file": str(self.ca_file) if self.ca_file else None,
            "username": self.username,
            "password": self.password,
            "cert_user": cert.user if cert else None,
            "cert_name": cert.cert_name if cert else None,
            "cert_key": str(cert.key) if cert else None,
            "cert_file": str(cert.cert) if cert else None,
        }


class SimulatorThread:
    """Run a Simulator on its own event loop in a daemon thread (for synchronous callers)."""

    def __init__(self, options: SimOptions | None = None, **overrides: Any) -> None:
        self._options = options
        self._overrides = overrides
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self.sim: Simulator | None = None

    def start(self, timeout: float = 30.0) -> Simulator:
        started: concurrent.futures.Future[Simulator] = concurrent.futures.Future()
        self._thread = threading.Thread(target=self._run, args=(started,), name="apicsim", daemon=True)
        self._thread.start()
        self.sim = started.result(timeout)
        return self.sim

    def call(self, fn: Callable[..., Any], *args: Any, timeout: float = 30.0, **kwargs: Any) -> Any:
        """Run `fn(*args, **kwargs)` on the simulator's loop (awaiting it if it is a coroutine)."""
        assert self._loop is not None, "SimulatorThread is not running"

        async def invoke() -> Any:
            result = fn(*args, **kwargs)
            return await result if inspect.isawaitable(result) else result

        return asyncio.run_coroutine_threadsafe(invoke(), self._loop).result(timeout)

    def stop(self, timeout: float = 30.0) -> None:
        if self._loop is None or self.sim is None:
            return
        asyncio.run_coroutine_threadsafe(self.sim.stop(), self._loop).result(timeout)
        self._loop.call_soon_threadsafe(self._loop.stop)
        if self._thread is not None:
            self._thread.join(timeout)
        self._loop = None

    def __getattr__(self, name: str) -> Any:
        """Everything else (url, ca_file, password, mit, control...) is the Simulator's."""
        sim = self.__dict__.get("sim")
        if sim is None:
            raise AttributeError(name)
        return getattr(sim, name)

    def __enter__(self) -> SimulatorThread:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def _run(self, started: concurrent.futures.Future[Simulator]) -> None:
        loop = asyncio.new_event_loop()
        self._loop = loop
        asyncio.set_event_loop(loop)
        try:
            sim = Simulator(self._options, **self._overrides)
            loop.run_until_complete(sim.start())
        except BaseException as exc:
            started.set_exception(exc)
            loop.close()
            return
        started.set_result(sim)
        try:
            loop.run_forever()
        finally:
            loop.run_until_complete(loop.shutdown_asyncgens())
            loop.close()
