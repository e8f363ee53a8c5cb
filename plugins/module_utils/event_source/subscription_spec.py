# Copyright: (c) 2026, fabricops maintainers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The ``subscriptions`` argument: named queries, validated and turned into the URL that subscribes.

Each subscription is a class, a DN or a raw API path, plus the APIC query options users need. A bare
string is shorthand for a class subscription named after the class. Paging is refused on purpose:
reconciliation compares a *complete* snapshot with the known state, and a page would make every
object beyond it look deleted.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping

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
KEYS = ("name", *TARGETS, "node", "query_options", *(pair[0] for pair in QUERY_KEYS))
# Options the source writes itself, or that would break reconciliation.
_REFUSED = {
    "subscription": "the source adds subscription=yes itself",
    "refresh-timeout": "set the source's refresh_timeout option instead",
    "page": "reconciliation needs the complete result; remove paging",
    "page-size": "reconciliation needs the complete result; remove paging",
}
_PATH = re.compile(r"^/api/[^?#\s]+\.json$")
_NAME = re.compile(r"^[A-Za-z0-9_.:/\[\]-]{1,200}$")


class SubscriptionSpec:
    """One validated subscription: its name and the URL (path + query, without subscription=yes)."""

    __slots__ = ("name", "url")

    def __init__(self, name: str, url: str) -> None:
        self.name = name
        self.url = url

    def subscribe_url(self, refresh_timeout: int) -> str:
        """The URL that subscribes: the query plus ``subscription=yes&refresh-timeout=N``."""
        separator = "&" if "?" in self.url else "?"
        return f"{self.url}{separator}subscription=yes&refresh-timeout={refresh_timeout}"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, SubscriptionSpec) and (self.name, self.url) == (other.name, other.url)

    __hash__ = None

    def __repr__(self) -> str:
        return f"SubscriptionSpec({self.name!r}, {self.url!r})"


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
        extra = [key for key in item if key not in ("name", "path") and item[key] not in (None, "")]
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
        specs.append(SubscriptionSpec(name, url))
    return tuple(specs)
