"""Push frame shaping: what the APIC writes on the websocket for one change.

Rules (protocol reference 4): `created` carries the full object, `modified` only `dn, status, modTs,
rn:"", childAction:""` plus the changed properties (except fault classes, which come full), `deleted` the
minimal set. A frame is `{"subscriptionId":[ids],"imdata":[mos]}` with no totalCount.

Everything here is a pure function of its inputs, and the MO part of a frame is serialised once per change
and spliced into each socket's frame, because a burst reaches every matching socket with the same MO.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from .clock import apic_timestamp

try:
    import orjson

    _orjson_dumps = orjson.dumps

    def dumps(obj: object) -> str:
        """Compact JSON (orjson when available: the burst path serialises one MO per frame)."""
        return _orjson_dumps(obj).decode("utf-8")

except ImportError:  # pragma: no cover - orjson is in the dev requirements
    import json

    def dumps(obj: object) -> str:
        """Compact JSON."""
        return json.dumps(obj, separators=(",", ":"), ensure_ascii=False)


# Properties a sparse `modified` push of these classes always carries (a health push shows the whole score).
ALWAYS_PUSHED: dict[str, tuple[str, ...]] = {"healthInst": ("cur", "prev", "chng", "twScore", "maxSev", "updTs")}


def push_attributes(
    status: str,
    attrs: Mapping[str, str],
    changed: Sequence[str],
    full_modified: bool,
    ts: float,
    always: Sequence[str] = (),
) -> dict[str, str]:
    """The attributes of one pushed MO, shaped by `status`; all values stay strings."""
    if status == "created" or (status == "modified" and full_modified):
        out = dict(attrs)
    elif status == "modified":
        out = {}
        for name in (*always, *changed) if always else changed:  # a loop: no comprehension call per push
            if name in attrs:
                out[name] = attrs[name]
    else:
        out = {}
    out["dn"] = attrs["dn"]
    out["status"] = status
    out["modTs"] = (attrs.get("modTs") or apic_timestamp(ts)) if status != "deleted" else apic_timestamp(ts)
    out["rn"] = ""
    out["childAction"] = ""
    return out


def mo_json(cls: str, attributes: Mapping[str, str]) -> str:
    """`{"<cls>":{"attributes":{...}}}` serialised once, ready to splice into frames."""
    return dumps({cls: {"attributes": attributes}})


def change_json(change, full_modified_classes: frozenset[str]) -> str:
    """The serialised MO a `Change` (apicsim.mit.Change) pushes."""
    cls = change.cls
    attrs = push_attributes(
        change.status, change.attrs, change.changed, cls in full_modified_classes, change.ts,
        ALWAYS_PUSHED.get(cls, ()),
    )
    return mo_json(cls, attrs)


#: The opening of a frame (`{"subscriptionId":[...],"imdata":[`) per id set: a socket's few subscriptions
#: receive change after change, so serialising the same ids for every frame was wasted work.
_HEADS: dict[tuple[str, ...], str] = {}
_HEADS_MAX = 4096


def frame(ids: Sequence[str], mos: Iterable[str]) -> str:
    """One push frame for the given subscription ids and pre-serialised MOs."""
    key = tuple(ids)
    head = _HEADS.get(key)
    if head is None:
        if len(_HEADS) >= _HEADS_MAX:
            _HEADS.clear()
        head = _HEADS[key] = '{"subscriptionId":' + dumps(list(key)) + ',"imdata":['
    return head + ",".join(mos) + "]}"


def frame_one(ids: Sequence[str], mo: str) -> str:
    """`frame(ids, (mo,))`, the usual frame of one MO, without building the sequence and joining it."""
    head = _HEADS.get(key := tuple(ids))
    if head is None:
        return frame(key, (mo,))
    return head + mo + "]}"


def group_frames(items: Sequence[tuple[tuple[str, ...], str]], max_mos: int) -> list[str]:
    """Multi-MO mode: consecutive MOs going to the same ids share a frame (at most `max_mos` each)."""
    frames: list[str] = []
    run_ids: tuple[str, ...] | None = None
    run: list[str] = []
    for ids, mo in items:
        if ids != run_ids or len(run) >= max_mos:
            if run:
                frames.append(frame(run_ids or (), run))
            run_ids, run = ids, []
        run.append(mo)
    if run:
        frames.append(frame(run_ids or (), run))
    return frames
