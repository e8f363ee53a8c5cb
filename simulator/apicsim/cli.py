"""`apicsim`: run the simulator (`apicsim` / `apicsim serve`) or drive a running one (`apicsim ctl ...`).

`serve` prints where it listens, the credentials and the certificate files, writes the same facts to
`<state-dir>/apicsim.json` (so `apicsim ctl` finds the server without arguments), and stops cleanly with
exit status 0 on Ctrl-C or SIGTERM.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import signal
import ssl
import sys
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from .options import HANDSHAKE_ACCEPT_CLOSE, HANDSHAKE_REJECT, IDLE_SLIDING, IDLE_STRICT, SimOptions

DEFAULT_PORT = 8443
STATE_FILE = "apicsim.json"


def default_state_dir() -> Path:
    """`$APICSIM_STATE_DIR`, else `$XDG_STATE_HOME/apicsim`, else `~/.local/state/apicsim`."""
    if os.environ.get("APICSIM_STATE_DIR"):
        return Path(os.environ["APICSIM_STATE_DIR"])
    base = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(base) / "apicsim"


# ----------------------------------------------------------------------- serve


def _serve_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("serve", help="run the simulator until Ctrl-C (the default command)")
    _add_serve_options(p)


def _add_serve_options(p: argparse.ArgumentParser) -> None:
    d = SimOptions()  # defaults come from the options themselves; only the port differs (8443, not 0)
    p.add_argument("--host", default=None, help="listen address (default 127.0.0.1; loopback only)")
    p.add_argument("--ipv6", action="store_true", help="listen on ::1 instead of 127.0.0.1")
    p.add_argument("--port", type=int, default=DEFAULT_PORT, help=f"port of the first member (default {DEFAULT_PORT})")
    p.add_argument("--http", action="store_true", help="serve plain HTTP/WS instead of HTTPS/WSS")
    p.add_argument("--state-dir", type=Path, default=None, help="where CA, keys and apicsim.json live")
    p.add_argument("--members", type=int, default=d.members, help="cluster members, on consecutive ports")
    p.add_argument("--tokens-across-members", action="store_true", help="a token works on every member")
    p.add_argument("--refresh-timeout", type=float, default=d.refresh_timeout, help="session refreshTimeoutSeconds")
    p.add_argument("--maximum-lifetime", type=float, default=d.maximum_lifetime, help="session maximumLifetimeSeconds")
    p.add_argument("--idle-timer", choices=(IDLE_STRICT, IDLE_SLIDING), default=d.idle_timer)
    p.add_argument("--old-token-survives-refresh", action="store_true")
    p.add_argument(
        "--handshake-on-bad-token", choices=(HANDSHAKE_REJECT, HANDSHAKE_ACCEPT_CLOSE), default=d.handshake_on_bad_token
    )
    p.add_argument(
        "--subscription-refresh-timeout", type=float, default=d.subscription_refresh_timeout,
        help="default refresh-timeout",
    )
    p.add_argument(
        "--fault-time-scale", type=float, default=d.fault_time_scale,
        help="fault interval factor (0.01: 120 s -> 1.2 s)",
    )
    p.add_argument("--multi-mo-frames", action="store_true", help="group a commit's MOs into shared frames")
    p.add_argument("--follow-up-modified", action="store_true", help="system 'modified' pushes after creates")
    p.add_argument("--derived-mos", action="store_true", help="push derived MOs such as fvRtBd")
    p.add_argument("--large-fabric", default=None, metavar="SIZES",
                   help="also seed a generated fabric, e.g. endpoints=100000,leaves=40,tenants=20 "
                        "(pods, spines, leaves, ports, tenants, vrfs, bds, epgs, endpoints)")
    p.add_argument("--seed", type=Path, default=None, help="seed fabric JSON (default: the packaged fabric)")
    p.add_argument("-v", "--verbose", action="count", default=0, help="log requests (-v) and debug (-vv)")


def _options(args: argparse.Namespace) -> SimOptions:
    host = args.host or ("::1" if args.ipv6 else "127.0.0.1")
    return SimOptions(
        host=host, port=args.port, tls=not args.http, state_dir=args.state_dir or default_state_dir(),
        seed=args.seed, refresh_timeout=args.refresh_timeout, maximum_lifetime=args.maximum_lifetime,
        idle_timer=args.idle_timer, old_token_survives_refresh=args.old_token_survives_refresh,
        handshake_on_bad_token=args.handshake_on_bad_token,
        subscription_refresh_timeout=args.subscription_refresh_timeout, fault_time_scale=args.fault_time_scale,
        multi_mo_frames=args.multi_mo_frames, follow_up_modified=args.follow_up_modified,
        derived_mos=args.derived_mos, large_fabric=args.large_fabric,
        members=args.members, tokens_across_members=args.tokens_across_members,
    )


def banner(facts: dict[str, Any]) -> str:
    """The start-up text: everything a newcomer needs to point a client at the simulator."""
    members = f"  (members: {', '.join(facts['urls'])})" if len(facts["urls"]) > 1 else ""
    lines = [
        "APIC simulator running",
        f"  URL            {facts['url']}{members}",
        f"  port           {facts['port']}",
        f"  user           {facts['username']}",
        f"  password       {facts['password']}   (fixed demo password)",
    ]
    if facts["ca_file"]:
        lines.append(f"  CA file        {facts['ca_file']}   (verify TLS with it, e.g. SSL_CERT_FILE=...)")
    lines += [
        f"  cert user      {facts['cert_user']}  (certificate {facts['cert_name']})",
        f"  cert key       {facts['cert_key']}",
        f"  cert file      {facts['cert_file']}",
        f"  control URL    {facts['control_url']}   (try: apicsim ctl create-tenant demo)",
        "Stop with Ctrl-C.",
    ]
    return "\n".join(lines)


async def _serve(options: SimOptions) -> None:
    # Imported here so `apicsim ctl`, a short-lived client, does not load the whole server.
    from .simulator import Simulator

    sim = Simulator(options)
    await sim.start()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    facts = sim.describe()
    state_file = Path(options.state_dir or default_state_dir()) / STATE_FILE
    _write_private(state_file, json.dumps(facts, indent=2))
    print(banner(facts), flush=True)
    try:
        await stop.wait()
    finally:
        print("stopping", flush=True)
        await sim.stop()
        state_file.unlink(missing_ok=True)


def _write_private(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(text)


# ------------------------------------------------------------------------- ctl

_USER = ("--user", {"default": "admin", "help": "APIC user the change is audited as (default admin)"})
_PORT = [("node", {"type": int}), ("interface", {"help": "eth1/1"}), ("--pod", {"type": int, "default": 1})]

_CTL_COMMANDS: dict[str, tuple[str, list[tuple[str, dict[str, Any]]]]] = {
    "create-tenant": ("create a tenant uni/tn-NAME", [("name", {}), ("--descr", {"default": ""}), _USER]),
    "create": ("create an object of class CLS at DN",
               [("cls", {}), ("dn", {}), ("attrs", {"nargs": "*", "help": "k=v"}), _USER]),
    "modify": ("change properties of DN", [("dn", {}), ("attrs", {"nargs": "+", "help": "k=v"}), _USER]),
    "delete": ("delete DN and its subtree", [("dn", {}), _USER]),
    "link-down": ("port INTERFACE of switch NODE loses its link", [*_PORT, ("--reason", {"default": "link-failure"})]),
    "link-up": ("port INTERFACE of switch NODE gets its link back", _PORT),
    "link-flap": ("port INTERFACE of switch NODE goes down and up TIMES times",
                  [*_PORT, ("--times", {"type": int, "default": 3})]),
    "node-down": ("switch NODE leaves the fabric", [("node", {"type": int}), ("--pod", {"type": int, "default": 1})]),
    "node-up": ("switch NODE rejoins the fabric", [("node", {"type": int}), ("--pod", {"type": int, "default": 1})]),
    "endpoint-learn": ("endpoint MAC is learned in EPG on a port of NODE",
                       [("epg", {}), ("mac", {}), *_PORT, ("--ip", {"default": ""}), ("--encap", {"default": ""})]),
    "endpoint-move": ("endpoint MAC of EPG is now seen on another port", [("epg", {}), ("mac", {}), *_PORT]),
    "endpoint-age-out": ("endpoint MAC of EPG ages out", [("epg", {}), ("mac", {})]),
    "get": ("show DN with its subtree", [("dn", {})]),
    "set-health": ("set the health score of DN", [("dn", {}), ("score", {"type": int}), ("--max-sev", {})]),
    "raise-fault": (
        "raise fault CODE on DN (it soaks, then is raised)",
        [("dn", {}), ("code", {}), ("--severity", {"default": "major"}), ("--cause", {}), ("--descr", {}),
         ("--initial-severity", {}), ("--delegate", {"action": "store_true", "help": "faultDelegate"})],
    ),
    "clear-fault": ("clear fault CODE on DN (clearing, retaining, deleted)", [("dn", {}), ("code", {})]),
    "burst": ("push N changes as fast as possible", [("count", {"type": int}), ("--dn", {}),
                                                      ("--multi", {"action": "store_true"})]),
    "drop": ("drop every websocket", [("--member", {"type": int}), ("--close", {"action": "store_true",
                                                                                 "help": "send a close frame"})]),
    "expire-sessions": ("end every session now", []),
    "throttle-logins": ("answer logins with 503 for SECONDS", [("seconds", {"type": float}),
                                                              ("--all", {"action": "store_true"})]),
    "disturb-refreshes": (
        "delay and/or fail subscription refreshes",
        [("--seconds", {"type": float, "default": 0}), ("--count", {"type": int, "default": 0}),
         ("--delay", {"type": float, "default": 0}), ("--no-fail", {"action": "store_true"}),
         ("--before-auth", {"action": "store_true", "help": "delay before the token is checked"})],
    ),
    "reset-chaos": ("stop throttling and refresh disturbances", []),
    "advance-clock": ("jump the simulator clock by SECONDS", [("seconds", {"type": float})]),
    "member-down": ("take cluster member I down", [("member", {"type": int})]),
    "member-up": ("bring cluster member I back", [("member", {"type": int})]),
    "large-fabric": ("add a generated fabric of SIZES (name=count ...: endpoints, leaves, tenants...)",
                     [("sizes", {"nargs": "+", "help": "name=count, e.g. endpoints=100000 leaves=40"})]),
    "churn": ("change the fabric in the background for SECONDS at RATE events a second",
              [("seconds", {"type": float}), ("--rate", {"type": float, "default": 10.0}),
               ("--seed", {"type": int, "default": 0}),
               ("--mix", {"nargs": "*", "default": [], "help": "kind=weight: endpoint_move, endpoint_learn, "
                          "endpoint_age_out, link_flap, health, config"})]),
    "churn-stop": ("stop a running churn", []),
    "stats": ("objects, sessions, sockets, subscriptions, frames", []),
}


def _ctl_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("ctl", help="drive a running simulator through its control API")
    p.add_argument("--url", help="control URL (default: from <state-dir>/apicsim.json)")
    p.add_argument("--ca", type=Path, help="CA file to verify the simulator (default: from apicsim.json)")
    p.add_argument("--state-dir", type=Path, default=None)
    commands = p.add_subparsers(dest="action", required=True, metavar="ACTION")
    for name, (help_text, arguments) in _CTL_COMMANDS.items():
        c = commands.add_parser(name, help=help_text)
        for flag, kwargs in arguments:
            c.add_argument(flag, **kwargs)


def ctl_request(args: argparse.Namespace) -> tuple[str, dict[str, Any]]:
    """(action, JSON arguments) for the control API, from parsed `apicsim ctl` arguments."""
    a = args.action
    if a == "create-tenant":
        return "create_tenant", {"name": args.name, "descr": args.descr, "user": args.user}
    if a == "create":
        return "create", {"cls": args.cls, "dn": args.dn, "attrs": _pairs(args.attrs), "user": args.user}
    if a == "modify":
        return "modify", {"dn": args.dn, "attrs": _pairs(args.attrs), "user": args.user}
    if a == "delete":
        return a, {"dn": args.dn, "user": args.user}
    if a == "get":
        return a, {"dn": args.dn}
    if a in ("link-down", "link-up", "link-flap"):
        body = {"node": args.node, "interface": args.interface, "pod": args.pod}
        if a == "link-down":
            body["reason"] = args.reason
        if a == "link-flap":
            body["times"] = args.times
        return a.replace("-", "_"), body
    if a in ("node-down", "node-up"):
        return a.replace("-", "_"), {"node": args.node, "pod": args.pod}
    if a == "endpoint-learn":
        return "endpoint_learn", {"epg": args.epg, "mac": args.mac, "node": args.node, "interface": args.interface,
                                  "pod": args.pod, "ip": args.ip, "encap": args.encap}
    if a == "endpoint-move":
        return "endpoint_move", {"epg": args.epg, "mac": args.mac, "node": args.node, "interface": args.interface,
                                 "pod": args.pod}
    if a == "endpoint-age-out":
        return "endpoint_age_out", {"epg": args.epg, "mac": args.mac}
    if a == "set-health":
        return "set_health", {"dn": args.dn, "score": args.score, "max_sev": args.max_sev}
    if a == "raise-fault":
        body = {"dn": args.dn, "code": args.code, "severity": args.severity}
        body.update({k: v for k, v in (("cause", args.cause), ("descr", args.descr),
                                       ("initial_severity", args.initial_severity)) if v})
        if args.delegate:
            body["cls"] = "faultDelegate"
        return "raise_fault", body
    if a == "clear-fault":
        return "clear_fault", {"dn": args.dn, "code": args.code}
    if a == "burst":
        return "burst", {"count": args.count, "dn": args.dn, "multi": args.multi}
    if a == "drop":
        return "drop", {"member": args.member, "abort": not args.close}
    if a == "throttle-logins":
        return "throttle_logins", {"seconds": args.seconds, "all_requests": args.all}
    if a == "disturb-refreshes":
        return "disturb_refreshes", {"seconds": args.seconds, "count": args.count, "delay": args.delay,
                                     "fail": not args.no_fail, "before_auth": args.before_auth}
    if a == "advance-clock":
        return "advance_clock", {"seconds": args.seconds}
    if a == "large-fabric":
        return "large_fabric", {key.replace("-", "_"): value for key, value in _pairs(args.sizes).items()}
    if a == "churn":
        body: dict[str, Any] = {"duration": args.seconds, "rate": args.rate, "seed": args.seed}
        if args.mix:
            body["mix"] = {key: float(value) for key, value in _pairs(args.mix).items()}
        return "churn", body
    if a in ("member-down", "member-up"):
        return a.replace("-", "_"), {"member": args.member}
    return a.replace("-", "_"), {}


def _pairs(items: list[str]) -> dict[str, str]:
    out = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise SystemExit(f"apicsim ctl: attribute {item!r} must be key=value (e.g. descr=hello)")
        out[key] = value
    return out


def call_control(url: str, action: str, body: dict[str, Any], ca_file: str | None, timeout: float = 60.0) -> Any:
    """POST one control action and return its JSON answer; raises RuntimeError with the APIC text."""
    context = ssl.create_default_context(cafile=ca_file) if url.startswith("https") and ca_file else None
    request = urllib.request.Request(
        f"{url.rstrip('/')}/{action}", data=json.dumps(body).encode(), method="POST",
        headers={"Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout, context=context) as response:
            return json.loads(response.read())
    except urllib.error.HTTPError as exc:
        try:
            text = json.loads(exc.read())["imdata"][0]["error"]["attributes"]["text"]
        except (ValueError, KeyError, IndexError):
            text = exc.reason
        raise RuntimeError(f"{action} failed (HTTP {exc.code}): {text}") from None


def _ctl(args: argparse.Namespace) -> int:
    url, ca = args.url, str(args.ca) if args.ca else None
    if url is None:
        state_file = (args.state_dir or default_state_dir()) / STATE_FILE
        try:
            facts = json.loads(state_file.read_text())
        except FileNotFoundError:
            print(f"apicsim ctl: no running simulator found ({state_file} is missing); start one with "
                  "`apicsim` or pass --url", file=sys.stderr)
            return 2
        url, ca = facts["control_url"], ca or facts.get("ca_file")
    action, body = ctl_request(args)
    try:
        result = call_control(url, action, body, ca)
    except (RuntimeError, OSError) as exc:
        print(f"apicsim ctl: {exc}", file=sys.stderr)
        return 1
    print(json.dumps(result, indent=2))
    return 0


# ------------------------------------------------------------------------ main


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="apicsim", description="A local Cisco APIC simulator.")
    sub = parser.add_subparsers(dest="command")
    _serve_parser(sub)
    _ctl_parser(sub)
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or (argv[0].startswith("-") and argv[0] not in ("-h", "--help")):
        argv.insert(0, "serve")
    args = parser.parse_args(argv)
    if args.command == "ctl":
        return _ctl(args)
    level = logging.WARNING if args.verbose == 0 else logging.INFO if args.verbose == 1 else logging.DEBUG
    logging.basicConfig(level=level, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    try:
        options = _options(args)
        options.validate()
        asyncio.run(_serve(options))
    except (ValueError, OSError) as exc:
        print(f"apicsim: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
