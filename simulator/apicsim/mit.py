"""The management information tree: an in-memory APIC object store that reports every change.

Writes follow APIC semantics (POST of nested MO trees, ``status`` created/modified/deleted, DELETE of a
subtree) and are transactional: one request (or one :meth:`Mit.batch`) either applies completely or
not at all, and on success every listener is called once, synchronously, with that commit's changes in
order. The server turns those :class:`Change` objects into websocket pushes; keeping the tree free of
any I/O keeps it testable and fast (benchmarks push 100,000 changes through it).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, NamedTuple

from .catalogue import IGNORED_ON_WRITE, Catalogue, ClassInfo
from .clock import apic_timestamp
from .dn import is_within, parent_dn, rn_of, split_dn
from .errors import ApiError, already_exists, bad_request, not_found, unknown_class
from .seed import load_seed

log = logging.getLogger(__name__)

#: Time properties filled with the commit time when an object is created with them empty.
CREATE_STAMPS = ("modTs", "updTs", "created", "lastTransition", "lastStateModTs")
#: Highest first; used to derive a health score's ``maxSev`` from the faults under its parent.
SEVERITY_ORDER = ("critical", "major", "minor", "warning", "info", "cleared")
_UPSERT = frozenset({"", "created,modified", "modified,created"})


class Change(NamedTuple):
    """One object's change inside a commit.

    ``attrs`` are the full attributes after the change (for ``deleted``: the last ones) and include
    ``dn``; ``changed`` names the properties whose value changed (``modified`` only; ``modTs`` is not
    listed since it moves on every modification).

    A named tuple (immutable) rather than a frozen dataclass: it is built about seven times faster, and an
    audited edit makes three (the object's change, its audit record's, the oldest record's deletion).
    """

    status: str
    cls: str
    dn: str
    attrs: Mapping[str, str]
    changed: tuple[str, ...]
    ts: float
    #: for ``modified``: the values of the ``changed`` properties before the change (the audit log's
    #: "Old:" side); None for the other statuses.
    before: Mapping[str, str] | None = None


class Mo:
    """One managed object: class, DN, string attributes and its children by RN (insertion order)."""

    __slots__ = ("attrs", "children", "cls", "dn", "info", "parent", "rn", "secrets")

    def __init__(self, info: ClassInfo, dn: str, rn: str, attrs: dict[str, str], parent: Mo | None) -> None:
        self.info = info
        self.cls = info.name
        self.dn = dn
        self.rn = rn
        self.attrs = attrs
        self.children: dict[str, Mo] = {}
        self.parent = parent
        #: write-only properties (a user's pwd): kept apart so no GET, push or log can show them.
        self.secrets: dict[str, str] = {}

    def __repr__(self) -> str:
        return f"Mo({self.cls}, {self.dn!r})"

    def to_dict(self, children: bool = False) -> dict[str, Any]:
        """The APIC JSON form ``{"<cls>": {"attributes": {...}, "children": [...]}}``.

        ``children=True`` includes the whole subtree; ``children`` is omitted when there are none,
        as a real APIC does.
        """
        body: dict[str, Any] = {"attributes": dict(self.attrs)}
        if children:
            kids = [child.to_dict(True) for child in self.visible_children()]
            if kids:
                body["children"] = kids
        return {self.cls: body}

    def visible_children(self) -> Iterator[Mo]:
        """Children a query may return; simulator-internal grouping nodes are looked through."""
        for child in self.children.values():
            if child.info.hidden:
                yield from child.visible_children()
            else:
                yield child


class _Tx:
    """What one commit has done so far: its changes, how to undo them, and its timestamp."""

    __slots__ = ("changes", "relations", "stamp", "ts", "undo")

    def __init__(self, ts: float, stamp: str) -> None:
        self.changes: list[Change] = []
        self.undo: list[Callable[[], None]] = []
        #: relations whose target appeared or vanished in this commit, re-resolved before it ends.
        self.relations: dict[str, None] = {}
        self.ts = ts
        self.stamp = stamp


class _Batch:
    """The context of :meth:`Mit.batch` (a plain class: a generator-based one cost more than a small commit)."""

    __slots__ = ("_mit", "_tx")

    def __init__(self, mit: Mit) -> None:
        self._mit = mit
        self._tx: _Tx | None = None

    def __enter__(self) -> None:
        if self._mit._tx is None:  # an inner batch joins the commit already open
            self._tx = self._mit._begin()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: object) -> None:
        tx, self._tx = self._tx, None
        if tx is None:
            return
        mit = self._mit
        if exc_type is not None:
            mit._end(tx, ok=False)
            return
        try:
            mit._settle(tx)
        except BaseException:
            mit._end(tx, ok=False)
            raise
        mit._end(tx, ok=True)


class Mit:
    """The object tree, its indexes (by DN, by class) and the change listeners."""

    catalogue: Catalogue

    def __init__(self, catalogue: Catalogue | None = None, *, strict_attributes: bool = True) -> None:
        """``strict_attributes`` refuses attributes the catalogue does not know, as a real APIC does
        (``unknown attribute 'x' in element 'fvTenant'``); turn it off to accept anything."""
        self.catalogue = catalogue or Catalogue.load()
        self.strict_attributes = strict_attributes
        root_info = self.catalogue.get("topRoot")
        if root_info is None:
            raise ValueError("the class catalogue has no topRoot class")
        self.root = Mo(root_info, "", "", {**root_info.defaults}, None)
        self._index: dict[str, Mo] = {"": self.root}
        self._by_class: dict[str, dict[str, Mo]] = {}
        self._count = 0
        #: bumped by every change to an object's presence or attributes, rollbacks included: a reader
        #: that saw the same number before saw the same tree (query.py reuses a sorted class on it).
        self._generation = 0
        #: class -> the generation of the last change to an object of that class.
        self._class_generation: dict[str, int] = {}
        self._listeners: tuple[Callable[[Sequence[Change]], None], ...] = ()
        self._tx: _Tx | None = None
        #: target DN -> DNs of relations that name it (stale entries are harmless: checked when used).
        self._relations_to: dict[str, dict[str, None]] = {}

    # ----------------------------------------------------------------- reading

    def __len__(self) -> int:
        """Number of objects, the root and internal grouping nodes excluded."""
        return self._count

    def get(self, dn: str) -> Mo | None:
        """The object at ``dn`` or None."""
        return self._index.get(dn)

    def of_class(self, cls: str) -> Iterator[Mo]:
        """Every object of class ``cls``, in creation order (what a class query walks)."""
        return iter(list(self._by_class.get(cls, {}).values()))

    def count_class(self, cls: str) -> int:
        """How many objects of class ``cls`` exist."""
        return len(self._by_class.get(cls, ()))

    @property
    def generation(self) -> int:
        """A number that changes whenever any object appears, disappears or has an attribute rewritten."""
        return self._generation

    def class_generation(self, cls: str) -> int:
        """Like :attr:`generation`, for the objects of class ``cls`` only (0: never changed)."""
        return self._class_generation.get(cls, 0)

    def _touch(self, cls: str) -> None:
        self._generation += 1
        self._class_generation[cls] = self._generation

    def walk(self, dn: str = "") -> Iterator[Mo]:
        """``dn`` and everything below it, pre-order (parents before children); nothing if absent.

        The root itself (``""``) is not an object a client can see, so it is never yielded.
        """
        start = self._index.get(dn)
        if start is None:
            return
        stack = [start]
        while stack:
            mo = stack.pop()
            if not mo.info.hidden and mo is not self.root:
                yield mo
            if mo.children:
                stack.extend(reversed(mo.children.values()))

    # --------------------------------------------------------------- listeners

    def listen(self, fn: Callable[[Sequence[Change]], None]) -> Callable[[], None]:
        """Call ``fn(changes)`` after every commit; returns the callable that stops it."""
        self._listeners = (*self._listeners, fn)

        def unlisten() -> None:
            self._listeners = tuple(f for f in self._listeners if f is not fn)

        return unlisten

    def _emit(self, changes: Sequence[Change]) -> None:
        for fn in self._listeners:
            try:
                fn(changes)
            except Exception:
                # The commit has happened; one broken listener must not hide it from the others.
                log.exception("change listener %r failed", fn)

    # ------------------------------------------------------------ transactions

    def batch(self) -> _Batch:
        """Group several operations into one commit (one listener call); all or nothing on error."""
        return _Batch(self)

    def _begin(self) -> _Tx:
        now = time.time()
        tx = self._tx = _Tx(now, apic_timestamp(now))
        return tx

    def _end(self, tx: _Tx, ok: bool) -> None:
        """Close a commit: undo all of it after a failure, otherwise tell the listeners."""
        self._tx = None
        if not ok:
            for undo in reversed(tx.undo):
                undo()
        elif tx.changes:
            self._emit(tx.changes)

    def _run(self, op: Callable[..., None], *args: Any) -> list[Change]:
        """Run ``op`` inside the current batch, or as its own commit; return the changes it made."""
        tx = self._tx
        if tx is not None:
            before = len(tx.changes)
            op(tx, *args)
            return tx.changes[before:]
        tx = self._begin()
        try:
            op(tx, *args)
            self._settle(tx)
        except BaseException:
            self._end(tx, ok=False)
            raise
        self._end(tx, ok=True)
        return tx.changes

    # ----------------------------------------------------------- public writes

    def post(self, dn: str, body: Mapping[str, Any]) -> list[Change]:
        """``POST /api/mo/<dn>.json``: apply one nested MO tree, as a client would send it.

        The URL DN names either the object itself or its parent (``POST /api/mo/uni.json`` with an
        ``fvTenant`` body creates ``uni/tn-<name>``). System-maintained properties in the body are
        ignored, so a GET reply can be posted back.
        """
        split_dn(dn)  # the URL's DN must be well formed before anything is derived from it
        cls, attrs, children = _unpack(body)
        return self._run(self._post_top, dn, cls, attrs, children)

    def delete(self, dn: str) -> list[Change]:
        """``DELETE /api/mo/<dn>.json``: remove the subtree; a missing DN is not an error (200, no change)."""
        if dn not in self._index:
            # A malformed DN is a 400, a well-formed missing one is not. A DN in the index was checked when its
            # object was made, so it is not parsed again (the history log deletes one record per new one).
            split_dn(dn)
        return self._run(self._delete_dn, dn)

    def create(self, cls: str, dn: str, attrs: Mapping[str, str] | None = None) -> list[Change]:
        """Create one object (plus its implicit children) with system rights: oper props may be set."""
        return self._run(self._create_op, cls, dn, dict(attrs or {}))

    def create_record(self, info: ClassInfo, parent_dn: str, rn: str, attrs: dict[str, str]) -> list[Change]:
        """Create one object that its writer built itself: ``attrs`` are the stored string values, naming
        properties included, and the DN is ``<parent_dn>/<rn>``.

        For the history log, which writes a record for every audited change: its records are well formed
        by construction, so the DN is not parsed and the naming and attributes are not checked again (a
        missing grouping parent is still made, and checked, as :meth:`create` does).
        """
        return self._run(self._record_op, info, parent_dn, rn, attrs)

    def modify(self, dn: str, attrs: Mapping[str, str]) -> list[Change]:
        """Change properties of an existing object with system rights; equal values are no change."""
        return self._run(self._modify_op, dn, attrs)

    def set_health(self, dn: str, cur: int, max_sev: str | None = None) -> list[Change]:
        """Set the health score of ``dn`` (its ``healthInst`` child ``<dn>/health``).

        ``prev`` takes the old ``cur`` (100 for a new score), ``chng = cur - prev``; ``maxSev``
        defaults to the highest severity among the faults on ``dn`` and beneath it. Setting the same score and
        severity again is no change; otherwise the score is rewritten as a whole, so the Change lists
        every score property (cur, prev, chng, twScore, maxSev, updTs) as pushes of healthInst carry them.
        """
        return self._run(self._health_op, dn, cur, max_sev)

    # ---------------------------------------------------------- POST internals

    def _post_top(self, tx: _Tx, url_dn: str, cls: str, attrs: Mapping[str, Any], children: list) -> None:
        info = self._posted_class(cls)
        body_dn = attrs.get("dn")
        if body_dn:
            if not is_within(body_dn, url_dn):
                raise bad_request(f"Request failed, dn {body_dn} in the body of {cls} lies outside the URL dn {url_dn}")
            target = body_dn
        elif self.catalogue.class_of_dn(url_dn) == cls:
            target = url_dn
        else:
            rn = self.catalogue.make_rn(info, attrs)
            target = f"{url_dn}/{rn}" if url_dn else rn
        self._post_mo(tx, info, target, attrs, children)

    def _post_child(self, tx: _Tx, parent: Mo, body: Any) -> None:
        cls, attrs, children = _unpack(body)
        info = self._posted_class(cls)
        child_dn = attrs.get("dn")
        if child_dn:
            if parent_dn(child_dn) != parent.dn:
                raise bad_request(f"Request failed, child dn {child_dn} of {cls} is not directly under {parent.dn}")
        else:
            rn = self.catalogue.make_rn(info, attrs)
            child_dn = f"{parent.dn}/{rn}" if parent.dn else rn
        self._post_mo(tx, info, child_dn, attrs, children)

    def _posted_class(self, cls: str) -> ClassInfo:
        info = self.catalogue.get(cls)
        if info is None or info.hidden:
            raise unknown_class(cls)
        return info

    def _post_mo(self, tx: _Tx, info: ClassInfo, dn: str, attrs: Mapping[str, Any], children: list) -> None:
        status = attrs.get("status", "")
        if not isinstance(status, str) or (status not in _UPSERT and status not in ("created", "modified", "deleted")):
            raise ApiError(400, 801, f"property status of {rn_of(dn)} failed validation for value '{status}'")
        if status == "deleted":
            self._delete_dn(tx, dn)
            return
        existing = self._index.get(dn)
        if existing is not None:
            if existing.cls != info.name:
                raise bad_request(f"Request failed, {dn} is a {existing.cls}, not a {info.name}", 103)
            if status == "created":
                raise already_exists(info.name, dn)
            if info.naming and not attrs.keys().isdisjoint(info.naming):
                self._check_naming(info, dn, attrs)
            values, secrets = self._writable(info, dn, attrs, client=True)
            self._modify_mo(tx, existing, values, secrets)
            mo = existing
        else:
            if status == "modified":
                raise not_found(dn)
            mo = self._create_mo(tx, info, dn, attrs, client=True)
        for child in children:
            self._post_child(tx, mo, child)

    def _check_naming(
        self, info: ClassInfo, dn: str, attrs: Mapping[str, Any], rn: str | None = None
    ) -> dict[str, str]:
        """Naming values encoded in ``dn`` (whose last RN is ``rn`` when the caller has it); a body that
        names the object differently is refused."""
        if rn is None:
            rn = rn_of(dn)
        if info.rn_regex is None:
            if rn != info.rn_literal:
                raise bad_request(
                    f"Request failed, dn {dn} does not name a {info.name} (expected rn {info.rn_literal})", 121
                )
            return {}
        values = self.catalogue.naming_values(info, rn)
        if not values:
            raise bad_request(
                f"Request failed, dn {dn} does not name a {info.name} (expected rn {info.rn_format})", 121
            )
        for prop, value in values.items():
            given = attrs.get(prop)
            if given is not None and str(given) != value:
                raise bad_request(
                    f"Request failed, naming property {prop} '{given}' of {info.name} does not match its dn {dn}", 121
                )
        return values

    def _writable(
        self, info: ClassInfo, dn: str, attrs: Mapping[str, Any], client: bool
    ) -> tuple[dict[str, str], dict[str, str]]:
        """Split posted attributes into stored values and write-only secrets, refusing unknown ones."""
        values: dict[str, str] = {}
        secrets: dict[str, str] = {}
        props, oper = info.props, info.oper
        for key, value in attrs.items():
            if key in IGNORED_ON_WRITE:
                continue
            if not isinstance(value, str):
                if isinstance(value, bool) or not isinstance(value, int | float):
                    raise ApiError(400, 801, f"property {key} of {rn_of(dn)} failed validation for value '{value}'")
                value = str(value)
            if key in props:
                values[key] = value
            elif key in info.write_only:
                secrets[key] = value
            elif key in oper:
                if not client:
                    values[key] = value
            elif self.strict_attributes:
                raise bad_request(f"unknown attribute '{key}' in element '{info.name}'")
            else:
                values[key] = value
        return values, secrets

    # -------------------------------------------------------- create / modify

    def _create_op(self, tx: _Tx, cls: str, dn: str, attrs: dict[str, str]) -> None:
        info = self.catalogue.get(cls)
        if info is None:
            raise unknown_class(cls)
        if dn in self._index:
            raise already_exists(cls, dn)
        self._create_mo(tx, info, dn, attrs, client=False)

    def _record_op(self, tx: _Tx, info: ClassInfo, parent_dn: str, rn: str, attrs: dict[str, str]) -> None:
        dn = f"{parent_dn}/{rn}" if parent_dn else rn
        if dn in self._index:
            raise already_exists(info.name, dn)
        parent = self._index.get(parent_dn)
        if parent is None:
            parent = self._parent_for(tx, info, dn, rn)
        self._new_mo(tx, info, dn, rn, parent, attrs, {}, {})

    def _create_mo(self, tx: _Tx, info: ClassInfo, dn: str, attrs: Mapping[str, Any], client: bool) -> Mo:
        # The RN is split off once: a bracketed DN (an audit record's subj-[...]/mod-N) costs a parse each time.
        rn = rn_of(dn)
        naming = self._check_naming(info, dn, attrs, rn)
        parent = self._parent_for(tx, info, dn, rn)
        values, secrets = self._writable(info, dn, attrs, client)
        return self._new_mo(tx, info, dn, rn, parent, values, naming, secrets)

    def _new_mo(self, tx: _Tx, info: ClassInfo, dn: str, rn: str, parent: Mo, values: Mapping[str, str],
                naming: Mapping[str, str], secrets: Mapping[str, str]) -> Mo:
        """Hang a checked new object under ``parent``: defaults, stamps, relation target, implicit children."""
        # copy(), not dict(): the defaults are a read-only mapping proxy, which dict() copies key by key (ten
        # times slower; it showed in profiles of a churn that creates an audit record per edit).
        a = info.defaults.copy()
        a.update(values)
        a.update(naming)
        a["dn"] = dn
        for prop in CREATE_STAMPS:
            if a.get(prop) == "":
                a[prop] = tx.stamp
        if info.relation is not None:
            a.update(self._relation_target(info, a))
        mo = Mo(info, dn, rn, a, parent)
        if secrets:
            mo.secrets.update(secrets)
        self._link(mo)
        if dn in self._relations_to:
            tx.relations.update(self._relations_to[dn])
        tx.undo.append(lambda: self._unlink(mo))
        if not info.hidden:
            tx.changes.append(Change("created", info.name, dn, dict(a), (), tx.ts))
        for child_cls, child_attrs in info.implicit:
            child_info = self.catalogue.get(child_cls)
            if child_info is None:
                raise ValueError(f"class {info.name}: implicit child class {child_cls} is not in the catalogue")
            child_dn = f"{dn}/{self.catalogue.make_rn(child_info, child_attrs)}"
            if child_dn not in self._index:
                self._create_mo(tx, child_info, child_dn, child_attrs, client=False)
        return mo

    def _parent_for(self, tx: _Tx, info: ClassInfo, dn: str, rn: str) -> Mo:
        """The parent a new object (whose last RN is ``rn``) hangs from; internal grouping parents are made on
        demand."""
        pdn = dn[:-len(rn) - 1] if len(dn) > len(rn) else ""
        parent = self._index.get(pdn)
        if parent is None:
            pcls = self.catalogue.class_chain(pdn)
            pinfo = self.catalogue.get(pcls[-1]) if pcls else None
            if pinfo is None or not pinfo.hidden:
                raise not_found(pdn)
            parent = self._create_mo(tx, pinfo, pdn, {}, client=False)
        found = self.catalogue.class_for_rn(parent.cls, rn)
        if found is not info:
            raise bad_request(
                f"Request failed, {info.name} cannot be created under {parent.cls} {pdn or '(root)'}"
                + (f": rn {rn} names a {found.name} there" if found else ""),
                121,
            )
        return parent

    def _modify_op(self, tx: _Tx, dn: str, attrs: Mapping[str, Any]) -> None:
        mo = self._index.get(dn)
        if mo is None or mo.info.hidden:
            raise not_found(dn)
        if mo.info.naming and not attrs.keys().isdisjoint(mo.info.naming):
            self._check_naming(mo.info, dn, attrs)
        values, secrets = self._writable(mo.info, dn, attrs, client=False)
        self._modify_mo(tx, mo, values, secrets)

    def _modify_mo(
        self, tx: _Tx, mo: Mo, values: Mapping[str, str], secrets: Mapping[str, str], rewrite: bool = False
    ) -> None:
        """Apply ``values``; only properties whose value differs count, unless ``rewrite`` says the
        object was written as a whole (a health score), in which case every given property is listed."""
        if secrets:
            old_secrets = dict(mo.secrets)
            mo.secrets.update(secrets)
            tx.undo.append(lambda: _replace(mo.secrets, old_secrets))
        a = mo.attrs
        info = mo.info
        if info.relation is not None and info.relation["name_prop"] in values:
            values = {**values, **self._relation_target(info, {**a, **values})}
        # Plain loops, not comprehensions: each comprehension is a call of its own, and a churn modifies tens of
        # thousands of objects a second, usually one property each.
        changed = []
        old: dict[str, str | None] = {}
        before: dict[str, str] = {}
        for key, value in values.items():
            current = a.get(key)
            if rewrite or current != value:
                changed.append(key)
                old[key] = current
                before[key] = current or ""
        if not changed:
            return
        if "modTs" in a:
            old["modTs"] = a["modTs"]
        self._touch(mo.cls)
        for key in changed:
            a[key] = values[key]
        if "modTs" in a and a["modTs"] != "never":
            a["modTs"] = tx.stamp
        tx.undo.append(lambda: self._undo_modify(mo, old))
        tx.changes.append(Change("modified", info.name, mo.dn, dict(a), tuple(changed), tx.ts, before))

    def _relation_target(self, info: ClassInfo, a: Mapping[str, str]) -> dict[str, str]:
        """A named relation's target (``tDn``/``tRn``/``state``): own tenant first, then common.

        An empty target name resolves to the ``default`` object, as on a real APIC. Every candidate
        is remembered, so that creating or deleting one later re-resolves the relation in that same
        commit (a real APIC then pushes the relation ``modified`` with its new ``state``).
        """
        rel = info.relation
        name = a.get(rel["name_prop"], "") or "default"
        rn = rel["target_rn"].format(name)
        rns = split_dn(a["dn"])
        candidates = [f"uni/tn-common/{rn}"]
        if len(rns) >= 2 and rns[0] == "uni":
            candidates.insert(0, f"uni/{rns[1]}/{rn}")
        for candidate in candidates:
            self._relations_to.setdefault(candidate, {})[a["dn"]] = None
        found = next((dn for dn in candidates if dn in self._index), None)
        return {"tDn": found or candidates[0], "tRn": rn, "state": "formed" if found else "missing-target"}

    def _settle(self, tx: _Tx) -> None:
        """Re-resolve the relations whose target appeared or vanished during the commit."""
        while tx.relations:
            pending, tx.relations = tx.relations, {}
            for dn in pending:
                mo = self._index.get(dn)
                if mo is not None and mo.info.relation is not None:
                    self._modify_mo(tx, mo, self._relation_target(mo.info, mo.attrs), {})

    # ----------------------------------------------------------------- delete

    def _delete_dn(self, tx: _Tx, dn: str) -> None:
        mo = self._index.get(dn)
        if mo is None or mo is self.root:
            return
        self._delete_mo(tx, mo)
        parent = mo.parent
        if parent is not None and parent.info.hidden and not parent.children:
            self._delete_mo(tx, parent)

    def _delete_mo(self, tx: _Tx, mo: Mo, top: bool = True) -> None:
        # Only the top of the subtree leaves its parent's children: below it the structure stays intact,
        # so a rollback restores the subtree with its children in their original order.
        for child in mo.children.values():
            self._delete_mo(tx, child, top=False)
        self._unlink(mo, detach=top)
        tx.undo.append(lambda: self._link(mo, attach=top))
        if mo.dn in self._relations_to:
            tx.relations.update(self._relations_to[mo.dn])
        if not mo.info.hidden:
            # The object is gone, so its attribute dict is never written again: no copy needed.
            tx.changes.append(Change("deleted", mo.cls, mo.dn, mo.attrs, (), tx.ts))

    # ----------------------------------------------------------------- health

    def _health_op(self, tx: _Tx, dn: str, cur: int, max_sev: str | None) -> None:
        target = self._index.get(dn)
        if target is None or target.info.hidden:
            raise not_found(dn)
        if isinstance(cur, bool) or not isinstance(cur, int) or not 0 <= cur <= 100:
            raise bad_request(f"health score for {dn} must be an integer from 0 to 100, got {cur!r}")
        if max_sev is not None and max_sev not in SEVERITY_ORDER:
            raise bad_request(f"maxSev for {dn} must be one of {', '.join(SEVERITY_ORDER)}, got {max_sev!r}")
        sev = max_sev or _highest_severity(target)
        hdn = f"{dn}/health" if dn else "health"
        health = self._index.get(hdn)
        if health is None:
            info = self.catalogue.get("healthInst")
            prev = int(info.defaults["cur"])
            attrs = {"cur": str(cur), "prev": str(prev), "chng": str(cur - prev), "twScore": str(cur), "maxSev": sev}
            self._create_mo(tx, info, hdn, attrs, client=False)
            return
        old_cur = int(health.attrs.get("cur", "100"))
        if old_cur == cur and health.attrs.get("maxSev") == sev:
            return
        values = {
            "cur": str(cur),
            "prev": str(old_cur),
            "chng": str(cur - old_cur),
            "twScore": str(cur),
            "maxSev": sev,
            "updTs": tx.stamp,
        }
        self._modify_mo(tx, health, values, {}, rewrite=True)

    # ---------------------------------------------------------------- indexes

    def _undo_modify(self, mo: Mo, old: Mapping[str, str | None]) -> None:
        """Undo one modification (a failed commit): the old values come back, and readers notice."""
        self._touch(mo.cls)
        _restore(mo.attrs, old)

    def _link(self, mo: Mo, attach: bool = True) -> None:
        self._touch(mo.cls)
        if attach:
            mo.parent.children[mo.rn] = mo
        self._index[mo.dn] = mo
        if not mo.info.hidden:
            self._by_class.setdefault(mo.cls, {})[mo.dn] = mo
            self._count += 1

    def _unlink(self, mo: Mo, detach: bool = True) -> None:
        self._touch(mo.cls)
        if detach:
            del mo.parent.children[mo.rn]
        del self._index[mo.dn]
        if not mo.info.hidden:
            del self._by_class[mo.cls][mo.dn]
            self._count -= 1

    # ------------------------------------------------------------------ seeds

    def place(self, parent: Mo, info: ClassInfo, rn: str, attrs: Mapping[str, str], stamp: str) -> Mo:
        """Hang a new object under ``parent`` with no checks, no change record and no listener call.

        For bulk seeders that run before anyone listens and build DNs they know are well formed:
        checking naming, parents and attributes per object would cost more than the object itself.
        Implicit children (a config object's health score) and relation targets are filled in as
        :meth:`create` would.
        """
        dn = f"{parent.dn}/{rn}" if parent.dn else rn
        a = info.defaults.copy()
        a.update(attrs)
        a["dn"] = dn
        for prop in CREATE_STAMPS:
            if a.get(prop) == "":
                a[prop] = stamp
        if info.relation is not None:
            a.update(self._relation_target(info, a))
        mo = Mo(info, dn, rn, a, parent)
        self._link(mo)
        for child_cls, child_attrs in info.implicit:
            child_info = self.catalogue.get(child_cls)
            child_rn = self.catalogue.make_rn(child_info, child_attrs)
            if child_rn not in mo.children:
                self.place(mo, child_info, child_rn, child_attrs, stamp)
        return mo


    @classmethod
    def from_seed(cls, path: str | Path | None = None, catalogue: Catalogue | None = None) -> Mit:
        """A tree loaded from a seed file (default: the packaged default fabric)."""
        mit = cls(catalogue)
        load_seed(mit, path)
        return mit


def _unpack(body: Any) -> tuple[str, Mapping[str, Any], list]:
    """Check the shape ``{"<cls>": {"attributes": {...}, "children": [...]}}`` and take it apart."""
    if not isinstance(body, Mapping) or len(body) != 1:
        keys = ", ".join(map(str, body)) if isinstance(body, Mapping) else type(body).__name__
        raise bad_request(f"invalid data: a managed object must be one class name mapping to its content, got {keys}")
    ((cls, content),) = body.items()
    if not isinstance(content, Mapping) or not isinstance(content.get("attributes", {}), Mapping):
        raise bad_request(f"invalid data for {cls}: its content must be an object with 'attributes' and 'children'")
    if "attributes" not in content and "children" in content:
        raise bad_request(
            "invalid data at line '1'. Attributes are missing, "
            "tag 'attributes' must be specified first, before any other tag"
        )
    children = content.get("children") or []
    if not isinstance(children, list):
        raise bad_request(f"invalid data for {cls}: 'children' must be a list")
    return cls, content.get("attributes") or {}, children


def _replace(target: dict[str, str], content: Mapping[str, str]) -> None:
    target.clear()
    target.update(content)


def _restore(target: dict[str, Any], old: Mapping[str, Any]) -> None:
    for key, value in old.items():
        if value is None:
            target.pop(key, None)
        else:
            target[key] = value


def _highest_severity(mo: Mo) -> str:
    """The worst severity of the faults on ``mo`` or anywhere beneath it.

    An object's health score aggregates its children's, so a major fault on a tenant's bridge domain
    shows in the tenant's ``maxSev`` too (the APIC GUI's tenant health shows it the same way).
    """
    severities = set()
    stack = [mo]
    while stack:
        node = stack.pop()
        for child in node.children.values():
            if child.info.category == "fault":
                severities.add(child.attrs.get("severity"))
            elif child.children:
                stack.append(child)
    return next((sev for sev in SEVERITY_ORDER if sev in severities), "cleared")
