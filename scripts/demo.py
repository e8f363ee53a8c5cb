#!/usr/bin/env python3
"""`make demo`: a fabric change arriving on a TLS-verified APIC websocket subscription.

What it does, step by step (each step prints one line):
start the APIC simulator (HTTPS with its own CA), log in, open the websocket `/socket<token>` verifying the
server certificate against that CA, subscribe to the fvTenant class, create a tenant through the
simulator's control API, print the push frame that arrives, then log out and stop everything.

The password and the session token are never printed. `show_change_arriving()` is reusable: it takes a
running simulator and an output function, and returns the frame it received.
"""

from __future__ import annotations

import asyncio
import json
import sys
from collections.abc import Callable
from typing import Any

import aiohttp
from apicsim.simulator import Simulator
from yarl import URL

TENANT = "demo-tenant"
FRAME_TIMEOUT = 10.0


async def show_change_arriving(sim: Simulator, say: Callable[[str], None] = print) -> dict[str, Any]:
    """Log in, subscribe to fvTenant over a verified websocket, create a tenant, return the push frame."""
    tls = sim.client_ssl_context()
    async with aiohttp.ClientSession() as http:
        login = {"aaaUser": {"attributes": {"name": sim.username, "pwd": sim.password}}}
        async with http.post(f"{sim.url}/api/aaaLogin.json", json=login, ssl=tls) as resp:
            resp.raise_for_status()
            token = (await resp.json())["imdata"][0]["aaaLogin"]["attributes"]["token"]
        say(f"2. Logged in as {sim.username!r}; the APIC returned a session token (never printed).")
        cookie = {"Cookie": f"APIC-cookie={token}"}

        socket_url = URL(f"{sim.ws_url}/socket{token}", encoded=True)  # the token goes in raw
        async with http.ws_connect(socket_url, ssl=tls) as ws:
            say(f"3. Opened {sim.ws_url}/socket<token>; its certificate was verified against the simulator's CA.")

            query = "/api/class/fvTenant.json?subscription=yes&refresh-timeout=60"
            async with http.get(f"{sim.url}{query}", headers=cookie, ssl=tls) as resp:
                resp.raise_for_status()
                subscribed = await resp.json()
            say(f"4. Subscribed to {query.split('?')[0]}: subscription {subscribed['subscriptionId']}, "
                f"{subscribed['totalCount']} tenants in the initial snapshot.")

            body = {"name": TENANT, "descr": "created by make demo"}
            async with http.post(f"{sim.control_url}/create_tenant", json=body, ssl=tls) as resp:
                resp.raise_for_status()
            say(f"5. Created tenant {TENANT!r} through the simulator's control API ({sim.control_url}).")

            msg = await ws.receive(timeout=FRAME_TIMEOUT)
            if msg.type != aiohttp.WSMsgType.TEXT:
                raise RuntimeError(f"expected a push frame, the socket said {msg.type.name}")
            frame = json.loads(msg.data)
            ((cls, mo),) = frame["imdata"][0].items()
            attrs = mo["attributes"]
            say("6. Push frame received on the websocket:")
            say("   " + json.dumps(frame, indent=2).replace("\n", "\n   "))
            say(f"   -> {cls} {attrs['dn']} was {attrs['status']} (subscription ids {frame['subscriptionId']})")

        async with http.post(f"{sim.url}/api/aaaLogout.json", json={"aaaUser": {"attributes": {"name": sim.username}}},
                             headers=cookie, ssl=tls) as resp:
            resp.raise_for_status()
    return frame


async def main() -> int:
    print("fabricops.aci demo: a fabric change arriving over a TLS-verified websocket subscription\n")
    async with Simulator() as sim:
        print(f"1. Started the APIC simulator at {sim.url} (HTTPS; CA file {sim.ca_file}).")
        await show_change_arriving(sim)
    print("7. Logged out, closed the socket and stopped the simulator. Done.")
    print("\nTry it yourself: `make sim` in one terminal, `.venv/bin/apicsim ctl create-tenant NAME` in another.")
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
