"""Every session token the in-process simulator issues, recorded so a test can prove none was printed.

Tokens are random and change on every login and aaaRefresh, so a secret check can only name them if it
sees them being issued: this wraps apicsim's token factory for the rest of the test (monkeypatch undoes it).
"""

from __future__ import annotations

import pytest
from apicsim import sessions


def record_issued_tokens(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The list every token issued from now on is appended to (login, refresh, re-login)."""
    issued: list[str] = []
    original = sessions.new_token

    def recording() -> str:
        token = original()
        issued.append(token)
        return token

    monkeypatch.setattr(sessions, "new_token", recording)
    return issued
