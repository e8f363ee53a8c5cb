"""From section results to the one table `make bench` prints (and the rows kept in the JSON file)."""

from __future__ import annotations

from typing import Any

from bench.figures import median
from bench.throughput import BARE, RECEIVE_ONLY, SOURCE_ONE_SLOT, SOURCE_UNBOUNDED

MET, MISSED, INFO = "met", "MISSED", ""


def _row(section: str, figure: str, measured: str, target: str = "", verdict: str = INFO) -> dict[str, str]:
    return {"section": section, "figure": figure, "measured": measured, "target": target, "result": verdict}


def _check(ok: bool) -> str:
    return MET if ok else MISSED


def throughput_rows(result: dict[str, Any]) -> list[dict[str, str]]:
    rows = []
    for mode, label in (("single", "1 MO/frame"), ("multi", "16 MOs/frame")):
        figures = result["modes"][mode]
        probe = figures[RECEIVE_ONLY]
        section = f"throughput, {label}"
        rows.append(_row(section, "simulator send (receive-only probe)",
                         f"{probe['rate']:,.0f}/s, simulator {probe['sim_busy']:.0%} busy"))
        rows.append(_row(section, "bare reader: receive + parse (ceiling)",
                         f"{figures[BARE]['rate']:,.0f}/s, {figures[BARE]['cpu_us_per_change']:.1f} us CPU each"))
        unbounded = figures[SOURCE_UNBOUNDED]
        target = "80% of bare" if mode == "single" else ""
        verdict = _check(unbounded["of_bare"] >= 0.8) if mode == "single" else INFO
        rows.append(_row(section, "event source -> unbounded queue",
                         f"{unbounded['rate']:,.0f}/s = {unbounded['of_bare']:.0%} of bare, "
                         f"{unbounded['cpu_us_per_change']:.1f} us CPU each", target, verdict))
        slot = figures[SOURCE_ONE_SLOT]
        rows.append(_row(section, "event source -> one-slot queue + consumer",
                         f"{slot['rate']:,.0f}/s = {slot['of_bare']:.0%} of bare, "
                         f"{slot['cpu_us_per_change']:.1f} us CPU each"))
    return rows


def hotpath_rows(result: dict[str, Any]) -> list[dict[str, str]]:
    return [_row("hot path, no sockets", f"frame -> event on the queue: {kind}",
                 f"{figures['us_per_change']:.2f} us CPU per change") for kind, figures in result.items()]


def latency_rows(result: dict[str, Any]) -> list[dict[str, str]]:
    return [_row("latency", f"commit -> queue put at {result['rate']:,.0f}/s ({result['changes']:,} changes)",
                 f"p50 {result['p50_ms']:.2f} ms, p99 {result['p99_ms']:.2f} ms, max {result['max_ms']:.2f} ms",
                 "p99 < 10 ms", _check(result["p99_ms"] < 10))]


def changed_by_rows(result: dict[str, Any]) -> list[dict[str, str]]:
    rows = []
    for case, figures in result["cases"].items():
        found = (f", {figures['matched']:,} with their record, {figures['unmatched']:,} null, longest wait "
                 f"{figures['longest_wait_ms']:.0f} ms" if "matched" in figures else "")
        target, verdict = INFO, INFO
        if case == "no record in time":  # the bound: no event waits much longer than changed_by_wait (200 ms)
            target, verdict = "p99 < 200 ms + 50 ms", _check(figures["p99_ms"] < 250)
        rows.append(_row("changed_by", f"commit -> queue put at {result['rate']:,.0f}/s, {case}",
                         f"p50 {figures['p50_ms']:.2f} ms, p99 {figures['p99_ms']:.2f} ms{found}", target, verdict))
    return rows


def recovery_rows(result: dict[str, Any], limit_ms: float | None = 2000, memory: bool = False) -> list[dict[str, str]]:
    section = f"recovery, {result['objects']:,} objects"
    if result.get("checkpoint", "off") != "off":
        section += f", checkpoint {result['checkpoint']}"
    complete = f"median {result['complete_ms_median']:.0f} ms, worst {result['complete_ms_max']:.0f} ms"
    if memory:  # large classes: whose CPU the wait was
        complete += (f" (CPU per drop, median: source {median(result['source_cpu_s_all']):.1f} s, simulator "
                     f"{median(result['simulator_cpu_s_all']):.1f} s)")
    rows = [
        _row(section, "drop -> every subscription live",
             f"median {result['live_ms_median']:.0f} ms, worst {result['live_ms_max']:.0f} ms "
             f"({result['rounds']} drops)"),
        _row(section, f"drop -> all {result['missed_per_round']} missed changes emitted", complete)
        if limit_ms is None else
        _row(section, f"drop -> all {result['missed_per_round']} missed changes emitted", complete,
             f"< {limit_ms / 1000:g} s", _check(result["complete_ms_max"] < limit_ms)),
    ]
    if memory:
        rows.append(footprint_row(section, result["memory"], result["objects"]))
    return rows


