"""History records the APIC keeps about changes: `aaaModLR` (who changed the configuration) and `eventRecord`.

Every configuration change committed for a client (REST, or an operator action of the control API) gets one
audit record per changed object, as an APIC writes them: `subj-[<affected dn>]/mod-<id>` with the user, the
session, `ind` (creation, modification, deletion), the change set, a description and the time. Operational
transitions (a port going down, a switch leaving the fabric, an endpoint moving) get an `eventRecord` at
`subj-[<affected dn>]/rec-<id>` instead: nobody made them, so there is no user to name.

Records are written in their own commit, right after the change they describe (audit records `audit_delay`
seconds after it when that option is set), so subscribers of `aaaModLR` or `eventRecord` receive them as
ordinary `created` pushes. The oldest are deleted beyond
`history_records_max`, as an APIC rolls its records over.
"""

from __future__ import annotations

import asyncio
import itertools
import time
from collections import deque
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from .clock import apic_timestamp
from .mit import Change, Mit

AUDIT_CLASS = "aaaModLR"
EVENT_CLASS = "eventRecord"
RECORD_CLASSES = (AUDIT_CLASS, EVENT_CLASS, "faultRecord")
IND = {"created": "creation", "modified": "modification", "deleted": "deletion"}
AUDIT_CODE = {"created": "E4206326", "modified": "E4206327", "deleted": "E4206328"}
#: Properties a change set never shows: bookkeeping, and the naming shown by the DN itself.
_NOT_IN_CHANGE_SET = frozenset({"dn", "rn", "status", "childAction", "modTs", "uid", "lcOwn"})
#: Ids of seeded records sit just above 2**32 (as on a real APIC); new ones start after the highest.
_FIRST_ID = (1 << 32) + 1
_FIRST_TX = (1 << 59) + 1


@dataclass(frozen=True, slots=True)
class Actor:
    """Who committed a change: the APIC user name (a domain login `apic#dom\\\\u` is recorded as `u`)."""

    user: str
    session_id: str = ""
    client_tag: str = ""


class HistoryLog:
    """Writes the audit and event records of a simulated APIC into its object tree."""

    def __init__(self, mit: Mit, limit: int = 10_000, audit_delay: float = 0.0) -> None:
        self._mit = mit
        self._limit = limit
        self._audit_delay = audit_delay
        highest = max((_record_id(mo.attrs) for cls in RECORD_CLASSES for mo in mit.of_class(cls)),
                      default=_FIRST_ID - 1)
        self._ids = itertools.count(max(highest + 1, _FIRST_ID))
        self._tx = itertools.count(_FIRST_TX)
        self._kept: deque[str] = deque()

    # ---------------------------------------------------------------- audit

    def audit(self, changes: Sequence[Change], actor: Actor) -> list[str]:
        """One `aaaModLR` per configuration object the commit changed; returns their DNs (none yet when they are
        written `audit_delay` seconds later)."""
        catalogue = self._mit.catalogue
        tx_id = str(next(self._tx))
        records = []
        for change in changes:
            info = catalogue.get(change.cls)
            if info is None or info.category != "config" or info.hidden:
                continue
            change_set = _change_set(change, info.props, info.defaults)
            if change.status == "modified" and not change_set:
                continue  # only system-maintained properties moved (a relation resolving): nobody's change
            label = info.label or change.cls
            name = change.attrs.get("name") or change.dn.rsplit("/", 1)[-1]
            records.append({
                "affected": change.dn, "cause": "transition", "changeSet": change_set,
                "code": AUDIT_CODE[change.status], "created": apic_timestamp(change.ts),
                "descr": f"{label} {name} {change.status}", "ind": IND[change.status], "severity": "info",
                "trig": "config", "txId": tx_id, "user": actor.user, "sessionId": actor.session_id,
                "clientTag": actor.client_tag,
            })
        if self._audit_delay > 0 and records:
            asyncio.get_running_loop().call_later(self._audit_delay, self._write, AUDIT_CLASS, "mod", records)
            return []
        return self._write(AUDIT_CLASS, "mod", records)

    # --------------------------------------------------------------- events

    def event(self, affected: str, cause: str, descr: str, change_set: str, ind: str = "state-transition",
              code: str = "E4205125", severity: str = "info", ts: float | None = None) -> str:
        """One `eventRecord` about an operational transition of `affected`; returns its DN."""
        record = {"affected": affected, "cause": cause, "changeSet": change_set, "code": code,
                  "created": apic_timestamp(time.time() if ts is None else ts), "descr": descr, "ind": ind,
                  "severity": severity, "trig": "oper", "txId": str(next(self._tx)), "user": "internal"}
        (dn,) = self._write(EVENT_CLASS, "rec", [record])
        return dn

    # --------------------------------------------------------------- shared

    def _write(self, cls: str, prefix: str, records: Iterable[dict[str, str]]) -> list[str]:
        records = list(records)
        if not records:
            return []
        dns = []
        mit = self._mit
        info = mit.catalogue.get(cls)
        with mit.batch():
            for attrs in records:
                record_id = str(next(self._ids))
                attrs["id"] = record_id
                parent = f"subj-[{attrs['affected']}]"
                rn = f"{prefix}-{record_id}"
                mit.create_record(info, parent, rn, attrs)
                dn = f"{parent}/{rn}"
                dns.append(dn)
                self._kept.append(dn)
            kept = self._kept
            while len(kept) > self._limit:
                mit.delete(kept.popleft())
        return dns


def _record_id(attrs: Mapping[str, str]) -> int:
    try:
        return int(attrs.get("id", "0"))
    except ValueError:
        return 0


def _change_set(change: Change, props: Mapping[str, str], defaults: Mapping[str, str]) -> str:
    """What the APIC lists in `changeSet`: `prop:value` for a creation (the values set, defaults left out),
    `prop (Old: a, New: b)` for a modification, nothing for a deletion."""
    if change.status == "created":
        return ", ".join(
            f"{key}:{value}" for key, value in sorted(change.attrs.items())
            if key in props and key not in _NOT_IN_CHANGE_SET and value != defaults.get(key)
        )
    if change.status == "modified":
        before = change.before or {}
        changed = change.changed
        if len(changed) == 1:  # the usual edit (a churn's descr): no sort, no generator
            key = changed[0]
            if key not in props or key in _NOT_IN_CHANGE_SET:
                return ""
            return f"{key} (Old: {before.get(key, '')}, New: {change.attrs.get(key, '')})"
        return ", ".join(
            f"{key} (Old: {before.get(key, '')}, New: {change.attrs.get(key, '')})"
            for key in sorted(change.changed) if key in props and key not in _NOT_IN_CHANGE_SET
        )
    return ""
