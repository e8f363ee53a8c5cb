"""The fault lifecycle: soaking -> raised -> raised-clearing -> retaining -> deleted (plus soaking-clearing).

Transitions follow Cisco's fault guide: a detected condition creates the fault in `soaking` with its initial
severity; if it persists for the soaking interval it is `raised` with its target severity; when the
condition ceases it goes `raised-clearing` (or `soaking-clearing`), and after the clearing interval
`retaining` with severity `cleared`, until the retention interval deletes it. A condition that comes back
returns the fault to `raised` / `soaking` and counts one more `occur`. Every transition is an ordinary
object-tree change, so subscribers receive it as a (full) `faultInst` modified push.

Intervals default to Cisco's (120 s, 120 s, 3600 s) and are multiplied by `fault_time_scale`, and they
run on the simulator clock, so tests can also jump them with `clock.advance`.
"""

from __future__ import annotations

from dataclasses import dataclass

from .clock import SimClock, Timer, apic_timestamp
from .errors import bad_request
from .mit import SEVERITY_ORDER, Mit
from .options import SimOptions

SOAKING = "soaking"
SOAKING_CLEARING = "soaking-clearing"
RAISED = "raised"
RAISED_CLEARING = "raised-clearing"
RETAINING = "retaining"
FAULT_CLASSES = ("faultInst", "faultDelegate")


@dataclass(frozen=True, slots=True)
class FaultSpec:
    """What is raised: the fault code on a parent object, its severities and texts."""

    parent_dn: str
    code: str
    severity: str = "major"
    initial_severity: str | None = None
    cause: str = "simulated-condition"
    descr: str = ""
    rule: str = ""
    subject: str = ""
    type: str = "operational"
    domain: str = "infra"
    cls: str = "faultInst"
    affected: str = ""

    def dn(self) -> str:
        """`<parent>/fault-<code>`, or `<parent>/fd-[<affected>]-fault-<code>` for a delegated fault."""
        if self.cls == "faultDelegate":
            return f"{self.parent_dn}/fd-[{self.affected or self.parent_dn}]-fault-{self.code}"
        return f"{self.parent_dn}/fault-{self.code}"

    def validate(self) -> None:
        for name in ("severity", "initial_severity"):
            value = getattr(self, name)
            if value is not None and value not in SEVERITY_ORDER[:-1]:
                raise bad_request(f"fault {name} must be one of {', '.join(SEVERITY_ORDER[:-1])}, got {value!r}")
        if self.cls not in FAULT_CLASSES:
            raise bad_request(f"fault class must be faultInst or faultDelegate, got {self.cls!r}")
        if not self.code:
            raise bad_request("fault code must not be empty (e.g. F0467)")