LARGE = 100_000  # objects from which the memory target applies: below, one page's parsing outweighs the state


def footprint_row(section: str, memory: dict[str, Any], objects: int) -> dict[str, str]:
    """Peak resident memory of the source's process over its baseline, against the state it keeps."""
    top = max(memory["first_snapshot_peak_mb"], memory["recovery_peak_mb"])
    measured = (f"{memory['first_snapshot_peak_mb']:.0f} / {memory['recovery_peak_mb']:.0f} MiB; "
                f"{top - memory['baseline_mb']:.0f} MiB over the {memory['baseline_mb']:.0f} MiB baseline = "
                f"{memory['peak_over_state']:.1f} x the {memory['state_mb']:.0f} MiB state")
    figure = "peak resident memory (first snapshot / drops) vs state kept"
    if objects < LARGE:
        return _row(section, figure, measured)
    return _row(section, figure, measured, "< 3 x state", _check(memory["peak_over_state"] < 3))


def recovery_paged_rows(result: dict[str, Any]) -> list[dict[str, str]]:
    """The same drop with a class read in pages of 10,000 (the default page_size)."""
    return recovery_rows(result, limit_ms=5000, memory=True)


def recovery_large_rows(result: dict[str, Any]) -> list[dict[str, str]]:
    """The drop with 500,000 objects: measured and shown, no target."""
    return recovery_rows(result, limit_ms=None, memory=True)


def memory_rows(result: dict[str, Any]) -> list[dict[str, str]]:
    return [_row("memory", f"RSS across {result['events']:,} events (after {result['warm_up_events']:,} warm-up)",
                 f"{result['rss_mb_after_warm_up']} -> {result['rss_mb_end']} MiB, growth {result['rss_mb_growth']} "
                 f"MiB, spread {result['rss_mb_spread']} MiB", "flat within 10 MB",
                 _check(abs(result["rss_mb_growth"]) <= 10 and result["rss_mb_spread"] <= 10))]


def state_rows(result: dict[str, Any]) -> list[dict[str, str]]:
    rows = []
    for shape in result["shapes"]:
        per_100k = shape["bytes_per_object"] * 100_000 / 1024**2
        rows.append(_row("reconciliation state", f"{shape['class']} ({shape['attributes']} attributes)",
                         f"{shape['bytes_per_object']:.0f} bytes/object; 100,000 objects = {per_100k:.0f} MiB "
                         f"(measured {shape['objects']:,})", "100,000 < 100 MB", _check(per_100k < 100)))
    return rows


def refresh_rows(result: dict[str, Any]) -> list[dict[str, str]]:
    section = f"refresh, {result['subscriptions']:,} subscriptions"
    return [
        _row(section, "CPU to keep them alive, refresh-timeout 60 s",
             f"{result['cpu_s_per_minute_at_60s']:.2f} s CPU per minute ({result['cpu_us_per_refresh']:.0f} us per "
             f"refresh; {result['rounds']} round(s) measured at refresh-timeout "
             f"{result['refresh_timeout_measured']} s, x3 rounds/min + idle)"),
        _row(section, "subscribe all on one socket", f"{result['subscribe_all_s']:.2f} s"),
    ]


def checkpoint_rows(result: dict[str, Any]) -> list[dict[str, str]]:
    section = "checkpoint on vs off"
    off, on = result["throughput"]["off"], result["throughput"]["on"]
    rows = [
        _row(section, f"event source -> unbounded queue, checkpoint off ({result['count']:,} changes)",
             f"{off['rate']:,.0f}/s, {off['cpu_us_per_change']:.1f} us CPU each"),
        _row(section, "same, checkpoint on (SQLite)",
             f"{on['rate']:,.0f}/s = {result['on_of_off']:.0%} of off, {on['cpu_us_per_change']:.1f} us CPU each; "
             f"written {on['catch_up_s'] * 1e3:.0f} ms after the last event", "70% of off",
             _check(result["on_of_off"] >= 0.7)),
    ]
    for mode, label in (("off", "checkpoint off"), ("on", "checkpoint on")):
        paced = result["latency"][mode]
        rows.append(_row(section, f"commit -> queue put at {paced['rate']:,.0f}/s, {label} "
                         f"(median of {result['rounds']} rounds of {paced['changes']:,})",
                         f"p50 {paced['p50_ms']:.2f} ms, p99 {paced['p99_ms']:.2f} ms, max {paced['max_ms']:.2f} ms",
                         "p99 < 10 ms", _check(paced["p99_ms"] < 10)))
    return rows


