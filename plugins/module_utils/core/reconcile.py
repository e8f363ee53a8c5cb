# Copyright: (c) 2026, fabricops maintainers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The last state the event source knew for each subscription, and the diff that finds missed changes.

The APIC has no replay: after a drop the only way to learn what happened meanwhile is to compare a
fresh snapshot with what was known before. Keeping every attribute of every object would cost a few
kilobytes per object, so each object is kept as one ``array('q')`` instead: the schema id followed by
one 8-byte hash per tracked attribute (Python's own string hash, valid for the life of the process;
the durable checkpoint keeps attribute values instead, and ``restore`` rebuilds the records from them).
That is enough to tell *which* attributes changed (the snapshot supplies their new values) at roughly
350 to 450 bytes per object including the DN key (measured in
tests/unit/core/test_core_reconcile_memory.py), and a sparse ``modified`` push updates its slots in
place. A schema (class + attribute names in order) is shared by every object with the same shape.

The same state makes pushes idempotent: a push that would not change the known state is a
duplicate (for example a push that raced the snapshot which already contains it) and is dropped.
A hash collision (2**-64 per compared value) could hide one change; that is the documented price.
"""

from __future__ import annotations

from array import array
from operator import itemgetter

from ansible_collections.fabricops.aci.plugins.module_utils.core.events import BOOKKEEPING, changed_names
from ansible_collections.fabricops.aci.plugins.module_utils.core.frames import CREATED, DELETED, MODIFIED, Change

# Never tracked: they describe the notification, and differ between pushes and snapshots
# (a push says ``rn: ""`` and ``status: "created"``, a snapshot the real rn and ``status: ""``).
UNTRACKED = frozenset(("dn", "rn", "status", "childAction"))
_MISSING = 0x5DEECE66D  # hash stand-in for an attribute an object does not have


def _hash(value: object) -> int:
    try:
        return hash(value)
    except TypeError:  # lists or mappings in a malformed object: compare their text instead
        return hash(repr(value))


class Schema:
    """A class and the ordered attribute names whose hashes an object's record holds.

    A record unpacks to ``slots``: slot 0 is the schema id, slot ``index[name]`` the hash of ``name``.
    """

    __slots__ = ("cls", "id", "index", "names", "plans", "slots", "values")

    def __init__(self, schema_id: int, cls: str, names: tuple) -> None:
        self.id = schema_id
        self.cls = cls
        self.names = names
        self.index = {name: slot for slot, name in enumerate(names, 1)}
        # index plus slot 0 for the untracked names: a push's attributes need one lookup each
        self.slots = dict.fromkeys(UNTRACKED, 0)
        self.slots.update(self.index)
        # every named value of a full object in one C call (snapshots, restores, creations: 100,000s at once)
        self.values = itemgetter(*names) if len(names) > 1 else _one_or_none(names)
        self.plans = {}  # type: dict[tuple, tuple]  # a push's attribute names in order -> plan()

    def plan(self, keys: tuple) -> tuple:
        """What ``KnownState.apply`` does with a push that has the attribute names ``keys``, in that order:
        ``((name, slot, reported), ...)`` for the tracked ones, and the names this schema has no slot for.

        Pushes of one class come in a handful of shapes, so the plan is made once per shape, not per push.
        """
        slots = self.slots
        tracked = tuple((name, slots[name], name not in BOOKKEEPING) for name in keys if slots.get(name))
        plan = tracked, [name for name in keys if name not in slots]
        if len(self.plans) < 64:  # bounded: odd shapes still work, just unplanned
            self.plans[keys] = plan
        return plan

    def record(self, attributes: dict) -> array:
        """The compact record of an object that has these attributes."""
        try:
            return array("q", (self.id, *map(hash, self.values(attributes))))
        except (KeyError, TypeError):  # a name it lacks, or a value that cannot be hashed
            get = attributes.get
            return array("q", [self.id, *[_hash(get(name, _MISSING)) for name in self.names]])


def _one_or_none(names: tuple):
    """``itemgetter`` for schemas of one name or none, as a tuple like that of several names."""
    if names:
        name = names[0]
        return lambda attributes: (attributes[name],)
    return lambda attributes: ()


class SchemaRegistry:
    """Schemas shared by every subscription; a record's first slot says which one it uses."""

    def __init__(self) -> None:
        self.schemas = []  # type: list[Schema]  # by id
        self._by_names = {}  # type: dict[tuple, Schema]
        self._by_raw_keys = {}  # type: dict[tuple, Schema]

    def __len__(self) -> int:
        return len(self.schemas)

    def _get(self, cls: str, names: tuple) -> Schema:
        key = (cls, names)
        schema = self._by_names.get(key)
        if schema is None:
            schema = Schema(len(self.schemas), cls, names)
            self.schemas.append(schema)
            self._by_names[key] = schema
        return schema

    def for_attributes(self, cls: str, attributes: dict) -> Schema:
        """The schema for an object of this class with these attribute names (cached by raw key order)."""
        raw = (cls, tuple(attributes))
        schema = self._by_raw_keys.get(raw)
        if schema is None:
            names = tuple(sorted(name for name in attributes if name not in UNTRACKED))
            schema = self._get(cls, names)
            if len(self._by_raw_keys) < 65536:  # bounded: odd shapes still work, just uncached
                self._by_raw_keys[raw] = schema
        return schema

    def extended(self, schema: Schema, extra: list) -> Schema:
        """The schema with ``extra`` names appended (a sparse push brought properties not seen before)."""
        return self._get(schema.cls, schema.names + tuple(sorted(extra)))

    def of(self, record: array) -> Schema:
        """The schema a record was written with."""
        return self.schemas[record[0]]


