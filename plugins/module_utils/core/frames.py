# Copyright: (c) 2026, fabricops maintainers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""APIC websocket notification frames turned into per-object changes.

A frame is ``{"subscriptionId": [...], "imdata": [{"<class>": {"attributes": {...}}}, ...]}``. The APIC
documents that one frame may list several subscription ids and never promises one object per frame,
so every id and every object is kept; older releases and other implementations send the id as a scalar,
which is accepted too. This is the hot path of the event source: one pass, no copies of attributes.
"""

from __future__ import annotations

import json

try:
    import orjson

    HAS_ORJSON = True
except ImportError:  # the standard parser is correct, only slower
    HAS_ORJSON = False

CREATED = "created"
MODIFIED = "modified"
DELETED = "deleted"

# The APIC may combine flags ("created,modified"); anything else that is not one of the three
# plain values is read by its strongest flag so the state update stays correct.
_PLAIN_STATUSES = {CREATED: CREATED, MODIFIED: MODIFIED, DELETED: DELETED}
_MAX_REASON = 120


class FrameError(ValueError):
    """A frame that is not an APIC notification; the reader logs it and goes on."""


class Change:
    """One object as a notification or a snapshot delivered it.

    ``attributes`` is the APIC's own dictionary, never copied: events hand it on as it was sent.
    """

    __slots__ = ("attributes", "cls", "dn", "status")

    def __init__(self, cls: str, dn: str, status: str, attributes: dict) -> None:
        self.cls = cls
        self.dn = dn
        self.status = status
        self.attributes = attributes

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Change):
            return NotImplemented
        return (self.cls, self.dn, self.status, self.attributes) == (
            other.cls, other.dn, other.status, other.attributes)

    __hash__ = None  # mutable attributes: never a dict key

    def __repr__(self) -> str:
        return f"Change({self.cls!r}, {self.dn!r}, {self.status!r})"


class Notification:
    """A parsed frame: the subscription ids it names, its changes, and why any object was skipped."""

    __slots__ = ("changes", "ids", "skipped")

    def __init__(self, ids: tuple, changes: list, skipped: list | None = None) -> None:
        self.ids = ids
        self.changes = changes
        self.skipped = [] if skipped is None else skipped  # an empty list given is kept, not replaced


def decode(data: str | bytes) -> object:
    """Parse one frame's JSON text; FrameError with a short reason when it is not JSON."""
    try:
        if HAS_ORJSON:
            return orjson.loads(data)
        return json.loads(data)
    except ValueError as exc:  # orjson.JSONDecodeError and json.JSONDecodeError are ValueErrors
        raise FrameError(f"frame is not valid JSON ({_short(str(exc))})") from None


