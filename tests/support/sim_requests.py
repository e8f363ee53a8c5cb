"""The simulator's access log (method, path, status of every request it answered), to count requests.

Used to count logins: the event source's relogins after a session drop, the modules' sessions per play.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

LOGIN = "/api/aaaLogin.json"


class RequestLog(logging.Handler):
    """The simulator's access log lines (method, path, status), to count requests such as logins."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(record.getMessage())

    def count(self, fragment: str) -> int:
        return sum(fragment in line for line in self.lines)


@contextmanager
def recording_requests() -> Iterator[RequestLog]:
    """Every request an in-process simulator answers while the block runs."""
    handler = RequestLog()
    logger = logging.getLogger("apicsim.access")
    previous = logger.level
    logger.setLevel(logging.INFO)
    logger.addHandler(handler)
    try:
        yield handler
    finally:
        logger.removeHandler(handler)
        logger.setLevel(previous)
