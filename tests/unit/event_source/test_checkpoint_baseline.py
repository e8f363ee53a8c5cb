"""A first snapshot written to the checkpoint page by page: bounded in memory, never lost.

A real SQLite checkpoint; only the store's ``apply`` is held back by a gate, standing in for a disk or a
database server slower than the APIC (which this machine cannot be made to be on demand).
"""

from __future__ import annotations

import asyncio
import gc
import json
import threading
import time
import tracemalloc
from pathlib import Path

import pytest
from ansible_collections.fabricops.aci.plugins.module_utils.core.frames import Change
from ansible_collections.fabricops.aci.plugins.module_utils.event_source import checkpoint as checkpoint_module
from ansible_collections.fabricops.aci.plugins.module_utils.event_source.checkpoint import PAGES_AHEAD, Checkpoint
from ansible_collections.fabricops.aci.plugins.module_utils.event_source.checkpoint_backends import open_store

PAGE = 500


class _Spec:
    url = "/api/class/fvTenant.json"


class _Sub:
    name = "tenants"
    spec = _Spec()


def _tenant(index: int) -> Change:
    dn = f"uni/tn-tenant-{index:06d}"
    attributes = {"dn": dn, "status": "", "rn": f"tn-tenant-{index:06d}", "childAction": "",
                  "name": f"tenant-{index:06d}", "descr": f"tenant number {index}", "annotation": "",
                  "extMngdBy": "", "lcOwn": "local", "modTs": "2026-11-27T10:00:00.000+00:00",
                  "monPolDn": "uni/tn-common/monepg-default", "nameAlias": "", "ownerKey": "", "ownerTag": "",
                  "uid": "15374", "userdom": ":all:"}
    return Change("fvTenant", dn, "", attributes)


def _pages(count: int) -> list:
    return [[_tenant(page * PAGE + index) for index in range(PAGE)] for page in range(count)]


class _Gate:
    """Holds the store's writes until opened."""

    def __init__(self, checkpoint: Checkpoint) -> None:
        self.open = threading.Event()
        apply = checkpoint._store.apply

        def held_apply(ops):
            self.open.wait(30)
            apply(ops)

        checkpoint._store.apply = held_apply


def _stored(path: Path) -> dict:
    store = open_store(str(path), "k")
    store.open()
    try:
        return {dn: json.loads(attributes) for dn, _cls, attributes in store.objects(_Sub.name)}
    finally:
        store.close()


def test_a_baseline_read_faster_than_the_store_writes_waits_for_the_writer(tmp_path: Path):
    pages = _pages(PAGES_AHEAD + 2)

    async def run() -> list:
        checkpoint = Checkpoint(str(tmp_path / "c.sqlite3"), "k")
        await checkpoint.open([])
        gate = _Gate(checkpoint)
        threading.Timer(0.6, gate.open.set).start()
        checkpoint.baseline(_Sub(), ())
        took = []
        for page in pages:
            started = time.monotonic()
            checkpoint.add_baseline(_Sub(), page)
            took.append((time.monotonic() - started, checkpoint.written))
        await checkpoint.close()
        return took

    took = asyncio.run(run())
    # the first pages are handed over at once; the next waits until the writer has written some
    assert all(seconds < 0.3 for seconds, _written in took[:PAGES_AHEAD])
    seconds, written_before_return = took[PAGES_AHEAD]
    assert seconds >= 0.3 and written_before_return >= PAGE
    stored = _stored(tmp_path / "c.sqlite3")
    assert len(stored) == len(pages) * PAGE  # nothing lost
    assert stored["uni/tn-tenant-000007"]["descr"] == "tenant number 7" and "dn" not in stored["uni/tn-tenant-000007"]


def test_a_store_that_never_answers_delays_each_page_only_so_long(tmp_path: Path, monkeypatch):
    monkeypatch.setattr(checkpoint_module, "PAGE_WAIT", 0.2)
    pages = _pages(PAGES_AHEAD + 2)

    async def run() -> tuple:
        checkpoint = Checkpoint(str(tmp_path / "c.sqlite3"), "k")
        await checkpoint.open([])
        gate = _Gate(checkpoint)
        checkpoint.baseline(_Sub(), ())
        started = time.monotonic()
        for page in pages:
            checkpoint.add_baseline(_Sub(), page)
        waited = time.monotonic() - started
        gate.open.set()
        await checkpoint.close()
        return waited

    waited = asyncio.run(run())
    assert waited < 0.2 * 2 + 1.0  # the two pages beyond the room waited PAGE_WAIT each, then went on
    assert len(_stored(tmp_path / "c.sqlite3")) == len(pages) * PAGE


@pytest.mark.parametrize("pages", [PAGES_AHEAD])
def test_a_queued_baseline_page_costs_about_its_text(tmp_path: Path, pages: int):
    batch = _pages(pages)

    async def run() -> float:
        checkpoint = Checkpoint(str(tmp_path / "c.sqlite3"), "k")
        await checkpoint.open([])
        gate = _Gate(checkpoint)
        gc.collect()
        tracemalloc.start()
        try:
            before = tracemalloc.get_traced_memory()[0]
            for page in batch:
                checkpoint.add_baseline(_Sub(), page)
            per_object = (tracemalloc.get_traced_memory()[0] - before) / (pages * PAGE)
        finally:
            tracemalloc.stop()
            gate.open.set()
            await checkpoint.close()
        return per_object

    per_object = asyncio.run(run())
    text = len(json.dumps({k: v for k, v in batch[0][0].attributes.items() if k not in ("dn", "rn", "status",
                                                                                        "childAction")}))
    print(f"queued baseline: {per_object:.0f} bytes per object for {text} bytes of text")
    assert per_object < text + 200  # the text, its tuple and list slot; not a buffer of kilobytes each
