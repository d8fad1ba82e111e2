"""Stage 1: rule text → parse tree (lark) → AST (frozen, typed nodes with spans).

This stage knows the shape of the language only; whether the words used exist
in the vocabulary is checked by the library stage (`checker`).
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from lark import Lark, Token, Transformer, Tree, v_args
from lark.exceptions import (
    UnexpectedCharacters,
    UnexpectedEOF,
    UnexpectedInput,
    UnexpectedToken,
    VisitError,
)
from lark.tree import Meta

from . import nodes as n
from .errors import RuleError, source_line
from .inputs import (
    MAX_CONDITION_DEPTH,
    MAX_NUMBER_CHARS,
    MAX_RULE_FILE_BYTES,
    check_text_size,
    read_text_limited,
)
from .paths import grammar_path

MAX_QUOTE_WORDS = 30
SYNTAX_ERROR = "licet.rule.syntax"

# Friendly names for the grammar's terminals, for "expected …" in errors.
_TERMINAL_NAMES = {
    "NAME": "a word",
    "STRING": 'a quoted string ("…")',
    "NUMBER": "a number",
    "LBRACE": "'{'",
    "RBRACE": "'}'",
    "LPAR": "'('",
    "RPAR": "')'",
    "COMMA": "','",
    "COMPARATOR": "a comparison (<, <=, >, >=)",
    "WORD_CATEGORY": "a vocabulary declaration",
    "ANY": "'any'",
    "STAR": "'*'",
    "BOOLEAN": "yes or no",
    "$END": "end of file",
}

# Hand-written help for the slips people make, by what the parser expected
# (Catala's parser.messages does this per parser state).
_HINTS: tuple[tuple[frozenset[str], str], ...] = (
    (frozenset({"'§'", "'section'"}), 'every clause cites its section: clause NAME § "2(a)(1)" then its effect'),
    (frozenset({"'any'"}), "actions are conditions: write `forbid any when distribute and …` (or `undecided any when …`)"),
    (frozenset({"'forbid'", "'require'", "'impose'"}), "a clause has one effect: forbid any, require, require that, impose, undecided any or relax"),
    (
        frozenset({"'in'", "'=='"}),
        "`in`, `==` and `!=` follow a subject: role, purpose, work.terms, kind, target.kind, release.license or lineage.license",
    ),
)


@functools.lru_cache(maxsize=1)
def _parser() -> Lark:
    return Lark(
        grammar_path().read_text(encoding="utf-8"),
        parser="lalr",
        propagate_positions=True,
        maybe_placeholders=False,
    )


def _describe_expected(names: set[str]) -> str:
    described = []
    for name in sorted(names):
        if name in _TERMINAL_NAMES:
            described.append(_TERMINAL_NAMES[name])
        elif name.startswith("__ANON") or name.isupper():
            described.append(name.lower())
        else:
            described.append(name)
    return ", ".join(dict.fromkeys(described))


def _literal(parser: Lark, name: str) -> str | None:
    for terminal in parser.terminals:
        if terminal.name == name and terminal.pattern.type == "str":
            return f"'{terminal.pattern.value}'"
    return None


def _unexpected_error(err: UnexpectedInput, text: str, display: str) -> RuleError:
    parser = _parser()
    line = getattr(err, "line", None) or 0
    column = getattr(err, "column", None) or 0
    expected: set[str] = set()
    if isinstance(err, UnexpectedToken):
        expected = set(err.expected)
        found = err.token
        what = "end of file" if found.type == "$END" else f"'{found}'"
        message = f"unexpected {what}"
    elif isinstance(err, UnexpectedCharacters):
        expected = set(err.allowed or ())
        position = err.pos_in_stream or 0
        message = f"unexpected character {text[position:position + 1]!r}"
    elif isinstance(err, UnexpectedEOF):
        expected = set(err.expected)
        message = "unexpected end of file"
        lines = text.splitlines() or [""]
        line, column = len(lines), len(lines[-1]) + 1
    else:  # pragma: no cover - lark has no other kinds
        message = "syntax error"
    names = {_literal(parser, e) or e for e in expected}
    hint = next((help_text for wanted, help_text in _HINTS if names & wanted), None)
    return RuleError(
        message,
        code=SYNTAX_ERROR,
        file=display,
        line=line,
        column=column,
        text=source_line(text, line),
        expected=_describe_expected(names) or None,
        hint=hint,
    )


def _span(display: str, meta: Meta) -> n.Span:
    line = getattr(meta, "line", 0) or 0
    column = getattr(meta, "column", 0) or 0
    return n.Span(display, line, column)


def _unquote(token: Token) -> str:
    return str(token)[1:-1]


def _number(token: Token, display: str) -> float:
    written = str(token)
    value = float(written.replace("_", "")) if len(written) <= MAX_NUMBER_CHARS else math.inf
    if not math.isfinite(value) or value > MAX_RULE_NUMBER:
        raise RuleError(
            f"the number {written[:40]}{'…' if len(written) > 40 else ''} is too large",
            code="licet.rule.number",
            file=display,
            line=token.line,
            column=token.column,
            hint=f"numbers in conditions are counts and amounts up to {MAX_RULE_NUMBER:.0e}",
        )
    return value


# The largest number a condition may compare with: more than any count of
# users or amount of money, small enough for z3 and the wording.
MAX_RULE_NUMBER = 1e15


def _value(token: Token) -> str:
    return _unquote(token) if token.type == "STRING" else str(token)


class _Phrase(str):
    """How a vocabulary word reads in a sentence (`as "…"`)."""


# The `own-work` mark of a relation declaration, on its way into the node.
_OWN_WORK = object()


@dataclass(frozen=True)
class _Guard:
    """`when COND` or `unless COND`, on its way into a clause."""

    key: str
    condition: n.Condition


@dataclass(frozen=True)
class _Effect:
    """An effect node and the guards written after it."""

    effect: n.Effect
    guards: dict[str, n.Condition]


def _guards(items: list[Any]) -> dict[str, n.Condition]:
    return {item.key: item.condition for item in items if isinstance(item, _Guard)}


def _words(items: list[Any]) -> tuple[str, ...]:
    return tuple(str(item) for item in items if isinstance(item, Token) and item.type == "NAME")


class _ToAst(Transformer[Token, Any]):
    """Builds AST nodes bottom-up; header fields become (name, value) pairs."""

    def __init__(self, display: str) -> None:
        super().__init__()
        self.display = display

    # ------------------------------------------------------------ conditions

    @v_args(meta=True)
    def flag(self, meta: Meta, items: list[Token]) -> n.Flag:
        return n.Flag(str(items[0]), span=_span(self.display, meta))

    def subject(self, items: list[Token]) -> type[n._SetTest]:
        return n.SET_TEST_BY_KEYWORD[str(items[0])]

    @v_args(meta=True)
    def set_in(self, meta: Meta, items: list[Any]) -> n._SetTest:
        test, (values, set_name) = items
        node: n._SetTest = test(values, set_name, span=_span(self.display, meta))
        return node

    @v_args(meta=True)
    def purpose_only_in(self, meta: Meta, items: list[Any]) -> n.PurposeOnlyIn:
        ((values, set_name),) = items
        return n.PurposeOnlyIn(values, set_name, span=_span(self.display, meta))

    @v_args(meta=True)
    def set_equals(self, meta: Meta, items: list[Any]) -> n._SetTest:
        test, value = items
        node: n._SetTest = test((_value(value),), None, span=_span(self.display, meta))
        return node

    @v_args(meta=True)
    def set_not_equals(self, meta: Meta, items: list[Any]) -> n.Not:
        span = _span(self.display, meta)
        test: n.Condition = self.set_equals(meta, items)
        return n.Not(test, span=span)

    @v_args(meta=True)
    def compare(self, meta: Meta, items: list[Token]) -> n.Compare:
        number, op, amount = items
        return n.Compare(str(number), str(op), _number(amount, self.display), span=_span(self.display, meta))

    @v_args(meta=True)
    def assumed(self, meta: Meta, items: list[Token]) -> n.Assumed:
        return n.Assumed(str(items[0]), span=_span(self.display, meta))

    @v_args(meta=True)
    def any_of(self, meta: Meta, items: list[n.Condition]) -> n.Condition:
        if len(items) == 1:
            return items[0]
        return n.AnyOf(tuple(items), span=_span(self.display, meta))

    @v_args(meta=True)
    def all_of(self, meta: Meta, items: list[n.Condition]) -> n.Condition:
        if len(items) == 1:
            return items[0]
        return n.AllOf(tuple(items), span=_span(self.display, meta))

    @v_args(meta=True)
    def negation(self, meta: Meta, items: list[n.Condition]) -> n.Not:
        return n.Not(items[0], span=_span(self.display, meta))

    def inline_set(self, items: list[Token]) -> tuple[tuple[str, ...], None]:
        return tuple(_value(v) for v in items), None

    def named_set(self, items: list[Token]) -> tuple[tuple[str, ...], str]:
        return (), str(items[0])

    # ------------------------------------------------------------ clauses

    def when(self, items: list[n.Condition]) -> _Guard:
        return _Guard("when", items[0])

    def unless(self, items: list[n.Condition]) -> _Guard:
        return _Guard("unless", items[0])

    def section(self, items: list[Token]) -> tuple[str, str]:
        return ("section", _unquote(items[0]))

    def quote(self, items: list[Token]) -> tuple[str, str]:
        return ("quote", self._short(items[0], "quote"))

    def _short(self, token: Token, what: str) -> str:
        """A quoted string of the license's words, held to MAX_QUOTE_WORDS."""
        text = _unquote(token)
        words = len(text.split())
        if words > MAX_QUOTE_WORDS:
            raise RuleError(
                f"{what} has {words} words; at most {MAX_QUOTE_WORDS} are allowed",
                code="licet.rule.quote-too-long",
                file=self.display,
                line=token.line,
                column=token.column,
                hint="quote only the operative words and summarise the rest in your own words",
            )
        return text

    @v_args(meta=True)
    def remedy(self, meta: Meta, items: list[Any]) -> n.LicenseRemedy:
        section = next((value for key, value in items[1:] if key == "section"), "")
        return n.LicenseRemedy(self._short(items[0], "remedy"), section, span=_span(self.display, meta))

    def duty(self, items: list[Token]) -> tuple[str, str | None]:
        return str(items[0]), (self._short(items[1], "the words of a duty") if len(items) > 1 else None)

    # Each effect rule gives its effect node and the guards written after it.

    def forbid(self, items: list[Any]) -> _Effect:
        return _Effect(n.Forbid(), _guards(items))

    def undecided(self, items: list[Any]) -> _Effect:
        return _Effect(n.Undecided(), _guards(items))

    def require_duties(self, items: list[Any]) -> _Effect:
        duties = [item for item in items if isinstance(item, tuple)]
        words = tuple((name, text) for name, text in duties if text is not None)
        return _Effect(n.RequireDuties(tuple(name for name, _ in duties), words), _guards(items))

    def require_that(self, items: list[Any]) -> _Effect:
        return _Effect(n.RequireThat(items[0]), _guards(items[1:]))

    def impose(self, items: list[Any]) -> _Effect:
        return _Effect(n.Impose(_words(items)), _guards(items))

    def relax(self, items: list[Any]) -> _Effect:
        return _Effect(n.Relax(_words(items)), _guards(items))

    @v_args(meta=True)
    def clause(self, meta: Meta, items: list[Any]) -> n.Clause:
        name = str(items[0])
        parts: dict[str, str] = dict(item for item in items[1:] if isinstance(item, tuple))
        effect = next(item for item in items[1:] if isinstance(item, _Effect))
        section = parts["section"]
        remedies = tuple(
            item if item.section else replace(item, section=section) for item in items[1:] if isinstance(item, n.LicenseRemedy)
        )
        return n.Clause(
            name=name,
            section=parts["section"],
            quote=parts.get("quote"),
            effect=effect.effect,
            when=effect.guards.get("when", n.TRUE),
            unless=effect.guards.get("unless", n.FALSE),
            remedies=remedies,
            span=_span(self.display, meta),
        )

    # ------------------------------------------------------------ headers

    def title(self, items: list[Token]) -> tuple[str, str]:
        return ("title", _unquote(items[0]))

    def aliases(self, items: list[Token]) -> tuple[str, tuple[str, ...]]:
        return ("aliases", tuple(_unquote(t) for t in items))

    def covers(self, items: list[Token]) -> tuple[str, tuple[str, ...]]:
        return ("covers", tuple(str(t) for t in items))

    def offers(self, items: list[Token]) -> tuple[str, tuple[str, ...]]:
        return ("offers", tuple(_unquote(t) for t in items))

    def one_of(self, items: list[Token]) -> tuple[str, tuple[str, ...]]:
        return ("one-of", tuple(_unquote(t) for t in items))

    def applies(self, items: list[Token]) -> tuple[str, tuple[str, ...]]:
        return ("applies", tuple(_unquote(t) for t in items))

    def source(self, items: list[Token]) -> tuple[str, str]:
        return ("source", str(items[0]))

    def outbound(self, items: list[Token]) -> tuple[str, bool]:
        return ("outbound", str(items[0]) == "yes")

    def summary(self, items: list[Token]) -> tuple[str, str]:
        return ("summary", _unquote(items[0]))

    def fallback(self, items: list[Token]) -> tuple[str, bool]:
        return ("fallback", str(items[0]) == "yes")

    def _license(self, items: list[Any], meta: Meta, is_exception: bool) -> n.License:
        license_id = _unquote(items[0])
        headers: dict[str, Any] = {}
        clauses: list[n.Clause] = []
        for item in items[1:]:
            if isinstance(item, n.Clause):
                clauses.append(item)
                continue
            key, value = item
            if key in headers:
                raise RuleError(
                    f"'{key}' is given twice for '{license_id}'",
                    code="licet.rule.duplicate-header",
                    file=self.display,
                    line=meta.line,
                    column=meta.column,
                    hint=f"give '{key}' once, with every value separated by commas",
                )
            headers[key] = value
        return n.License(
            id=license_id,
            title=str(headers.get("title", license_id)),
            aliases=tuple(headers.get("aliases", ())),
            covers=tuple(headers.get("covers", ())),
            offers=tuple(headers.get("offers", ())),
            members=tuple(headers.get("one-of", ())),
            source=str(headers.get("source", "full")),
            outbound=bool(headers.get("outbound", True)),
            summary=str(headers.get("summary", "")),
            clauses=tuple(replace(c, license_id=license_id) for c in clauses),
            is_exception=is_exception,
            fallback=bool(headers.get("fallback", False)),
            applies_to=tuple(headers.get("applies", ())),
            span=_span(self.display, meta),
        )

    @v_args(meta=True)
    def license(self, meta: Meta, items: list[Any]) -> n.License:
        return self._license(items, meta, is_exception=False)

    @v_args(meta=True)
    def exception(self, meta: Meta, items: list[Any]) -> n.License:
        return self._license(items, meta, is_exception=True)

    # ------------------------------------------------------------ vocabulary and sets

    def description(self, items: list[Token]) -> str:
        return _unquote(items[0])

    def phrase(self, items: list[Token]) -> _Phrase:
        return _Phrase(_unquote(items[0]))

    def within(self, items: list[Token]) -> tuple[str, tuple[str, ...]]:
        return ("within", tuple(str(t) for t in items))

    def overlaps(self, items: list[Token]) -> tuple[str, tuple[str, ...]]:
        return ("overlaps", tuple(str(t) for t in items))

    def qualifying(self, items: list[Token]) -> tuple[str, bool]:
        return ("qualifying", True)

    def decided_by_user(self, items: list[Token]) -> tuple[str, bool]:
        return ("decided_by_user", True)

    @v_args(meta=True)
    def word_decl(self, meta: Meta, items: list[Any]) -> n.Word:
        category, name, *rest = items
        description = next((item for item in rest if isinstance(item, str) and not isinstance(item, _Phrase)), "")
        phrase = next((item for item in rest if isinstance(item, _Phrase)), _Phrase(""))
        attributes: dict[str, Any] = dict(item for item in rest if isinstance(item, tuple))
        return n.Word(
            str(category),
            str(name),
            description,
            str(phrase),
            within=attributes.get("within", ()),
            overlaps=attributes.get("overlaps", ()),
            qualifying=bool(attributes.get("qualifying", False)),
            decided_by_user=bool(attributes.get("decided_by_user", False)),
            span=_span(self.display, meta),
        )

    @v_args(meta=True)
    def relation_decl(self, meta: Meta, items: list[Any]) -> n.Relation:
        name, role, *rest = items
        description = next((item for item in rest if isinstance(item, str)), "")
        own_work = any(item is _OWN_WORK for item in rest)
        return n.Relation(str(name), str(role), description, own_work=own_work, span=_span(self.display, meta))

    def own_work(self, items: list[Token]) -> object:
        return _OWN_WORK

    @v_args(meta=True)
    def presume_decl(self, meta: Meta, items: list[Any]) -> n.Presumption:
        fact, value, text = items
        return n.Presumption(str(fact), str(value) == "yes", str(text), span=_span(self.display, meta))

    def role_pattern(self, items: list[Token]) -> str:
        return str(items[0])

    @v_args(meta=True)
    def compose_decl(self, meta: Meta, items: list[str]) -> n.Compose:
        first, second, result = items
        return n.Compose(first, second, result, span=_span(self.display, meta))

    @v_args(meta=True)
    def count_decl(self, meta: Meta, items: list[Any]) -> n.CountAs:
        role, counts_as, condition = items
        return n.CountAs(str(role), str(counts_as), condition, span=_span(self.display, meta))

    @v_args(meta=True)
    def set_decl(self, meta: Meta, items: list[Token]) -> n.SetDecl:
        name, *values = items
        return n.SetDecl(
            str(name),
            tuple(_value(v) for v in values),
            tuple(v.type == "STRING" for v in values),
            span=_span(self.display, meta),
        )

    def start(self, items: list[n.Declaration]) -> list[n.Declaration]:
        return list(items)


