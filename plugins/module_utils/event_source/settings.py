# Copyright: (c) 2026, fabricops maintainers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The event source's arguments: one table, validated and typed once at start-up.

Rulebooks pass values through ``--env-vars`` and Jinja, so numbers and booleans often arrive as text;
everything is coerced here, and every mistake stops the source before it connects, with one line that
names the option and the fix. The connection options, their aliases and their ``ACI_*`` environment
fallbacks are those of the modules (core/connection.py), so one inventory or environment drives both.
The JSON schema of the arguments is generated from the same table (``args_schema``).
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping
from dataclasses import dataclass, field

from ansible_collections.fabricops.aci.plugins.module_utils.core.attribution import DEFAULT_WAIT
from ansible_collections.fabricops.aci.plugins.module_utils.core.connection import (
    CONNECTION_OPTIONS,
    CONNECTION_TABLE,
    ConnectionOption,
    ConnectionSettings,
    cluster_settings,
    option_int,
    to_bool,
)
from ansible_collections.fabricops.aci.plugins.module_utils.event_source.subscription_spec import (
    CHOICES,
    DEFAULT_PAGE_SIZE,
    KEYS,
    MAX_FOLD_WINDOW,
    MIN_PAGE_SIZE,
    parse_subscriptions,
)


class Option:
    """One argument: its JSON type, default, bounds, and (connection options) aliases and environment fallbacks."""

    __slots__ = ("aliases", "default", "env", "kind", "maximum", "minimum", "name", "required")

    def __init__(self, name: str, kind: str, default: object = None, minimum: float | None = None,
                 maximum: float | None = None, required: bool = False, aliases: tuple = (), env: tuple = ()) -> None:
        self.name = name
        self.kind = kind
        self.default = default
        self.minimum = minimum
        self.maximum = maximum
        self.required = required
        self.aliases = aliases
        self.env = env


def _connection_option(option: ConnectionOption) -> Option:
    """The event source's view of a connection option of core/connection.py's table (a path is text here)."""
    return Option(option.name, "str" if option.kind == "path" else option.kind, option.default, option.minimum,
                  option.maximum, required=option.name == "host", aliases=option.aliases, env=option.env)


OPTIONS = (
    *(_connection_option(option) for option in CONNECTION_TABLE),
    Option("subscriptions", "subscriptions", required=True),
    Option("refresh_timeout", "int", 300, minimum=1, maximum=3600),
    Option("page_size", "int", DEFAULT_PAGE_SIZE, minimum=0, maximum=1_000_000),
    Option("emit_existing", "bool", False),
    Option("heartbeat_interval", "float", 0, minimum=0, maximum=86400),
    Option("reconnect_delay", "float", 1.0, minimum=0.001, maximum=3600),
    Option("reconnect_delay_max", "float", 60.0, minimum=0.001, maximum=86400),
    Option("reconnect_attempts", "int", 0, minimum=0),
    Option("checkpoint", "str"),
    Option("checkpoint_password", "str"),
    Option("feedback", "bool", False),
    Option("feedback_timeout", "float", 30.0, minimum=0.1, maximum=86400),
    Option("changed_by", "bool", False),
    Option("changed_by_wait", "float", DEFAULT_WAIT, minimum=0, maximum=60),
)
# Values of ``checkpoint`` that turn the durable checkpoint off.
CHECKPOINT_OFF = frozenset(("off", "false", "no", "none", "disabled"))
CHECKPOINT_PASSWORD_ENV = "ACI_CHECKPOINT_PASSWORD"
BY_NAME = {option.name: option for option in OPTIONS}
ALIASES = {alias: option.name for option in OPTIONS for alias in option.aliases}


