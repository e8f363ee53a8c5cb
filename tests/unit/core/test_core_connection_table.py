"""One table per connection option: everything else that describes the options is built from it or agrees with it.

core/connection.py ``CONNECTION_TABLE`` holds each option's kind, environment variables, aliases, default,
bounds and whether it is a secret. The modules' argument spec and the event source's settings (and so its
JSON schema) are built from it; the modules' doc fragment, the event source's DOCUMENTATION and the controller
credential types are written by hand and checked here, so adding an option is one edit plus the docs text.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from ansible_collections.fabricops.aci.plugins.doc_fragments.connection import ModuleDocFragment
from ansible_collections.fabricops.aci.plugins.module_utils.argspec import connection_argument_spec
from ansible_collections.fabricops.aci.plugins.module_utils.core.connection import (
    CONNECTION_TABLE,
    DEFAULTS,
    ENV_FALLBACKS,
    OPTION_ALIASES,
    SECRET_OPTIONS,
)
from ansible_collections.fabricops.aci.plugins.module_utils.event_source import settings

REPO = Path(__file__).resolve().parents[3]
PLUGIN = REPO / "extensions" / "eda" / "plugins" / "event_source" / "websocket.py"
CREDENTIAL_TYPES = sorted((REPO / "controller" / "credential_types").glob("*.yml"))
MODULE_TYPES = {"hosts": "raw", "str": "str", "int": "int", "bool": "bool", "path": "path"}
NAMES = [option.name for option in CONNECTION_TABLE]


def _fragment() -> dict:
    return yaml.safe_load(ModuleDocFragment.DOCUMENTATION)["options"]


def _plugin_options() -> dict:
    text = PLUGIN.read_text()
    return yaml.safe_load(text.split('DOCUMENTATION = r"""', 1)[1].split('"""', 1)[0])["options"]


def _described(entry: dict) -> str:
    description = entry.get("description", "")
    return " ".join(description) if isinstance(description, list) else description


def test_the_views_of_the_table_are_the_table():
    assert {option.name: option.env for option in CONNECTION_TABLE} == ENV_FALLBACKS
    assert {name: aliases for name, aliases in OPTION_ALIASES.items()} == {
        option.name: option.aliases for option in CONNECTION_TABLE if option.aliases}
    assert SECRET_OPTIONS == ("password", "private_key")
    assert DEFAULTS == {"username": "admin", "validate_certs": True, "use_ssl": True, "use_proxy": True,
                        "timeout": 30}


@pytest.mark.parametrize("option", CONNECTION_TABLE, ids=NAMES)
def test_the_module_argument_spec_is_built_from_the_table(option):
    entry = connection_argument_spec()[option.name]
    assert entry["type"] == MODULE_TYPES[option.kind]
    assert entry["fallback"][1] == list(option.env)
    assert entry.get("aliases", []) == list(option.aliases)
    assert entry.get("no_log", False) == option.secret
    assert "default" not in entry  # a default would hide the environment variable (argspec.py)


@pytest.mark.parametrize("option", CONNECTION_TABLE, ids=NAMES)
def test_the_modules_doc_fragment_agrees_with_the_table(option):
    entry = _fragment()[option.name]
    assert entry["type"] == MODULE_TYPES[option.kind], option.name
    assert list(entry.get("aliases", [])) == list(option.aliases), option.name
    for variable in option.env:
        assert f"E({variable})" in _described(entry), f"{option.name}: {variable} is not documented"


def test_the_doc_fragment_documents_no_option_the_table_lacks():
    assert set(_fragment()) == set(NAMES)


@pytest.mark.parametrize("option", CONNECTION_TABLE, ids=NAMES)
def test_the_event_source_takes_every_option_as_the_table_says(option):
    source = settings.BY_NAME[option.name]
    assert source.aliases == option.aliases and source.env == option.env
    assert source.default == option.default
    assert (source.minimum, source.maximum) == (option.minimum, option.maximum)
    documented = _plugin_options()[option.name]
    assert list(documented.get("aliases", [])) == list(option.aliases)
    for variable in option.env:
        assert f"E({variable})" in _described(documented), f"{option.name}: {variable} is not documented"
    schema = settings.args_schema()["properties"]
    for alias in option.aliases:
        assert schema[alias] == {"$ref": f"#/properties/{option.name}"}


@pytest.mark.parametrize("path", CREDENTIAL_TYPES, ids=[path.stem for path in CREDENTIAL_TYPES])
def test_credential_types_keep_the_table_secrets_secret(path):
    fields = {field["id"]: field for field in yaml.safe_load(path.read_text())["inputs"]["fields"]}
    for field_id, field in fields.items():
        name = field_id[len("aci_"):] if field_id.startswith("aci_") else field_id
        option = next((option for option in CONNECTION_TABLE if option.name == name), None)
        if option is not None:
            assert bool(field.get("secret")) == option.secret, f"{path.name}: {field_id}"
    assert any(field.get("secret") for field in fields.values())  # the password at least
