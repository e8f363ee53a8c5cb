# Copyright: (c) 2026, fabricops maintainers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Desired vs existing managed-object trees: what changed, what to post, what to show in ``--diff``.

Pure functions only, so idempotency is decided in one tested place. Only what the user declared is
compared: attributes they did not mention, and children they did not list, are left alone (the APIC
merges a POST into the existing object). Children are matched to existing children of the same class
by the first naming property the desired child carries (``rn``, ``name``, ``ip``, ``tDn``, ``addr``,
``mac``); a child with none of them (``fvRsCtx``, ``fvRsBd``...) is a per-class singleton.
"""

from __future__ import annotations

from ansible_collections.fabricops.aci.plugins.module_utils.core.dn import rn_of
from ansible_collections.fabricops.aci.plugins.module_utils.core.query import check_class_name

NAMING_PROPS = ("rn", "name", "ip", "tDn", "addr", "mac")
# Never compared: they identify the object or describe the request, not its configuration.
_NOT_COMPARED = frozenset(("dn", "rn", "status"))


def attribute_value(name: str, value: object) -> str:
    """The APIC's string form of an attribute value (booleans as yes/no)."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (int, float, str)):
        return str(value)
    raise ValueError(f"attribute {name!r}: give a string, number or boolean, not {type(value).__name__}")


def node(cls: str, attributes: dict | None = None, children: list | None = None) -> dict:
    """A tree node in the canonical internal form."""
    return {"class": cls, "attributes": dict(attributes or {}), "children": list(children or [])}


def from_apic(obj: dict, where: str = "children") -> dict:
    """Canonical node from the APIC's ``{"<class>": {"attributes": {...}, "children": [...]}}`` form.

    ``where`` names the option in error messages, since user input comes through here too.
    """
    if not isinstance(obj, dict) or len(obj) != 1:
        raise ValueError(f"{where}: each object must be a mapping with exactly one class name as its key, "
                         "e.g. {{'fvBD': {{'attributes': {{'name': 'web'}}}}}}")
    ((cls, body),) = obj.items()
    check_class_name(cls)
    body = body or {}
    if not isinstance(body, dict):
        raise ValueError(f"{where}: the value of {cls} must be a mapping with 'attributes' and 'children'")
    unknown = set(body) - {"attributes", "children"}
    if unknown:
        raise ValueError(f"{where}: {cls} has unknown keys {sorted(unknown)}; use 'attributes' and 'children'")
    attributes = {key: attribute_value(key, value) for key, value in (body.get("attributes") or {}).items()}
    children = [from_apic(child, where) for child in body.get("children") or []]
    return node(cls, attributes, children)


def to_apic(tree: dict) -> dict:
    """The APIC JSON form of a canonical node (``children`` only when there are some)."""
    body = {"attributes": dict(tree["attributes"])}  # type: dict
    if tree["children"]:
        body["children"] = [to_apic(child) for child in tree["children"]]
    return {tree["class"]: body}


def child_key(tree: dict) -> tuple:
    """``(class, naming property, value)``; property and value are None for a per-class singleton."""
    for prop in NAMING_PROPS:
        if prop in tree["attributes"]:
            return tree["class"], prop, tree["attributes"][prop]
    return tree["class"], None, None


def _existing_value(tree: dict, prop: str) -> str | None:
    if prop == "rn":
        attributes = tree["attributes"]
        return attributes.get("rn") or (rn_of(attributes["dn"]) if attributes.get("dn") else None)
    return tree["attributes"].get(prop)


def find_child(desired: dict, existing_children: list) -> dict | None:
    """The existing child that ``desired`` refers to, or None when it does not exist yet."""
    cls, prop, value = child_key(desired)
    same_class = [child for child in existing_children if child["class"] == cls]
    if prop is None:
        return same_class[0] if len(same_class) == 1 else None
    for child in same_class:
        if _existing_value(child, prop) == value:
            return child
    return None


def _plan(desired: dict, existing: dict | None, identity: dict) -> dict:
    """Plan one node; ``identity`` holds the attributes that must be in the payload to address it."""
    declared = {k: v for k, v in desired["attributes"].items() if k not in _NOT_COMPARED}
    have = existing["attributes"] if existing else {}
    changed_attrs = {k: v for k, v in declared.items() if have.get(k) != v}
    children = [_plan(child, find_child(child, existing["children"] if existing else []),
                      _identity_of(child)) for child in desired["children"]]
    changed = existing is None or bool(changed_attrs) or any(child["changed"] for child in children)
    payload = None
    if changed:
        attributes = dict(identity)
        attributes.update(declared if existing is None else changed_attrs)
        payload = node(desired["class"], attributes, [c["payload"] for c in children if c["changed"]])
    before = None
    if existing is not None:
        before = node(desired["class"], {k: have[k] for k in declared if k in have},
                      [c["before"] for c in children if c["before"] is not None])
    after = node(desired["class"], dict(declared), [c["after"] for c in children])
    return {"changed": changed, "payload": payload, "before": before, "after": after}


def _identity_of(child: dict) -> dict:
    _cls, prop, value = child_key(child)
    return {prop: value} if prop else {}


def plan(desired: dict, existing: dict | None, dn: str) -> dict:
    """Decide what a present-state run does.

    Returns ``changed``, ``payload`` (APIC JSON to POST, or None), and ``before``/``after`` (APIC JSON
    views restricted to what was declared, ``{}`` for before when the object does not exist).
    """
    if existing is not None and existing["class"] != desired["class"]:
        raise ValueError(f"dn: {dn} holds a {existing['class']} object, not a {desired['class']}; "
                         "fix class_name or dn")
    result = _plan(desired, existing, {"dn": dn})
    return {
        "changed": result["changed"],
        "payload": to_apic(result["payload"]) if result["payload"] else None,
        "before": to_apic(result["before"]) if result["before"] else {},
        "after": to_apic(result["after"]),
    }


def predicted_attributes(existing: dict | None, desired: dict, dn: str) -> dict:
    """The object's attributes as they will be after the POST (for check mode's ``current``)."""
    attributes = dict(existing["attributes"]) if existing else {"dn": dn}
    attributes.update({k: v for k, v in desired["attributes"].items() if k != "status"})
    return attributes