@dataclass(frozen=True)
class SourceSettings:
    """Validated arguments. ``connections`` holds one entry per APIC, in failover order."""

    connections: tuple
    subscriptions: tuple
    refresh_timeout: int = 300
    page_size: int = DEFAULT_PAGE_SIZE  # objects per snapshot page; 0: unpaged unless the APIC finds it too big
    emit_existing: bool = False
    heartbeat_interval: float = 0.0
    reconnect_delay: float = 1.0
    reconnect_delay_max: float = 60.0
    reconnect_attempts: int = 0
    checkpoint: str | None = None  # where the delivered state is kept; None: in memory only
    checkpoint_password: str | None = field(default=None, repr=False)
    feedback: bool = False
    feedback_timeout: float = 30.0
    changed_by: bool = False  # the default of every subscription's changed_by
    changed_by_wait: float = DEFAULT_WAIT  # seconds an event waits at most for its audit record
    secrets: tuple = field(default=(), repr=False)

    def attributed(self) -> tuple:
        """The names of the subscriptions whose events carry ``changed_by``."""
        return tuple(spec.name for spec in self.subscriptions
                     if (self.changed_by if spec.changed_by is None else spec.changed_by))

    @property
    def primary(self) -> ConnectionSettings:
        """The first APIC's settings (credentials and TLS options are the same for all)."""
        return self.connections[0]


def to_float(option: str, value: object, minimum: float | None = None, maximum: float | None = None) -> float:
    """A number of seconds from a number or decimal text; ValueError naming the option and the range."""
    if isinstance(value, bool):
        raise ValueError(f"{option}: expected a number of seconds, got a boolean")
    try:
        number = float(str(value).strip()) if not isinstance(value, (int, float)) else float(value)
    except ValueError:
        raise ValueError(f"{option}: expected a number of seconds, got {value!r}") from None
    low = -math.inf if minimum is None else minimum
    high = math.inf if maximum is None else maximum
    if math.isnan(number) or not low <= number <= high:
        raise ValueError(f"{option}: must be between {low:g} and {high:g} seconds, got {value!r}")
    return number


def _canonical(args: Mapping) -> dict:
    """Arguments by canonical name; unknown names and alias clashes are refused."""
    options = {}
    for key, value in args.items():
        key = str(key)
        if key.startswith("eda_"):  # added by ansible-rulebook itself (eda_feedback_queue)
            continue
        name = ALIASES.get(key, key)
        if name not in BY_NAME:
            raise ValueError(f"{key}: unknown option; valid options are {', '.join(sorted(BY_NAME))}")
        if name in options:
            raise ValueError(f"{key}: given twice (as {name} and its alias); keep one")
        options[name] = value
    return options


def _source_value(option: Option, value: object) -> object:
    if value in (None, ""):
        return option.default
    if option.kind == "bool":
        return to_bool(option.name, value)
    if option.kind == "int":
        return option_int(option.name, value, option.minimum, option.maximum)
    return to_float(option.name, value, option.minimum, option.maximum)


def parse_settings(args: Mapping, environ: Mapping | None = None) -> SourceSettings:
    """Validate and type every argument (environment fallbacks applied); ValueError names the bad option."""
    if not isinstance(args, Mapping):
        raise ValueError("the source arguments must be a mapping of option names to values")
    environ = os.environ if environ is None else environ
    options = _canonical(args)
    # An empty value means "not set" (docs/controller.md): rulebooks pass "{{ aci_x | default('') }}" for
    # every connection option, and what is empty must come from the ACI_* environment or the default.
    common = {name: None if options.get(name) in ("", []) else options.get(name) for name in CONNECTION_OPTIONS}
    connections = cluster_settings(common, environ)
    subscriptions = parse_subscriptions(options.get("subscriptions"))
    values = {name: _source_value(BY_NAME[name], options.get(name))
              for name in ("refresh_timeout", "page_size", "emit_existing", "heartbeat_interval", "reconnect_delay",
                           "reconnect_delay_max", "reconnect_attempts", "feedback", "feedback_timeout", "changed_by",
                           "changed_by_wait")}
    if 0 < values["page_size"] < MIN_PAGE_SIZE:
        raise ValueError(f"page_size: must be 0 (unpaged) or at least {MIN_PAGE_SIZE} objects, "
                         f"got {values['page_size']}")
    if values["reconnect_delay_max"] < values["reconnect_delay"]:
        raise ValueError("reconnect_delay_max: must be at least reconnect_delay "
                         f"({values['reconnect_delay']:g} s), got {values['reconnect_delay_max']:g}")
    checkpoint, checkpoint_password = _checkpoint(options, environ)
    secrets = connections[0].secrets + ((checkpoint_password,) if checkpoint_password else ())
    return SourceSettings(
        connections=tuple(connections),
        subscriptions=subscriptions,
        checkpoint=checkpoint,
        checkpoint_password=checkpoint_password,
        secrets=secrets,
        **values,
    )


