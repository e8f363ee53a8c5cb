"""Load a seed file into a tree: the fabric a fresh simulator starts with.

A seed holds ``tree`` (MO bodies posted at the root, exactly as a client would POST them),
``objects`` (created with system rights, for what clients cannot write: faults, records,
operational state) and ``health`` (scores set through the tree's ``set_health``). Everything loads in
one batch, before anyone listens, so a fresh simulator has history but no pending changes.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any, Protocol

from .errors import ApiError

DEFAULT_SEED = Path(__file__).with_name("data") / "default_fabric.json"


class SeedTarget(Protocol):
    """What a seed writes through: the tree's own write calls, so this module needs no tree type."""

    def batch(self) -> AbstractContextManager[None]: ...

    def post(self, dn: str, body: Mapping[str, Any]) -> object: ...

    def create(self, cls: str, dn: str, attrs: Mapping[str, str] | None = None) -> object: ...

    def set_health(self, dn: str, cur: int, max_sev: str | None = None) -> object: ...


def load_seed(mit: SeedTarget, path: str | Path | None = None) -> None:
    """Apply the seed at ``path`` (default: the packaged default fabric) to ``mit``.

    A seed that does not fit the catalogue raises ``ValueError`` naming the file and the APIC error,
    so a broken data file fails loudly at start-up rather than as an odd query result later.
    """
    source = Path(path or DEFAULT_SEED)
    data = json.loads(source.read_text(encoding="utf-8"))
    try:
        with mit.batch():
            for body in data.get("tree", ()):
                mit.post("", body)
            for obj in data.get("objects", ()):
                mit.create(obj["class"], obj["dn"], obj.get("attributes", {}))
            for health in data.get("health", ()):
                mit.set_health(health["dn"], int(health["cur"]), health.get("maxSev"))
    except ApiError as exc:
        raise ValueError(f"seed file {source}: {exc.text}") from exc
