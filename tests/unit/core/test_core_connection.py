"""Connection options: cisco.aci's names and ACI_* variables, typed, with one-line errors."""

import pytest
from ansible_collections.fabricops.aci.plugins.module_utils.core import connection as c


def test_env_fallbacks_match_cisco_aci():
    assert c.ENV_FALLBACKS["host"] == ("ACI_HOST",)
    assert c.ENV_FALLBACKS["username"][0] == "ACI_USERNAME"
    assert c.ENV_FALLBACKS["password"][0] == "ACI_PASSWORD"
    assert c.ENV_FALLBACKS["private_key"][0] == "ACI_PRIVATE_KEY"
    for option in ("port", "certificate_name", "validate_certs", "use_ssl", "timeout"):
        assert c.ENV_FALLBACKS[option] == ("ACI_" + option.upper(),)


@pytest.mark.parametrize(
    ("value", "expected"), [(True, True), ("yes", True), ("False", False), (0, False), ("on", True)]
)
def test_to_bool(value, expected):
    assert c.to_bool("validate_certs", value) is expected


def test_to_bool_error_names_option():
    with pytest.raises(ValueError, match=r"^use_ssl: expected a boolean"):
        c.to_bool("use_ssl", "maybe")


def test_to_int():
    assert c.option_int("port", "8443", 1, 65535) == 8443
    assert c.option_int("timeout", 5, minimum=1) == 5
    with pytest.raises(ValueError, match=r"^port: must be between 1 and 65535, got 0"):
        c.option_int("port", 0, 1, 65535)
    with pytest.raises(ValueError, match=r"^timeout: must be at least 1"):
        c.option_int("timeout", "0", minimum=1)
    with pytest.raises(ValueError, match=r"^x: must be at most 3"):
        c.option_int("x", 4, maximum=3)
    with pytest.raises(ValueError, match=r"^port: expected a whole number"):
        c.option_int("port", "eighty")
    with pytest.raises(ValueError, match="boolean"):
        c.option_int("port", True)


def test_urls():
    assert c.base_url("apic", None, True) == "https://apic"
    assert c.base_url("10.0.0.1", 8080, False) == "http://10.0.0.1:8080"
    assert c.base_url("::1", 8443, True) == "https://[::1]:8443"
    assert c.base_url("[::1]", None, True) == "https://[::1]"
    assert c.socket_url("::1", 8443, True, "a/b+c=") == "wss://[::1]:8443/socketa/b+c="
    assert c.socket_url("apic", None, False, "t") == "ws://apic/sockett"
    for bad in ("", "https://apic", "apic/x"):
        with pytest.raises(ValueError, match=r"^host: "):
            c.base_url(bad, None, True)


def test_bodies_and_cookie_header():
    assert c.aaa_login_body("u", "p") == {"aaaUser": {"attributes": {"name": "u", "pwd": "p"}}}
    assert c.aaa_logout_body("u") == {"aaaUser": {"attributes": {"name": "u"}}}
    assert c.cookie_header({"a": "1", "APIC-cookie": "x/y="}) == "a=1; APIC-cookie=x/y="


LOGIN = {
    "totalCount": "1",
    "imdata": [
        {
            "aaaLogin": {
                "attributes": {
                    "token": "ZldY+/=",
                    "refreshTimeoutSeconds": "600",
                    "maximumLifetimeSeconds": "86400",
                    "userName": "admin",
                    "version": "2.0(2f)",
                    "sessionId": "o7hO==",
                    "creationTime": "1500134817",
                }
            }
        }
    ],
}


def test_parse_login_hides_token_in_repr():
    info = c.parse_login(LOGIN)
    assert (info.token, info.refresh_timeout, info.maximum_lifetime) == ("ZldY+/=", 600, 86400)
    assert (info.user_name, info.version, info.creation_time, info.url_token) == ("admin", "2.0(2f)", 1500134817, "")
    assert "ZldY" not in repr(info)
    assert "o7hO" not in repr(info)


@pytest.mark.parametrize(
    "body", [{}, {"imdata": []}, {"imdata": [{"error": {}}]}, {"imdata": [{"aaaLogin": {"attributes": {"token": ""}}}]}]
)
def test_parse_login_errors(body):
    with pytest.raises(ValueError, match="token"):
        c.parse_login(body)


def test_settings_from_env_and_defaults():
    env = {"ACI_HOST": "apic1", "ACI_USERNAME": "bob", "ACI_PASSWORD": "s3cret", "ACI_VALIDATE_CERTS": "no",
           "ACI_PORT": "8443", "ACI_TIMEOUT": "7"}
    settings = c.connection_settings({"host": None, "use_ssl": None}, env)
    assert (settings.host, settings.port, settings.username, settings.password) == ("apic1", 8443, "bob", "s3cret")
    assert settings.validate_certs is False and settings.use_ssl is True and settings.timeout == 7
    assert settings.base_url == "https://apic1:8443"
    assert not settings.uses_signature
    assert "s3cret" not in repr(settings) and "s3cret" not in settings.describe()
    assert settings.secrets == ("s3cret",)


def test_task_options_win_over_env():
    settings = c.connection_settings({"host": "a", "password": "p"}, {"ACI_HOST": "b", "ACI_USERNAME": "u"})
    assert settings.host == "a" and settings.username == "u"
    assert c.connection_settings({"host": "a", "password": "p"}, {}).username == "admin"


def test_certificate_settings_default_name():
    settings = c.connection_settings({"host": "a", "private_key": "/keys/alice.key", "username": "alice"}, {})
    assert settings.uses_signature and settings.certificate_name == "alice"
    inline = c.connection_settings({"host": "a", "private_key": "-----BEGIN x", "username": "bob"}, {})
    assert inline.certificate_name == "bob"
    assert "BEGIN" not in repr(inline)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"password": "p"}, "^host: required"),
        ({"host": {"a": 1}, "password": "p"}, "^host: must be a string or a list of APIC addresses, got a mapping$"),
        ({"host": "a"}, "^password or private_key"),
        ({"host": "a", "password": "p", "port": "x"}, "^port: "),
        ({"host": "a", "password": "p", "timeout": 0}, "^timeout: "),
        ({"host": "a", "password": "p", "validate_certs": "perhaps"}, "^validate_certs: "),
    ],
)
def test_settings_errors_name_the_option(options, message):
    with pytest.raises(ValueError, match=message) as info:
        c.connection_settings(options, {})
    assert "\n" not in str(info.value)