def _changed_between(old_schema: Schema, old_record: array, new_schema: Schema, attributes: dict) -> list:
    """Names whose value differs between a known record and a fresh full object."""
    old = old_record
    if old_schema is new_schema:
        return [name for slot, name in enumerate(new_schema.names, 1)
                if _hash(attributes.get(name, _MISSING)) != old[slot]]
    old_hashes = {name: old[slot] for slot, name in enumerate(old_schema.names, 1)}
    changed = [name for name in new_schema.names
               if _hash(attributes.get(name, _MISSING)) != old_hashes.pop(name, _MISSING)]
    changed.extend(name for name, old_hash in old_hashes.items() if old_hash != _MISSING)
    return changed


class KnownState:
    """What one subscription last knew: DN -> compact record of the object's attributes.

    ``apply`` is the hot path (one push); ``reconcile`` replaces the state with a snapshot and
    returns what changed in between. ``tombstones`` remembers DNs that a snapshot found gone, so a
    late ``deleted`` push for them is recognised as already reported; it is emptied by the next
    snapshot and holds at most the deletions one snapshot found.
    """

    __slots__ = ("initialized", "objects", "registry", "replaced", "schemas", "tombstones")

    def __init__(self, registry: SchemaRegistry | None = None) -> None:
        self.registry = registry if registry is not None else SchemaRegistry()
        self.schemas = self.registry.schemas  # a record's slot 0 -> its schema (the registry's own list)
        self.objects = {}  # type: dict[str, array]
        self.replaced = None  # type: array | None  # the record the last apply() replaced
        self.tombstones = set()  # type: set[str]
        self.initialized = False

    def __len__(self) -> int:
        return len(self.objects)

    def __contains__(self, dn: object) -> bool:
        return dn in self.objects

    def class_of(self, dn: str) -> str | None:
        """The class of a known object, or None."""
        record = self.objects.get(dn)
        return None if record is None else self.registry.of(record).cls

    def apply(self, change: Change) -> list | None:
        """Fold one pushed change into the state.

        Returns None when the push changes nothing (a duplicate: do not emit it), else the list of
        changed property names for a modification ([] for creations and deletions). A record is never
        changed in place: a change stores a new one, and ``replaced`` is then the record it replaced
        (None: the object was not known), which the delivery ledger keeps until the event is delivered.
        """
        status = change.status
        dn = change.dn
        objects = self.objects
        if status is DELETED or status == DELETED:
            known = self.replaced = objects.pop(dn, None)
            if known is None and dn in self.tombstones:
                self.tombstones.discard(dn)
                return None
            return []
        attributes = change.attributes
        known = self.replaced = objects.get(dn)
        created = status is CREATED or status == CREATED
        if known is None:
            schema = self.registry.for_attributes(change.cls, attributes)
            objects[dn] = schema.record(attributes)
            if self.tombstones:
                self.tombstones.discard(dn)
            return [] if created else changed_names(list(schema.names))
        # The hot path: the pushed values compared with the known record's hashes, through the plan of
        # this push's shape; the first difference copies the record.
        schema = self.schemas[known[0]]
        keys = tuple(attributes)
        tracked, extra = schema.plans.get(keys) or schema.plan(keys)
        changed = []
        record = None
        for name, slot, reported in tracked:
            value = attributes[name]
            try:
                value_hash = hash(value)
            except TypeError:
                value_hash = _hash(value)
            if known[slot] != value_hash:
                if record is None:
                    record = objects[dn] = known[:]
                record[slot] = value_hash
                if reported:
                    changed.append(name)
        if record is None and not extra:
            return None
        if created:
            # A re-creation (or a creation the state already had in another form): keep the full object.
            objects[dn] = self.registry.for_attributes(change.cls, attributes).record(attributes)
            return []
        if extra:
            schema = self.registry.extended(schema, extra)
            record = array("q", record if record is not None else known)
            record[0] = schema.id
            record.extend(_hash(attributes[name]) for name in schema.names[len(known) - 1:])
            objects[dn] = record
            changed.extend(changed_names(extra))
        return changed

    def reconcile(self, snapshot: list) -> list:
        """Replace the state with ``snapshot`` (Changes) and return what was missed, in order.

        Returns ``(Change, changed_names, old_record)`` triples: created for objects new to the state,
        modified (with the names that differ) for changed ones, deleted for known objects the snapshot
        no longer has; ``old_record`` is what the state held before (None for a creation), which the
        delivery ledger keeps until the event is delivered. The first snapshot of a subscription only
        initialises the state.
        """
        reconciliation = Reconciliation(self)
        reconciliation.add(snapshot)
        return reconciliation.finish()

    def restore(self, rows) -> int:
        """Take the state a checkpoint kept: ``(dn, class, attributes)`` rows. Returns how many.

        Records are rebuilt from the values (the checkpoint holds values, since this state's hashes
        are only valid inside one process), so the next snapshot is compared with what the rule
        engine had received before the source stopped.
        """
        registry = self.registry
        objects = {}
        for dn, cls, attributes in rows:
            objects[dn] = registry.for_attributes(cls, attributes).record(attributes)
        self.objects = objects
        self.tombstones = set()
        self.initialized = True
        return len(objects)


