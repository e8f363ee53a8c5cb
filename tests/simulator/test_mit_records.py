"""`Mit.create_record`: the history log's way of creating a record it built itself gives what `create` gives."""

from __future__ import annotations

import pytest
from apicsim.errors import ApiError
from apicsim.mit import Mit

ATTRS = {"affected": "uni/tn-common", "cause": "transition", "changeSet": "descr:x", "code": "E4206326",
         "created": "2026-01-01T00:00:00.000+00:00", "descr": "Tenant common created", "ind": "creation",
         "severity": "info", "trig": "config", "txId": "7", "user": "admin", "id": "4294967297"}


def _tree() -> Mit:
    return Mit.from_seed()


def test_a_record_is_the_object_create_makes_grouping_parent_included():
    by_create, by_record = _tree(), _tree()
    dn = "subj-[uni/tn-common]/mod-4294967297"
    made = by_create.create("aaaModLR", dn, dict(ATTRS))
    recorded = by_record.create_record(by_record.catalogue.get("aaaModLR"), "subj-[uni/tn-common]", "mod-4294967297",
                                       dict(ATTRS))
    assert [(c.status, c.cls, c.dn, list(c.attrs.items())) for c in recorded] == \
        [(c.status, c.cls, c.dn, list(c.attrs.items())) for c in made]
    assert list(by_record.get(dn).attrs.items()) == list(by_create.get(dn).attrs.items())
    assert by_record.get("subj-[uni/tn-common]") is not None  # the grouping parent was made on demand


def test_a_record_that_exists_is_refused_and_nothing_changes():
    mit = _tree()
    info = mit.catalogue.get("aaaModLR")
    mit.create_record(info, "subj-[uni/tn-common]", "mod-1", {**ATTRS, "id": "1"})
    count = len(mit)
    with pytest.raises(ApiError):
        mit.create_record(info, "subj-[uni/tn-common]", "mod-1", {**ATTRS, "id": "1"})
    assert len(mit) == count
