"""Access logging that never shows a secret.

The session token travels inside the websocket URL (`/socket<token>`) and the anti-CSRF value may travel
as `?challenge=`; a stock access log would print both. Every request line is passed through
`redact_target` first.
"""

from __future__ import annotations

import logging
import re

from aiohttp import web
from aiohttp.abc import AbstractAccessLogger

_SECRET_QUERY = re.compile(r"(?i)([?&](?:challenge|token)=)[^&]*")


def redact_target(target: str) -> str:
    """The request target with the socket token and secret query values replaced by `<redacted>`."""
    if target.startswith("/socket"):
        return "/socket<redacted>"
    return _SECRET_QUERY.sub(r"\1<redacted>", target)


class RedactingAccessLogger(AbstractAccessLogger):
    """`METHOD target status seconds`, with `redact_target` applied to the target."""

    def log(self, request: web.BaseRequest, response: web.StreamResponse, time: float) -> None:
        self.logger.info(
            "%s %s %s %.4fs", request.method, redact_target(request.raw_path), response.status, time
        )


def access_logger() -> logging.Logger:
    return logging.getLogger("apicsim.access")
