# Copyright: (c) 2026, fabricops maintainers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Connection options and the login exchange, shared by the modules and the event source.

The option names and ``ACI_*`` environment variables are the ones the cisco.aci collection uses, so an
inventory or environment written for cisco.aci drives these modules and the event source unchanged.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field

from ansible_collections.fabricops.aci.plugins.module_utils.core.hosts import parse_hosts
from ansible_collections.fabricops.aci.plugins.module_utils.core.redact import REDACTED

LOGIN_PATH = "/api/aaaLogin.json"
REFRESH_PATH = "/api/aaaRefresh.json"
LOGOUT_PATH = "/api/aaaLogout.json"
WEBTOKEN_SESSION_PATH = "/api/webtokenSession.json"
SUBSCRIPTION_REFRESH_PATH = "/api/subscriptionRefresh.json"
LOGIN_CLASS = "aaaLogin"
WEBTOKEN_CLASS = "webtokenSession"
TOKEN_COOKIE = "APIC-cookie"
WEBSOCKET_SESSION_COOKIE = "APIC-WebSocket-Session"


class ConnectionOption:
    """One connection option of the modules and the event source: the single place it is described.

    ``kind`` is ``hosts`` (one address, a list of cluster members or comma-separated text: core/hosts.py),
    ``str``, ``int``, ``bool`` or ``path``. ``env`` lists the environment variables read when the option
    is not given, in the order cisco.aci reads them; ``aliases`` its other names as cisco.aci spells them.
    The modules' argument spec (argspec.py) and the event source's settings (event_source/settings.py)
    are built from this table; the doc fragment, the event source's DOCUMENTATION and JSON schema and
    the controller credential types are checked against it (tests/unit/core/test_core_connection_table.py).
    """

    __slots__ = ("aliases", "default", "env", "kind", "maximum", "minimum", "name", "secret")

    def __init__(self, name: str, kind: str, env: tuple = (), aliases: tuple = (), default: object = None,
                 secret: bool = False, minimum: int | None = None, maximum: int | None = None) -> None:
        self.name = name
        self.kind = kind
        self.env = env
        self.aliases = aliases
        self.default = default
        self.secret = secret
        self.minimum = minimum
        self.maximum = maximum


CONNECTION_TABLE = (
    ConnectionOption("host", "hosts", ("ACI_HOST",), ("hostname",)),
    ConnectionOption("port", "int", ("ACI_PORT",), minimum=1, maximum=65535),
    ConnectionOption("username", "str", ("ACI_USERNAME", "ANSIBLE_NET_USERNAME"), ("user",), default="admin"),
    ConnectionOption("password", "str", ("ACI_PASSWORD", "ANSIBLE_NET_PASSWORD"), secret=True),
    ConnectionOption("private_key", "str", ("ACI_PRIVATE_KEY", "ANSIBLE_NET_SSH_KEYFILE"), ("cert_key",),
                     secret=True),
    ConnectionOption("certificate_name", "str", ("ACI_CERTIFICATE_NAME",), ("cert_name",)),
    ConnectionOption("validate_certs", "bool", ("ACI_VALIDATE_CERTS",), default=True),
    ConnectionOption("use_ssl", "bool", ("ACI_USE_SSL",), default=True),
    ConnectionOption("use_proxy", "bool", ("ACI_USE_PROXY",), default=True),
    ConnectionOption("timeout", "int", ("ACI_TIMEOUT",), default=30, minimum=1, maximum=3600),
    # ACI_CA_PATH is not a cisco.aci variable: it lets a controller credential hand over the CA it wrote to a file.
    ConnectionOption("ca_path", "path", ("ACI_CA_PATH",)),
)
BY_NAME = {option.name: option for option in CONNECTION_TABLE}

# Views of the table, for the code that reads one aspect of every option.
ENV_FALLBACKS = {option.name: option.env for option in CONNECTION_TABLE}  # type: dict[str, tuple[str, ...]]
OPTION_ALIASES = {option.name: option.aliases for option in CONNECTION_TABLE if option.aliases}
CONNECTION_OPTIONS = tuple(option.name for option in CONNECTION_TABLE)
DEFAULTS = {option.name: option.default for option in CONNECTION_TABLE if option.default is not None}

SECRET_OPTIONS = tuple(option.name for option in CONNECTION_TABLE if option.secret)

_TRUE = frozenset(("1", "true", "yes", "on", "y", "t"))
_FALSE = frozenset(("0", "false", "no", "off", "n", "f"))