class Reconciliation:
    """``KnownState.reconcile`` one page at a time, for snapshots read in pages.

    Each page is compared with the state as it arrives and can then be dropped: what is kept is the new
    state's compact records and the missed changes (only those carry attributes), never the pages. The
    state itself is untouched until ``finish``, so a snapshot abandoned half-way (a drop while paging)
    leaves it as it was. An object that a shifting page boundary returns twice counts once (the first).

    The new state starts as the known DNs, each mapped to None until a page brings it: an object the
    state knew keeps its known DN string (and its record when unchanged), so reading the snapshot of a
    known class adds about one dictionary table to the state instead of a second copy of it.
    """

    __slots__ = ("current", "missed", "previous", "seen", "state")

    def __init__(self, state: KnownState) -> None:
        self.state = state
        self.previous = state.objects
        # DN -> record; None for a known DN that no page has brought yet
        self.current = dict.fromkeys(state.objects) if state.initialized else {}  # type: dict[str, array | None]
        self.seen = 0
        self.missed = []  # type: list[tuple]

    def __len__(self) -> int:
        return self.seen

    def add(self, changes: list) -> None:
        """Compare one page's objects (Changes) with the state."""
        registry = self.state.registry
        initialized = self.state.initialized
        previous = self.previous
        current = self.current
        missed = self.missed
        seen = self.seen
        for change in changes:
            dn = change.dn
            if current.get(dn) is not None:
                continue
            seen += 1
            attributes = change.attributes
            schema = registry.for_attributes(change.cls, attributes)
            record = schema.record(attributes)
            if not initialized:
                current[dn] = record
                continue
            old = previous.get(dn)
            if old is None:
                current[dn] = record
                missed.append((Change(change.cls, dn, CREATED, attributes), [], None))
            elif old == record:
                # Unchanged (most objects): the known record is kept, so a recovery holds one record per
                # object, not two, and the fresh one is freed before the next is built. Nothing writes to
                # ``current`` before ``finish``, so sharing leaves an abandoned snapshot's state as it was.
                current[dn] = old
            else:
                current[dn] = record
                # Records can differ only in layout (a sparse push appended a name); only values count.
                names = _changed_between(registry.of(old), old, schema, attributes)
                if names:
                    missed.append((Change(change.cls, dn, MODIFIED, attributes), changed_names(names), old))
        self.seen = seen

    def not_seen(self) -> list:
        """``(dn, record)`` of every known object no page has brought so far, in the known order."""
        previous = self.previous
        return [(dn, previous[dn]) for dn, record in self.current.items() if record is None]

    def finish(self) -> list:
        """The snapshot is complete: it becomes the state; returns the missed changes, deletions last."""
        state = self.state
        registry = state.registry
        current = self.current
        missed = self.missed
        tombstones = set()
        if state.initialized:
            previous = self.previous
            gone = [dn for dn, record in current.items() if record is None]  # in the known order
            for dn in gone:
                record = previous[dn]
                missed.append((Change(registry.of(record).cls, dn, DELETED, {"dn": dn, "status": DELETED}), [],
                               record))
                tombstones.add(dn)
                del current[dn]
            if len(gone) > len(current):  # most of the class is gone: do not keep a table sized for it
                current = dict(current)
        state.objects = current
        state.tombstones = tombstones
        state.initialized = True
        self.previous = self.current = {}
        self.missed = []
        return missed