def restart_rows(result: dict[str, Any]) -> list[dict[str, str]]:
    largest = result["sizes"][-1]
    size = f"SQLite {largest['sqlite_bytes_per_object']:.0f} bytes/object ({largest['objects']:,} tenants)"
    if result.get("postgres"):
        postgres = result["postgres"]
        size += f"; PostgreSQL {postgres['bytes_per_object']:.0f} bytes/object ({postgres['objects']:,} tenants)"
    rows = [_row("checkpoint", "on disk per tracked object", size)]
    for figures in result["sizes"]:
        rows.append(_row(f"restart, {figures['objects']:,} objects",
                         f"start -> all {figures['missed']:,} changes made while stopped emitted",
                         f"{figures['restart_s']:.2f} s (checkpoint loaded in {figures['load_s']:.2f} s)",
                         "< 5 s", _check(figures["restart_s"] < 5)))
    return rows


def feedback_rows(result: dict[str, Any]) -> list[dict[str, str]]:
    labels = {"handed over": "no feedback, no persistence", "persistence": "--persistence-id, H2, no feedback",
              "feedback": "--persistence-id, H2, feedback: true"}
    rows = []
    for mode, label in labels.items():
        figures = result["modes"][mode]
        measured = f"{figures['rate']:,.0f} events/s, {figures['cpu_us_per_event']:.0f} us CPU each"
        if mode == "feedback":
            measured += (f" = {result['feedback_of_handed_over']:.0%} of no feedback, "
                         f"{result['feedback_of_persistence']:.0%} of persistence alone")
        rows.append(_row("end to end, checkpoint on", f"ansible-rulebook, {label} ({result['count']:,} changes)",
                         measured))
    return rows


def _latencies(step: dict[str, Any] | None, limit_s: float) -> str:
    """One mode's figures at one churn rate, for a side-by-side cell."""
    if step is None:
        return f"not run (p99 >= {limit_s:g} s at a lower rate)"
    parts = []
    if step["samples"]:
        parts.append(f"p50 {step['p50_s'] * 1e3:,.0f} ms, p99 {step['p99_s'] * 1e3:,.0f} ms ({step['samples']} fired)")
    if step["missed"]:
        parts.append(f"{step['missed']} not fired within {step['fire_timeout_s']:g} s")
    if step["churn_stopped"] in ("duration", "failed"):  # the simulator fell behind (or broke): say how far it got
        parts.append(f"churn {step['churn_events'] / step['churn_planned']:.0%} done")
    return ", ".join(parts)


