"""Source arguments: coercion of --env-vars text, ACI_* fallbacks, host lists, and one-line errors."""

import ast
import json
from pathlib import Path

import jsonschema
import pytest
import yaml
from ansible_collections.fabricops.aci.plugins.module_utils.core.hosts import parse_hosts
from ansible_collections.fabricops.aci.plugins.module_utils.event_source import settings as settings_mod
from ansible_collections.fabricops.aci.plugins.module_utils.event_source.settings import (
    args_schema,
    parse_settings,
)
from ansible_collections.fabricops.aci.plugins.module_utils.event_source.subscription_spec import CHOICES, KEYS

REPO = Path(__file__).resolve().parents[3]
SCHEMA_FILE = REPO / "extensions" / "eda" / "plugins" / "event_source" / "websocket.json"
BASE = {"host": "apic1", "password": "pw", "subscriptions": ["fvTenant"]}


def test_defaults():
    settings = parse_settings(BASE, environ={})
    conn = settings.primary
    assert (conn.host, conn.port, conn.username, conn.password, conn.validate_certs, conn.use_ssl, conn.timeout) == (
        "apic1", None, "admin", "pw", True, True, 30)
    assert (settings.refresh_timeout, settings.emit_existing, settings.heartbeat_interval) == (300, False, 0)
    assert (settings.reconnect_delay, settings.reconnect_delay_max, settings.reconnect_attempts) == (1.0, 60.0, 0)
    assert settings.secrets == ("pw",)
    assert "pw" not in repr(settings)


def test_text_values_from_env_vars_are_coerced():
    settings = parse_settings(dict(BASE, port="8443", validate_certs="false", timeout="5", refresh_timeout="60",
                                   emit_existing="yes", heartbeat_interval="2.5", reconnect_delay="0.5",
                                   reconnect_delay_max="10", reconnect_attempts="3"), environ={})
    assert settings.primary.port == 8443
    assert settings.primary.validate_certs is False
    assert settings.primary.timeout == 5
    assert (settings.refresh_timeout, settings.emit_existing, settings.heartbeat_interval) == (60, True, 2.5)
    assert (settings.reconnect_delay, settings.reconnect_delay_max, settings.reconnect_attempts) == (0.5, 10.0, 3)


def test_aci_environment_fallbacks():
    environ = {"ACI_HOST": "apic1,apic2:8443", "ACI_USERNAME": "eda", "ACI_PASSWORD": "secret",
               "ACI_VALIDATE_CERTS": "no", "ACI_TIMEOUT": "7", "ACI_PORT": "444"}
    settings = parse_settings({"subscriptions": ["fvTenant"]}, environ=environ)
    assert [(c.host, c.port) for c in settings.connections] == [("apic1", 444), ("apic2", 8443)]
    assert settings.primary.username == "eda"
    assert settings.primary.password == "secret"
    assert settings.primary.validate_certs is False
    assert settings.primary.timeout == 7


def test_arguments_win_over_the_environment_and_aliases_work():
    settings = parse_settings({"hostname": ["a"], "user": "u", "password": "p", "subscriptions": ["fvTenant"]},
                              environ={"ACI_HOST": "b", "ACI_USERNAME": "other"})
    assert (settings.primary.host, settings.primary.username) == ("a", "u")


def test_rulebook_internal_arguments_are_ignored():
    assert parse_settings(dict(BASE, eda_feedback_queue=object()), environ={}).primary.host == "apic1"


@pytest.mark.parametrize(("value", "expected"), [
    ("apic1", [("apic1", None)]),
    ("apic1:8443", [("apic1", 8443)]),
    ("[2001:db8::1]:443", [("2001:db8::1", 443)]),
    ("[::1]", [("::1", None)]),
    ("::1", [("::1", None)]),
    ("a, b:1", [("a", None), ("b", 1)]),
    (["a", "b"], [("a", None), ("b", None)]),
])
def test_host_forms(value, expected):
    assert parse_hosts(value) == expected


def test_certificate_user_needs_no_password():
    settings = parse_settings({"host": "a", "username": "eda", "private_key": "/keys/eda.key",
                               "subscriptions": ["fvTenant"]}, environ={})
    assert settings.primary.uses_signature
    assert settings.primary.certificate_name == "eda"


