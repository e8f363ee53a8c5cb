"""The class catalogue: which MO classes exist, how they are named, where they may live.

The catalogue is data (``data/classes.json``) so that adding a class is an edit of a file, not of
code. This module turns each entry into a :class:`ClassInfo` with everything the model needs
precomputed once (merged defaults, the RN pattern, allowed children per parent), because the MIT
consults it on every write and the subscription matcher on every push.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

from .dn import split_dn
from .errors import ApiError, bad_request

DEFAULT_PATH = Path(__file__).with_name("data") / "classes.json"

#: Accepted in a posted body and in filters but never stored: the RN is implied by the DN.
IGNORED_ON_WRITE = frozenset({"rn", "childAction", "status", "dn"})

_FIELD = re.compile(r"\{(\w+)\}")
_BRACKETED_FIELD = re.compile(r"\[\{(\w+)\}\]")
_CACHE_LIMIT = 200_000


@dataclass(frozen=True, eq=False)
class ClassInfo:
    """One MO class: naming rule, parents, category and property defaults.

    ``props`` are the properties a client may write (with their defaults), ``oper`` the ones the
    system maintains (posting them is tolerated and ignored, as clients often echo a GET back).
    """

    name: str
    rn_format: str
    naming: tuple[str, ...]
    parents: tuple[str, ...]
    category: str
    props: Mapping[str, str]
    oper: Mapping[str, str] = field(default_factory=dict)
    label: str = ""
    description: str = ""
    implicit: tuple[tuple[str, Mapping[str, str]], ...] = ()
    write_only: frozenset[str] = frozenset()
    relation: Mapping[str, str] | None = None
    hidden: bool = False
    #: every property name a GET can return (props + oper + universal), for filter validation.
    all_props: frozenset[str] = frozenset()
    #: the attribute dict of a fresh object (dn left empty), copied on every create.
    defaults: Mapping[str, str] = field(default_factory=dict)
    rn_regex: re.Pattern[str] | None = None
    rn_literal: str = ""
    #: naming properties whose value sits in brackets, so it may contain ``/``.
    bracketed: frozenset[str] = frozenset()


def _rn_pattern(rn_format: str) -> tuple[re.Pattern[str] | None, str]:
    """Compile an RN format (``subnet-[{ip}]``) to a regex and return its literal prefix.

    Every field is greedy: the only multi-field format with brackets (``fd-[{affected}]-fault-{code}``)
    then backtracks to the last ``]-fault-``, which is the right split even for nested brackets.
    """
    parts = _FIELD.split(rn_format)
    if len(parts) == 1:
        return None, rn_format
    regex = ""
    for i, part in enumerate(parts):
        regex += re.escape(part) if i % 2 == 0 else f"(?P<{part}>.+)"
    return re.compile(regex), parts[0]


def _build(name: str, entry: Mapping[str, Any], templates: Mapping[str, Mapping[str, Any]]) -> ClassInfo:
    template = templates.get(entry["template"], {}) if "template" in entry else {}
    if "template" in entry and not template:
        raise ValueError(f"class {name}: unknown template {entry['template']!r} in the catalogue")
    props = {**template.get("props", {}), **entry.get("props", {})}
    oper = {**template.get("oper", {}), **entry.get("oper", {})}
    rn_format = entry["rn"]
    naming = tuple(_FIELD.findall(rn_format))
    for prop in naming:
        props.setdefault(prop, "")
    write_only = frozenset(entry.get("write_only", ()))
    # Sorted, because a real APIC lists attributes alphabetically and creates copy this order.
    defaults = dict(sorted({**props, **oper, "childAction": "", "dn": "", "status": ""}.items()))
    regex, literal = _rn_pattern(rn_format)
    implicit = tuple(
        (cls, MappingProxyType(dict(attrs))) for item in entry.get("implicit", ()) for cls, attrs in item.items()
    )
    relation = entry.get("relation")
    return ClassInfo(
        name=name,
        rn_format=rn_format,
        naming=naming,
        parents=tuple(entry.get("parents", ())),
        category=entry["category"],
        props=MappingProxyType(props),
        oper=MappingProxyType(oper),
        label=entry.get("label", ""),
        description=entry.get("description", ""),
        implicit=implicit,
        write_only=write_only,
        relation=MappingProxyType(dict(relation)) if relation else None,
        hidden=bool(entry.get("hidden", False)),
        all_props=frozenset(defaults) | write_only | {"rn"},
        defaults=MappingProxyType(defaults),
        rn_regex=regex,
        rn_literal=literal,
        bracketed=frozenset(_BRACKETED_FIELD.findall(rn_format)),
    )


class Catalogue:
    """All known classes, with name lookup, RN parsing/building and DN-to-class resolution."""

    def __init__(self, classes: Mapping[str, ClassInfo]) -> None:
        self._classes = dict(classes)
        self._children: dict[str, list[ClassInfo]] = {}
        for info in self._classes.values():
            for parent in info.parents:
                if parent.startswith("@"):
                    for other in self._classes.values():
                        if other.category == parent[1:] and not other.hidden and other.parents:
                            self._children.setdefault(other.name, []).append(info)
                else:
                    self._children.setdefault(parent, []).append(info)
        # Literal RNs first, then longer literal prefixes: "fault-{code}" must not shadow "fd-[..]-fault-..".
        for kids in self._children.values():
            kids.sort(key=lambda c: (c.rn_regex is not None, -len(c.rn_literal)))
        self._dn_cache: dict[str, tuple[str, ...] | None] = {}

    @classmethod
    def load(cls, path: str | Path | None = None) -> Catalogue:
        """Read a catalogue file (default: the packaged ``data/classes.json``)."""
        data = json.loads(Path(path or DEFAULT_PATH).read_text(encoding="utf-8"))
        templates = data.get("templates", {})
        return cls({name: _build(name, entry, templates) for name, entry in data["classes"].items()})

    def __contains__(self, name: object) -> bool:
        return name in self._classes

    def __iter__(self):
        return iter(self._classes.values())

    def __len__(self) -> int:
        return len(self._classes)

    def get(self, name: str) -> ClassInfo | None:
        """The class called ``name``, or None."""
        return self._classes.get(name)

    def require(self, name: str) -> ClassInfo:
        """The class called ``name``; a query naming an unknown (or internal) class gets the real APIC 400."""
        info = self._classes.get(name)
        if info is None or info.hidden:
            raise bad_request(f"Request failed, unresolved class for {name}")
        return info

    def may_contain(self, parent_cls: str, child: ClassInfo) -> bool:
        """Whether ``child`` may live under an object of ``parent_cls``."""
        return child in self._children.get(parent_cls, ())

    def class_for_rn(self, parent_cls: str, rn: str) -> ClassInfo | None:
        """Which class an RN names when it sits under ``parent_cls`` (None when no class fits)."""
        for info in self._children.get(parent_cls, ()):
            if info.rn_regex is None:
                if rn == info.rn_literal:
                    return info
            elif rn.startswith(info.rn_literal) and info.rn_regex.fullmatch(rn):
                return info
        return None

    def naming_values(self, info: ClassInfo, rn: str) -> dict[str, str]:
        """The naming property values encoded in ``rn`` (``subnet-[10.0.0.1/24]`` -> ``{"ip": ...}``)."""
        if info.rn_regex is None:
            return {}
        match = info.rn_regex.fullmatch(rn)
        return dict(match.groupdict()) if match else {}

    def make_rn(self, cls: str | ClassInfo, attrs: Mapping[str, str]) -> str:
        """Build the RN of an object of ``cls`` from its naming properties.

        A missing or empty naming value, or one that would break the DN (``/`` or a bracket in an
        unbracketed field), is refused with the APIC's property-validation error (code 801).
        """
        info = cls if isinstance(cls, ClassInfo) else self.require(cls)
        if not info.naming:
            return info.rn_format
        bracketed = info.bracketed
        values = {}
        for prop in info.naming:
            value = attrs.get(prop, "")
            if not isinstance(value, str):
                value = str(value)
            if not value or (prop not in bracketed and any(c in value for c in "/[]")):
                partial = info.rn_literal + value
                raise ApiError(400, 801, f"property {prop} of {partial} failed validation for value '{value}'")
            values[prop] = value
        return info.rn_format.format(**values)

    def class_chain(self, dn: str) -> tuple[str, ...] | None:
        """Classes from the root's first child down to ``dn`` itself, or None if a step is unknown.

        Cached, because subscription matching asks this for every pushed change's parent.
        """
        cached = self._dn_cache.get(dn)
        if cached is not None or dn in self._dn_cache:
            return cached
        try:
            rns = split_dn(dn)
        except ApiError:
            rns = None
        chain: list[str] | None = [] if rns is not None else None
        current = "topRoot"
        for rn in rns or ():
            info = self.class_for_rn(current, rn)
            if info is None:
                chain = None
                break
            current = info.name
            chain.append(current)
        result = tuple(chain) if chain is not None else None
        if len(self._dn_cache) >= _CACHE_LIMIT:
            self._dn_cache.clear()
        self._dn_cache[dn] = result
        return result

    def class_of_dn(self, dn: str) -> str | None:
        """The class of the object a DN names, resolved RN by RN from the root (``""`` is topRoot)."""
        if not dn:
            return "topRoot"
        chain = self.class_chain(dn)
        return chain[-1] if chain else None