def churn_rows(result: dict[str, Any]) -> list[dict[str, str]]:
    """Per churn rate, both modes side by side; the events the rule engine took in each; the highest rate
    under the limit in each, and their ratio (a lower bound when the options reached the ladder's top)."""
    section = "churn, shipped tenant_watch"
    without, with_ = (result["modes"][mode] for mode in ("without options", "with options"))
    limit, rates = result["limit_s"], result["rates"]
    rows = []
    for rate in rates:
        cells = [_latencies(next((s for s in mode["steps"] if s["rate"] == rate), None), limit)
                 for mode in (without, with_)]
        rows.append(_row(section, f"commit -> rule fired, {rate:,.0f} tenant edits/s",
                         f"without: {cells[0]} | with: {cells[1]}"))
    engine = [f"{mode['engine_events']:,} for {mode['churn_events']:,} edits" for mode in (without, with_)]
    rows.append(_row(section, "events the rule engine took (its own statistics)",
                     f"without: {engine[0]} | with: {engine[1]}"))
    cpu = [mode["rulebook_cpu_us_per_edit"] for mode in (without, with_)]
    measured = " | ".join(f"{label}: " + (f"{us:,.1f} us" if us is not None else "fewer than 2 rates kept up")
                          for label, us in zip(("without", "with"), cpu, strict=True))
    if None not in cpu and cpu[1] > 0:
        measured += f" = {cpu[0] / cpu[1]:.0f}x less with"
    rows.append(_row(section, "ansible-rulebook CPU per tenant edit (slope over the rates it kept up with)",
                     measured))
    top = rates[-1]

    def made(mode: dict[str, Any]) -> tuple[float, str]:
        """The highest churn rate the simulator really made in a step under the limit, and its text (a simulator
        that falls behind makes less at a higher step than at a lower one)."""
        kept_up = [s for s in mode["steps"] if s["under_limit"] and s["churn_planned"]]
        if not kept_up:
            return 0.0, f"none (p99 >= {limit:g} s at {rates[0]:,.0f}/s)"
        step = max(kept_up, key=lambda s: s["rate"] * s["churn_events"] / s["churn_planned"])
        rate = step["rate"] * step["churn_events"] / step["churn_planned"]
        text = f"{rate:,.0f}/s"
        if rate < step["rate"] * 0.995:
            text += f" ({step['rate']:,.0f}/s asked{', the ladder top' if step['rate'] == top else ''})"
        elif step["rate"] == top:
            text += " (the ladder top)"
        return rate, text

    (low, low_text), (high, high_text) = made(without), made(with_)
    measured = f"without options {low_text}, with {high_text}"
    at_top = with_["highest_rate_under_limit"] == top  # then the rulebook was not what ended the ladder
    if without["highest_rate_under_limit"] == top:
        measured += ": no ratio, both reached the top"
        ratio = 0.0
    else:
        ratio = high / (low or rates[0])
        bound = ">= " if at_top else ""
        measured += f" = {'> ' if not low else bound}{ratio:.1f}x" if high else ""
    rows.append(_row(section, f"highest churn made with p99 < {limit:g} s", measured, "10x the rate without",
                     _check(ratio >= 10)))
    return rows


def derive(results: dict[str, Any]) -> None:
    """Figures that combine sections: the source's share of ansible-rulebook's CPU per event.

    The source alone into a one-slot queue (throughput section) is what it costs inside ansible-rulebook.
    """
    if "rulebook" in results and "throughput" in results:
        alone = results["throughput"]["modes"]["single"][SOURCE_ONE_SLOT]["cpu_us_per_change"]
        results["rulebook"]["cpu_share_of_source"] = alone / results["rulebook"]["cpu_us_per_event"]


def rulebook_rows(result: dict[str, Any]) -> list[dict[str, str]]:
    share = []
    if result.get("cpu_share_of_source") is not None:
        share.append(f"source ~{result['cpu_share_of_source']:.0%} of CPU per event")
    if result.get("py_spy_source_share") is not None:
        share.append(f"{result['py_spy_source_share']:.0%} of py-spy samples in the source")
    return [
        _row("end to end", f"ansible-rulebook, simple rule ({result['changes']:,} changes)",
             f"{result['rate']:,.0f} events/s, {result['cpu_us_per_event']:.0f} us CPU each"),
        _row("end to end", "share of that time in the event source", "; ".join(share) or "not measured"),
    ]


def rows(results: dict[str, Any]) -> list[dict[str, str]]:
    """The table rows for whichever sections ran, in a fixed order."""
    out: list[dict[str, str]] = []
    builders = {"throughput": throughput_rows, "hotpath": hotpath_rows, "latency": latency_rows,
                "recovery": recovery_rows, "recovery_paged": recovery_paged_rows,
                "recovery_paged_checkpoint": recovery_paged_rows, "recovery_500k": recovery_large_rows,
                "memory": memory_rows,
                "state": state_rows, "refresh": refresh_rows, "rulebook": rulebook_rows,
                "checkpoint": checkpoint_rows, "restart": restart_rows, "feedback": feedback_rows,
                "changed_by": changed_by_rows, "churn": churn_rows}
    for name, build in builders.items():
        if name in results:
            out.extend(build(results[name]))
    return out


def table(rows_: list[dict[str, str]]) -> str:
    """Aligned plain-text columns."""
    columns = ("section", "figure", "measured", "target", "result")
    widths = {c: max(len(c), *(len(r[c]) for r in rows_)) for c in columns} if rows_ else {c: len(c) for c in columns}
    lines = ["  ".join(c.ljust(widths[c]) for c in columns).rstrip(),
             "  ".join("-" * widths[c] for c in columns)]
    lines += ["  ".join(r[c].ljust(widths[c]) for c in columns).rstrip() for r in rows_]
    return "\n".join(lines)