def state_directory(environ: Mapping) -> str:
    """Where checkpoints live by default: the per-user state directory (XDG), trailing slash included."""
    base = environ.get("XDG_STATE_HOME") or os.path.join(os.path.expanduser("~"), ".local", "state")
    return os.path.join(base, "fabricops.aci", "checkpoints") + os.sep


def _checkpoint(options: Mapping, environ: Mapping) -> tuple:
    """``(location or None, password or None)``: the per-user state directory unless moved or turned off."""
    value = options.get("checkpoint")
    if value is False or (isinstance(value, str) and value.strip().lower() in CHECKPOINT_OFF):
        return None, None
    if value is not None and value != "" and not isinstance(value, str):
        raise ValueError("checkpoint: expected a file or directory path, a postgresql:// connection string, "
                         f"or off, got {type(value).__name__}")
    location = value.strip() if isinstance(value, str) and value.strip() else None
    if location is None:
        location = state_directory(environ)
    password = options.get("checkpoint_password") or environ.get(CHECKPOINT_PASSWORD_ENV) or None
    if password is not None and not isinstance(password, str):
        raise ValueError("checkpoint_password: expected text")
    return location, password


_JSON_TYPES = {"str": "string", "int": "integer", "float": "number", "bool": "boolean"}


def _subscription_item_schema() -> dict:
    text = {"type": "string", "minLength": 1}
    text_or_list = {"oneOf": [text, {"type": "array", "items": text, "minItems": 1}]}
    properties = {key: text for key in KEYS}
    for key in ("target_subtree_class", "rsp_subtree_class", "rsp_subtree_include"):
        properties[key] = text_or_list
    # Empty text is "not set" (every modified change is an event): what a rulebook's unset variable renders to.
    properties["modified_attributes"] = {"oneOf": [{"type": "string"}, text_or_list["oneOf"][1]]}
    properties["fold_window"] = {"type": ["number", "string"], "minimum": 0, "maximum": MAX_FOLD_WINDOW}
    properties["changed_by"] = {"type": ["boolean", "string"]}
    properties.update({key: {"type": "string", "enum": list(values)} for key, values in CHOICES.items()})
    properties["query_options"] = {"type": "object", "additionalProperties": {"oneOf": [text, text_or_list]}}
    mapping = {
        "type": "object",
        "properties": properties,
        "additionalProperties": False,
        "oneOf": [{"required": ["class"]}, {"required": ["dn"]}, {"required": ["path"]}],
    }
    return {"oneOf": [text, mapping]}


def _option_schema(option: Option) -> dict:
    if option.kind == "hosts":
        text = {"type": "string", "minLength": 1}
        return {"oneOf": [text, {"type": "array", "items": text, "minItems": 1}]}
    if option.kind == "subscriptions":
        return {"type": "array", "items": _subscription_item_schema(), "minItems": 1}
    # Strings are allowed too: values from --env-vars arrive as text and are coerced.
    schema = {"type": [_JSON_TYPES[option.kind], "string"]} if option.kind != "str" else {"type": "string"}
    if option.default is not None:
        schema["default"] = option.default
    if option.minimum is not None:
        schema["minimum"] = option.minimum
    if option.maximum is not None:
        schema["maximum"] = option.maximum
    return schema


def args_schema() -> dict:
    """The JSON schema of the arguments (committed as extensions/eda/plugins/event_source/websocket.json)."""
    properties = {}
    for option in OPTIONS:
        properties[option.name] = _option_schema(option)
        for alias in option.aliases:
            properties[alias] = {"$ref": f"#/properties/{option.name}"}
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "fabricops.aci.websocket",
        "description": "Arguments of the fabricops.aci.websocket event source (APIC websocket subscriptions).",
        "type": "object",
        "properties": properties,
        "required": ["subscriptions"],
        "patternProperties": {"^eda_": {}},
        "additionalProperties": False,
    }
