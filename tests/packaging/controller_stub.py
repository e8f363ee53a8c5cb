"""A stand-in for the AWX / automation controller API that ansible-rulebook's run_job_template talks to.

No AWX can run here, so this answers the few calls ansible-rulebook makes (config, the job template looked
up by name and organization, launch, job status) on loopback, over real HTTP, and records every launch so
a test can check what a controller rulebook would really send: the template, the limit, the extra vars.
Every job it launches has already succeeded.
"""

from __future__ import annotations

import asyncio
import threading
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

TOKEN = "stub-controller-token"


@dataclass
class JobTemplate:
    """A job template the stub knows: launches of any other name get "does not exist"."""

    name: str
    organization: str = "Default"
    id: int = 0


@dataclass
class ControllerStub:
    """The stub's state: its templates and the launches it received, in order."""

    templates: list[JobTemplate]
    launches: list[dict[str, Any]] = field(default_factory=list)
    url: str = ""

    def app(self) -> web.Application:
        for number, template in enumerate(self.templates, start=1):
            template.id = number
        app = web.Application(middlewares=[self._auth])
        app.router.add_get("/api/v2/config/", self._config)
        app.router.add_get("/api/v2/unified_job_templates/", self._templates)
        app.router.add_post("/api/v2/job_templates/{id}/launch/", self._launch)
        app.router.add_get("/api/v2/jobs/", self._jobs)
        return app

    @web.middleware
    async def _auth(self, request: web.Request, handler):
        if request.headers.get("Authorization") != f"Bearer {TOKEN}":
            return web.json_response({"detail": "Authentication credentials were not provided."}, status=401)
        return await handler(request)

    async def _config(self, request: web.Request) -> web.Response:
        return web.json_response({"version": "4.6.0"})

    async def _templates(self, request: web.Request) -> web.Response:
        results = [
            {
                "id": template.id,
                "type": "job_template",
                "name": template.name,
                "summary_fields": {"organization": {"name": template.organization}},
                "related": {"launch": f"/api/v2/job_templates/{template.id}/launch/"},
                "ask_limit_on_launch": True,
                "ask_labels_on_launch": False,
                "ask_inventory_on_launch": False,
                "ask_variables_on_launch": True,
            }
            for template in self.templates
            if template.name == request.query.get("name")
        ]
        return web.json_response({"count": len(results), "next": None, "results": results})

    async def _launch(self, request: web.Request) -> web.Response:
        template = next(t for t in self.templates if t.id == int(request.match_info["id"]))
        job_id = 100 + len(self.launches)
        self.launches.append({"template": template.name, "job": job_id, **await request.json()})
        return web.json_response({"id": job_id, "job": job_id, "url": f"/api/v2/jobs/{job_id}/"}, status=201)

    async def _jobs(self, request: web.Request) -> web.Response:
        ids = [int(part) for part in request.query.get("id__in", "").split(",") if part]
        results = [
            {
                "id": job_id,
                "url": f"/api/v2/jobs/{job_id}/",
                "status": "successful",
                "created": "2026-01-01T00:00:00Z",
                "finished": "2026-01-01T00:00:01Z",
                "artifacts": {},
            }
            for job_id in ids
        ]
        return web.json_response({"count": len(results), "next": None, "results": results})


class ControllerStubThread:
    """Serves a ControllerStub on 127.0.0.1 from a background thread until stop()."""

    def __init__(self, stub: ControllerStub) -> None:
        self.stub = stub
        self._loop = asyncio.new_event_loop()
        self._runner: web.AppRunner | None = None
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)

    def start(self) -> ControllerStub:
        self._thread.start()
        asyncio.run_coroutine_threadsafe(self._serve(), self._loop).result(timeout=30)
        return self.stub

    async def _serve(self) -> None:
        self._runner = web.AppRunner(self.stub.app())
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = self._runner.addresses[0][1]
        self.stub.url = f"http://127.0.0.1:{port}/"

    def stop(self) -> None:
        if self._runner is not None:
            asyncio.run_coroutine_threadsafe(self._runner.cleanup(), self._loop).result(timeout=30)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=30)
        self._loop.close()
