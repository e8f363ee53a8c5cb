"""`python -m bench --quick` runs every section and reports complete, self-consistent figures.

No timing threshold is asserted (the machine is shared and noisy): only that every figure is there, that
counts match what was sent, and that the numbers are internally sane (positive rates, ordered
percentiles, shares between 0 and 1, a table row per figure).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SECTIONS = {"throughput", "hotpath", "latency", "recovery", "recovery_paged", "recovery_paged_checkpoint",
            "recovery_500k", "memory", "state", "refresh",
            "rulebook", "checkpoint", "restart", "feedback", "changed_by", "churn"}
READERS = ("receive only (simulator send probe)", "bare reader (receive + parse)",
           "event source, unbounded queue", "event source, one-slot queue")

pytestmark = [pytest.mark.slow, pytest.mark.rulebook]


@pytest.fixture(scope="module")
def quick_run(tmp_path_factory) -> tuple[str, dict]:
    output = tmp_path_factory.mktemp("bench") / "results.json"
    proc = subprocess.run([sys.executable, "-m", "bench", "--quick", "--output", str(output)], cwd=REPO,
                          capture_output=True, text=True, timeout=600, check=False)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    return proc.stdout, json.loads(output.read_text())


def test_every_section_ran_and_the_machine_is_named(quick_run):
    stdout, results = quick_run
    assert set(results["sections"]) == SECTIONS and results["quick"] is True
    machine = results["machine"]
    assert machine["cores"] >= 1 and machine["cpu_model"] and machine["python"].startswith("CPython 3.")
    assert machine["cpu_model"] in stdout and "own process" in stdout


def test_the_table_prints_every_row(quick_run):
    stdout, results = quick_run
    rows = results["rows"]
    # throughput, hot path, latency, recovery, paged recovery (off, checkpoint on, the large class: each with
    # its memory row), memory, state, refresh, end to end, checkpoint on/off, bytes on disk + one restart per
    # size, feedback, changed_by's four cases, one churn row per rate + engine events + CPU per edit +
    # highest rate
    sizes = len(results["settings"]["restart"]["objects"])
    rates = len(results["settings"]["churn"]["rates"])
    assert len(rows) == 8 + 3 + 1 + 2 + 3 * 3 + 1 + 2 + 2 + 2 + 4 + 1 + sizes + 3 + 4 + rates + 3
    for row in rows:
        assert row["measured"] and row["measured"] in stdout
        assert row["result"] in ("met", "MISSED", "")
        assert bool(row["target"]) == bool(row["result"])  # a verdict exactly where there is a target


def test_throughput_counts_every_change_of_every_reader(quick_run):
    _, results = quick_run
    section = results["sections"]["throughput"]
    for mode in ("single", "multi"):
        figures = section["modes"][mode]
        assert set(figures) == set(READERS)
        for reader in READERS:
            run = figures[reader]
            assert run["changes"] == section["count"]
            assert run["rate"] > 0 and run["cpu_us_per_change"] > 0 and 0 <= run["sim_busy"] <= 1
            assert run["of_bare"] == pytest.approx(run["rate"] / figures["bare reader (receive + parse)"]["rate"])
        assert figures["event source, unbounded queue"]["duplicates"] == 0
    assert section["modes"]["single"]["bare reader (receive + parse)"]["frames"] == section["count"]
    assert section["modes"]["multi"]["bare reader (receive + parse)"]["frames"] < section["count"]


def test_latency_recovery_memory_and_state_are_consistent(quick_run):
    _, results = quick_run
    sections = results["sections"]
    assert set(sections["hotpath"]) == {"modified", "modified x16", "created"}
    assert all(kind["us_per_change"] > 0 for kind in sections["hotpath"].values())
    latency = sections["latency"]
    assert latency["changes"] == latency["rate"] * results["settings"]["latency"]["seconds"]
    assert 0 < latency["p50_ms"] <= latency["p99_ms"] <= latency["max_ms"]
    recovery = sections["recovery"]
    assert recovery["objects"] >= 1000 and recovery["reconnects"] == recovery["rounds"]
    assert recovery["recovered_events"] == recovery["rounds"] * recovery["missed_per_round"]
    assert all(ms > 0 for ms in recovery["live_ms_all"] + recovery["complete_ms_all"])
    for name, checkpoint in (("recovery_paged", "off"), ("recovery_paged_checkpoint", "SQLite"),
                             ("recovery_500k", "off")):
        paged = sections[name]
        assert paged["objects"] > 10_000 and paged["recovered_events"] == paged["rounds"] * paged["missed_per_round"]
        assert paged["checkpoint"] == checkpoint
        assert len(paged["source_cpu_s_all"]) == len(paged["simulator_cpu_s_all"]) == paged["rounds"]
        held = paged["memory"]
        # the state of 20,000 tenants is about 5.5 MiB (290 bytes each, the state section's figure)
        assert 0.2 * paged["objects"] * 290 / 2**20 < held["state_mb"] < 5 * paged["objects"] * 290 / 2**20
        assert 0 < held["baseline_mb"] <= held["first_snapshot_peak_mb"] and held["recovery_peak_mb"] > 0
        top = max(held["first_snapshot_peak_mb"], held["recovery_peak_mb"])
        assert held["peak_over_state"] == pytest.approx((top - held["baseline_mb"]) / held["state_mb"], rel=0.05)
    memory = sections["memory"]
    assert memory["events"] >= results["settings"]["memory"]["events"]
    assert len(memory["rss_mb_samples"]) == memory["bursts"] and min(memory["rss_mb_samples"]) > 0
    for shape in sections["state"]["shapes"]:
        assert 50 < shape["bytes_per_object"] < 5000 and shape["objects"] == results["settings"]["state"]["objects"]


def test_refresh_and_rulebook_figures_are_complete(quick_run):
    _, results = quick_run
    refresh = results["sections"]["refresh"]
    assert refresh["alive"] == refresh["subscriptions"] == 1000 and refresh["logins"] == 1
    assert refresh["cpu_us_per_refresh"] > 0 and refresh["cpu_s_per_minute_at_60s"] > 0
    rulebook = results["sections"]["rulebook"]
    assert rulebook["changes"] == results["settings"]["rulebook"]["count"]
    assert rulebook["rate"] > 0 and rulebook["cpu_us_per_event"] > 0
    assert rulebook["cpu_share_of_source"] > 0


def test_checkpoint_figures_compare_on_with_off(quick_run):
    _, results = quick_run
    section = results["sections"]["checkpoint"]
    off, on = section["throughput"]["off"], section["throughput"]["on"]
    assert off["changes"] == on["changes"] == section["count"]
    assert on["written"] >= section["count"] and not on["failed"] and on["catch_up_s"] >= 0
    assert "written" not in off  # the run without a checkpoint has none
    assert section["on_of_off"] == pytest.approx(on["rate"] / off["rate"])
    for mode in ("off", "on"):
        paced = section["latency"][mode]
        assert len(paced["p99_ms_all"]) == section["rounds"]
        assert 0 < paced["p50_ms"] <= paced["p99_ms"] <= paced["max_ms"]


def test_restart_emits_every_missed_change_and_sizes_the_checkpoint(quick_run):
    _, results = quick_run
    section = results["sections"]["restart"]
    assert all(size["objects"] >= n for size, n in zip(section["sizes"], results["settings"]["restart"]["objects"],
                                                      strict=True))
    for size in section["sizes"]:
        assert size["loaded"] == size["objects"]  # the second start resumed from the whole checkpoint
        assert size["recovered_events"] == size["missed"] >= 30
        assert 0 < size["load_s"] < size["restart_s"]
        assert 50 < size["sqlite_bytes_per_object"] < 5000
    postgres = section["postgres"]
    assert postgres["rows"] == postgres["objects"] and 50 < postgres["bytes_per_object"] < 5000


def test_feedback_runs_every_mode_through_ansible_rulebook(quick_run):
    _, results = quick_run
    section = results["sections"]["feedback"]
    assert set(section["modes"]) == {"handed over", "persistence", "feedback"}
    for figures in section["modes"].values():
        assert figures["changes"] == section["count"] and figures["rate"] > 0 and figures["cpu_us_per_event"] > 0
    assert section["feedback_of_handed_over"] == pytest.approx(
        section["modes"]["feedback"]["rate"] / section["modes"]["handed over"]["rate"])


def test_changed_by_attributes_every_event_or_says_why_not(quick_run):
    _, results = quick_run
    cases = results["sections"]["changed_by"]["cases"]
    assert set(cases) == {"off", "on", "records 50 ms late", "no record in time"}
    assert "matched" not in cases["off"]  # no attribution line at all
    changes = cases["off"]["changes"]
    for case in ("on", "records 50 ms late"):
        figures = cases[case]
        assert figures["changes"] == changes and figures["unmatched"] == 0 and figures["matched"] >= changes
    missing = cases["no record in time"]
    assert missing["matched"] == 0 and missing["unmatched"] >= changes
    assert missing["longest_wait_ms"] >= 200  # each waited its whole changed_by_wait before leaving null
    for figures in cases.values():
        assert 0 < figures["p50_ms"] <= figures["p99_ms"] <= figures["max_ms"]


def test_churn_times_the_shipped_rulebook_with_and_without_its_noise_options(quick_run):
    _, results = quick_run
    section, settings = results["sections"]["churn"], results["settings"]["churn"]
    assert section["rulebook"] == "fabricops.aci.tenant_watch" and section["rates"] == settings["rates"]
    without, with_ = section["modes"]["without options"], section["modes"]["with options"]
    assert without["variables"] == {}
    assert set(with_["variables"]) == {"tenant_modified_attributes", "tenant_fold_window"}
    for mode in (without, with_):
        steps = mode["steps"]
        assert [step["rate"] for step in steps] == settings["rates"][:len(steps)]
        # the ladder goes on while the limit holds and stops at the first step that breaks it
        assert all(step["under_limit"] for step in steps[:-1])
        assert len(steps) == len(settings["rates"]) or not steps[-1]["under_limit"]
        for step in steps:
            assert step["samples"] + step["missed"] >= 1 and step["churn_events"] > 0
            if step["samples"]:
                assert 0 < step["p50_s"] <= step["p99_s"] <= step["max_s"]
            assert step["under_limit"] == (step["samples"] > 0 and not step["missed"]
                                           and step["p99_s"] < section["limit_s"])
        assert mode["highest_rate_under_limit"] == max(
            (step["rate"] for step in steps if step["under_limit"]), default=0)
        assert mode["churn_events"] == sum(step["churn_events"] for step in steps) and mode["churn_errors"] == 0
        assert all(step["rulebook_cpu_s"] > 0 for step in steps)
        assert (mode["rulebook_cpu_us_per_edit"] is None) == (sum(step["under_limit"] for step in steps) < 2)
    # With the options the rule engine takes none of the tenant edits, only the rare creations and the
    # onboarding playbook's annotation on each (plus the warm-up's, if its statistics came late); without
    # them it takes the edits too (all of them, unless it fell behind in the step that ended the ladder).
    rare = sum(step["samples"] + step["missed"] for step in with_["steps"])
    assert with_["engine_events"] <= 2 * rare + 4
    assert without["engine_events"] > 10 * (with_["engine_events"] + 1)
