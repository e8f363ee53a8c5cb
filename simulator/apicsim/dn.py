"""Distinguished names: split, join, parent and RN, with APIC bracket rules.

A DN is ``rn/rn/rn``; an RN whose naming value contains ``/`` wraps it in brackets
(``subnet-[10.0.0.1/24]``), and brackets nest (``subnetBddefDn-[uni/bd-[uni/tn-x/BD-y]-isSvc-no]``),
so a ``/`` only separates RNs at bracket depth 0. URLs carry the brackets raw, so the same parser
serves paths and attributes. The common case (no bracket) takes a plain ``str.split`` fast path
because the model splits DNs on every write.
"""

from __future__ import annotations

from collections.abc import Iterable

from .errors import bad_request


def split_dn(dn: str) -> list[str]:
    """Split a DN into its RNs; ``""`` (the root) gives ``[]``.

    Raises :class:`ApiError` 400 for unbalanced brackets or an empty RN (``uni//tn-a``), because a
    real APIC cannot resolve such a name either.
    """
    if not dn:
        return []
    rns = dn.split("/") if "[" not in dn and "]" not in dn else _split_bracketed(dn)
    if "" in rns:
        raise bad_request(f"Request failed, malformed dn '{dn}': empty relative name")
    return rns


def _split_bracketed(dn: str) -> list[str]:
    rns: list[str] = []
    depth = 0
    start = 0
    for i, ch in enumerate(dn):
        if ch == "[":
            depth += 1
        elif ch == "]":
            depth -= 1
            if depth < 0:
                break
        elif ch == "/" and depth == 0:
            rns.append(dn[start:i])
            start = i + 1
    if depth != 0:
        raise bad_request(f"Request failed, malformed dn '{dn}': unbalanced brackets")
    rns.append(dn[start:])
    return rns


def join_dn(rns: Iterable[str]) -> str:
    """Join RNs into a DN; empty RNs (the root's) are skipped so ``join_dn(["", "uni"]) == "uni"``."""
    return "/".join(rn for rn in rns if rn)


def parent_dn(dn: str) -> str:
    """The parent's DN; the parent of a top-level RN (``uni``) is the root ``""``."""
    if "[" not in dn:
        return dn.rpartition("/")[0]
    return join_dn(split_dn(dn)[:-1])


def rn_of(dn: str) -> str:
    """The last RN of ``dn`` (``""`` for the root)."""
    if "[" not in dn:
        return dn.rpartition("/")[2]
    rns = split_dn(dn)
    return rns[-1] if rns else ""


def is_within(dn: str, ancestor: str) -> bool:
    """True when ``dn`` is ``ancestor`` or lies below it.

    A plain prefix test is enough once ``ancestor`` is a well-formed DN: its brackets are balanced,
    so the ``/`` that follows it is at depth 0 and really starts the next RN.
    """
    if not ancestor:
        return True
    return dn == ancestor or dn.startswith(ancestor + "/")
