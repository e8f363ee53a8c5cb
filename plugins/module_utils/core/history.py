# Copyright: (c) 2026, fabricops maintainers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The APIC's history records (``aaaModLR`` audit records, ``eventRecord``) shaped for playbooks.

Pure functions: time windows, change sets taken apart, fabric paths read as pod/nodes/interface. The
modules ``audit_info`` and ``endpoint_info`` only query and call these.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

from ansible_collections.fabricops.aci.plugins.module_utils.core.dn import tenant_of

AUDIT_CLASS = "aaaModLR"
EVENT_CLASS = "eventRecord"
ACTIONS = ("creation", "modification", "deletion")
_MODIFIED = re.compile(r"(?P<prop>[\w.-]+) \(Old: (?P<old>.*?), New: (?P<new>.*?)\)(?:, |$)")
_SET = re.compile(r"(?:^|, )(?P<prop>[A-Za-z][\w.-]*):")
_PATH = re.compile(r"^topology/pod-(?P<pod>\d+)/(?:prot)?paths-(?P<nodes>\d+(?:-\d+)*)/pathep-\[(?P<port>.+)\]$")


def parse_time(text: str) -> datetime | None:
    """An APIC timestamp (``2026-01-05T09:12:44.118+00:00``) or an ISO 8601 one as an aware datetime.

    A time without an offset is taken as UTC; text that is not a time gives None.
    """
    if not text:
        return None
    value = text.strip().replace("Z", "+00:00")
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=timezone.utc)


def apic_time(moment: datetime) -> str:
    """An aware datetime in the APIC's form, in UTC with milliseconds."""
    utc = moment.astimezone(timezone.utc)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}+00:00"


def time_window(since: str | None, until: str | None, minutes: int | None,
                now: datetime) -> tuple[datetime | None, datetime | None]:
    """``(start, end)`` of a window given as ``since``/``until`` timestamps or the last ``minutes``.

    Raises ValueError naming the option when a time cannot be read or the window is empty.
    """
    start = end = None
    if minutes is not None:
        if minutes < 1:
            raise ValueError(f"minutes must be 1 or more, not {minutes}")
        start = now - timedelta(minutes=minutes)
    if since:
        start = parse_time(since)
        if start is None:
            raise ValueError(f"since must be an ISO 8601 time such as 2026-01-05T09:12:44+00:00, not {since!r}")
    if until:
        end = parse_time(until)
        if end is None:
            raise ValueError(f"until must be an ISO 8601 time such as 2026-01-05T10:00:00+00:00, not {until!r}")
    if start is not None and end is not None and end < start:
        raise ValueError(f"until ({until}) is before the start of the window ({apic_time(start)})")
    return start, end


def within(created: str, start: datetime | None, end: datetime | None) -> bool:
    """Whether a record's time lies in the window (a record without a readable time never does when there is one)."""
    if start is None and end is None:
        return True
    moment = parse_time(created)
    if moment is None:
        return False
    return (start is None or moment >= start) and (end is None or moment <= end)


def under(dn: str, scope: str, subtree: bool) -> bool:
    """``dn`` is ``scope`` itself, or (with ``subtree``) an object beneath it."""
    if not scope or dn == scope:
        return True
    return subtree and dn.startswith(scope + "/")


def user_name(login: str) -> str:
    """The user of a login name: ``apic#dom\\\\jdoe``, ``apic:dom\\\\jdoe`` and ``dom\\\\jdoe`` are ``jdoe``."""
    return login.rsplit("\\", 1)[-1] if login else ""


def changes(change_set: str, action: str) -> list[dict]:
    """A change set taken apart: ``[{"property", "old", "new"}]``.

    Modifications read ``descr (Old: a, New: b), ...``; creations ``name:prod, descr:web`` (no old value);
    a deletion lists nothing. Text in neither form gives one entry with the whole text as ``new``.
    """
    if not change_set:
        return []
    found = [{"property": m.group("prop"), "old": m.group("old"), "new": m.group("new")}
             for m in _MODIFIED.finditer(change_set)]
    if found:
        return found
    if action == "deletion":
        return []
    names = list(_SET.finditer(change_set))
    if not names:
        return [{"property": "", "old": None, "new": change_set}]
    out = []
    for index, match in enumerate(names):
        end = names[index + 1].start() if index + 1 < len(names) else len(change_set)
        out.append({"property": match.group("prop"), "old": None, "new": change_set[match.end():end]})
    return out


def audit_record(attributes: dict) -> dict:
    """One ``aaaModLR`` as ``who / what / when``, its change set taken apart."""
    action = attributes.get("ind", "")
    affected = attributes.get("affected", "")
    return {
        "dn": attributes.get("dn", ""),
        "id": attributes.get("id", ""),
        "affected": affected,
        "tenant": tenant_of(affected),
        "user": attributes.get("user", ""),
        "session": attributes.get("sessionId", ""),
        "action": action,
        "change_set": attributes.get("changeSet", ""),
        "changes": changes(attributes.get("changeSet", ""), action),
        "description": attributes.get("descr", ""),
        "created": attributes.get("created", ""),
        "transaction": attributes.get("txId", ""),
    }


def event_record(cls: str, attributes: dict) -> dict:
    """One history entry (``eventRecord`` or ``aaaModLR``) about an object, with a path move read out."""
    action = attributes.get("ind", "")
    parsed = changes(attributes.get("changeSet", ""), action)
    moved = next((c for c in parsed if c["property"] == "fabricPathDn"), None)
    return {
        "class": cls,
        "id": attributes.get("id", ""),
        "affected": attributes.get("affected", ""),
        "created": attributes.get("created", ""),
        "cause": attributes.get("cause", ""),
        "action": action,
        "description": attributes.get("descr", ""),
        "change_set": attributes.get("changeSet", ""),
        "user": attributes.get("user", ""),
        "from_path": moved["old"] if moved else None,
        "to_path": moved["new"] if moved else None,
    }


def path_location(path: str) -> dict:
    """``topology/pod-1/paths-101/pathep-[eth1/1]`` as pod 1, nodes [101], interface eth1/1 (a vPC lists two nodes)."""
    match = _PATH.match(path or "")
    if match is None:
        return {"path": path or "", "pod": None, "nodes": [], "interface": ""}
    return {"path": path, "pod": int(match.group("pod")), "nodes": [int(n) for n in match.group("nodes").split("-")],
            "interface": match.group("port")}


def newest_first(records: list) -> list:
    """Records sorted by time, most recent first (unreadable times last); within one millisecond the
    record written last (highest id) comes first, so a subtree deletion ends with its top object."""
    floor = datetime.min.replace(tzinfo=timezone.utc)

    def key(record: dict) -> tuple:
        return parse_time(record["created"]) or floor, _number(record.get("id", ""))

    return sorted(records, key=key, reverse=True)


def _number(text: str) -> int:
    try:
        return int(text)
    except (TypeError, ValueError):
        return 0
