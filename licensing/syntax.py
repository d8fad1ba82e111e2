"""Stage 1: rule text → parse tree (lark) → AST (frozen nodes with spans).

This stage knows the shape of the language only; whether the words used exist
in the vocabulary is checked by the library stage.
"""

from __future__ import annotations

import functools
from dataclasses import replace
from pathlib import Path
from typing import Any

from lark import Lark, Token, Transformer, Tree, v_args
from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, UnexpectedToken, VisitError

from . import nodes as n
from .errors import RuleError, source_line
from .paths import grammar_path

MAX_QUOTE_WORDS = 30

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
    "MORETHAN": "'>' and a quote",
    "SECTION": "'§'",
    "$END": "end of file",
}


@functools.lru_cache(maxsize=1)
def _parser() -> Lark:
    return Lark(
        grammar_path().read_text(encoding="utf-8"),
        parser="lalr",
        propagate_positions=True,
        maybe_placeholders=False,
    )


def _describe_expected(names: set[str] | frozenset[str]) -> str:
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
    hint = None
    if "'§'" in names or "'section'" in names:
        hint = 'every clause cites its section: clause NAME § "2(a)(1)" then its effect'
    elif names & {"'forbid'", "'require'", "'permit'", "'impose'"}:
        hint = "a clause has one effect: forbid, permit, require, require that, impose, undecided or relax"
    return RuleError(
        message,
        file=display,
        line=line,
        column=column,
        text=source_line(text, line),
        expected=_describe_expected(names) or None,
        hint=hint,
    )


def _span(display: str, meta: object) -> n.Span:
    line = getattr(meta, "line", 0) or 0
    column = getattr(meta, "column", 0) or 0
    return n.Span(display, line, column)


def _token_span(display: str, token: Token) -> n.Span:
    return n.Span(display, token.line or 0, token.column or 0)


def _unquote(token: Token) -> str:
    return str(token)[1:-1]


def _number(token: Token) -> float:
    return float(str(token).replace("_", ""))


