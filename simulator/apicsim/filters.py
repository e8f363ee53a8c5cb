"""APIC filter expressions (``query-target-filter``, ``rsp-subtree-filter``) compiled to closures.

Syntax, as clients send it: ``op(args)`` with logical ops ``and``, ``or``, ``xor``, ``not`` over
sub-expressions, and conditions ``eq|ne|lt|gt|le|ge|wcard|anybit|allbits(cls.prop,"value")`` and
``bw(cls.prop,"low","high")``; ``true`` and ``false`` stand alone (``true()`` is accepted too).
Values are normally in double quotes (``\\"`` escapes a quote); a bare token is accepted as well.

Choices where the reference is silent (INF):

* A condition names a class (``fvBD.name``); on an object of another class it is false, so
  ``or(eq(fvBD.name,"a"),eq(fvAEPg.name,"b"))`` selects across classes in a subtree query.
* Comparisons are numeric when both sides parse as numbers, otherwise plain string comparisons.
* ``wcard`` is a regular-expression search (so a plain word matches as a substring); a value that
  is not a valid regular expression is matched literally.
* ``anybit``/``allbits`` treat the property as a comma-separated flag set (``configIssues``).

Compiling once and evaluating a closure keeps subscription matching cheap: every pushed change of
a filtered subscription runs its predicate.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable, Mapping

from .catalogue import Catalogue
from .errors import bad_request

#: ``pred(class_name, attributes) -> bool``
Predicate = Callable[[str, Mapping[str, str]], bool]

_COMPARE = {
    "eq": operator.eq,
    "ne": operator.ne,
    "lt": operator.lt,
    "gt": operator.gt,
    "le": operator.le,
    "ge": operator.ge,
}
_LOGICAL = ("and", "or", "xor", "not")
_CONSTANT = ("true", "false")
_TOKEN = re.compile(r'\s*(?:(?P<punct>[(),])|"(?P<quoted>(?:[^"\\]|\\.)*)"|(?P<bare>[^(),"\s][^(),"]*))')


def as_number(text: str) -> float | None:
    """The numeric value of ``text`` or None; only strings that look numeric are parsed."""
    if not text or text[0] not in "0123456789-+.":
        return None
    try:
        return float(text)
    except ValueError:
        return None


class _Parser:
    """Recursive-descent parser over the token list; every error names the option and the offset."""

    def __init__(self, text: str, option: str, catalogue: Catalogue | None) -> None:
        self.text = text
        self.option = option
        self.catalogue = catalogue
        self.tokens: list[tuple[str, str, int]] = []
        pos = 0
        while pos < len(text):
            match = _TOKEN.match(text, pos)
            if match is None or match.end() == pos:
                if text[pos:].strip() == "":
                    break
                self.fail(f"unexpected character {text[pos]!r}", pos)
            kind = match.lastgroup
            value = match.group(kind)
            if kind == "quoted":
                value = re.sub(r"\\(.)", r"\1", value)
            elif kind == "bare":
                value = value.strip()
            self.tokens.append((kind, value, match.start(kind)))
            pos = match.end()
        self.i = 0

    def fail(self, reason: str, pos: int | None = None):
        where = f" at offset {pos}" if pos is not None else ""
        raise bad_request(f"Request failed, invalid {self.option} '{self.text}': {reason}{where}")

    def peek(self) -> tuple[str, str, int] | None:
        return self.tokens[self.i] if self.i < len(self.tokens) else None

    def take(self) -> tuple[str, str, int]:
        token = self.peek()
        if token is None:
            self.fail("unexpected end of expression")
        self.i += 1
        return token

    def expect(self, punct: str) -> None:
        kind, value, pos = self.take()
        if kind != "punct" or value != punct:
            self.fail(f"expected '{punct}' but found {value!r}", pos)

    def parse(self) -> Predicate:
        if not self.tokens:
            self.fail("empty expression")
        pred = self.expression()
        if self.peek() is not None:
            self.fail(f"unexpected {self.peek()[1]!r} after the expression", self.peek()[2])
        return pred

    def expression(self) -> Predicate:
        kind, name, pos = self.take()
        if kind != "bare":
            self.fail(f"expected an operator but found {name!r}", pos)
        if name in _CONSTANT:
            nxt = self.peek()
            if nxt is not None and nxt[:2] == ("punct", "("):
                self.take()
                self.expect(")")
            return _always(name == "true")
        self.expect("(")
        if name in _LOGICAL:
            args = [self.expression()]
            while self.peek() is not None and self.peek()[:2] == ("punct", ","):
                self.take()
                args.append(self.expression())
            self.expect(")")
            return self.logical(name, args, pos)
        if name in _COMPARE or name in ("wcard", "anybit", "allbits", "bw"):
            cls, prop = self.property()
            values = [self.value()]
            if name == "bw":
                values.append(self.value())
            self.expect(")")
            return _condition(name, cls, prop, values)
        self.fail(f"unknown operator '{name}'", pos)

    def logical(self, name: str, args: list[Predicate], pos: int) -> Predicate:
        if name == "not":
            if len(args) != 1:
                self.fail("not() takes exactly one expression", pos)
            (inner,) = args
            return lambda cls, attrs: not inner(cls, attrs)
        if name == "and":
            return lambda cls, attrs: all(arg(cls, attrs) for arg in args)
        if name == "or":
            return lambda cls, attrs: any(arg(cls, attrs) for arg in args)
        return lambda cls, attrs: sum(1 for arg in args if arg(cls, attrs)) % 2 == 1

    def property(self) -> tuple[str, str]:
        kind, text, pos = self.take()
        if kind != "bare" or text.count(".") != 1:
            self.fail(f"expected <class>.<property> but found {text!r}", pos)
        cls, prop = text.split(".")
        if self.catalogue is not None:
            info = self.catalogue.require(cls)
            if prop not in info.all_props:
                self.fail(f"class {cls} has no property {prop}", pos)
        return cls, prop

    def value(self) -> str:
        self.expect(",")
        kind, text, pos = self.take()
        if kind == "punct":
            self.fail(f"expected a value but found {text!r}", pos)
        return text


def _always(result: bool) -> Predicate:
    return lambda cls, attrs: result


def _condition(op: str, cls: str, prop: str, values: list[str]) -> Predicate:
    """One ``op(cls.prop, value)`` test, specialised so the common ``eq`` on a word is one lookup."""
    value = values[0]
    if op == "wcard":
        try:
            pattern = re.compile(value)
        except re.error:
            pattern = re.compile(re.escape(value))
        search = pattern.search

        def wcard(c: str, attrs: Mapping[str, str]) -> bool:
            return c == cls and search(attrs.get(prop, "")) is not None

        return wcard
    if op in ("anybit", "allbits"):
        wanted = frozenset(v.strip() for v in value.split(",") if v.strip())
        combine = any if op == "anybit" else all

        def bits(c: str, attrs: Mapping[str, str]) -> bool:
            if c != cls:
                return False
            have = {v.strip() for v in attrs.get(prop, "").split(",")}
            return combine(flag in have for flag in wanted)

        return bits
    if op == "bw":
        low, high = _comparable(values[0]), _comparable(values[1])

        def between(c: str, attrs: Mapping[str, str]) -> bool:
            if c != cls or prop not in attrs:
                return False
            return _compare(operator.ge, attrs[prop], low) and _compare(operator.le, attrs[prop], high)

        return between
    compare = _COMPARE[op]
    number = as_number(value)
    if op == "eq" and number is None:

        def equal(c: str, attrs: Mapping[str, str]) -> bool:
            return c == cls and attrs.get(prop) == value

        return equal
    target = (value, number)

    def condition(c: str, attrs: Mapping[str, str]) -> bool:
        if c != cls:
            return False
        have = attrs.get(prop)
        return have is not None and _compare(compare, have, target)

    return condition


def _comparable(value: str) -> tuple[str, float | None]:
    return value, as_number(value)


def _compare(compare: Callable[[object, object], bool], have: str, target: tuple[str, float | None]) -> bool:
    """``compare(have, value)``, numerically when both sides are numbers."""
    value, number = target
    if number is not None:
        have_number = as_number(have)
        if have_number is not None:
            return compare(have_number, number)
    return compare(have, value)


def compile_filter(text: str, catalogue: Catalogue | None = None, option: str = "query-target-filter") -> Predicate:
    """Compile a filter expression; with a catalogue, class and property names are checked too.

    Raises :class:`ApiError` 400 naming ``option`` for a syntax error, an unknown operator, an unknown
    class (the APIC's ``unresolved class`` text) or an unknown property.
    """
    return _Parser(text, option, catalogue).parse()
