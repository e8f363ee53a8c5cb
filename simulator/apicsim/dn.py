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
    # Split on every "/" first and glue the pieces that lie inside brackets back together: only pieces that
    # hold a bracket are read character by character (a record DN `subj-[uni/tn-a]/mod-1` is split on each
    # write and delete of an audit record, so a per-character walk of the whole DN showed in profiles).
    rns: list[str] = []
    depth = 0
    pending: list[str] = []
    for piece in dn.split("/"):
        if "[" in piece or "]" in piece:
            for ch in piece:
                if ch == "[":
                    depth += 1
                elif ch == "]":
                    depth -= 1
                    if depth < 0:
                        raise bad_request(f"Request failed, malformed dn '{dn}': unbalanced brackets")
        if depth:
            pending.append(piece)
        elif pending:
            pending.append(piece)
            rns.append("/".join(pending))
            pending = []
        else:
            rns.append(piece)
    if depth != 0:
        raise bad_request(f"Request failed, malformed dn '{dn}': unbalanced brackets")
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
