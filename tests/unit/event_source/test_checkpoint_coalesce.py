"""The checkpoint writer's batches: many changes of one object become one store operation, same result.

Each case applies a batch to a real SQLite store twice, once change by change and once coalesced, and
compares what the store holds afterwards, so the coalesced batch is held to the store's own semantics.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest
from ansible_collections.fabricops.aci.plugins.module_utils.core.reconcile import UNTRACKED
from ansible_collections.fabricops.aci.plugins.module_utils.event_source.checkpoint import coalesce
from ansible_collections.fabricops.aci.plugins.module_utils.event_source.checkpoint_backends import open_store

SUB = "tenants"


def put(dn: str, **attributes: str) -> tuple:
    return ("put", SUB, dn, "fvTenant", {"dn": dn, **attributes})


def merge(dn: str, **attributes: str) -> tuple:
    return ("merge", SUB, dn, "fvTenant", {"dn": dn, "status": "modified", **attributes})


def delete(dn: str) -> tuple:
    return ("delete", SUB, dn)


def reset() -> tuple:
    return ("reset", SUB, "fingerprint")


def one_by_one(batch: list) -> list:
    """The batch as the writer sent it before coalescing: every change encoded as it came."""
    ops = []
    for item in batch:
        if item[0] in ("put", "merge"):
            attributes = {k: v for k, v in item[4].items() if k not in UNTRACKED}
            ops.append((*item[:4], json.dumps(attributes)))
        else:
            ops.append(item)
    return ops


def held(tmp_path: Path, name: str, ops: list) -> dict:
    store = open_store(str(tmp_path / f"{name}.sqlite3"), "k")
    store.open()
    try:
        store.apply([reset()])
        store.apply(ops)
        return {dn: (cls, json.loads(attributes)) for dn, cls, attributes in store.objects(SUB)}
    finally:
        store.close()


CASES = {
    "merges add up": [put("a", descr="1", name="a"), merge("a", descr="2"), merge("a", nameAlias="x")],
    "a merge alone stays a merge": [merge("a", descr="2"), merge("a", descr="3")],
    "put then delete": [put("a", descr="1"), merge("a", descr="2"), delete("a")],
    "delete then put": [delete("a"), put("a", descr="new")],
    "delete then merge inserts": [delete("a"), merge("a", descr="new")],
    "a reset keeps its place": [put("a", descr="1"), reset(), merge("b", descr="2"), put("c")],
    "objects keep apart": [put("a", descr="1"), put("b", descr="1"), merge("a", descr="2"), delete("b")],
}


@pytest.mark.parametrize("batch", CASES.values(), ids=CASES.keys())
def test_a_coalesced_batch_leaves_what_the_changes_one_by_one_leave(tmp_path: Path, batch: list):
    seed = [put("a", descr="0", name="a", annotation="kept"), put("b", descr="0")]
    expected = held(tmp_path, "plain", one_by_one(seed) + one_by_one(batch))
    assert held(tmp_path, "coalesced", one_by_one(seed) + coalesce(batch)) == expected


def test_many_changes_of_one_object_are_one_operation():
    batch = [put("a", descr="0")] + [merge("a", descr=str(n)) for n in range(1000)] + [put("b")]
    ops = coalesce(batch)
    assert [(op[0], op[2]) for op in ops] == [("put", "a"), ("put", "b")]
    assert json.loads(ops[0][4]) == {"descr": "999"}


def test_random_batches_match_the_store_applying_them_one_by_one(tmp_path: Path):
    rng = random.Random(7)
    dns = ["a", "b", "c"]
    makers = [lambda dn: put(dn, descr=str(rng.random())), lambda dn: merge(dn, descr=str(rng.random())),
              lambda dn: merge(dn, nameAlias=str(rng.random())), delete]
    for round_ in range(40):
        batch = [rng.choice(makers)(rng.choice(dns)) for _ in range(rng.randint(1, 12))]
        if rng.random() < 0.2:
            batch.insert(rng.randrange(len(batch) + 1), reset())
        expected = held(tmp_path, f"plain{round_}", one_by_one(batch))
        assert held(tmp_path, f"coalesced{round_}", coalesce(batch)) == expected, batch


def test_coalescing_leaves_the_events_attributes_as_they_were():
    batch = [put("a", descr="0"), merge("a", descr="1"), merge("a", nameAlias="x")]
    before = [dict(item[4]) for item in batch]
    coalesce(batch)
    assert [item[4] for item in batch] == before  # rule engines may still read these dicts
