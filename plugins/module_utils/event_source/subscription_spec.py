# Copyright: (c) 2026, fabricops maintainers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The ``subscriptions`` argument: named queries, validated and turned into the URL that subscribes.

Each subscription is a class, a DN or a raw API path, plus the APIC query options users need, plus
options of the source itself that shape its events: which ``modified`` changes become events
(``modified_attributes``, ``fold_window``) and whether they name who made them (``changed_by``). A bare
string is shorthand for a class subscription named after the class. ``page``, ``page-size`` and
``order-by`` are refused: the source pages the snapshot itself (``page_size``, ordered by DN so the
pages do not move), and reconciles only once every page is read, since a single page would make every
object beyond it look deleted.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping

from ansible_collections.fabricops.aci.plugins.module_utils.core.connection import to_bool
from ansible_collections.fabricops.aci.plugins.module_utils.core.query import (
    build_url,
    check_class_name,
    class_path,
    mo_path,
)

OPTION = "subscriptions"
# subscription key -> APIC query option, in the order they are written into the URL.
QUERY_KEYS = (
    ("query_target", "query-target"),
    ("target_subtree_class", "target-subtree-class"),
    ("query_target_filter", "query-target-filter"),
    ("rsp_subtree", "rsp-subtree"),
    ("rsp_subtree_class", "rsp-subtree-class"),
    ("rsp_subtree_include", "rsp-subtree-include"),
    ("rsp_prop_include", "rsp-prop-include"),
)
CHOICES = {
    "query_target": ("self", "children", "subtree"),
    "rsp_subtree": ("no", "children", "full"),
    "rsp_prop_include": ("all", "naming-only", "config-only"),
}
TARGETS = ("class", "dn", "path")
# Keys that shape the events, not the query.
EVENT_KEYS = ("modified_attributes", "fold_window", "changed_by")
KEYS = ("name", *TARGETS, "node", "query_options", *(pair[0] for pair in QUERY_KEYS), *EVENT_KEYS)
DEFAULT_PAGE_SIZE = 10_000  # objects per snapshot page; acitoolkit pages with the same size
MIN_PAGE_SIZE = 10  # the smallest page the source falls back to when the APIC finds a page too big
MAX_FOLD_WINDOW = 3600.0
# Options the source writes itself, or that would break reconciliation.
_REFUSED = {
    "subscription": "the source adds subscription=yes itself",
    "refresh-timeout": "set the source's refresh_timeout option instead",
    "page": "the source pages snapshots itself; set its page_size option instead",
    "page-size": "the source pages snapshots itself; set its page_size option instead",
    "order-by": "the source orders the snapshot's pages itself (by DN)",
}
_PATH = re.compile(r"^/api/[^?#\s]+\.json$")
_CLASS_PATH = re.compile(r"^/api/(?:node/)?class/(?:.*/)?([A-Za-z][A-Za-z0-9]*)\.json$")
_NAME = re.compile(r"^[A-Za-z0-9_.:/\[\]-]{1,200}$")


class SubscriptionSpec:
    """One validated subscription: its name, the URL (path + query, without subscription=yes), and which
    ``modified`` changes become events (``modified_attributes``: None for all; ``fold_window``: 0 for no
    folding), and whether its events name who made the change (``changed_by``: None for the source's
    option of that name)."""

    __slots__ = ("changed_by", "fold_window", "modified_attributes", "name", "order_class", "url")

    def __init__(self, name: str, url: str, modified_attributes: frozenset | None = None,
                 fold_window: float = 0.0, changed_by: bool | None = None) -> None:
        self.name = name
        self.url = url
        self.modified_attributes = modified_attributes
        self.fold_window = fold_window
        self.changed_by = changed_by
        match = _CLASS_PATH.match(url.split("?", 1)[0])
        # The class a class query returns, whose DN orders the pages (None for DN queries: the APIC's own order)
        self.order_class = match.group(1) if match else None

    def _with(self, options: str) -> str:
        separator = "&" if "?" in self.url else "?"
        return f"{self.url}{separator}{options}"

    def _paging(self, page: int, page_size: int) -> str:
        order = f"order-by={self.order_class}.dn&" if self.order_class else ""
        return f"{order}page={page}&page-size={page_size}"

    def subscribe_url(self, refresh_timeout: int, page_size: int = 0) -> str:
        """The URL that subscribes: the query plus ``subscription=yes&refresh-timeout=N``; with ``page_size``,
        its answer holds the first page, in DN order (the subscription still covers the whole result)."""
        paging = f"&{self._paging(0, page_size)}" if page_size else ""
        return self._with(f"subscription=yes&refresh-timeout={refresh_timeout}{paging}")

    def page_url(self, page: int, page_size: int) -> str:
        """A plain query for one later page of the snapshot (same order as the subscribing query)."""
        return self._with(self._paging(page, page_size))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, SubscriptionSpec) and (
            self.name, self.url, self.modified_attributes, self.fold_window, self.changed_by) == (
            other.name, other.url, other.modified_attributes, other.fold_window, other.changed_by)

    __hash__ = None

    def __repr__(self) -> str:
        return f"SubscriptionSpec({self.name!r}, {self.url!r})"


