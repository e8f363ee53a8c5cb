"""Background churn: a seeded, bounded, stoppable mix of fabric changes that subscribers see."""

from __future__ import annotations

import asyncio
import time

import pytest

SMALL = {"pods": 1, "spines": 2, "leaves": 4, "ports": 8, "tenants": 2, "vrfs": 1, "bds": 2, "epgs": 3,
         "endpoints": 1500}


async def _finished(sim, timeout: float = 8.0) -> dict:
    deadline = time.monotonic() + timeout
    while sim.control.stats()["churn"]["running"]:
        assert time.monotonic() < deadline, "churn did not finish"
        await asyncio.sleep(0.02)
    return sim.control.stats()["churn"]


def _state(sim) -> list[tuple[str, str]]:
    """Where every endpoint is, every port's state and every tenant's descr: what the churn changes."""
    mit = sim.mit
    return sorted(
        [(mo.dn, mo.attrs["fabricPathDn"]) for mo in mit.of_class("fvCEp")]
        + [(mo.dn, mo.attrs["operSt"]) for mo in mit.of_class("ethpmPhysIf")]
        + [(mo.dn, mo.attrs["descr"]) for mo in mit.of_class("fvTenant")]
        + [(mo.dn, mo.attrs["cur"]) for mo in mit.of_class("healthInst")])


@pytest.mark.apicsim(large_fabric=SMALL)
async def test_churn_with_a_fixed_seed_is_reproducible(apic_factory):
    runs = []
    for seed in (7, 7, 8):
        sim = await apic_factory()
        sim.control.churn(duration=1.5, rate=100, seed=seed)  # 150 events, the last due at 1.34 s
        churn = await _finished(sim)
        assert churn["stopped"] == "done" and churn["errors"] == 0
        runs.append((churn["counts"], _state(sim)))
    assert sum(runs[0][0].values()) > 140  # a move to the port the endpoint is on does not count
    assert all(runs[0][0][kind] > 5 for kind in runs[0][0])
    assert runs[0] == runs[1]
    assert runs[0][1] != runs[2][1]


@pytest.mark.apicsim(large_fabric=SMALL, max_query_objects=100_000)
async def test_churn_pushes_endpoint_moves_and_link_flaps_to_a_subscriber(client):
    token, ws = await client.session()
    cep_sub = await client.subscription("/api/class/fvCEp.json", token)
    port_sub = await client.subscription("/api/class/ethpmPhysIf.json", token)
    client.sim.control.churn(duration=3, rate=50, seed=1, mix={"endpoint_move": 1, "link_flap": 1})
    seen: dict[str, set[str]] = {"fvCEp": set(), "ethpmPhysIf": set()}
    while not (seen["fvCEp"] and seen["ethpmPhysIf"]):
        frame = await client.next_frame(ws)
        cls, attrs = client.only_mo(frame)
        assert frame["subscriptionId"] == [cep_sub if cls == "fvCEp" else port_sub]
        seen[cls].update(attrs)
    assert "fabricPathDn" in seen["fvCEp"] and "operSt" in seen["ethpmPhysIf"]
    assert client.sim.control.churn_stop()["stopped"] == "stopped"
    await ws.close()


@pytest.mark.apicsim(large_fabric=SMALL)
async def test_churn_stops_at_its_duration_and_on_request(apic):
    started = time.monotonic()
    apic.control.churn(duration=0.3, rate=100, seed=3)  # 30 events, the last due at 0.26 s
    await asyncio.sleep(0.05)
    time.sleep(0.4)  # the loop is held past the deadline: the events still due must not run late
    churn = await _finished(apic)
    assert time.monotonic() - started < 1.0
    assert churn["stopped"] == "duration" and 0 < sum(churn["counts"].values()) < 10
    apic.control.churn(duration=60, rate=20, seed=3)
    await asyncio.sleep(0.3)
    stopped = apic.control.churn_stop()
    assert stopped["running"] is False and stopped["stopped"] == "stopped"
    counts = stopped["counts"]
    await asyncio.sleep(0.3)
    assert apic.control.stats()["churn"]["counts"] == counts


async def test_bad_churn_arguments_name_the_fix(apic):
    from apicsim.errors import ApiError

    for kwargs, text in (({"duration": 0, "rate": 1}, "duration must be > 0"),
                         ({"duration": 1, "rate": 0}, "rate must be > 0"),
                         ({"duration": 1, "rate": 100_001}, "<= 100000 events per second"),
                         ({"duration": 1, "rate": 1, "mix": {"flap": 1}}, "unknown kind")):
        with pytest.raises(ApiError, match=text):
            apic.control.churn(**kwargs)


async def test_a_churn_may_ask_for_100000_events_a_second(apic):
    state = apic.control.churn(duration=0.05, rate=100_000, seed=1, mix={"config": 1})
    assert state["running"] and state["events"] == 5000
    apic.control.churn_stop()


async def test_a_churn_that_fails_says_so_in_stats(apic, monkeypatch, caplog):
    from apicsim.churn import Churn

    def broken(*_args):
        raise RuntimeError("boom")

    monkeypatch.setattr(Churn, "_step", broken)
    apic.control.churn(duration=1, rate=50)
    churn = await _finished(apic)
    assert churn["stopped"] == "failed" and "churn failed" in caplog.text
