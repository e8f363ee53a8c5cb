"""Restart with a checkpoint: how long until every change made while stopped is emitted, and its size.

For each size N the simulator process creates N tenants; the source starts with a fresh SQLite
checkpoint in a temporary directory, takes the snapshot as its baseline, waits until the checkpoint
holds all of it, and stops (as on SIGTERM: cancelled, the last changes written). While it is stopped
the simulator creates, modifies and deletes 1% of N tenants each (at least 10). The source then starts
again with the same arguments; the figure is the time from that start (the source built and run, the
checkpoint opened and loaded, login, subscribe and snapshot, comparison) until the last missed change
is on the queue as a `recovered` event. The checkpoint's load alone is timed too.

Bytes per object: the SQLite file (and its write-ahead log, if any is left) after the first stop, over
the objects it holds. With `postgres_objects`, the same baseline is written to a PostgreSQL server
started for the purpose (tests/support/postgres_server.py: initdb in a temporary directory), and the
size of the objects table (with its index and TOAST) is divided by its rows.
"""

from __future__ import annotations

import asyncio
import contextlib
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.recovery import await_recovered
from bench.simproc import SimProcess
from bench.source import READY_TIMEOUT, REPO, StampedQueue, collection_module, running_source, wait_until

SHARE = 0.01  # of N created, modified and deleted each while the source is stopped
LEAST = 10
BASELINE_TIMEOUT = 300.0
RECOVER_TIMEOUT = 120.0


def _changes(objects: int) -> int:
    return max(LEAST, int(objects * SHARE))


def _on_disk(path: Path) -> int:
    return sum(p.stat().st_size for p in (path, Path(f"{path}-wal")) if p.exists())


async def _baseline(sim: SimProcess, checkpoint: str, password: str | None = None) -> int:
    """Run the source until its checkpoint holds the first snapshot; how many objects it tracks."""
    extra = {"checkpoint_password": password} if password else {}
    args = sim.source_args(subscriptions=["fvTenant"], checkpoint=checkpoint, **extra)
    async with running_source(asyncio.Queue(), args) as source:
        tracked = len(source.router.subscriptions[0].state)
        store = source.checkpoint
        # the baseline is one reset and one put per object
        await wait_until(lambda: store.written >= tracked + 1 or store.failed, BASELINE_TIMEOUT,
                         "the checkpoint never held the baseline", interval=0.05)
        if store.failed:
            raise RuntimeError(f"the checkpoint {store.where} failed while writing the baseline")
    return tracked


async def restart(sim: SimProcess, objects: int, workdir: Path) -> dict[str, Any]:
    """One baseline, changes while stopped, and the timed restart, for ``objects`` tenants."""
    await sim.call("populate", count=objects, prefix="bench")
    path = workdir / f"restart-{objects}.sqlite3"
    tracked = await _baseline(sim, str(path))
    size = _on_disk(path)
    k = _changes(objects)
    dropped = await sim.call("drop_and_change", creates=k, modifies=[f"uni/tn-bench{i}" for i in range(k)],
                             deletes=[f"uni/tn-bench{objects - 1 - i}" for i in range(k)], prefix="whiledown")
    expected = {tuple(item) for item in dropped["expected"]}

    queue = StampedQueue()
    args = sim.source_args(subscriptions=["fvTenant"], checkpoint=str(path))
    started = time.monotonic_ns()
    source = collection_module("event_source.entry").build_source(queue, args)
    opened: list[int] = []
    open_checkpoint = source.checkpoint.open

    async def timed_open(subscriptions: list) -> None:
        await open_checkpoint(subscriptions)
        opened.append(time.monotonic_ns())

    source.checkpoint.open = timed_open
    task = asyncio.ensure_future(source.run())
    try:
        recovering = asyncio.ensure_future(await_recovered(queue, expected))
        done, _ = await asyncio.wait({recovering, task}, timeout=READY_TIMEOUT + RECOVER_TIMEOUT,
                                     return_when=asyncio.FIRST_COMPLETED)
        if recovering not in done:
            recovering.cancel()
            if task.done():
                task.result()
            raise TimeoutError(f"restart with {objects} objects: the missed changes never all arrived")
        last_put = recovering.result()
        recovered = source.stats.recovered
        loaded = source.checkpoint.loaded
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
    return {
        "objects": tracked,
        "loaded": loaded,
        "missed": len(expected),
        "recovered_events": recovered,
        "restart_s": (last_put - started) / 1e9,
        "load_s": (opened[0] - started) / 1e9,
        "sqlite_bytes": size,
        "sqlite_bytes_per_object": size / tracked,
    }


async def postgres_size(state_dir: Path, objects: int) -> dict[str, Any] | None:
    """Bytes per object of the same baseline in PostgreSQL; None when no server can be started here."""
    sys.path.insert(0, str(REPO / "tests" / "support"))
    try:
        import postgres_server
        import psycopg
    except ImportError:
        return None
    try:
        server = postgres_server.PostgresServer(postgres_server.server_bin())
    except BaseException:  # no binaries (server_bin fails the way a test would): SQLite figures only
        return None
    try:
        server.init()
        server.start()
        dsn = server.create_database("bench_checkpoint")
        async with SimProcess(state_dir) as sim:
            await sim.call("populate", count=objects, prefix="bench")
            tracked = await _baseline(sim, dsn, server.password)
        with psycopg.connect(dsn, password=server.password, autocommit=True) as conn:
            conn.execute("VACUUM ANALYZE fabricops_aci_objects")
            rows = conn.execute("SELECT count(*) FROM fabricops_aci_objects").fetchone()[0]
            size = conn.execute("SELECT pg_total_relation_size('fabricops_aci_objects')").fetchone()[0]
    finally:
        server.destroy()
    return {"objects": tracked, "rows": rows, "bytes": size, "bytes_per_object": size / rows}


async def run(state_dir, objects: list[int], postgres_objects: int = 0) -> dict[str, Any]:
    """A restart for every size in ``objects``, each against a fresh simulator; PostgreSQL size optionally."""
    sizes = []
    with tempfile.TemporaryDirectory(prefix="bench-restart-") as workdir:
        for count in objects:
            async with SimProcess(state_dir) as sim:
                sizes.append(await restart(sim, count, Path(workdir)))
    postgres = await postgres_size(state_dir, postgres_objects) if postgres_objects else None
    return {"sizes": sizes, "postgres": postgres}