def audit_log_spec() -> SubscriptionSpec:
    """The audit log subscription behind ``changed_by``: every new ``aaaModLR`` is pushed, and its answer
    holds one record at most (the records already written name changes the source will never emit)."""
    spec = SubscriptionSpec("changed_by audit log", "/api/class/aaaModLR.json")
    spec.order_class = None  # one record, in the APIC's own order: nothing to sort
    return spec


def smaller_page_size(page_size: int) -> int | None:
    """The page size to try after the APIC found a result of ``page_size`` objects too big (0: unpaged),
    or None when none is left."""
    if not page_size:
        return DEFAULT_PAGE_SIZE
    smaller = page_size // 10
    return smaller if smaller >= MIN_PAGE_SIZE else None


def _where(index: int, key: str | None = None) -> str:
    return f"{OPTION}[{index}]" + (f".{key}" if key else "")


def _text(index: int, key: str, value: object) -> str:
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise ValueError(f"{_where(index, key)}: expected text, got {type(value).__name__}")
    text = str(value).strip()
    if not text:
        raise ValueError(f"{_where(index, key)}: must not be empty")
    return text


def _text_or_list(index: int, key: str, value: object) -> str:
    """Comma-separated text or a list of names (target_subtree_class: [fvBD, fvCtx])."""
    if isinstance(value, (list, tuple)):
        if not value:
            raise ValueError(f"{_where(index, key)}: must not be an empty list")
        return ",".join(_text(index, key, item) for item in value)
    return _text(index, key, value)


def _query_options(index: int, value: object) -> dict:
    if not isinstance(value, Mapping):
        raise ValueError(f"{_where(index, 'query_options')}: expected a mapping of APIC query options "
                         "such as {'rsp-subtree-include': 'health'}")
    options = {}
    for name, option_value in value.items():
        name = str(name)
        if name in _REFUSED:
            raise ValueError(f"{_where(index, 'query_options')}: '{name}' is not allowed: {_REFUSED[name]}")
        options[name] = _text_or_list(index, f"query_options.{name}", option_value)
    return options


def _check_raw_path(index: int, path: str) -> str:
    base, query = path.split("?", 1) if "?" in path else (path, "")
    if not _PATH.match(base):
        raise ValueError(f"{_where(index, 'path')}: expected an API path such as "
                         f"'/api/class/fvTenant.json?query-target-filter=...', got {path!r}")
    for pair in filter(None, query.split("&")):
        name = pair.split("=", 1)[0]
        if name in _REFUSED:
            raise ValueError(f"{_where(index, 'path')}: '{name}' is not allowed in the path: {_REFUSED[name]}")
    return path


def _item_url(index: int, item: Mapping) -> tuple:
    """(default name, URL) of one subscription mapping."""
    unknown = sorted(str(key) for key in item if key not in KEYS)
    if unknown:
        raise ValueError(f"{_where(index)}: unknown key(s) {', '.join(unknown)}; valid keys are {', '.join(KEYS)}")
    targets = [key for key in TARGETS if item.get(key) not in (None, "")]
    if len(targets) != 1:
        raise ValueError(f"{_where(index)}: give exactly one of class, dn or path")
    target = targets[0]
    value = _text(index, target, item[target])
    if target == "path":
        extra = [key for key in item if key not in ("name", "path", *EVENT_KEYS) and item[key] not in (None, "")]
        if extra:
            raise ValueError(f"{_where(index)}: a raw path carries its own query; remove {', '.join(sorted(extra))}")
        return value, _check_raw_path(index, value)
    if target == "class":
        try:
            check_class_name(value)
        except ValueError as exc:
            raise ValueError(f"{_where(index, 'class')}: {exc}") from None
        node = item.get("node")
        path = class_path(value, _text(index, "node", node) if node not in (None, "") else None)
    else:
        if item.get("node") not in (None, ""):
            raise ValueError(f"{_where(index, 'node')}: only applies to class subscriptions")
        path = mo_path(value)
    options = {}
    for key, option in QUERY_KEYS:
        if item.get(key) in (None, ""):
            continue
        text = _text_or_list(index, key, item[key])
        if key in CHOICES and text not in CHOICES[key]:
            raise ValueError(f"{_where(index, key)}: must be one of {', '.join(CHOICES[key])}, got {text!r}")
        options[option] = text
    if item.get("query_options") is not None:
        options.update(_query_options(index, item["query_options"]))
    try:
        return value, build_url(path, options)
    except ValueError as exc:
        raise ValueError(f"{_where(index)}: {exc}") from None


