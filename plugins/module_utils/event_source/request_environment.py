# Copyright: (c) 2026, fabricops maintainers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The proxy and ``~/.netrc`` settings aiohttp's ``trust_env`` would use, looked up once per connection.

With ``trust_env=True`` aiohttp reads the proxy variables and ``~/.netrc`` again for every request, each
time in a worker thread. With 1,000 subscriptions that cost about two thirds of the CPU of keeping
them refreshed (docs/performance.md). The source looks the same settings up once, when it connects to an
APIC, with aiohttp's own helpers (so the same variables, bypass list and credentials apply), and hands
them to every request; the session's ``trust_env`` stays off. Older aiohttp releases without these
helpers keep ``trust_env`` (``HAS_HELPERS`` is False).
"""

from __future__ import annotations

import contextlib

try:
    from aiohttp.helpers import basicauth_from_netrc, get_env_proxy_for_url, netrc_from_env

    HAS_HELPERS = True
except ImportError:  # aiohttp missing (reported by the plugin) or too old: trust_env per request
    HAS_HELPERS = False


class RequestEnvironment:
    """Keyword arguments and headers for every request to one URL scheme and host."""

    __slots__ = ("headers", "options")

    def __init__(self, options: dict | None = None, headers: dict | None = None) -> None:
        self.options = options or {}  # proxy, proxy_headers
        self.headers = headers or {}  # Authorization from ~/.netrc


NONE = RequestEnvironment()


def resolve(url) -> RequestEnvironment:
    """What trust_env would add to a request for ``url`` (a yarl URL): its proxy, and netrc credentials.

    Reads files and the environment: call it in a worker thread.
    """
    options = {}
    try:
        proxy, proxy_auth = get_env_proxy_for_url(url)
    except LookupError:  # no proxy for this scheme, or the host is in no_proxy
        pass
    else:
        options["proxy"] = proxy
        if proxy_auth is not None:
            options["proxy_headers"] = {"Proxy-Authorization": proxy_auth.encode()}
    headers = {}
    netrc = netrc_from_env()
    if netrc is not None and url.host:
        with contextlib.suppress(LookupError):  # LookupError: no entry for this host
            headers["Authorization"] = basicauth_from_netrc(netrc, url.host).encode()
    return RequestEnvironment(options, headers)
