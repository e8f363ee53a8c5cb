"""One host grammar: the parser, and the modules and the event source reading every form the same way."""

import pytest
from ansible_collections.fabricops.aci.plugins.module_utils.argspec import settings_from_params
from ansible_collections.fabricops.aci.plugins.module_utils.core import connection as c
from ansible_collections.fabricops.aci.plugins.module_utils.core.hosts import parse_hosts, split_host
from ansible_collections.fabricops.aci.plugins.module_utils.event_source.settings import parse_settings

# value of host (or ACI_HOST) -> (host, port) of every member, with no port option set.
FORMS = [
    ("apic1", [("apic1", None)]),
    ("apic1:8443", [("apic1", 8443)]),
    ("10.0.0.1:443", [("10.0.0.1", 443)]),
    ("[2001:db8::1]:443", [("2001:db8::1", 443)]),
    ("[2001:db8::1]", [("2001:db8::1", None)]),
    ("2001:db8::1", [("2001:db8::1", None)]),
    ("::1", [("::1", None)]),
    ("apic1,apic2:8443", [("apic1", None), ("apic2", 8443)]),
    (" apic1 , [::1]:444 ,", [("apic1", None), ("::1", 444)]),
    (["apic1", "apic2:8443", "[::1]:444", "2001:db8::2"],
     [("apic1", None), ("apic2", 8443), ("::1", 444), ("2001:db8::2", None)]),
]
IDS = [str(value) for value, _ in FORMS]


@pytest.mark.parametrize(("value", "expected"), FORMS, ids=IDS)
def test_parser_reads_every_form(value, expected):
    assert parse_hosts(value) == expected


def module_members(params: dict) -> list:
    """What a module connects to: its parameters as ansible hands them over (env fallbacks applied)."""
    spec = dict.fromkeys(c.CONNECTION_OPTIONS)
    spec.update(password="pw", **params)
    return [(m.host, m.port) for m in settings_from_params(spec)]


def source_members(args: dict, environ: dict | None = None) -> list:
    """What the event source connects to, in failover order."""
    settings = parse_settings(dict(args, password="pw", subscriptions=["fvTenant"]), environ=environ or {})
    return [(m.host, m.port) for m in settings.connections]


@pytest.mark.parametrize(("value", "expected"), FORMS, ids=IDS)
def test_modules_and_source_read_host_the_same_way(value, expected):
    assert module_members({"host": value}) == expected
    assert source_members({"host": value}) == expected


TEXT_FORMS = [form for form in FORMS if isinstance(form[0], str)]


@pytest.mark.parametrize(("value", "expected"), TEXT_FORMS, ids=[value for value, _ in TEXT_FORMS])
def test_aci_host_reads_the_same_as_host(value, expected):
    assert source_members({}, {"ACI_HOST": value}) == expected
    members = c.cluster_settings({"password": "pw"}, {"ACI_HOST": value})
    assert [(m.host, m.port) for m in members] == expected


def test_port_applies_to_members_without_their_own():
    expected = [("apic1", 444), ("apic2", 8443), ("::1", 444), ("::2", 9443)]
    value = ["apic1", "apic2:8443", "::1", "[::2]:9443"]
    assert module_members({"host": value, "port": 444}) == expected
    assert source_members({"host": value, "port": "444"}) == expected
    from_env = c.cluster_settings({"password": "pw"}, {"ACI_HOST": ",".join(value), "ACI_PORT": "444"})
    assert [(m.host, m.port) for m in from_env] == expected


def test_urls_of_every_form():
    members = c.cluster_settings({"host": "apic1:8443,[2001:db8::1]:443,2001:db8::2,apic2", "password": "p"}, {})
    assert [m.base_url for m in members] == [
        "https://apic1:8443", "https://[2001:db8::1]:443", "https://[2001:db8::2]", "https://apic2"]


def test_one_apic_settings_refuse_a_cluster():
    assert c.connection_settings({"host": "apic1:8443", "password": "p"}, {}).port == 8443
    with pytest.raises(ValueError, match=r"^host: one APIC address expected here, got 2"):
        c.connection_settings({"host": "a,b", "password": "p"}, {})


@pytest.mark.parametrize(("value", "message"), [
    ("", r"^host: required; give the APIC address, a list of cluster members, or export ACI_HOST$"),
    (" , ", r"^host: required"),
    ([], r"^host: required"),
    ("https://apic1", r"^host: give only the APIC address \(name or IP, optionally :port\), without a scheme"),
    ("apic1/api", r"^host: give only the APIC address"),
    ("apic1:http", r"^host: the port in 'apic1:http' must be a whole number between 1 and 65535$"),
    ("apic1:0", r"^host: the port in 'apic1:0' must be"),
    ("apic1:65536", r"^host: the port in 'apic1:65536' must be"),
    (":443", r"^host: ':443' has a port but no address$"),
    ("[::1]x", r"^host: cannot read '\[::1\]x'; write IPv6 with a port as '\[2001:db8::1\]:443'$"),
    ("[]:443", r"^host: cannot read"),
    ("::1]:443", r"^host: cannot read"),
    (["a", 1], r"^host: expected APIC addresses as text, got int$"),
    ({"a": 1}, r"^host: must be a string or a list of APIC addresses, got a mapping$"),
    (5, r"^host: must be a string or a list of APIC addresses, got int$"),
])
def test_bad_hosts_are_one_line_naming_the_option(value, message):
    for parse in (parse_hosts, lambda v: module_members({"host": v}), lambda v: source_members({"host": v})):
        with pytest.raises(ValueError, match=message) as info:
            parse(value)
        assert "\n" not in str(info.value)


def test_split_host_names_the_option_it_reads():
    with pytest.raises(ValueError, match=r"^hostname: the port in"):
        split_host("a:x", "hostname")