class _ToAst(Transformer):
    """Builds AST nodes bottom-up; header fields become (name, value) pairs."""

    def __init__(self, display: str) -> None:
        super().__init__()
        self.display = display

    # ------------------------------------------------------------ conditions

    @v_args(meta=True)
    def flag(self, meta, items):
        return n.Flag(str(items[0]), span=_span(self.display, meta))

    @v_args(meta=True)
    def member(self, meta, items):
        subject, (values, set_name) = items
        return n.Member(str(subject), values, set_name, span=_span(self.display, meta))

    @v_args(meta=True)
    def equals(self, meta, items):
        subject, value = items
        return n.Member(str(subject), (_value(value),), None, span=_span(self.display, meta))

    @v_args(meta=True)
    def not_equals(self, meta, items):
        subject, value = items
        span = _span(self.display, meta)
        return n.Not(n.Member(str(subject), (_value(value),), None, span=span), span=span)

    @v_args(meta=True)
    def compare(self, meta, items):
        subject, op, number = items
        return n.Compare(str(subject), str(op), _number(number), span=_span(self.display, meta))

    @v_args(meta=True)
    def assumed(self, meta, items):
        return n.Assumed(str(items[0]), span=_span(self.display, meta))

    @v_args(meta=True)
    def any_of(self, meta, items):
        if len(items) == 1:
            return items[0]
        return n.AnyOf(tuple(items), span=_span(self.display, meta))

    @v_args(meta=True)
    def all_of(self, meta, items):
        if len(items) == 1:
            return items[0]
        return n.AllOf(tuple(items), span=_span(self.display, meta))

    @v_args(meta=True)
    def negation(self, meta, items):
        return n.Not(items[0], span=_span(self.display, meta))

    def inline_set(self, items):
        return tuple(_value(v) for v in items), None

    def named_set(self, items):
        return (), str(items[0])

    # ------------------------------------------------------------ clauses

    def when(self, items):
        return ("when", items[0])

    def unless(self, items):
        return ("unless", items[0])

    def actions(self, items):
        return ("actions", tuple(str(t) for t in items))

    def section(self, items):
        return ("section", _unquote(items[0]))

    def quote(self, items):
        token = items[0]
        text = _unquote(token)
        words = len(text.split())
        if words > MAX_QUOTE_WORDS:
            raise RuleError(
                f"quote has {words} words; at most {MAX_QUOTE_WORDS} are allowed",
                file=self.display,
                line=token.line,
                column=token.column,
                hint="quote only the operative words and summarise the rest in your own words",
            )
        return ("quote", text)

    def _effect(self, effect: str, items, meta) -> tuple[str, dict]:
        fields: dict[str, object] = {"effect": effect, "span": _span(self.display, meta)}
        words = []
        for item in items:
            if isinstance(item, tuple) and item and item[0] in ("when", "unless", "actions"):
                fields[item[0]] = item[1]
            elif isinstance(item, Token):
                words.append(str(item))
            else:
                fields["requirement"] = item
        fields["words"] = tuple(words)
        return ("effect", fields)

    @v_args(meta=True)
    def forbid(self, meta, items):
        return self._effect("forbid", items, meta)

    @v_args(meta=True)
    def permit(self, meta, items):
        return self._effect("permit", items, meta)

    @v_args(meta=True)
    def require_duties(self, meta, items):
        return self._effect("require", items, meta)

    @v_args(meta=True)
    def require_that(self, meta, items):
        return self._effect("require-that", items, meta)

    @v_args(meta=True)
    def impose(self, meta, items):
        return self._effect("impose", items, meta)

    @v_args(meta=True)
    def undecided(self, meta, items):
        return self._effect("undecided", items, meta)

    @v_args(meta=True)
    def relax(self, meta, items):
        return self._effect("relax", items, meta)

    @v_args(meta=True)
    def clause(self, meta, items):
        name = str(items[0])
        parts = dict(item for item in items[1:] if isinstance(item, tuple) and item[0] in ("section", "quote"))
        effect = next(item[1] for item in items[1:] if isinstance(item, tuple) and item[0] == "effect")
        return n.Clause(
            name=name,
            section=parts["section"],
            quote=parts.get("quote"),
            effect=effect["effect"],
            actions=effect.get("actions", ()),
            words=effect["words"],
            requirement=effect.get("requirement"),
            when=effect.get("when", n.TRUE),
            unless=effect.get("unless", n.FALSE),
            span=_span(self.display, meta),
        )

    # ------------------------------------------------------------ headers

    def title(self, items):
        return ("title", _unquote(items[0]))

    def aliases(self, items):
        return ("aliases", tuple(_unquote(t) for t in items))

    def covers(self, items):
        return ("covers", tuple(str(t) for t in items))

    def offers(self, items):
        return ("offers", tuple(_unquote(t) for t in items))

    def applies(self, items):
        return ("applies", tuple(_unquote(t) for t in items))

    def source(self, items):
        return ("source", str(items[0]))

    def outbound(self, items):
        return ("outbound", str(items[0]) == "yes")

    def summary(self, items):
        return ("summary", _unquote(items[0]))

    def fallback(self, items):
        return ("fallback", str(items[0]) == "yes")

    def _license(self, items, meta, is_exception: bool) -> n.License:
        license_id = _unquote(items[0])
        headers: dict[str, Any] = {}
        clauses: list[n.Clause] = []
        for item in items[1:]:
            if isinstance(item, n.Clause):
                clauses.append(item)
            else:
                key, value = item
                if key in headers:
                    raise RuleError(
                        f"'{key}' is given twice for '{license_id}'",
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
    def license(self, meta, items):
        return self._license(items, meta, is_exception=False)

    @v_args(meta=True)
    def exception(self, meta, items):
        return self._license(items, meta, is_exception=True)

    # ------------------------------------------------------------ vocabulary and sets

    def description(self, items):
        return _unquote(items[0])

    @v_args(meta=True)
    def word_decl(self, meta, items):
        category, name, *rest = items
        return n.Word(str(category), str(name), rest[0] if rest else "", span=_span(self.display, meta))

    @v_args(meta=True)
    def relation_decl(self, meta, items):
        name, role, *rest = items
        return n.Relation(str(name), str(role), rest[0] if rest else "", span=_span(self.display, meta))

    def role_pattern(self, items):
        return str(items[0])

    @v_args(meta=True)
    def compose_decl(self, meta, items):
        first, second, result = items
        return n.Compose(first, second, result, span=_span(self.display, meta))

    @v_args(meta=True)
    def count_decl(self, meta, items):
        role, counts_as, condition = items
        return n.CountAs(str(role), str(counts_as), condition, span=_span(self.display, meta))

    @v_args(meta=True)
    def set_decl(self, meta, items):
        name, *values = items
        return n.SetDecl(
            str(name),
            tuple(_value(v) for v in values),
            tuple(v.type == "STRING" for v in values),
            span=_span(self.display, meta),
        )

    def start(self, items):
        return list(items)


def _value(token: Token) -> str:
    return _unquote(token) if token.type == "STRING" else str(token)


def parse_rules(text: str, display: str) -> list[n.Declaration]:
    """Parse one rule file's text; `display` is the path shown in spans and errors."""
    try:
        tree: Tree = _parser().parse(text)
    except UnexpectedInput as err:
        raise _unexpected_error(err, text, display) from None
    try:
        return _ToAst(display).transform(tree)
    except VisitError as err:
        if isinstance(err.orig_exc, RuleError):
            error = err.orig_exc
            if error.text is None and error.line:
                error.text = source_line(text, error.line)
            raise error from None
        raise


def parse_rule_file(path: Path, display: str) -> list[n.Declaration]:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        raise RuleError(f"cannot read rule file: {err}", file=display, hint="check the path and that it is UTF-8 text") from None
    return parse_rules(text, display)
