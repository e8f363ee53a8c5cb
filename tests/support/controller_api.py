"""A stand-in for the AWX / automation controller API, the one party of a controller run that cannot exist here.

It answers just what ansible-rulebook's run_job_template uses (the config, the template lookup by name, the
launch, the job status poll), over TLS with the simulator's certificate, and only to the bearer token it
was given: a rulebook that sends no token, or the wrong one, gets 401 and launches nothing. It records every
launch so a test can check which template was launched with which limit and extra vars. Every launched job
reports "successful" at once: running the job is the controller's business; the playbook is tested elsewhere.
"""

from __future__ import annotations

import asyncio
import json
import ssl
import threading
from typing import Any

from aiohttp import web

TOKEN = "controller-stand-in-token"
ORGANIZATION = "Default"
FIRST_TEMPLATE_ID = 7


class ControllerAPI:
    """Job templates by name (all in ORGANIZATION); ``launches`` holds (template name, request body) pairs."""

    def __init__(self, template_names: list[str], server_ssl: ssl.SSLContext, token: str = TOKEN) -> None:
        self.templates = {FIRST_TEMPLATE_ID + n: name for n, name in enumerate(template_names)}
        self.token = token
        self.launches: list[tuple[str, dict[str, Any]]] = []
        self.url = ""
        self._ssl = server_ssl
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="controller-api", daemon=True)
        self._runner: web.AppRunner | None = None

    def start(self) -> ControllerAPI:
        self._thread.start()
        asyncio.run_coroutine_threadsafe(self._serve(), self._loop).result(30)
        return self

    def stop(self) -> None:
        if self._runner is not None:
            asyncio.run_coroutine_threadsafe(self._runner.cleanup(), self._loop).result(30)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)
        self._loop.close()

    def __enter__(self) -> ControllerAPI:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    async def _serve(self) -> None:
        app = web.Application(middlewares=[self._bearer_token])
        app.router.add_get("/api/v2/config/", self._config)
        app.router.add_get("/api/v2/unified_job_templates/", self._templates)
        app.router.add_post("/api/v2/job_templates/{id}/launch/", self._launch)
        app.router.add_get("/api/v2/jobs/", self._jobs)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0, ssl_context=self._ssl)
        await site.start()
        port = self._runner.addresses[0][1]
        self.url = f"https://127.0.0.1:{port}/"

    @web.middleware
    async def _bearer_token(self, request: web.Request, handler) -> web.StreamResponse:
        if request.headers.get("Authorization") != f"Bearer {self.token}":
            return web.json_response({"detail": "Authentication credentials were not provided."}, status=401)
        return await handler(request)

    async def _config(self, _request: web.Request) -> web.Response:
        return web.json_response({"version": "24.6.1"})

    async def _templates(self, request: web.Request) -> web.Response:
        name = request.query.get("name")
        results = [
            {
                "id": template_id, "type": "job_template", "name": template_name,
                "summary_fields": {"organization": {"name": ORGANIZATION}},
                "related": {"launch": f"/api/v2/job_templates/{template_id}/launch/"},
                "ask_limit_on_launch": True, "ask_labels_on_launch": False,
                "ask_inventory_on_launch": False, "ask_variables_on_launch": True,
            }
            for template_id, template_name in self.templates.items() if template_name == name
        ]
        return web.json_response({"count": len(results), "next": None, "results": results})

    async def _launch(self, request: web.Request) -> web.Response:
        body = json.loads(await request.read())
        self.launches.append((self.templates[int(request.match_info["id"])], body))
        job = len(self.launches)
        return web.json_response({"id": job, "job": job, "url": f"/api/v2/jobs/{job}/", "status": "pending"},
                                 status=201)

    async def _jobs(self, request: web.Request) -> web.Response:
        ids = [int(i) for i in request.query.get("id__in", "").split(",") if i]
        results = [{"id": i, "status": "successful", "created": "2026-01-01T00:00:00Z",
                    "finished": "2026-01-01T00:00:01Z", "artifacts": {}, "url": f"/api/v2/jobs/{i}/"} for i in ids]
        return web.json_response({"count": len(results), "next": None, "results": results})