@pytest.mark.parametrize(("args", "message"), [
    ({"password": "p", "subscriptions": ["fvTenant"]}, r"^host: required"),
    ({"host": "a", "subscriptions": ["fvTenant"]}, r"^password or private_key: one is required"),
    (dict(BASE, subscriptions=None), r"^subscriptions: required"),
    (dict(BASE, hots="x"), r"^hots: unknown option; valid options are"),
    (dict(BASE, hostname="b"), r"^hostname: given twice"),
    (dict(BASE, port="http"), r"^port: expected a whole number"),
    (dict(BASE, port=70000), r"^port: must be between 1 and 65535"),
    (dict(BASE, host="a:99999"), r"^host: the port in 'a:99999' must be a whole number between 1 and 65535"),
    (dict(BASE, host="https://apic"), r"^host: give only the APIC address"),
    (dict(BASE, host="[::1]x"), r"^host: cannot read"),
    (dict(BASE, host=[1]), r"^host: expected APIC addresses as text"),
    (dict(BASE, host={"a": 1}), r"^host: must be a string or a list of APIC addresses, got a mapping$"),
    (dict(BASE, host=5), r"^host: must be a string or a list of APIC addresses, got int$"),
    (dict(BASE, validate_certs="maybe"), r"^validate_certs: expected a boolean"),
    (dict(BASE, timeout=0), r"^timeout: must be between 1 and 3600"),
    (dict(BASE, refresh_timeout=0), r"^refresh_timeout: must be between 1 and 3600"),
    (dict(BASE, emit_existing="perhaps"), r"^emit_existing: expected a boolean"),
    (dict(BASE, heartbeat_interval=-1), r"^heartbeat_interval: must be between 0 and 86400 seconds"),
    (dict(BASE, heartbeat_interval="often"), r"^heartbeat_interval: expected a number of seconds"),
    (dict(BASE, heartbeat_interval=True), r"^heartbeat_interval: expected a number of seconds, got a boolean"),
    (dict(BASE, reconnect_delay=0), r"^reconnect_delay: must be between"),
    (dict(BASE, reconnect_delay=5, reconnect_delay_max=1), r"^reconnect_delay_max: must be at least reconnect_delay"),
    (dict(BASE, reconnect_attempts=-1), r"^reconnect_attempts: must be at least 0"),
])
def test_every_mistake_is_one_line_naming_the_option(args, message):
    with pytest.raises(ValueError, match=message) as info:
        parse_settings(args, environ={})
    assert "\n" not in str(info.value)
    assert "pw" not in str(info.value)


def test_arguments_must_be_a_mapping():
    with pytest.raises(ValueError, match="must be a mapping"):
        parse_settings(["host"], environ={})


def test_committed_json_schema_is_the_generated_one():
    assert json.loads(SCHEMA_FILE.read_text()) == args_schema()


def test_schema_accepts_documented_forms_and_rejects_unknown_options():
    validator = jsonschema.Draft202012Validator(args_schema())
    good = {"host": ["a", "b:8443"], "password": "p", "validate_certs": "false", "refresh_timeout": 60,
            "subscriptions": ["fvTenant", {"name": "x", "dn": "uni/tn-a", "query_target": "subtree",
                                           "target_subtree_class": ["fvBD"]}]}
    assert list(validator.iter_errors(good)) == []
    assert list(validator.iter_errors(dict(good, hots="x")))
    assert list(validator.iter_errors(dict(good, subscriptions=[{"name": "no target"}])))
    # A rulebook passing an unset variable to the noise options (rulebooks/tenant_watch.yml) renders ''.
    unset = {"name": "tenants", "class": "fvTenant", "modified_attributes": "", "fold_window": ""}
    assert list(validator.iter_errors(dict(good, subscriptions=[unset]))) == []
    assert list(validator.iter_errors(dict(good, subscriptions=[dict(unset, modified_attributes=[])])))


def test_every_option_has_a_schema_entry_and_known_kind():
    schema = args_schema()["properties"]
    for option in settings_mod.OPTIONS:
        assert option.name in schema
        assert option.kind in ("str", "int", "float", "bool", "hosts", "subscriptions")


def _plugin_documentation() -> dict:
    source = (REPO / "extensions" / "eda" / "plugins" / "event_source" / "websocket.py").read_text()
    for node in ast.parse(source).body:
        if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", "") == "DOCUMENTATION":
            return yaml.safe_load(node.value.value)
    raise AssertionError("the plugin has no DOCUMENTATION")


def test_plugin_documentation_matches_the_options_table():
    documented = _plugin_documentation()["options"]
    assert sorted(documented) == sorted(option.name for option in settings_mod.OPTIONS)
    doc_types = {"str": "str", "int": "int", "float": "float", "bool": "bool", "hosts": "list",
                 "subscriptions": "list"}
    for option in settings_mod.OPTIONS:
        entry = documented[option.name]
        assert entry["type"] == doc_types[option.kind], option.name
        assert entry.get("default") == option.default, option.name
        assert bool(entry.get("required")) == option.required, option.name
        assert tuple(entry.get("aliases", ())) == option.aliases, option.name
        for variable in option.env:
            assert f"E({variable})" in " ".join(entry["description"]), f"{option.name}: {variable} undocumented"
    suboptions = documented["subscriptions"]["suboptions"]
    assert sorted(suboptions) == sorted(KEYS)
    for key, values in CHOICES.items():
        assert suboptions[key]["choices"] == list(values), key