def to_bool(option: str, value: object) -> bool:
    """A boolean from a bool, 0/1 or yes/no/true/false/on/off text; ValueError naming the option."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    text = str(value).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ValueError(f"{option}: expected a boolean (true or false), got {value!r}")


def option_int(option: str, value: object, minimum: int | None = None, maximum: int | None = None) -> int:
    """An integer within bounds from an int or decimal text; ValueError naming the option and the range."""
    if isinstance(value, bool):
        raise ValueError(f"{option}: expected a whole number, got a boolean")
    try:
        number = int(str(value).strip()) if not isinstance(value, int) else value
    except ValueError:
        raise ValueError(f"{option}: expected a whole number, got {value!r}") from None
    if (minimum is not None and number < minimum) or (maximum is not None and number > maximum):
        if maximum is None:
            bounds = f"at least {minimum}"
        elif minimum is None:
            bounds = f"at most {maximum}"
        else:
            bounds = f"between {minimum} and {maximum}"
        raise ValueError(f"{option}: must be {bounds}, got {number}")
    return number


def _bounded(name: str, value: object) -> int:
    """An integer option read within the bounds the table gives it."""
    option = BY_NAME[name]
    return option_int(name, value, option.minimum, option.maximum)


def _check_host(host: str) -> str:
    host = (host or "").strip()
    if not host:
        raise ValueError("host: required; set it to the APIC address or export ACI_HOST")
    if "://" in host or "/" in host:
        raise ValueError(f"host: give only the APIC address (name or IP), without a scheme or path, got {host!r}")
    if host.startswith("[") and host.endswith("]"):
        host = host[1:-1]
    return host


def authority(host: str, port: int | None) -> str:
    """``host[:port]`` with IPv6 literals bracketed: what a URL names the APIC by, and how errors name it."""
    host = _check_host(host)
    if ":" in host:  # IPv6 literal
        host = f"[{host}]"
    return f"{host}:{port}" if port else host


def base_url(host: str, port: int | None, use_ssl: bool) -> str:
    """``https://host[:port]`` (IPv6 literals bracketed), the prefix of every REST URL."""
    scheme = "https" if use_ssl else "http"
    return f"{scheme}://{authority(host, port)}"


def socket_url(host: str, port: int | None, use_ssl: bool, token: str) -> str:
    """``wss://host[:port]/socket<token>``: the token goes in raw, as the APIC expects."""
    scheme = "wss" if use_ssl else "ws"
    return f"{scheme}://{authority(host, port)}/socket{token}"


def aaa_login_body(name: str, pwd: str) -> dict:
    """The aaaLogin request body."""
    return {"aaaUser": {"attributes": {"name": name, "pwd": pwd}}}


def aaa_logout_body(name: str) -> dict:
    """The aaaLogout request body."""
    return {"aaaUser": {"attributes": {"name": name}}}


def cookie_header(cookies: Mapping[str, str]) -> str:
    """A Cookie header value from name/value pairs, in order, each name once."""
    return "; ".join(f"{name}={value}" for name, value in cookies.items())


@dataclass(frozen=True)
class LoginInfo:
    """What an aaaLogin or aaaRefresh answer says about the session (the token is never shown in repr)."""

    token: str = field(repr=False)
    refresh_timeout: int
    maximum_lifetime: int
    user_name: str = ""
    version: str = ""
    session_id: str = field(default="", repr=False)
    url_token: str = field(default="", repr=False)
    creation_time: int = 0


def _int_attribute(attributes: Mapping, name: str, default: int) -> int:
    try:
        return int(str(attributes.get(name, default)))
    except ValueError:
        return default


def parse_login(body: Mapping, cls: str = LOGIN_CLASS) -> LoginInfo:
    """Read the session object of a login or refresh answer (class aaaLogin for both), or with
    ``cls=WEBTOKEN_CLASS`` of a webtokenSession answer (a certificate user's websocket session).

    Raises ValueError when the answer has no token, without echoing the body.
    """
    try:
        attributes = body["imdata"][0][cls]["attributes"]
        token = str(attributes["token"])
    except (KeyError, IndexError, TypeError):
        raise ValueError(f"the APIC {cls} answer has no token") from None
    if not token:
        raise ValueError(f"the APIC {cls} answer has an empty token")
    return LoginInfo(
        token=token,
        refresh_timeout=_int_attribute(attributes, "refreshTimeoutSeconds", 600),
        maximum_lifetime=_int_attribute(attributes, "maximumLifetimeSeconds", 86400),
        user_name=str(attributes.get("userName", "")),
        version=str(attributes.get("version", "")),
        session_id=str(attributes.get("sessionId", "")),
        url_token=str(attributes.get("urlToken", "")),
        creation_time=_int_attribute(attributes, "creationTime", 0),
    )