# Conditions nest as `any_of`, `all_of` and `negation` trees: each level of
# parentheses is two levels of the tree (an `or` over an `and`), each `not` one.
_CONDITION_RULES = frozenset({"any_of", "all_of", "negation"})


def _check_depth(tree: Tree[Token], text: str, display: str) -> None:
    """Refuse conditions nested deeper than MAX_CONDITION_DEPTH levels (`or`,
    `and`, `not`) before the tree is walked by recursive code."""
    stack: list[tuple[Tree[Token], int]] = [(tree, 0)]
    while stack:
        node, depth = stack.pop()
        if node.data in _CONDITION_RULES:
            depth += 1
            if depth > MAX_CONDITION_DEPTH:
                line = getattr(node.meta, "line", None)
                column = getattr(node.meta, "column", None)
                raise RuleError(
                    f"a condition nested more than {MAX_CONDITION_DEPTH} levels deep (each parenthesis is an `or` and an `and`)",
                    code="licet.rule.too-deep",
                    file=display,
                    line=line,
                    column=column,
                    text=source_line(text, line) if line else None,
                    hint="no license needs that many parentheses or `not`s; simplify the condition",
                )
        stack.extend((child, depth) for child in node.children if isinstance(child, Tree))


def parse_rules(text: str, display: str) -> list[n.Declaration]:
    """Parse one rule file's text; `display` is the path shown in spans and errors."""
    if not isinstance(text, str):
        raise RuleError(f"a rule file is text, not {type(text).__name__}", code="licet.rule.unreadable", file=display)
    check_text_size(text, RuleError, display, what="rule file", limit=MAX_RULE_FILE_BYTES)
    try:
        tree: Tree[Token] = _parser().parse(text)
    except UnexpectedInput as err:
        raise _unexpected_error(err, text, display) from None
    _check_depth(tree, text, display)
    try:
        declarations: list[n.Declaration] = _ToAst(display).transform(tree)
    except VisitError as err:
        if isinstance(err.orig_exc, RuleError):
            error = err.orig_exc
            if error.text is None and error.line:
                error.text = source_line(text, error.line)
            raise error from None
        raise
    return declarations


def parse_rule_file(path: Path, display: str) -> list[n.Declaration]:
    """Read and parse one rule file: a regular UTF-8 file of at most MAX_RULE_FILE_BYTES."""
    text = read_text_limited(path, RuleError, display=display, what="rule file", limit=MAX_RULE_FILE_BYTES)
    return parse_rules(text, display)