def _short(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= _MAX_REASON else text[: _MAX_REASON - 3] + "..."


def normalize_status(status: object) -> str:
    """``created``/``modified``/``deleted`` from a push's status; missing or empty means modified."""
    if isinstance(status, str):
        plain = _PLAIN_STATUSES.get(status)
        if plain is not None:
            return plain
    text = str(status or "")
    if DELETED in text:
        return DELETED
    if CREATED in text:
        return CREATED
    return MODIFIED


def _ids(value: object) -> tuple:
    if isinstance(value, str):
        ids = (value,) if value else ()
    elif isinstance(value, list):
        ids = tuple(str(item) for item in value if isinstance(item, (str, int)) and not isinstance(item, bool))
    elif isinstance(value, int) and not isinstance(value, bool):
        ids = (str(value),)
    else:
        ids = ()
    if not ids:
        raise FrameError("frame has no subscriptionId")
    return ids


def collect_objects(imdata: list, out: list, skipped: list, parent_dn: str | None = None,
                    status_of=normalize_status) -> None:
    """Append a Change for every object in ``imdata`` to ``out``, children included.

    Children (sent under ``rsp-subtree`` queries) often carry only their ``rn``; their DN is then
    built from the parent's, and written into their attributes so every object names itself.
    Objects that cannot be read are described in ``skipped`` instead of stopping the frame.
    """
    plain = _PLAIN_STATUSES if status_of is normalize_status else None
    for item in imdata:
        # The usual object first, in a few steps: plain dicts, one class, a DN, a plain status, no
        # children. Whatever fails here (a LookupError, or a TypeError on a value of the wrong type) is
        # read again by the full checks below, which accept it or say why not.
        try:
            cls, = item  # one key, or a ValueError
            body = item[cls]
            attributes = body["attributes"]
            dn = attributes["dn"]
            status = plain[attributes["status"]]
        except (AttributeError, LookupError, TypeError, ValueError):
            pass
        else:
            if (dn.__class__ is str and dn and attributes.__class__ is dict and body.__class__ is dict
                    and item.__class__ is dict and "children" not in body):
                out.append(Change(cls, dn, status, attributes))
                continue
        if not isinstance(item, dict) or len(item) != 1:
            skipped.append("an imdata entry is not a single {class: object} mapping")
            continue
        for cls, body in item.items():
            attributes = body.get("attributes") if isinstance(body, dict) else None
            if not isinstance(attributes, dict):
                skipped.append(f"{_short(str(cls))} object has no attributes")
                continue
            dn = attributes.get("dn")
            if not dn or not isinstance(dn, str):
                rn = attributes.get("rn")
                if parent_dn and rn and isinstance(rn, str):
                    dn = attributes["dn"] = parent_dn + "/" + rn
                else:
                    skipped.append(f"{_short(str(cls))} object has no dn")
                    continue
            raw = attributes.get("status")
            # the three plain statuses are looked up directly; anything else goes through status_of
            status = plain.get(raw) if plain is not None and isinstance(raw, str) else None
            out.append(Change(cls, dn, status or status_of(raw), attributes))
            if "children" in body:
                children = body["children"]
                if children and isinstance(children, list):
                    collect_objects(children, out, skipped, dn, status_of)


def parse_notification(document: object) -> Notification:
    """A decoded frame -> Notification; FrameError when the frame as a whole is unusable."""
    if not isinstance(document, dict):
        raise FrameError("frame is not a JSON object")
    value = document.get("subscriptionId")
    # the usual frame, one id as a string, is checked here: one call fewer per frame
    usual = value.__class__ is list and len(value) == 1 and value[0].__class__ is str and value[0]
    ids = (value[0],) if usual else _ids(value)
    imdata = document.get("imdata")
    if not isinstance(imdata, list):
        raise FrameError("frame has no imdata list")
    changes = []  # type: list[Change]
    skipped = []  # type: list[str]
    collect_objects(imdata, changes, skipped)
    return Notification(ids, changes, skipped)


def parse_frame(data: str | bytes) -> Notification:
    """Frame text -> Notification (decode + parse_notification).

    The usual frame (one subscription id, one plain object) is read here in a few steps, without the
    calls of the full checks; anything else, or anything odd, goes through ``parse_notification``, which
    accepts it or says why not.
    """
    if HAS_ORJSON:
        try:
            document = orjson.loads(data)
        except orjson.JSONDecodeError:
            document = decode(data)  # raises FrameError, worded
    else:
        document = decode(data)
    try:
        value = document["subscriptionId"]
        sub_id, = value
        item, = document["imdata"]
        cls, = item
        body = item[cls]
        attributes = body["attributes"]
        dn = attributes["dn"]
        status = _PLAIN_STATUSES[attributes["status"]]
    except (AttributeError, LookupError, TypeError, ValueError):
        return parse_notification(document)
    if (value.__class__ is list and sub_id.__class__ is str and sub_id and dn.__class__ is str and dn
            and attributes.__class__ is dict and body.__class__ is dict and item.__class__ is dict
            and "children" not in body):
        return Notification((sub_id,), [Change(cls, dn, status, attributes)], [])
    return parse_notification(document)


def snapshot_objects(imdata: object) -> tuple:
    """``(changes, skipped)`` for a subscription's snapshot (the ``imdata`` of its subscribe answer).

    Snapshot objects carry ``status: ""``; their status here is the empty string, since they are
    states, not changes.
    """
    changes = []  # type: list[Change]
    skipped = []  # type: list[str]
    if isinstance(imdata, list):
        collect_objects(imdata, changes, skipped, status_of=_snapshot_status)
    elif imdata is not None:
        skipped.append("the snapshot imdata is not a list")
    return changes, skipped


def _snapshot_status(_status: object) -> str:
    return ""
