"""query-target-filter expressions: every operator, numeric vs string comparison, and the errors."""

import pytest
from apicsim.catalogue import Catalogue
from apicsim.errors import ApiError
from apicsim.filters import compile_filter

CAT = Catalogue.load()
BD = {"name": "web-bd", "descr": "Web tier", "mtu": "9000", "seg": "16318374", "configIssues": "a,b", "arpFlood": "no"}


def check(expr, cls="fvBD", attrs=None):
    return compile_filter(expr, CAT)(cls, BD if attrs is None else attrs)


@pytest.mark.parametrize(
    ("expr", "expected"),
    [
        ('eq(fvBD.name,"web-bd")', True),
        ('eq(fvBD.name,"app-bd")', False),
        ('ne(fvBD.name,"app-bd")', True),
        ('eq(fvBD.mtu,"9000.0")', True),
        ('gt(fvBD.mtu,"900")', True),
        ('lt(fvBD.mtu,"10000")', True),
        ('le(fvBD.mtu,"9000")', True),
        ('ge(fvBD.mtu,"9001")', False),
        ('gt(fvBD.name,"a")', True),
        ('lt(fvBD.name,"web-a")', False),
        ('bw(fvBD.seg,"16000000","17000000")', True),
        ('bw(fvBD.seg,"1","9")', False),
        ('wcard(fvBD.name,"eb-")', True),
        ('wcard(fvBD.name,"^web")', True),
        ('wcard(fvBD.name,"^bd")', False),
        ('wcard(fvBD.descr,"[oops")', False),
        ('anybit(fvBD.configIssues,"b,z")', True),
        ('allbits(fvBD.configIssues,"a,b")', True),
        ('allbits(fvBD.configIssues,"a,z")', False),
        ('and(eq(fvBD.name,"web-bd"),eq(fvBD.arpFlood,"no"))', True),
        ('and(eq(fvBD.name,"web-bd"),eq(fvBD.arpFlood,"yes"))', False),
        ('or(eq(fvBD.name,"x"),eq(fvBD.arpFlood,"no"))', True),
        ('or(eq(fvBD.name,"x"),eq(fvBD.arpFlood,"yes"))', False),
        ('xor(eq(fvBD.name,"web-bd"),eq(fvBD.arpFlood,"no"))', False),
        ('xor(eq(fvBD.name,"web-bd"),eq(fvBD.arpFlood,"yes"))', True),
        ('not(eq(fvBD.name,"web-bd"))', False),
        ("true", True),
        ("false()", False),
        ("and(true,not(false))", True),
        ("eq(fvBD.name,web-bd)", True),
        (' and( eq(fvBD.name, "web-bd") , ne(fvBD.descr,"x") ) ', True),
        ('eq(fvBD.descr,"Web tier")', True),
        ('eq(fvBD.annotation,"")', False),
    ],
)
def test_operators(expr, expected):
    assert check(expr) is expected


def test_a_condition_on_another_class_is_false():
    assert check('eq(fvTenant.name,"web-bd")') is False
    assert check('or(eq(fvTenant.name,"x"),eq(fvBD.name,"web-bd"))') is True
    assert check('eq(fvAEPg.name,"web")', cls="fvAEPg", attrs={"name": "web"}) is True


def test_quoted_values_may_hold_separators_and_escaped_quotes():
    attrs = {"descr": 'a "quoted", (odd) value'}
    assert check(r'eq(fvBD.descr,"a \"quoted\", (odd) value")', attrs=attrs) is True
    assert check('wcard(fvSubnet.ip,"10.0.0.1/24")', cls="fvSubnet", attrs={"ip": "10.0.0.1/24"}) is True


@pytest.mark.parametrize(
    ("expr", "reason"),
    [
        ("", "empty expression"),
        ('eq(fvBD.name,"a"', "unexpected end of expression"),
        ('eq(fvBD.name,"a"))', "unexpected ')' after the expression"),
        ('foo(fvBD.name,"a")', "unknown operator 'foo'"),
        ('eq(name,"a")', "expected <class>.<property> but found 'name'"),
        ('eq(fvBD.nope,"a")', "class fvBD has no property nope"),
        ("eq(fvBD.name)", "expected ',' but found ')'"),
        ("eq(fvBD.name,)", "expected a value but found ')'"),
        ("not(true,false)", "not() takes exactly one expression"),
        ('eq(fvBD.name,"a)', "unexpected character '\"'"),
        ('(eq(fvBD.name,"a"))', "expected an operator but found '('"),
    ],
)
def test_malformed_filters_name_the_option(expr, reason):
    with pytest.raises(ApiError) as err:
        compile_filter(expr, CAT)
    assert err.value.status == 400
    assert err.value.text.startswith(f"Request failed, invalid query-target-filter '{expr}': {reason}")


def test_an_unknown_class_in_a_filter_is_unresolved():
    with pytest.raises(ApiError) as err:
        compile_filter('eq(fvFoo.name,"a")', CAT, option="rsp-subtree-filter")
    assert err.value.text == "Request failed, unresolved class for fvFoo"
    with pytest.raises(ApiError, match="invalid rsp-subtree-filter"):
        compile_filter("bogus", CAT, option="rsp-subtree-filter")


def test_without_a_catalogue_names_are_not_checked():
    assert compile_filter('eq(anyClass.anyProp,"1")')("anyClass", {"anyProp": "1.0"}) is True
