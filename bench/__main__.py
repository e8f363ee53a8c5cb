"""`python -m bench` (what `make bench` runs): every benchmark section, one table, one JSON file.

    .venv/bin/python -m bench [--quick] [--only throughput latency ...] [--output build/bench/results.json]

Each section runs in a fresh process (bench/sections.py) against a simulator in a process of its own
(bench/simhost.py), so on a 2-core machine the event source and the simulator each have a core. Nothing
here asserts a timing: the figures are printed, with their targets next to them.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench import machine, report
from bench.sections import SECTIONS
from bench.source import REPO

DEFAULT_OUTPUT = REPO / "build" / "bench" / "results.json"
SECTION_TIMEOUT = 900


def run_section(name: str, params: dict[str, Any], state_dir: Path) -> dict[str, Any]:
    """Run one section in a fresh process; its result, or SystemExit with what it printed on failure."""
    proc = subprocess.run([sys.executable, "-m", "bench.sections", name, json.dumps(params), str(state_dir)],
                          cwd=REPO, capture_output=True, text=True, timeout=SECTION_TIMEOUT, check=False)
    if proc.returncode != 0:
        raise SystemExit(f"bench section {name} failed (exit {proc.returncode}):\n{proc.stderr[-4000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def header(facts: dict[str, Any], quick: bool) -> str:
    packages = ", ".join(f"{name} {version}" for name, version in facts["packages"].items())
    return "\n".join([
        f"fabricops.aci benchmarks{' (--quick: small counts, a smoke run)' if quick else ''}",
        f"machine: {facts['cpu_model']}, {facts['cores']} cores, {facts['memory_gb']} GiB, {facts['os']}, "
        f"{facts['python']}; load average at start {facts['load_average']}",
        f"packages: {packages}",
        "layout: the simulator runs in its own process, the measured event source (or reader) in another,"
        " over verified TLS on 127.0.0.1; ansible-rulebook is a third process for the end-to-end figure.",
    ])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="small counts: a smoke run of every section")
    parser.add_argument("--only", nargs="+", choices=list(SECTIONS), help="run only these sections")
    parser.add_argument("--count", type=int, help="changes per throughput burst (default 100,000)")
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT, help="where the JSON results go")
    args = parser.parse_args(argv)

    facts = machine.describe()
    print(header(facts, args.quick), flush=True)
    started = time.monotonic()
    results: dict[str, Any] = {}
    settings: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="bench-apicsim-") as state_dir:
        for name in args.only or list(SECTIONS):
            what, full, quick = SECTIONS[name]
            params = dict(quick if args.quick else full)
            if name == "throughput" and args.count:
                params["count"] = args.count
            settings[name] = params
            print(f"  {name}: {what} {params} ...", end="", flush=True)
            section_started = time.monotonic()
            results[name] = run_section(name, params, Path(state_dir))
            print(f" {time.monotonic() - section_started:.1f} s", flush=True)
    report.derive(results)
    rows = report.rows(results)
    print()
    print(report.table(rows))
    duration = time.monotonic() - started
    args.output.parent.mkdir(parents=True, exist_ok=True)
    document = {"date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"), "quick": args.quick,
                "duration_s": round(duration, 1), "machine": facts, "settings": settings, "rows": rows,
                "sections": results}
    args.output.write_text(json.dumps(document, indent=2) + "\n")
    print(f"\n{len(rows)} figures in {duration:.0f} s; JSON: {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
