"""Secrets never reach a log line: raw or URL-encoded, inside websocket URLs or not."""

from ansible_collections.fabricops.aci.plugins.module_utils.core import redact


def test_redacts_raw_and_encoded_forms():
    token = "ab+c/d=e f"
    text = f"GET /socket{token} cookie=ab%2Bc%2Fd%3De%20f q=ab%2Bc/d%3De%20f form=ab%2Bc%2Fd%3De+f"
    out = redact.redact(text, [token, None, ""])
    assert "ab+c" not in out
    assert "ab%2B" not in out
    assert out.count(redact.REDACTED) == 4


def test_longest_secret_first():
    assert redact.redact("pw=hunter2hunter2", ["hunter2", "hunter2hunter2"]) == "pw=<redacted>"


def test_no_secrets_leaves_text():
    assert redact.redact("plain", []) == "plain"