def default_certificate_name(private_key: str, username: str) -> str:
    """cisco.aci's rule: the key file's base name without extension, or the user name for inline PEM."""
    if private_key and "-----BEGIN" not in private_key:
        return os.path.splitext(os.path.basename(private_key.strip()))[0]
    return username


@dataclass(frozen=True)
class ConnectionSettings:
    """Validated connection options; secrets are kept out of repr so a logged object leaks nothing."""

    host: str
    port: int | None
    username: str
    password: str | None = field(default=None, repr=False)
    private_key: str | None = field(default=None, repr=False)
    certificate_name: str | None = None
    validate_certs: bool = True
    use_ssl: bool = True
    use_proxy: bool = True
    timeout: int = 30
    ca_path: str | None = None

    @property
    def uses_signature(self) -> bool:
        """Certificate authentication wins when a private key is given, as in cisco.aci."""
        return bool(self.private_key)

    @property
    def base_url(self) -> str:
        """``https://host[:port]``."""
        return base_url(self.host, self.port, self.use_ssl)

    @property
    def secrets(self) -> tuple:
        """Everything that must never be shown."""
        return tuple(value for value in (self.password, self.private_key) if value)

    def describe(self) -> str:
        """A log-safe one-liner."""
        auth = f"certificate {self.certificate_name}" if self.uses_signature else f"password {REDACTED}"
        return f"{self.base_url} as {self.username} ({auth})"


def with_env_fallbacks(options: Mapping[str, object], environ: Mapping[str, str] | None = None) -> dict:
    """Fill options that are unset (None) from their ACI_* environment variables, then from DEFAULTS."""
    environ = os.environ if environ is None else environ
    merged = dict(options)
    for name, variables in ENV_FALLBACKS.items():
        if merged.get(name) is None:
            for variable in variables:
                if environ.get(variable):
                    merged[name] = environ[variable]
                    break
    for name, value in DEFAULTS.items():
        if merged.get(name) is None:
            merged[name] = value
    return merged


def cluster_settings(options: Mapping[str, object],
                     environ: Mapping[str, str] | None = None) -> tuple[ConnectionSettings, ...]:
    """Validated settings for every APIC that ``host`` names, in the order given (the failover order).

    ``host`` is one address or a cluster (core/hosts.py); a member's own port wins, and ``port`` (or
    ``ACI_PORT``) applies to the members given without one. Environment fallbacks are applied first;
    ValueError names the bad option.
    """
    merged = with_env_fallbacks(options, environ)
    return tuple(_apic_settings(merged, host, port) for host, port in parse_hosts(merged.get("host")))


def connection_settings(options: Mapping[str, object], environ: Mapping[str, str] | None = None) -> ConnectionSettings:
    """Validated settings for one APIC (``host`` must name exactly one); ValueError names the bad option."""
    members = cluster_settings(options, environ)
    if len(members) > 1:
        raise ValueError(f"host: one APIC address expected here, got {len(members)} cluster members")
    return members[0]


def _apic_settings(merged: Mapping[str, object], host: str, own_port: int | None) -> ConnectionSettings:
    port = own_port if own_port is not None else merged.get("port")
    port = None if port in (None, "") else _bounded("port", port)
    username = str(merged.get("username") or "")
    if not username:
        raise ValueError("username: required; set it or export ACI_USERNAME")
    password = merged.get("password") or None
    private_key = merged.get("private_key") or None
    if not password and not private_key:
        raise ValueError("password or private_key: one is required; set password (or ACI_PASSWORD) for "
                         "password login, or private_key and certificate_name for certificate authentication")
    certificate_name = merged.get("certificate_name") or None
    if private_key and not certificate_name:
        certificate_name = default_certificate_name(str(private_key), username)
    return ConnectionSettings(
        host=host,
        port=port,
        username=username,
        password=None if password is None else str(password),
        private_key=None if private_key is None else str(private_key),
        certificate_name=None if certificate_name is None else str(certificate_name),
        validate_certs=to_bool("validate_certs", merged["validate_certs"]),
        use_ssl=to_bool("use_ssl", merged["use_ssl"]),
        use_proxy=to_bool("use_proxy", merged["use_proxy"]),
        timeout=_bounded("timeout", merged["timeout"]),
        ca_path=(str(merged["ca_path"]) if merged.get("ca_path") else None),
    )
