# Copyright: (c) 2026, fabricops maintainers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A set of tasks that fail together: the first exception ends the connection they belong to.

asyncio.TaskGroup would do this on Python 3.11+, but ansible-rulebook runs on older Pythons too. Every
task's exception is retrieved here, so asyncio never logs "exception was never retrieved" with a
message we did not write.
"""

from __future__ import annotations

import asyncio


class TaskSet:
    """Spawn tasks; ``wait_failure`` raises the first exception any of them raised."""

    def __init__(self) -> None:
        self._tasks = set()  # type: set[asyncio.Task]
        self._failed = asyncio.get_running_loop().create_future()

    def spawn(self, coro) -> asyncio.Task:
        """Run ``coro`` as a member of the set."""
        task = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._done)
        return task

    def fail(self, exc: BaseException) -> None:
        """Record a failure from outside a task (the first one wins)."""
        if not self._failed.done():
            self._failed.set_exception(exc)

    def _done(self, task: asyncio.Task) -> None:
        self._tasks.discard(task)
        if task.cancelled():
            return
        exc = task.exception()
        if exc is not None:
            self.fail(exc)

    async def wait_failure(self) -> None:
        """Wait until a task fails and raise its exception."""
        await asyncio.shield(self._failed)

    async def close(self, timeout: float) -> None:
        """Cancel every task and wait (at most ``timeout``) for them to finish."""
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        if tasks:
            await asyncio.wait(tasks, timeout=timeout)
        if self._failed.done() and not self._failed.cancelled():
            self._failed.exception()  # mark retrieved
        else:
            self._failed.cancel()
