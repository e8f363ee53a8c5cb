"""Shared by the end-to-end tests of the shipped rulebooks, reaction playbooks and `make demo`.

The runner of the real ansible-rulebook lives in scripts/rulebook_process.py, so the demo and these tests
drive the rulebooks the same way; this module makes it importable and adds what only tests need.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "scripts"))

from rulebook_process import COLLECTIONS, RulebookProcess, contract_files, wait_until  # noqa: E402

INSTALLED = COLLECTIONS / "ansible_collections" / "fabricops" / "aci"
# Simulator tokens are ~128 base64 characters; nothing that long and token-like may be printed.
TOKEN_LIKE = re.compile(r"[A-Za-z0-9+/]{60,}={0,2}")
ONBOARD_PLAY = "Onboard a new tenant with its baseline"
TRIAGE_PLAY = "Triage an object whose health dropped or that raised a fault"

__all__ = ["ONBOARD_PLAY", "TOKEN_LIKE", "TRIAGE_PLAY", "RulebookProcess", "contract_files", "wait_until"]


def require_installed_collection() -> None:
    """Fail (never skip) when the tarball-installed collection is missing."""
    if not (INSTALLED / "MANIFEST.json").exists():
        pytest.fail(f"{INSTALLED} is missing; run `make collection` (make test does)")


def live_subscriptions(apic) -> int:
    """Subscriptions the simulator holds, over all cluster members."""
    return sum(member["subscriptions"] for member in apic.call(apic.control.stats)["members"])


def assert_no_secret(text: str, password: str) -> None:
    """Neither the password nor anything shaped like a session token was printed."""
    assert password not in text, "the password was printed"
    leaked = TOKEN_LIKE.search(text)
    assert not leaked, f"something token-like was printed: {leaked.group(0)[:12]}..."


def read_json(path: Path) -> dict:
    assert path.exists(), f"{path.name} was not written; files there: {sorted(p.name for p in path.parent.glob('*'))}"
    return json.loads(path.read_text())


def children(mo: dict, cls: str) -> list[dict]:
    """Attributes of the direct children of class ``cls`` of an object in the APIC JSON form."""
    ((_, body),) = mo.items()
    return [child[cls]["attributes"] for child in body.get("children", []) if cls in child]
