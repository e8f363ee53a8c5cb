"""What every test that runs the real ansible-rulebook checks around the run, whatever the rulebook.

The runner itself is scripts/rulebook_process.py (shared with `make demo`); this adds the test side: fail
(never skip) without the tarball-installed collection, wait until the event source has subscribed, and,
once the test is done with it, hold ansible-rulebook to what the event source promises when it is stopped.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from rulebook_process import INSTALLED, RulebookProcess, live_subscriptions

SUBSCRIBE_TIMEOUT = 120.0  # JVM start-up on a loaded 2-core machine
# Simulator tokens are ~128 base64 characters; nothing that long and token-like may be printed.
TOKEN_LIKE = re.compile(r"[A-Za-z0-9+/]{60,}={0,2}")


def require_installed_collection() -> None:
    """Fail (never skip) when the tarball-installed collection is missing."""
    if not (INSTALLED / "MANIFEST.json").exists():
        pytest.fail(f"{INSTALLED} is missing; run `make collection` (make test does)")


def login_env(apic, **extra: str) -> dict[str, str]:
    """The ACI_* environment that points ansible-rulebook's event source at ``apic`` (a simulator), plus ``extra``."""
    return {"ACI_HOST": "127.0.0.1", "ACI_PORT": str(apic.port), "ACI_USERNAME": apic.username,
            "ACI_PASSWORD": apic.password, **extra}


def assert_no_secret(text: str, password: str) -> None:
    """Neither the password nor anything shaped like a session token was printed."""
    assert password not in text, "the password was printed"
    leaked = TOKEN_LIKE.search(text)
    assert not leaked, f"something token-like was printed: {leaked.group(0)[:12]}..."


@contextmanager
def listening(process: RulebookProcess, apic, subscriptions: int = 1, logs_out: bool = True,
              ) -> Iterator[RulebookProcess]:
    """Start ``process`` and wait until ``apic`` (a simulator) holds ``subscriptions``; stop it cleanly on exit.

    Cleanly: SIGTERM ends ansible-rulebook with exit code 0, nothing it started outlives it, the event
    source logged out of the simulator (unless ``logs_out`` is false: a certificate user's webtoken
    session has no aaaLogout), and neither the password nor a session token was ever printed.
    """
    require_installed_collection()
    with process:
        process.wait_for(lambda: live_subscriptions(apic) >= subscriptions, f"{process.rulebook} to subscribe",
                         SUBSCRIBE_TIMEOUT)
        yield process
        code = process.stop()
        assert code == 0, f"SIGTERM must end ansible-rulebook with 0, got {code}:\n{process.output[-3000:]}"
    assert not process.leftovers, "ansible-rulebook left processes behind"
    if logs_out:
        assert apic.call(lambda: apic.control.stats()["sessions"]) == 0, "the event source did not log out"
    assert_no_secret(process.output, apic.password)
