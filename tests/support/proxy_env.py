"""The proxy environment as tests of `use_proxy` need it: cleared of the machine's own settings.

Shared by the unit tests of request_environment.py and the event source's proxy tests, which both
check what the source does with exactly the proxy variables and ~/.netrc the test sets.
"""

from __future__ import annotations

import base64
from pathlib import Path

import pytest

PROXY_VARIABLES = ("http_proxy", "https_proxy", "ws_proxy", "wss_proxy", "no_proxy", "all_proxy")


def clear_proxy_environment(monkeypatch: pytest.MonkeyPatch, netrc: Path) -> None:
    """No proxy variable in either case, and NETRC pointing at ``netrc`` (which the test may write)."""
    for name in PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.upper(), raising=False)
    monkeypatch.setenv("NETRC", str(netrc))


def basic_auth(user: str, password: str) -> str:
    """The value of a Basic (Proxy-)Authorization header."""
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()
