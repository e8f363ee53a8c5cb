"""APIC read queries: parse a GET once into a :class:`Query`, answer it, and match pushes against it.

One compiled object serves both sides of a subscription: :func:`run_query` produces the snapshot
(``totalCount`` + ``imdata``) and :meth:`Query.match` decides whether a later :class:`Change` belongs
to it. Both apply the same scope rules, so a subscriber never gets a push for an object its snapshot
could not have contained.

Forms: ``/api/mo/<dn>.json``, ``/api/class/<cls>.json``, ``/api/node/mo/<dn>.json``,
``/api/node/class/<cls>.json`` and ``/api/node/class/<dn>/<cls>.json`` (a class query limited to the
subtree of ``<dn>``, e.g. ``topology/pod-1/node-101``). Brackets in DNs arrive raw, the path must
already be percent-decoded. Options: ``query-target``, ``target-subtree-class``,
``query-target-filter``, ``rsp-subtree``, ``rsp-subtree-class``, ``rsp-subtree-filter``,
``rsp-subtree-include``, ``rsp-prop-include``, ``page``, ``page-size``, ``order-by``; anything else
(``subscription``, ``refresh-timeout``, cache busters) is left to the caller.

Choices where the reference is silent (INF): class results come in creation order unless ordered;
``page`` without ``page-size`` is ignored; ``rsp-subtree-include`` adds its objects under every
returned object, at every level; with ``rsp-subtree=full`` and ``rsp-subtree-class`` the objects on
the way down to a wanted class are returned too, so the tree stays connected.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from .catalogue import Catalogue
from .dn import is_within, join_dn, parent_dn, split_dn
from .errors import bad_request
from .filters import Predicate, as_number, compile_filter
from .mit import Change, Mit, Mo
from .paged_views import views_of

_TARGETS = ("self", "children", "subtree")
_SUBTREE = ("no", "children", "full")
_PROP_INCLUDE = ("all", "naming-only", "config-only")
_RECORD_INCLUDES = {"fault-records": "faultRecord", "event-logs": "eventRecord", "audit-logs": "aaaModLR"}
_INCLUDES = frozenset({"health", "faults", "count", "no-scoped", "required", *_RECORD_INCLUDES})
_HEALTH = frozenset({"healthInst"})
_FAULTS = frozenset({"faultInst", "faultDelegate"})


class Query:
    """A compiled GET: what it selects, how it shapes the reply, and which pushes it would receive.

    ``classes`` is the set of classes :meth:`match` can ever accept (None: any), so a server can
    index subscriptions by class and skip most of them without calling :meth:`match`.
    """

    path: str
    params: dict[str, str]

    def __init__(self, catalogue: Catalogue, path: str, params: Mapping[str, str]) -> None:
        self.catalogue = catalogue
        self.path = path
        self.params = dict(params)
        self.kind, self.dn, self.cls, self.node = _parse_path(catalogue, path)
        get = self.params.get
        self.target = _choice("query-target", get("query-target", "self"), _TARGETS)
        self.target_classes = _class_list(catalogue, "target-subtree-class", get("target-subtree-class"))
        self.filter = _filter(catalogue, "query-target-filter", get("query-target-filter"))
        self.rsp_subtree = _choice("rsp-subtree", get("rsp-subtree", "no"), _SUBTREE)
        self.rsp_classes = _class_list(catalogue, "rsp-subtree-class", get("rsp-subtree-class"), strict=False)
        self.rsp_filter = _filter(catalogue, "rsp-subtree-filter", get("rsp-subtree-filter"))
        self.include = _includes(get("rsp-subtree-include"))
        self.prop_include = _choice("rsp-prop-include", get("rsp-prop-include", "all"), _PROP_INCLUDE)
        self.page, self.page_size = _paging(get("page"), get("page-size"))
        self.order_by = _order_by(catalogue, get("order-by"))
        self.included_classes = (_HEALTH if "health" in self.include else frozenset()) | (
            _FAULTS if "faults" in self.include else frozenset()
        )
        self.classes = self._possible_classes()
        self._in_scope = self._scope_test()
        #: classes of which every change matches (a plain class query: `/api/class/fvTenant.json`), so the
        #: server can skip :meth:`match` for them: tens of thousands of pushes a second go through here.
        self.matches_every: frozenset[str] = (
            frozenset({self.cls}) if self.kind == "class" and self.target == "self" and not self.dn
            and self.filter is None else frozenset())

    def __repr__(self) -> str:
        return f"Query({self.path!r}, {self.params!r})"

    # ------------------------------------------------------------- matching

    def _possible_classes(self) -> frozenset[str] | None:
        if self.target == "self":
            own = self.cls if self.kind == "class" else self.catalogue.class_of_dn(self.dn)
            return None if own is None else frozenset({own}) | self.included_classes
        if self.target_classes is not None:
            return self.target_classes | self.included_classes
        return None

    def _scope_test(self) -> Callable[[str, str], bool]:
        """``in_scope(dn, cls)``: would an object with this DN and class be a target of the query?"""
        base, cls, catalogue = self.dn, self.cls, self.catalogue
        if self.kind == "mo":
            if self.target == "self":
                return lambda dn, c: dn == base
            if self.target == "children":
                return lambda dn, c: dn != base and is_within(dn, base) and parent_dn(dn) == base
            return lambda dn, c: is_within(dn, base)
        if self.target == "self":
            return lambda dn, c: c == cls and is_within(dn, base)
        if self.target == "children":
            return lambda dn, c: is_within(dn, base) and bool(dn) and catalogue.class_of_dn(parent_dn(dn)) == cls
        return lambda dn, c: is_within(dn, base) and cls in (catalogue.class_chain(dn) or ())

    def _targets_class(self, cls: str) -> bool:
        return self.target == "self" or self.target_classes is None or cls in self.target_classes

    def match(self, change: Change, mit: Mit | None = None) -> bool:
        """Would ``change`` be pushed to a subscription made with this query?

        The change's own DN and class must be in scope and pass ``target-subtree-class`` and the
        filter (evaluated on the change's attributes). With ``rsp-subtree-include=health|faults`` a
        ``healthInst`` / fault change also matches when its parent is a target; the filter is then
        checked on the parent's current attributes when ``mit`` is given (and skipped without it).
        """
        cls = change.cls
        classes = self.classes
        if classes is not None and cls not in classes:
            return False
        dn = change.dn
        flt = self.filter
        if self._targets_class(cls) and self._in_scope(dn, cls) and (flt is None or flt(cls, change.attrs)):
            return True
        if cls not in self.included_classes:
            return False
        pdn = parent_dn(dn)
        pcls = self.catalogue.class_of_dn(pdn)
        if pcls is None or not self._targets_class(pcls) or not self._in_scope(pdn, pcls):
            return False
        if flt is None or mit is None:
            return True
        parent = mit.get(pdn)
        return parent is not None and flt(pcls, parent.attrs)

    # --------------------------------------------------------------- reading

    def targets(self, mit: Mit) -> list[Mo]:
        """The objects the query selects, before ordering and paging."""
        if self.kind == "mo":
            base = mit.get(self.dn)
            bases = [] if base is None or base.info.hidden else [base]
        elif self.dn:
            bases = [mo for mo in mit.of_class(self.cls) if is_within(mo.dn, self.dn)]
        else:
            bases = list(mit.of_class(self.cls))
        if self.target == "self":
            found: Iterable[Mo] = bases
        elif self.target == "children":
            found = (child for mo in bases for child in mo.visible_children())
        else:
            found = (sub for mo in bases for sub in mit.walk(mo.dn))
        wanted, flt = self.target_classes, self.filter
        if self.target != "self" and wanted is not None:
            found = (mo for mo in found if mo.cls in wanted)
        if flt is not None:
            found = (mo for mo in found if flt(mo.cls, mo.attrs))
        return list(found)


def compile_query(catalogue: Catalogue, path: str, params: Mapping[str, str]) -> Query:
    """Parse and check a GET path and its options; raises :class:`ApiError` 400 with the reason."""
    return Query(catalogue, path, params)


TOO_BIG_TEXT = "Unable to process the query, result dataset is too big"


def run_query(mit: Mit, query: Query, max_objects: int | None = None) -> tuple[int, list[dict]]:
    """Answer a GET: ``(totalCount, imdata)``; ``totalCount`` counts every result, not just one page.

    ``max_objects``: the most objects one answer may hold (the page when paged); more is the APIC's 400
    "result dataset is too big" (options.py ``max_query_objects``). Included and subtree children do not count.
    A paged query's ordered result is kept for the following pages while the tree stays unchanged
    (paged_views.py), so reading a large class page by page sorts it once, not once per page.
    """
    render = _Renderer(mit, query)
    if "count" in query.include:
        found = str(len(_selected(mit, query, render)))
        return 1, [{"moCount": {"attributes": {"childAction": "", "count": found, "dn": "", "status": ""}}}]
    if query.page_size is None:
        results: Sequence[Mo] = _selected_in_order(mit, query, render)
    else:  # the next pages of this read most likely follow: keep the ordered result for them
        results = views_of(mit).ordered(query, lambda: _selected_in_order(mit, query, render))
    total = len(results)
    if query.page_size is not None:
        start = query.page * query.page_size
        results = results[start : start + query.page_size]
    if max_objects is not None and len(results) > max_objects:
        raise bad_request(TOO_BIG_TEXT)
    if "no-scoped" in query.include and render.has_includes:
        imdata = [render.flat(extra) for mo in results for extra in render.included(mo)]
        return len(imdata), imdata
    return total, [render.mo(mo) for mo in results]


def _selected(mit: Mit, query: Query, render: _Renderer) -> list[Mo]:
    """The query's objects in the tree's order; with ``rsp-subtree-include=required`` only those with includes."""
    results = query.targets(mit)
    if "required" in query.include:
        results = [mo for mo in results if render.included(mo)]
    return results


def _selected_in_order(mit: Mit, query: Query, render: _Renderer) -> list[Mo]:
    """What a query returns, before paging: its objects sorted by its ``order-by`` keys."""
    results = _selected(mit, query, render)
    for cls, prop, descending in reversed(query.order_by):
        results = _ordered(results, cls, prop, descending)
    return results


class _Renderer:
    """Shapes result objects: property selection, returned subtree and included health/faults/records."""

    def __init__(self, mit: Mit, query: Query) -> None:
        self.mit = mit
        self.query = query
        self.records = tuple(cls for name, cls in _RECORD_INCLUDES.items() if name in query.include)
        self.has_includes = bool(query.included_classes or self.records)

    def attributes(self, mo: Mo) -> dict[str, str]:
        mode = self.query.prop_include
        if mode == "all":
            return dict(mo.attrs)
        info = mo.info
        keep = info.naming if mode == "naming-only" else info.props
        out = {"dn": mo.dn}
        out.update((key, mo.attrs[key]) for key in keep if key in mo.attrs)
        return out

    def flat(self, mo: Mo) -> dict[str, Any]:
        return {mo.cls: {"attributes": self.attributes(mo)}}

    def mo(self, mo: Mo) -> dict[str, Any]:
        body: dict[str, Any] = {"attributes": self.attributes(mo)}
        mode = self.query.rsp_subtree
        kids = self.full(mo) if mode == "full" else self.children(mo) if mode == "children" else []
        if self.has_includes:
            shown = {next(iter(kid.values()))["attributes"].get("dn") for kid in kids}
            kids.extend(self.flat(extra) for extra in self.included(mo) if extra.dn not in shown)
        if kids:
            body["children"] = kids
        return {mo.cls: body}

    def wanted(self, mo: Mo) -> bool:
        classes, flt = self.query.rsp_classes, self.query.rsp_filter
        return (classes is None or mo.cls in classes) and (flt is None or flt(mo.cls, mo.attrs))

    def children(self, mo: Mo) -> list[dict[str, Any]]:
        return [self.leaf(child) for child in mo.visible_children() if self.wanted(child)]

    def leaf(self, mo: Mo) -> dict[str, Any]:
        """A returned child: its attributes plus its own included objects (no deeper subtree)."""
        body: dict[str, Any] = {"attributes": self.attributes(mo)}
        if self.has_includes:
            extras = [self.flat(extra) for extra in self.included(mo)]
            if extras:
                body["children"] = extras
        return {mo.cls: body}

    def full(self, mo: Mo) -> list[dict[str, Any]]:
        out = []
        for child in mo.visible_children():
            below = self.full(child)
            if self.wanted(child) or below:
                body: dict[str, Any] = {"attributes": self.attributes(child)}
                if self.has_includes:
                    shown = {next(iter(kid.values()))["attributes"].get("dn") for kid in below}
                    below.extend(self.flat(extra) for extra in self.included(child) if extra.dn not in shown)
                if below:
                    body["children"] = below
                out.append({child.cls: body})
        return out

    def included(self, mo: Mo) -> list[Mo]:
        """Health and fault children, and history records about ``mo``, as the include asks."""
        extras = []
        classes = self.query.included_classes
        if classes:
            extras.extend(child for child in mo.children.values() if child.cls in classes)
        if self.records:
            subject = self.mit.get(f"subj-[{mo.dn}]")
            if subject is not None:
                extras.extend(rec for rec in subject.children.values() if rec.cls in self.records)
        return extras


# ------------------------------------------------------------------ parsing


def _parse_path(catalogue: Catalogue, path: str) -> tuple[str, str, str, bool]:
    """``(kind, dn, cls, node)`` from an API path; ``dn`` is the object (mo) or the scope (class)."""
    rest = path[1:] if path.startswith("/") else path
    if not rest.startswith("api/"):
        raise bad_request(f"Request failed, {path} is not an API path (expected /api/mo/... or /api/class/...)")
    rest = rest[4:]
    node = rest.startswith("node/")
    if node:
        rest = rest[5:]
    for suffix in (".json", ".xml"):
        if rest.endswith(suffix):
            rest = rest[: -len(suffix)]
            break
    else:
        raise bad_request(f"Request failed, {path} must end in .json or .xml")
    if rest.startswith("mo/"):
        dn = rest[3:]
        split_dn(dn)
        return "mo", dn, "", node
    if rest.startswith("class/"):
        rns = split_dn(rest[6:])
        if not rns:
            raise bad_request(f"Request failed, {path} names no class")
        cls = catalogue.require(rns[-1]).name
        return "class", join_dn(rns[:-1]), cls, node
    raise bad_request(
        f"Request failed, {path} is not a query path (expected /api/mo/<dn>.json or /api/class/<class>.json)"
    )


def _choice(option: str, value: str, choices: tuple[str, ...]) -> str:
    if value not in choices:
        raise bad_request(f"Request failed, invalid value '{value}' for {option}; use one of {', '.join(choices)}")
    return value


def _class_list(catalogue: Catalogue, option: str, value: str | None, strict: bool = True) -> frozenset[str] | None:
    """A comma-separated class list. ``strict=False`` lets names outside the catalogue through (they
    select nothing): cisco.aci modules list every child class they know in ``rsp-subtree-class``, and
    the simulator models only part of the real class tree."""
    if value is None:
        return None
    names = [name.strip() for name in value.split(",") if name.strip()]
    if not names:
        raise bad_request(f"Request failed, {option} is empty; give one or more class names separated by commas")
    if not strict:
        return frozenset(names)
    return frozenset(catalogue.require(name).name for name in names)


def _filter(catalogue: Catalogue, option: str, value: str | None) -> Predicate | None:
    return None if value is None else compile_filter(value, catalogue, option)


def _includes(value: str | None) -> frozenset[str]:
    if value is None:
        return frozenset()
    items = frozenset(item.strip() for item in value.split(",") if item.strip())
    unknown = sorted(items - _INCLUDES)
    if unknown:
        raise bad_request(
            f"Request failed, invalid value '{unknown[0]}' for rsp-subtree-include; "
            f"use any of {', '.join(sorted(_INCLUDES))}"
        )
    return items


def _paging(page: str | None, size: str | None) -> tuple[int, int | None]:
    if size is None:
        return 0, None
    if not size.isdigit() or int(size) == 0:
        raise bad_request(f"Request failed, invalid value '{size}' for page-size; use a positive integer")
    if page is not None and not page.isdigit():
        raise bad_request(f"Request failed, invalid value '{page}' for page; use 0 or a positive integer")
    return int(page or 0), int(size)


def _order_by(catalogue: Catalogue, value: str | None) -> list[tuple[str, str, bool]]:
    if value is None:
        return []
    keys = []
    for item in value.split(","):
        spec, _, direction = item.strip().partition("|")
        cls, dot, prop = spec.partition(".")
        if not dot or not prop:
            raise bad_request(f"Request failed, invalid value '{item}' for order-by; use <class>.<property>[|asc|desc]")
        info = catalogue.require(cls)
        if prop not in info.all_props:
            raise bad_request(
                f"Request failed, invalid value '{item}' for order-by: class {cls} has no property {prop}"
            )
        direction = direction or "asc"
        if direction not in ("asc", "desc"):
            raise bad_request(f"Request failed, invalid direction '{direction}' in order-by; use asc or desc")
        keys.append((cls, prop, direction == "desc"))
    return keys


def _dn_of(mo: Mo) -> str:
    return mo.dn


def _ordered(mos: list[Mo], cls: str, prop: str, descending: bool) -> list[Mo]:
    """Sort the objects of ``cls`` by ``prop`` (numbers numerically, before words); others keep their place after."""
    own = [mo for mo in mos if mo.cls == cls]
    others = [mo for mo in mos if mo.cls != cls]
    if prop == "dn":  # never a number: plain text order, without a key per object (paging a large class)
        own.sort(key=_dn_of, reverse=descending)
        return own + others

    def key(mo: Mo) -> tuple[int, float, str]:
        value = mo.attrs.get(prop, "")
        number = as_number(value)
        return (0, number, "") if number is not None else (1, 0.0, value)

    own.sort(key=key, reverse=descending)
    return own + others
