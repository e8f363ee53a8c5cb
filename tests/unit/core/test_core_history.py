"""History records shaped for playbooks: change sets, time windows, fabric paths, login names."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from ansible_collections.fabricops.aci.plugins.module_utils.core.history import (
    apic_time,
    changes,
    newest_first,
    path_location,
    time_window,
    under,
    user_name,
    within,
)

NOW = datetime(2026, 1, 5, 10, 0, tzinfo=UTC)


def test_modification_change_sets_give_old_and_new_values():
    assert changes("descr (Old: a, b, New: c), name (Old: x, New: y)", "modification") == [
        {"property": "descr", "old": "a, b", "new": "c"}, {"property": "name", "old": "x", "new": "y"}]


def test_creation_change_sets_keep_commas_inside_values():
    assert changes("descr:web, shop, name:prod", "creation") == [
        {"property": "descr", "old": None, "new": "web, shop"}, {"property": "name", "old": None, "new": "prod"}]
    assert changes("", "creation") == [] and changes("anything", "deletion") == []
    assert changes("free text", "creation") == [{"property": "", "old": None, "new": "free text"}]


def test_time_windows():
    start, end = time_window(None, None, 15, NOW)
    assert (apic_time(start), end) == ("2026-01-05T09:45:00.000+00:00", None)
    assert within("2026-01-05T09:50:00.118+00:00", start, end)
    assert not within("2026-01-05T09:44:59.999+00:00", start, end)
    assert within("2026-01-05T10:50:00.000+01:00", start, end)  # another offset, same instant rules
    assert not within("not a time", start, end) and within("not a time", None, None)
    with pytest.raises(ValueError, match=r"until .* is before the start"):
        time_window("2026-01-05T10:00:00Z", "2026-01-05T09:00:00Z", None, NOW)
    with pytest.raises(ValueError, match="minutes must be 1 or more"):
        time_window(None, None, 0, NOW)


def test_paths_scopes_and_users():
    assert path_location("topology/pod-2/protpaths-101-102/pathep-[vpc-a]") == {
        "path": "topology/pod-2/protpaths-101-102/pathep-[vpc-a]", "pod": 2, "nodes": [101, 102], "interface": "vpc-a"}
    assert path_location("")["nodes"] == []
    assert under("uni/tn-a/BD-b", "uni/tn-a", True) and not under("uni/tn-ab", "uni/tn-a", True)
    assert not under("uni/tn-a/BD-b", "uni/tn-a", False) and under("uni/tn-a", "uni/tn-a", False)
    assert [user_name(u) for u in ("apic#tacacs\\jdoe", "apic:ldap\\jdoe", "jdoe", "")] == ["jdoe"] * 3 + [""]


def test_newest_first_breaks_ties_by_record_id():
    same = "2026-01-05T09:50:00.118+00:00"
    records = [{"created": same, "id": "7"}, {"created": same, "id": "9"}, {"created": "bad", "id": "99"}]
    assert [r["id"] for r in newest_first(records)] == ["9", "7", "99"]
