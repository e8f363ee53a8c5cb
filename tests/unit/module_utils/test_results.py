"""Flat, typed results: numbers where the meaning is numeric, names left as text."""

from ansible_collections.fabricops.aci.plugins.module_utils import results as r


def test_flatten_attaches_health_faults_and_children():
    obj = {
        "fvTenant": {
            "attributes": {"dn": "uni/tn-2024", "name": "2024"},
            "children": [
                {"healthInst": {"attributes": {"cur": "87", "prev": "100"}}},
                {"faultInst": {"attributes": {"dn": "uni/tn-2024/fault-F1", "code": "F1", "severity": "major",
                                              "occur": "3", "ack": "yes"}}},
                {"fvCtx": {"attributes": {"name": "v"}, "children": [{"healthInst": {"attributes": {"cur": "x"}}}]}},
            ],
        }
    }
    flat = r.flatten(obj)
    assert flat["class"] == "fvTenant" and flat["name"] == "2024"
    assert flat["health"] == 87
    assert flat["faults"][0]["occurrences"] == 3 and flat["faults"][0]["acknowledged"] is True
    assert flat["faults"][0]["tenant"] == "2024" and flat["faults"][0]["affected"] == "uni/tn-2024"
    assert flat["children"] == [{"class": "fvCtx", "name": "v", "health": None}]


def test_typed_attributes_only_for_known_numeric_props():
    flat = r.flatten({"healthInst": {"attributes": {"cur": "90", "chng": "-10", "maxSev": "major", "twScore": "?"}}})
    assert flat == {"class": "healthInst", "cur": 90, "chng": -10, "maxSev": "major", "twScore": "?"}


def test_health_record():
    record = r.health_record({"dn": "uni/tn-a/BD-b/health", "cur": "70", "prev": "100", "chng": "-30",
                              "maxSev": "major", "updTs": "t"})
    assert record == {"dn": "uni/tn-a/BD-b", "tenant": "a", "health": 70, "previous": 100, "max_severity": "major",
                      "change": -30, "updated": "t"}


def test_fault_sorting_and_counts():
    faults = [
        r.fault_record("faultInst", {"severity": "minor", "created": "2026-01-02"}),
        r.fault_record("faultInst", {"severity": "critical", "created": "2026-01-01"}),
        r.fault_record("faultInst", {"severity": "minor", "created": "2026-01-03"}),
        r.fault_record("faultInst", {"severity": "odd", "created": "2026-01-04"}),
    ]
    ordered = r.sort_faults(faults)
    assert [f["severity"] for f in ordered] == ["critical", "minor", "minor", "odd"]
    assert ordered[1]["created"] == "2026-01-03"
    assert r.count_by_severity(faults) == {"critical": 1, "major": 0, "minor": 2, "warning": 0, "info": 0,
                                           "cleared": 0}
