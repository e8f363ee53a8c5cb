"""Reconciliation: a snapshot diff finds every missed change; pushes are applied idempotently."""

from ansible_collections.fabricops.aci.plugins.module_utils.core.frames import Change
from ansible_collections.fabricops.aci.plugins.module_utils.core.reconcile import KnownState, SchemaRegistry


def _tenant(name, **extra):
    attributes = {"dn": f"uni/tn-{name}", "name": name, "descr": "", "modTs": "t0", "status": "",
                  "rn": f"tn-{name}", "childAction": ""}
    attributes.update(extra)
    return Change("fvTenant", attributes["dn"], "", attributes)


def _push(status, dn, cls="fvTenant", **attributes):
    attributes.update(dn=dn, status=status, rn="", childAction="")
    return Change(cls, dn, status, attributes)


def _summary(missed):
    return [(change.status, change.dn, names) for change, names, _old in missed]


def _known(*changes):
    state = KnownState()
    assert state.reconcile(list(changes)) == []  # the first snapshot only initialises
    return state


def test_first_snapshot_initialises_without_reporting():
    state = _known(_tenant("a"), _tenant("b"))
    assert state.initialized
    assert len(state) == 2
    assert "uni/tn-a" in state
    assert state.class_of("uni/tn-a") == "fvTenant"
    assert state.class_of("uni/tn-zz") is None


def test_snapshot_diff_reports_created_modified_and_deleted():
    state = _known(_tenant("a"), _tenant("b"), _tenant("c"))
    missed = state.reconcile([_tenant("a"), _tenant("b", descr="new", modTs="t1"), _tenant("d")])
    assert _summary(missed) == [
        ("modified", "uni/tn-b", ["descr"]),
        ("created", "uni/tn-d", []),
        ("deleted", "uni/tn-c", []),
    ]
    deleted = missed[2][0]
    assert deleted.cls == "fvTenant"
    assert deleted.attributes == {"dn": "uni/tn-c", "status": "deleted"}
    modified = missed[0][0]
    assert modified.attributes["descr"] == "new"  # full snapshot attributes, new values
    assert state.reconcile([_tenant("a"), _tenant("b", descr="new", modTs="t1"), _tenant("d")]) == []


def test_attribute_that_appears_or_disappears_counts_as_changed():
    state = _known(_tenant("a"))
    assert _summary(state.reconcile([_tenant("a", annotation="x")])) == [("modified", "uni/tn-a", ["annotation"])]
    plain = _tenant("a")
    del plain.attributes["descr"]
    assert _summary(state.reconcile([plain])) == [("modified", "uni/tn-a", ["annotation", "descr"])]


def test_push_then_snapshot_is_not_reported_twice():
    state = _known(_tenant("a"))
    assert state.apply(_push("created", "uni/tn-b", name="b", descr="", modTs="t0")) == []
    assert state.apply(_push("modified", "uni/tn-a", descr="x", modTs="t1")) == ["descr"]
    assert state.apply(_push("deleted", "uni/tn-b")) == []
    assert state.reconcile([_tenant("a", descr="x", modTs="t1")]) == []


def test_duplicate_pushes_are_recognised():
    state = _known(_tenant("a"))
    modified = _push("modified", "uni/tn-a", descr="x", modTs="t1")
    assert state.apply(modified) == ["descr"]
    assert state.apply(modified) is None
    created = _push("created", "uni/tn-b", name="b", descr="", modTs="t0")
    assert state.apply(created) == []
    assert state.apply(created) is None


def test_push_already_contained_in_the_snapshot_is_a_duplicate():
    # The ordering rule: snapshot first, then pushes that raced it; those it already holds are dropped.
    state = _known()
    state.reconcile([_tenant("a", descr="x", modTs="t1"), _tenant("b")])
    assert state.apply(_push("created", "uni/tn-b", name="b", descr="", modTs="t0")) is None
    assert state.apply(_push("modified", "uni/tn-a", descr="x", modTs="t1")) is None
    assert state.apply(_push("modified", "uni/tn-a", descr="y", modTs="t2")) == ["descr"]