def _modified_attributes(index: int, value: object) -> frozenset | None:
    """``modified_attributes``: a list (or comma-separated text) of property names, or None for all."""
    if value in (None, ""):
        return None
    if isinstance(value, str):
        value = value.split(",")
    if not isinstance(value, (list, tuple)) or not value:
        raise ValueError(f"{_where(index, 'modified_attributes')}: expected a list of attribute names such as "
                         "[operSt, adminSt]")
    names = frozenset(_text(index, "modified_attributes", name) for name in value)
    for name in names:
        if not re.match(r"^[A-Za-z][A-Za-z0-9_]*$", name):
            raise ValueError(f"{_where(index, 'modified_attributes')}: {name!r} is not an attribute name")
    return names


def _fold_window(index: int, value: object) -> float:
    """``fold_window``: seconds (0 or absent: no folding)."""
    if value in (None, ""):
        return 0.0
    where = _where(index, "fold_window")
    if isinstance(value, bool):
        raise ValueError(f"{where}: expected a number of seconds, got a boolean")
    try:
        seconds = float(str(value).strip()) if not isinstance(value, (int, float)) else float(value)
    except ValueError:
        raise ValueError(f"{where}: expected a number of seconds such as 2, got {value!r}") from None
    if not 0 <= seconds <= MAX_FOLD_WINDOW:
        raise ValueError(f"{where}: must be between 0 and {MAX_FOLD_WINDOW:g} seconds, got {value!r}")
    return seconds


def _changed_by(index: int, value: object) -> bool | None:
    """A subscription's ``changed_by``: true or false (absent: the source's option decides)."""
    return None if value in (None, "") else to_bool(_where(index, "changed_by"), value)


def _as_list(value: object) -> list:
    """The subscriptions as a list: YAML list, JSON text (from --env-vars), or 'clsA,clsB' shorthand."""
    if isinstance(value, str):
        text = value.strip()
        if text.startswith("["):
            try:
                value = json.loads(text)
            except ValueError:
                raise ValueError(f"{OPTION}: the text looks like JSON but does not parse; give a YAML list") from None
        else:
            value = [part.strip() for part in text.split(",") if part.strip()]
    if not isinstance(value, (list, tuple)) or not value:
        raise ValueError(f"{OPTION}: required; give a list such as [{{name: tenants, class: fvTenant}}]")
    return list(value)


def parse_subscriptions(value: object) -> tuple:
    """Validate the ``subscriptions`` argument; ValueError naming the item and key on any mistake."""
    specs = []
    names = set()
    for index, item in enumerate(_as_list(value)):
        if isinstance(item, str):
            item = {"class": item}
        if not isinstance(item, Mapping):
            raise ValueError(f"{_where(index)}: expected a class name or a mapping with name and class, dn or path")
        default_name, url = _item_url(index, item)
        name = _text(index, "name", item["name"]) if item.get("name") not in (None, "") else default_name
        if not _NAME.match(name):
            raise ValueError(f"{_where(index, 'name')}: use letters, digits and - _ . : / [ ] only, got {name!r}")
        if name in names:
            raise ValueError(f"{_where(index, 'name')}: {name!r} is used twice; give each subscription its own name")
        names.add(name)
        specs.append(SubscriptionSpec(name, url, _modified_attributes(index, item.get("modified_attributes")),
                                      _fold_window(index, item.get("fold_window")),
                                      _changed_by(index, item.get("changed_by"))))
    return tuple(specs)
