"""Paged reads reuse one ordered result between pages, and never answer from it once the tree changed.

Every paged answer here is compared with the unpaged answer to the same query, cut to the page: the
unpaged path builds its result from the tree each time, so it is the reference a reused result must match.
"""

import pytest
from apicsim.mit import Mit
from apicsim.paged_views import MAX_VIEWS, views_of
from apicsim.query import compile_query, run_query

TENANTS = 30


@pytest.fixture
def mit():
    """The default fabric plus numbered tenants whose ``descr`` orders them backwards."""
    tree = Mit.from_seed()
    with tree.batch():
        for n in range(TENANTS):
            tree.create("fvTenant", f"uni/tn-t{n:02d}", {"name": f"t{n:02d}", "descr": str(TENANTS - n)})
    return tree


def read(mit, path, **params):
    query = compile_query(mit.catalogue, path, {k.replace("_", "-"): v for k, v in params.items()})
    return run_query(mit, query)


def expected_page(mit, path, page, size, **params):
    """The reference: the whole unpaged answer, cut to one page."""
    total, imdata = read(mit, path, **params)
    return total, imdata[page * size : (page + 1) * size]


def page_of(mit, path, page, size, **params):
    got = read(mit, path, page=str(page), page_size=str(size), **params)
    assert got == expected_page(mit, path, page, size, **params)
    return got


def dns(result):
    return [next(iter(item.values()))["attributes"]["dn"] for item in result[1]]


def test_pages_of_an_unchanged_tree_share_one_ordered_result(mit):
    views = views_of(mit)
    seen = []
    for page in range(4):
        seen += dns(page_of(mit, "/api/class/fvTenant.json", page, 10, order_by="fvTenant.dn"))
    assert views.builds == 1 and views.hits == 3
    assert seen == sorted(mo.dn for mo in mit.of_class("fvTenant"))


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(lambda m: m.create("fvTenant", "uni/tn-a0", {"name": "a0", "descr": "0"}), id="create"),
        pytest.param(lambda m: m.delete("uni/tn-t00"), id="delete"),
        pytest.param(lambda m: m.modify("uni/tn-t29", {"descr": "99"}), id="modify-order-key"),
        pytest.param(lambda m: m.modify("uni/tn-t05", {"descr": "x"}), id="modify-filtered-prop"),
    ],
)
def test_a_change_between_two_pages_is_seen_by_the_next_page(mit, change):
    shapes = [
        {"order_by": "fvTenant.dn"},
        {"order_by": "fvTenant.descr|desc"},
        {"query_target_filter": 'ne(fvTenant.descr,"x")', "order_by": "fvTenant.descr"},
    ]
    for shape in shapes:
        page_of(mit, "/api/class/fvTenant.json", 0, 7, **shape)
    change(mit)
    for shape in shapes:
        for page in range(6):
            page_of(mit, "/api/class/fvTenant.json", page, 7, **shape)


def test_a_change_to_another_class_keeps_a_class_query_but_rebuilds_a_subtree_query(mit):
    views = views_of(mit)
    page_of(mit, "/api/class/fvTenant.json", 0, 10, order_by="fvTenant.dn")
    subtree = {"query_target": "subtree", "target_subtree_class": "fvBD", "order_by": "fvBD.dn"}
    page_of(mit, "/api/mo/uni.json", 0, 2, **subtree)
    assert views.builds == 2
    mit.create("fvBD", "uni/tn-t03/BD-new", {"name": "new"})
    page_of(mit, "/api/class/fvTenant.json", 1, 10, order_by="fvTenant.dn")
    assert views.builds == 2  # no fvTenant changed: the kept order still holds
    got = page_of(mit, "/api/mo/uni.json", 0, 50, **subtree)
    assert views.builds == 3 and "uni/tn-t03/BD-new" in dns(got)


def test_a_required_include_sees_a_new_fault_on_the_next_page(mit):
    path, shape = "/api/class/fvAEPg.json", {"rsp_subtree_include": "faults,required", "order_by": "fvAEPg.dn"}
    before = page_of(mit, path, 0, 1, **shape)
    assert before[0] == 1
    mit.create("faultInst", "uni/tn-prod/ap-shop/epg-app/fault-F0999", {"code": "F0999", "severity": "major"})
    after = page_of(mit, path, 0, 1, **shape)
    assert after[0] == 2 and dns(after) == ["uni/tn-prod/ap-shop/epg-app"]


def test_an_answer_read_inside_a_failed_commit_is_not_reused_after_its_rollback(mit):
    shape = {"order_by": "fvTenant.descr"}
    with pytest.raises(RuntimeError), mit.batch():
        mit.modify("uni/tn-t29", {"descr": "999"})
        inside = read(mit, "/api/class/fvTenant.json", page="0", page_size="40", **shape)
        order = dns(inside)
        assert order.index("uni/tn-t29") > order.index("uni/tn-t00")  # 999 now sorts after 30
        raise RuntimeError("abort the commit")
    assert mit.get("uni/tn-t29").attrs["descr"] == "1"
    page_of(mit, "/api/class/fvTenant.json", 0, 40, **shape)


def test_the_kept_results_are_bounded(mit):
    for n in range(MAX_VIEWS + 3):
        page_of(mit, "/api/class/fvTenant.json", 0, 5, query_target_filter=f'ne(fvTenant.name,"t{n:02d}")')
    assert len(views_of(mit)) == MAX_VIEWS