def test_deleted_push_after_a_snapshot_that_reported_the_deletion_is_a_duplicate():
    state = _known(_tenant("a"), _tenant("b"))
    assert _summary(state.reconcile([_tenant("a")])) == [("deleted", "uni/tn-b", [])]
    assert state.apply(_push("deleted", "uni/tn-b")) is None
    # an unknown object's deletion is still reported, never silently lost
    assert state.apply(_push("deleted", "uni/tn-zz")) == []


def test_recreation_after_a_reported_deletion_is_reported():
    state = _known(_tenant("a"), _tenant("b"))
    state.reconcile([_tenant("a")])
    assert state.apply(_push("created", "uni/tn-b", name="b", descr="", modTs="t5")) == []
    assert state.apply(_push("deleted", "uni/tn-b")) == []


def test_modified_push_for_an_unknown_object_reports_its_properties_and_is_tracked():
    state = _known()
    assert state.apply(_push("modified", "uni/tn-a", descr="x", modTs="t1")) == ["descr"]
    assert state.apply(_push("modified", "uni/tn-a", descr="x", modTs="t1")) is None


def test_sparse_push_with_a_new_property_extends_the_record():
    state = _known(_tenant("a"))
    assert state.apply(_push("modified", "uni/tn-a", annotation="orchestrator:x", modTs="t1")) == ["annotation"]
    assert state.apply(_push("modified", "uni/tn-a", annotation="orchestrator:x", modTs="t1")) is None
    assert state.reconcile([_tenant("a", annotation="orchestrator:x", modTs="t1")]) == []


def test_created_push_for_a_known_object_with_new_values_is_reported():
    state = _known(_tenant("a"))
    assert state.apply(_push("created", "uni/tn-a", name="a", descr="again", modTs="t9")) == []
    assert _summary(state.reconcile([_tenant("a", descr="again", modTs="t9")])) == []


def test_only_modts_changed_is_not_a_duplicate_but_lists_nothing():
    state = _known(_tenant("a"))
    assert state.apply(_push("modified", "uni/tn-a", modTs="t2")) == []


def test_unhashable_values_are_compared_by_text():
    state = _known(_tenant("a", odd=["x"]))
    assert _summary(state.reconcile([_tenant("a", odd=["y"])])) == [("modified", "uni/tn-a", ["odd"])]
    assert state.apply(_push("modified", "uni/tn-a", odd=["y"])) is None


def test_schemas_are_shared_between_subscriptions_and_objects():
    registry = SchemaRegistry()
    one, two = KnownState(registry), KnownState(registry)
    one.reconcile([_tenant("a"), _tenant("b")])
    two.reconcile([_tenant("c")])
    assert len(registry) == 1


def test_a_record_holds_the_hash_of_every_named_value_whatever_the_schema_width():
    registry = SchemaRegistry()
    missing = hash(0x5DEECE66D)
    for attributes in ({"dn": "uni/tn-a"}, {"dn": "uni/tn-a", "name": "a"},
                       {"dn": "uni/tn-a", "name": "a", "descr": "d", "modTs": "t0"}):
        schema = registry.for_attributes("fvTenant", attributes)
        record = schema.record(attributes)
        assert list(record) == [schema.id, *(hash(attributes[name]) for name in schema.names)]
        # a sparse object lacking some of the names: those slots hold the stand-in for "absent"
        sparse = {"dn": "uni/tn-a"}
        assert list(schema.record(sparse)) == [schema.id, *(missing for _ in schema.names)]
    wide = registry.for_attributes("fvTenant", {"name": "a", "descr": "d"})
    unhashable = {"name": "a", "descr": ["not", "hashable"]}
    assert list(wide.record(unhashable)) == [wide.id, hash(repr(["not", "hashable"])), hash("a")]
