"""Empty connection arguments mean "not set": the credential contract's rulebook source relies on it.

docs/controller.md has every rulebook pass ``"{{ aci_username | default('') }}"`` and so on; on a laptop
those are empty and the ``ACI_*`` environment (or the option's default) must apply.
"""

from ansible_collections.fabricops.aci.plugins.module_utils.event_source.settings import parse_settings

CONTRACT_ARGS = {
    name: ""
    for name in ("host", "port", "username", "password", "private_key", "certificate_name", "validate_certs",
                 "ca_path")
}


def test_empty_contract_arguments_fall_back_to_the_environment():
    environ = {"ACI_HOST": "apic1", "ACI_PORT": "8443", "ACI_USERNAME": "eda", "ACI_PASSWORD": "pw",
               "ACI_VALIDATE_CERTS": "no"}
    conn = parse_settings(dict(CONTRACT_ARGS, subscriptions=["fvTenant"]), environ=environ).primary
    assert (conn.host, conn.port, conn.username, conn.password, conn.validate_certs) == (
        "apic1", 8443, "eda", "pw", False)
    assert not conn.private_key and not conn.ca_path and not conn.uses_signature


def test_empty_contract_arguments_fall_back_to_the_defaults():
    conn = parse_settings(dict(CONTRACT_ARGS, host="apic1", password="pw", subscriptions=["fvTenant"]),
                          environ={}).primary
    assert (conn.port, conn.username, conn.validate_certs, conn.ca_path) == (None, "admin", True, None)