class FaultEngine:
    """Raises and clears faults in the object tree and drives their lifecycle timers."""

    def __init__(self, mit: Mit, clock: SimClock, options: SimOptions) -> None:
        self._mit = mit
        self._clock = clock
        self._options = options
        self._timers: dict[str, Timer] = {}
        self._severity: dict[str, str] = {}

    def raise_fault(self, spec: FaultSpec) -> str:
        """The condition is present: create the fault (soaking) or bring a clearing/retained one back."""
        spec.validate()
        dn = spec.dn()
        self._severity[dn] = spec.severity
        mo = self._mit.get(dn)
        if mo is None:
            initial = spec.initial_severity or spec.severity
            stamp = self._stamp()
            attrs = {
                "code": spec.code, "severity": initial, "origSeverity": initial, "prevSeverity": initial,
                "highestSeverity": initial, "lc": SOAKING, "occur": "1", "cause": spec.cause,
                "descr": spec.descr or f"Simulated fault {spec.code} on {spec.parent_dn}",
                "rule": spec.rule or f"sim-{spec.code.lower()}", "subject": spec.subject or spec.cause,
                "type": spec.type, "domain": spec.domain, "created": stamp, "lastTransition": stamp,
            }
            if spec.cls == "faultDelegate":
                attrs["affected"] = spec.affected or spec.parent_dn
            self._mit.create(spec.cls, dn, attrs)
            self._arm(dn, self._interval("soaking"), self._soaked)
            return dn
        lc = mo.attrs.get("lc")
        occur = str(int(mo.attrs.get("occur", "1")) + 1)
        if lc in (RAISED, SOAKING):
            # Still active: the same condition again only counts (and may change the raised severity).
            bump = {"occur": occur}
            if lc == RAISED and spec.severity != mo.attrs.get("severity"):
                bump.update(prevSeverity=mo.attrs["severity"], severity=spec.severity)
                if _rank(spec.severity) < _rank(mo.attrs.get("highestSeverity", "cleared")):
                    bump["highestSeverity"] = spec.severity
            self._mit.modify(dn, bump)
        elif lc == RAISED_CLEARING:
            self._cancel(dn)
            self._transition(dn, RAISED, spec.severity, occur=occur)
        elif lc == SOAKING_CLEARING:
            self._transition(dn, SOAKING, mo.attrs.get("origSeverity", spec.severity), occur=occur)
            self._arm(dn, self._interval("soaking"), self._soaked)
        elif lc == RETAINING:
            self._transition(dn, SOAKING, spec.initial_severity or spec.severity, occur=occur)
            self._arm(dn, self._interval("soaking"), self._soaked)
        return dn

    def clear_fault(self, parent_dn: str, code: str, cls: str = "faultInst", affected: str = "") -> str:
        """The condition ceased: start clearing; the timers take the fault to retaining and deletion."""
        dn = FaultSpec(parent_dn, code, cls=cls, affected=affected).dn()
        mo = self._mit.get(dn)
        if mo is None:
            raise bad_request(f"no fault {code} on {parent_dn} to clear (raise it first)")
        lc = mo.attrs.get("lc")
        if lc == SOAKING:
            self._transition(dn, SOAKING_CLEARING, mo.attrs["severity"])
            self._arm(dn, self._interval("clearing"), self._cleared)
        elif lc == RAISED:
            self._transition(dn, RAISED_CLEARING, mo.attrs["severity"])
            self._arm(dn, self._interval("clearing"), self._cleared)
        return dn

    def active(self) -> list[str]:
        """DNs of faults whose lifecycle still has a timer running."""
        return sorted(self._timers)

    def stop(self) -> None:
        for timer in self._timers.values():
            timer.cancel()
        self._timers.clear()

    # --------------------------------------------------------------- timers

    def _soaked(self, dn: str) -> None:
        mo = self._mit.get(dn)
        if mo is not None and mo.attrs.get("lc") == SOAKING:
            self._transition(dn, RAISED, self._severity.get(dn, mo.attrs["severity"]))

    def _cleared(self, dn: str) -> None:
        mo = self._mit.get(dn)
        if mo is not None and mo.attrs.get("lc") in (SOAKING_CLEARING, RAISED_CLEARING):
            self._transition(dn, RETAINING, "cleared")
            self._arm(dn, self._interval("retention"), self._retained)

    def _retained(self, dn: str) -> None:
        mo = self._mit.get(dn)
        if mo is not None and mo.attrs.get("lc") == RETAINING:
            self._severity.pop(dn, None)
            self._mit.delete(dn)

    def _transition(self, dn: str, lc: str, severity: str, occur: str | None = None) -> None:
        mo = self._mit.get(dn)
        assert mo is not None
        attrs = {"lc": lc, "lastTransition": self._stamp()}
        if severity != mo.attrs.get("severity"):
            attrs["prevSeverity"] = mo.attrs.get("severity", severity)
            attrs["severity"] = severity
        if severity != "cleared" and _rank(severity) < _rank(mo.attrs.get("highestSeverity", "cleared")):
            attrs["highestSeverity"] = severity
        if occur is not None:
            attrs["occur"] = occur
        self._mit.modify(dn, attrs)

    def _arm(self, dn: str, delay: float, step) -> None:
        self._cancel(dn)

        def fire() -> None:
            self._timers.pop(dn, None)
            step(dn)

        self._timers[dn] = self._clock.call_later(delay, fire)

    def _cancel(self, dn: str) -> None:
        timer = self._timers.pop(dn, None)
        if timer is not None:
            timer.cancel()

    def _interval(self, name: str) -> float:
        base = {
            "soaking": self._options.fault_soaking_interval,
            "clearing": self._options.fault_clearing_interval,
            "retention": self._options.fault_retention_interval,
        }[name]
        return base * self._options.fault_time_scale

    def _stamp(self) -> str:
        return apic_timestamp(self._clock.epoch())


def _rank(severity: str) -> int:
    """Lower is more severe (index in SEVERITY_ORDER)."""
    return SEVERITY_ORDER.index(severity) if severity in SEVERITY_ORDER else len(SEVERITY_ORDER)
