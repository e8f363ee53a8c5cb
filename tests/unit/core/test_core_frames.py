"""Frame parsing: every subscription id and every object of a frame is kept, bad frames are refused clearly."""

import json

import pytest
from ansible_collections.fabricops.aci.plugins.module_utils.core import frames
from ansible_collections.fabricops.aci.plugins.module_utils.core.frames import Change, FrameError


def _frame(ids, *objects):
    return json.dumps({"subscriptionId": ids, "imdata": list(objects)})


def _mo(cls, **attributes):
    return {cls: {"attributes": attributes}}


def test_single_object_frame_gives_one_change_with_the_attributes_as_sent():
    note = frames.parse_frame(_frame(["72057598349672459"], _mo("fvTenant", dn="uni/tn-a", name="a", status="created")))
    assert note.ids == ("72057598349672459",)
    assert note.changes == [Change("fvTenant", "uni/tn-a", "created", {"dn": "uni/tn-a", "name": "a",
                                                                       "status": "created"})]
    assert note.skipped == []


def test_scalar_subscription_id_is_accepted():
    note = frames.parse_frame(_frame("101", _mo("fvTenant", dn="uni/tn-a", status="deleted")))
    assert note.ids == ("101",)
    assert note.changes[0].status == "deleted"


def test_numeric_ids_become_strings():
    note = frames.parse_frame(_frame([101, "102"], _mo("fvTenant", dn="uni/tn-a", status="modified")))
    assert note.ids == ("101", "102")


def test_several_ids_and_several_objects_are_all_kept_in_order():
    note = frames.parse_frame(_frame(
        ["1", "2", "3"],
        _mo("fvTenant", dn="uni/tn-a", status="created"),
        _mo("fvBD", dn="uni/tn-a/BD-b", status="modified", descr="x"),
        _mo("fvSubnet", dn="uni/tn-a/BD-b/subnet-[10.0.0.1/24]", status="deleted"),
    ))
    assert note.ids == ("1", "2", "3")
    assert [(c.cls, c.dn, c.status) for c in note.changes] == [
        ("fvTenant", "uni/tn-a", "created"),
        ("fvBD", "uni/tn-a/BD-b", "modified"),
        ("fvSubnet", "uni/tn-a/BD-b/subnet-[10.0.0.1/24]", "deleted"),
    ]


@pytest.mark.parametrize(("status", "expected"), [
    ("created", "created"), ("modified", "modified"), ("deleted", "deleted"),
    ("", "modified"), (None, "modified"), ("created,modified", "created"), ("modified,deleted", "deleted"),
    (["odd"], "modified"),
])
def test_status_is_normalised(status, expected):
    attributes = {"dn": "uni/tn-a"}
    if status is not None:
        attributes["status"] = status
    note = frames.parse_frame(_frame(["1"], {"fvTenant": {"attributes": attributes}}))
    assert note.changes[0].status == expected


def test_children_without_dn_get_one_built_from_the_parent():
    frame = _frame(["1"], {"fvTenant": {"attributes": {"dn": "uni/tn-a", "status": "modified"}, "children": [
        {"healthInst": {"attributes": {"rn": "health", "cur": "90", "status": "modified"}}}]}})
    note = frames.parse_frame(frame)
    assert [c.dn for c in note.changes] == ["uni/tn-a", "uni/tn-a/health"]
    assert note.changes[1].attributes["dn"] == "uni/tn-a/health"


def test_bad_objects_are_skipped_with_a_reason_and_good_ones_kept():
    note = frames.parse_frame(_frame(
        ["1"],
        _mo("fvTenant", dn="uni/tn-a", status="created"),
        {"fvTenant": {"noattributes": {}}},
        {"a": {"attributes": {"dn": "x"}}, "b": {}},
        "not an object",
        _mo("fvTenant", name="no-dn"),
    ))
    assert [c.dn for c in note.changes] == ["uni/tn-a"]
    assert len(note.skipped) == 4
    assert any("no dn" in reason for reason in note.skipped)


@pytest.mark.parametrize("dn", ["", 42, None, ["uni/tn-a"]])
def test_an_object_with_a_plain_status_but_no_usable_dn_is_skipped(dn):
    note = frames.parse_frame(_frame(["1"], {"fvTenant": {"attributes": {"dn": dn, "status": "modified"}}},
                                     _mo("fvTenant", dn="uni/tn-b", status="modified")))
    assert [c.dn for c in note.changes] == ["uni/tn-b"]
    assert note.skipped == ["fvTenant object has no dn"]


@pytest.mark.parametrize(("text", "reason"), [
    ("{not json", "not valid JSON"),
    ("[1, 2]", "not a JSON object"),
    ('{"imdata": []}', "no subscriptionId"),
    ('{"subscriptionId": [], "imdata": []}', "no subscriptionId"),
    ('{"subscriptionId": true, "imdata": []}', "no subscriptionId"),
    ('{"subscriptionId": ["1"]}', "no imdata"),
    ('{"subscriptionId": ["1"], "imdata": {}}', "no imdata"),
])
def test_unusable_frames_raise_frame_error_with_a_short_reason(text, reason):
    with pytest.raises(FrameError, match=reason) as info:
        frames.parse_frame(text)
    assert "\n" not in str(info.value)
    assert len(str(info.value)) < 200


def test_bytes_frames_are_accepted():
    note = frames.parse_frame(_frame(["1"], _mo("fvTenant", dn="uni/tn-a")).encode())
    assert note.changes[0].dn == "uni/tn-a"


def test_standard_parser_gives_the_same_result(monkeypatch):
    text = _frame(["1", "2"], _mo("fvTenant", dn="uni/tn-a", status="created", name="a"))
    fast = frames.parse_frame(text)
    monkeypatch.setattr(frames, "HAS_ORJSON", False)
    slow = frames.parse_frame(text)
    assert (fast.ids, fast.changes) == (slow.ids, slow.changes)
    with pytest.raises(FrameError, match="not valid JSON"):
        frames.parse_frame("{")


def test_snapshot_objects_flatten_the_tree_and_carry_no_status():
    imdata = [{"fvTenant": {"attributes": {"dn": "uni/tn-a", "name": "a", "status": ""}, "children": [
        {"healthInst": {"attributes": {"rn": "health", "cur": "100"}}},
        {"fvAp": {"attributes": {"dn": "uni/tn-a/ap-x", "name": "x"}}}]}}]
    changes, skipped = frames.snapshot_objects(imdata)
    assert [(c.cls, c.dn, c.status) for c in changes] == [
        ("fvTenant", "uni/tn-a", ""), ("healthInst", "uni/tn-a/health", ""), ("fvAp", "uni/tn-a/ap-x", "")]
    assert skipped == []
    assert frames.snapshot_objects("junk")[1] == ["the snapshot imdata is not a list"]
    assert frames.snapshot_objects(None) == ([], [])
