#!/usr/bin/env python3
"""`make demo`: a tenant is created on a (simulated) APIC and the shipped rulebooks react, end to end.

The Makefile has already built the collection tarball and installed it into build/collections. This script
then starts the APIC simulator (HTTPS with its own CA), runs the real ansible-rulebook three times from that
installed collection (fabricops.aci.tenant_watch, fabricops.aci.health_watch and fabricops.aci.change_audit),
changes the fabric through the simulator's control API the way an operator would in the APIC GUI, shows what
the reaction playbooks did (read back from the simulator, and the triage report), and stops everything with
SIGTERM.

Every step prints what happens and why, so a newcomer can follow from the output alone. The password and
session tokens are never printed. The files of the run (vars file, inventory) are in build/demo; the
reports the playbooks wrote stay in reports/ for reading afterwards.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import textwrap
import time
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

from apicsim.options import SimOptions
from apicsim.simulator import SimulatorThread
from rulebook_process import (
    INSTALLED,
    ONBOARD_PLAY,
    REPO,
    TRIAGE_PLAY,
    PlaybookRun,
    RulebookProcess,
    contract_files,
    fault_lifecycle,
    live_subscriptions,
    wait_until,
)

TENANT = "demo"
OTHER_TENANT = "prod"  # in the simulator's default fabric
THRESHOLD, DROP = 70, 20
SUBSCRIPTIONS = 6  # tenant_watch: 2 (tenants, the audit log for changed_by); health_watch: 3; change_audit: 1
AUDIT_PLAY = "Record a change made by hand to a managed object"
SOMEONE = "jdoe"  # a person changing the fabric by hand; the automation logs in as admin
# Faults soak for 120 s on an APIC before they are raised; the simulator runs the demo's 100 times faster.
FAULT_TIME_SCALE = 0.01
NOT_SHOWN = frozenset({"healthInst", "faultInst", "fvRsTenantMonPol"})  # implicit children, not the baseline
# Where the playbooks write their reports (kept for reading afterwards); FABRICOPS_REPORTS_DIR moves it.
REPORTS = Path(os.environ.get("FABRICOPS_REPORTS_DIR") or REPO / "reports").resolve()


def say(text: str = "", indent: int = 0) -> None:
    print(textwrap.indent(text, " " * indent), flush=True)


def shown(path: Path) -> str:
    """A path as short as it can be said: relative to the repository when inside it."""
    return str(path.relative_to(REPO)) if path.is_relative_to(REPO) else str(path)


def tree_lines(mo: dict, depth: int = 0) -> Iterator[str]:
    """An APIC object and its children as indented 'class name' lines (relations show their target)."""
    ((cls, body),) = mo.items()
    attrs = body["attributes"]
    label = attrs.get("name") or attrs.get("tnFvCtxName") or attrs.get("rn") or attrs.get("dn", "")
    extra = f"  annotation={attrs['annotation']}" if attrs.get("annotation") else ""
    if cls not in NOT_SHOWN:
        yield f"{'  ' * depth}{cls} {label}{extra}"
    for child in body.get("children", []):
        yield from tree_lines(child, depth + 1)


def finished_run(rulebook: RulebookProcess, play: str, number: int) -> PlaybookRun:
    """The ``number``-th run of ``play``, once finished; a failed run ends the demo with its output."""
    run = rulebook.wait_for_run(play, number)
    if run.failed:
        raise RuntimeError(f"the playbook failed:\n{textwrap.indent(chr(10).join(run.lines), '   ')}")
    return run


def ran(run: PlaybookRun, since: float) -> str:
    return (f"ok={run.ok} changed={run.changed} failed={run.failed}; it started {run.started - since:.1f} s "
            f"after the change and finished after {run.ended - since:.1f} s")


def tell_the_story() -> int:
    began = time.monotonic()
    say("fabricops.aci demo: a change on the fabric, a rulebook that notices, a playbook that reacts\n")
    if not (INSTALLED / "MANIFEST.json").exists():
        say("error: the collection is not installed in build/collections; run `make demo`, which builds it")
        return 1
    with ExitStack() as stack:
        # The simulator (HTTPS, its own CA) on a free loopback port, on a background thread.
        sim = stack.enter_context(SimulatorThread(SimOptions(fault_time_scale=FAULT_TIME_SCALE)))
        say(f"1. Started the APIC simulator at {sim.url} (HTTPS, certificate signed by its own CA).")
        say("Everything below verifies TLS against that CA; the login is admin with a password that is "
            "never printed.", 3)

        for stale in (f"onboard-{TENANT}.json", f"triage-uni_tn-{TENANT}.*", f"triage-uni_tn-{OTHER_TENANT}.*",
                      f"change-{TENANT}-*"):
            for path in REPORTS.glob(stale):
                path.unlink()  # from an earlier demo: the reports below must be this run's
        # Each run has its own vars file and inventory: they hold this simulator's CA file.
        workdir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="fabricops-demo-")))
        files = contract_files(workdir, sim, REPORTS, health_threshold=THRESHOLD, health_drop=DROP,
                               automation_user=sim.username)
        files.env["FABRICOPS_DRIFT_GUARD"] = "restore"
        rulebooks = {name: RulebookProcess(f"fabricops.aci.{name}", cwd=workdir, vars_file=files.vars_file,
                                           inventory=files.inventory, env=files.env)
                     for name in ("tenant_watch", "health_watch", "change_audit")}
        say("\n2. Starting the real ansible-rulebook three times, from the collection installed out of the tarball:")
        for rulebook in rulebooks.values():
            stack.callback(rulebook.stop)
            rulebook.start()
            say(f"ansible-rulebook -r {rulebook.rulebook} --vars vars.yml -i inventory.yml", 3)
        say(f"in {workdir}. The APIC address and login come from ACI_HOST, ACI_PORT, ACI_USERNAME and\n"
            "ACI_PASSWORD, which the event source and the playbooks both read; vars.yml holds the CA file and the\n"
            f"health thresholds (below {THRESHOLD}, or a fall of {DROP} points at once) and automation_user (admin),\n"
            "inventory.yml the CA file for the playbooks.", 3)
        say("Each one starts a JVM for its rule engine, logs in, opens the websocket and subscribes...", 3)
        started = time.monotonic()
        wait_until(lambda: live_subscriptions(sim) >= SUBSCRIPTIONS, "the rulebooks to subscribe", 90,
                   lambda: [r.check_alive() for r in rulebooks.values()])
        say(f"All are listening after {time.monotonic() - started:.1f} s: {live_subscriptions(sim)} subscriptions, "
            "tenant_watch's 2 (tenants, and the APIC's audit log that names who made a change), health_watch's 3 "
            "and change_audit's 1 (the audit log too), each rulebook on its own websocket.", 3)

        tenant_dn = f"uni/tn-{TENANT}"
        say(f"\n3. {SOMEONE}, an operator, creates tenant {TENANT!r} (through the simulator's control API, as in the "
            "APIC GUI).")
        changed_at = time.monotonic()
        sim.call(sim.control.create_tenant, TENANT, "", SOMEONE)
        run = finished_run(rulebooks["tenant_watch"], ONBOARD_PLAY, 1)
        say("The APIC pushed the new fvTenant on the websocket; rule 'Tenant created' fired and ran the playbook",
            3)
        say(f"fabricops.aci.tenant_onboard: {ran(run, changed_at)}.", 3)
        for message in run.messages:
            say(f"playbook says: {message}", 3)
        who = json.loads((REPORTS / f"onboard-{TENANT}.json").read_text())["trigger"]["changed_by"] or {}
        say(f"Who created it: {who.get('user')} (transaction {who.get('transaction')}, change set "
            f"{who.get('change_set')!r}).", 3)
        say("The event source joined the push with the APIC's audit record (changed_by: true in tenant_watch):\n"
            "the rule and the playbook read event.aci.changed_by, and the onboarding record keeps it.", 3)
        if who.get("user") != SOMEONE:
            say(f"error: expected the tenant's event to name {SOMEONE} as its creator, got {who or None}")
            return 1

        say(f"\n4. What the playbook did, read back from the simulator ({tenant_dn} and its children):")
        say("\n".join(tree_lines(sim.call(sim.control.get, tenant_dn))), 3)
        say(f"and the record of the change: {shown(REPORTS / f'onboard-{TENANT}.json')}", 3)

        bd_dn = f"{tenant_dn}/BD-main-bd"
        say("\n5. Trouble: a major fault appears on the new bridge domain and the tenant's health falls to 55.")
        rsctx = f"{bd_dn}/rsctx"
        hand_made_at = time.monotonic()
        sim.call(sim.control.modify, rsctx, {"tnFvCtxName": "elsewhere"}, user=SOMEONE)
        say(f"(At the same moment {SOMEONE} changes that bridge domain by hand: step 7 tells what became of it.)", 3)
        sim.call(sim.control.raise_fault, bd_dn, "F0467", "major", descr="bridge domain has no subnet")
        wait_until(lambda: fault_lifecycle(sim, f"{bd_dn}/fault-F0467") == "raised", "the fault to be raised", 30)
        say("(the fault soaked and was raised: the simulator runs the APIC's fault timers 100 times faster)", 3)
        changed_at = time.monotonic()
        sim.call(sim.control.set_health, tenant_dn, 55)
        run = finished_run(rulebooks["health_watch"], TRIAGE_PLAY, 1)
        say(f"The healthInst push (100 -> 55, below {THRESHOLD}) matched rule 'Health score dropped', which ran",
            3)
        say(f"fabricops.aci.health_triage: {ran(run, changed_at)}.", 3)

        say(f"\n6. The score flaps: 45, 60, 35 within a second. The rule is throttled per object (once in 5 minutes),\n"
            f"   so no new triage starts for {tenant_dn}. To show that the rulebook did look at those pushes,\n"
            f"   tenant {OTHER_TENANT!r} then falls to 40, and gets its own triage:")
        for score in (45, 60, 35):
            sim.call(sim.control.set_health, tenant_dn, score)
        sim.call(sim.control.set_health, f"uni/tn-{OTHER_TENANT}", 40)
        finished_run(rulebooks["health_watch"], TRIAGE_PLAY, 2)
        triaged = [message.split(":", 1)[0] for run in rulebooks["health_watch"].runs(TRIAGE_PLAY)
                   for message in run.messages]
        say(f"triage runs so far, by object: {', '.join(triaged)}", 3)
        if triaged.count(tenant_dn) != 1:
            say(f"error: expected one triage of {tenant_dn}, saw {triaged.count(tenant_dn)}")
            return 1

        say(f"\n7. Loop guard. Back at step 5, {SOMEONE} also repointed the bridge domain at another VRF by hand,\n"
            "   and change_audit has been at it meanwhile: it read the APIC's audit record, which names the user,\n"
            "   recorded the change and put the baseline back (its drift guard):")
        # Its first run was for jdoe's tenant of step 3, not managed yet then: nothing to record.
        run = finished_run(rulebooks["change_audit"], AUDIT_PLAY, 2)
        say(f"fabricops.aci.change_record: {ran(run, hand_made_at)}.", 3)
        say(f"playbook says: {run.messages[-1]}", 3)
        records = [mo.attrs for mo in sim.call(lambda: list(sim.mit.of_class("aaaModLR")))
                   if mo.attrs["affected"] == rsctx and mo.attrs["ind"] == "modification"]
        for record in records:
            say(f"audit record: {record['user']} {record['ind']} {record['changeSet']}", 3)
        runs = len(rulebooks["change_audit"].runs(AUDIT_PLAY))
        say(f"The restore is the automation's own write, audited under {sim.username} (automation_user): the rule "
            f"skipped it, as it skipped the onboarding's writes. change_audit ran {runs} times: for {SOMEONE}'s\n"
            "tenant at step 3 (not managed yet then, nothing recorded) and for this change.", 3)
        if runs != 2 or [r["user"] for r in records] != [SOMEONE, sim.username]:
            say("error: expected two change_audit runs, the hand-made change and its restore in the audit log")
            return 1

        report = REPORTS / f"triage-uni_tn-{TENANT}.md"
        say(f"\n8. The triage report of {tenant_dn} ({shown(report)}, with a .json twin):\n")
        say(report.read_text().rstrip(), 5)

        say("\n9. A restart that loses nothing: tenant_watch is stopped (SIGTERM, as an upgrade or a controller\n"
            "   restart would), a tenant is created while it is down, and tenant_watch is started again.")
        code = rulebooks["tenant_watch"].stop()
        say(f"tenant_watch stopped (exit code {code}); its event source flushed its checkpoint, the state the rule\n"
            f"engine had received, to {shown(workdir / 'state')} (XDG_STATE_HOME; ~/.local/state by default).", 3)
        sim.call(sim.control.create_tenant, "while-down")
        say("An operator creates tenant 'while-down' meanwhile: no event source is listening.", 3)
        restarted = RulebookProcess("fabricops.aci.tenant_watch", cwd=workdir, vars_file=files.vars_file,
                                    inventory=files.inventory, env=files.env)
        stack.callback(restarted.stop)
        changed_at = time.monotonic()
        restarted.start()
        rulebooks["tenant_watch"] = restarted
        run = finished_run(restarted, ONBOARD_PLAY, 1)
        say("On start the source compared the APIC's snapshot with its checkpoint and emitted exactly what it had\n"
            "missed: 'while-down' as created, with event.aci.recovered true. Rule 'Tenant created' fired again:", 3)
        say(f"fabricops.aci.tenant_onboard: {ran(run, changed_at)} (JVM start included).", 3)
        for message in run.messages:
            say(f"playbook says: {message}", 3)

        say("\n10. Stopping: SIGTERM to each ansible-rulebook (its event source logs out and closes the "
            "websocket), then the simulator.")
        for rulebook in rulebooks.values():
            code = rulebook.stop()
            say(f"{rulebook.rulebook}: exit code {code}"
                f"{'; it left processes behind (killed)' if rulebook.leftovers else ', no process left behind'}",
                3)
            if code != 0 or rulebook.leftovers:
                return 1
    say(f"   Simulator stopped. The whole story took {time.monotonic() - began:.0f} s.")
    say("\nTry it yourself with `make sim` and `.venv/bin/apicsim ctl create-tenant NAME`, or point the same\n"
        "rulebooks at a real APIC: README.md (section 'Rulebooks') shows the vars file, inventory and environment.")
    return 0


def main() -> int:
    """The story; anything that goes wrong ends it with one error (everything started is stopped first)."""
    try:
        return tell_the_story()
    except (RuntimeError, TimeoutError) as exc:
        say(f"\nerror: {exc}")
        return 1


if __name__ == "__main__":
    sys.exit(main())
