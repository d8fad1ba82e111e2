"""License expressions: SPDX-style text (`A OR (B AND C WITH E)`)
over the library's ids and aliases, read into a tree of ANDs and ORs.

The engine compiles the tree as it is (an OR is a choice of the plan, an AND
makes every part apply), so an expression of hundreds of parts costs in
proportion to its size. Its disjunctive normal form (`options`: each one way
to comply) is there for small expressions only.
Parsing goes through the `license-expression` package; results are kept in a
bounded, thread-safe memo, since the same expressions recur across checks.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from license_expression import ExpressionError, LicenseSymbol, Licensing

from .errors import UnknownLicenseError, did_you_mean_license
from .inputs import MAX_EXPRESSION_CHARS, MAX_EXPRESSION_DEPTH

MEMO_SIZE = 4096


@dataclass(frozen=True)
class Option:
    """One way to comply with a license expression: every (license, exception)
    pair in it applies together."""

    terms: tuple[tuple[str, str | None], ...]

    def __str__(self) -> str:
        return " AND ".join(lic + (f" WITH {exc}" if exc else "") for lic, exc in self.terms)


@dataclass(frozen=True)
class Leaf:
    """One license of an expression, with its exception if it has one."""

    license: str
    exception: str | None = None


@dataclass(frozen=True)
class AllOf:
    """`A AND B`: every part applies."""

    parts: tuple[Tree, ...]


@dataclass(frozen=True)
class AnyOf:
    """`A OR B`: the licensee picks one part."""

    parts: tuple[Tree, ...]


Tree = Leaf | AllOf | AnyOf

# An expression whose options (its disjunctive normal form) number more than
# this is not expanded into them: AND over ORs multiplies, and eight compound
# expressions joined by AND have millions. The engine works on the tree.
MAX_OPTIONS = 4096


@dataclass(frozen=True)
class Expression:
    """A parsed license expression: its tree, as written (flattened)."""

    text: str
    tree: Tree

    @property
    def leaves(self) -> tuple[Leaf, ...]:
        """Every (license, exception) the expression names, in order, once each."""
        out: dict[Leaf, None] = {}
        stack: list[Tree] = [self.tree]
        while stack:
            node = stack.pop()
            match node:
                case Leaf():
                    out.setdefault(node, None)
                case AllOf(parts=parts) | AnyOf(parts=parts):
                    stack.extend(reversed(parts))
        return tuple(out)

    @property
    def option_count(self) -> int:
        """How many options the disjunctive normal form has, without building it."""
        return _count(self.tree)

    @property
    def options(self) -> tuple[Option, ...]:
        """The disjunctive normal form: pick one option. Only for expressions
        of at most MAX_OPTIONS options (the tree serves any size)."""
        if self.option_count > MAX_OPTIONS:
            raise UnknownLicenseError(
                f"license expression '{self.text[:80]}…' has {self.option_count} ways to comply; licet does not list them one by one",
                code="licet.scenario.expression-too-large",
            )
        return tuple(dict.fromkeys(Option(tuple(terms)) for terms in _dnf(self.tree)))

    @property
    def single(self) -> Leaf | None:
        """The one license the expression is, when it is one."""
        return self.tree if isinstance(self.tree, Leaf) else None


def _count(tree: Tree) -> int:
    match tree:
        case Leaf():
            return 1
        case AnyOf(parts=parts):
            return sum(_count(part) for part in parts)
        case AllOf(parts=parts):
            total = 1
            for part in parts:
                total *= _count(part)
                if total > MAX_OPTIONS * MAX_OPTIONS:
                    return total
            return total


def _dnf(tree: Tree) -> list[list[tuple[str, str | None]]]:
    match tree:
        case Leaf(license=license_id, exception=exception):
            return [[(license_id, exception)]]
        case AnyOf(parts=parts):
            return [option for part in parts for option in _dnf(part)]
        case AllOf(parts=parts):
            options: list[list[tuple[str, str | None]]] = [[]]
            for part in parts:
                options = [left + right for left in options for right in _dnf(part)]
            return [list(dict.fromkeys(o)) for o in options]


@dataclass(frozen=True)
class Symbol:
    """A license or exception the parser knows, with its other spellings."""

    id: str
    aliases: tuple[str, ...]
    is_exception: bool


class ExpressionParser:
    """Reads expressions over a fixed set of symbols. Safe to share between threads."""

    def __init__(self, symbols: Iterable[Symbol]) -> None:
        self._symbols = tuple(symbols)
        self._licensing = Licensing(
            [LicenseSymbol(s.id, aliases=s.aliases, is_exception=s.is_exception) for s in self._symbols]
        )
        self._spellings = {a: s.id for s in self._symbols for a in (s.id, *s.aliases)}
        # license-expression builds its tokenizer lazily and is not documented
        # as thread-safe: parse under a lock (results are memoised anyway)
        self._lock = threading.Lock()
        self._memo = functools.lru_cache(maxsize=MEMO_SIZE)(self._parse)

    def parse(self, text: str) -> Expression:
        """Read an expression; anything that is not one raises `UnknownLicenseError`."""
        if not isinstance(text, str):
            raise UnknownLicenseError(
                f"a license expression is text, not {type(text).__name__}",
                code="licet.scenario.invalid-expression",
                hint="give a license id or an expression such as 'A OR (B AND C)'",
            )
        return self._memo(text)

    def near(self, name: str) -> str | None:
        """'did you mean …?' for an unknown id: near spellings of its family only."""
        return did_you_mean_license(name, self._spellings)

    def unknown(self, name: str) -> UnknownLicenseError:
        shown = _shown(name)
        other = (
            "if licet has no rules for it, write `license: other` (terms unknown; in a model card, "
            f"`license: other` with `license_name: {shown}`); `licet licenses` lists the ids licet knows"
        )
        near = self.near(name)
        hint = f"{near} Or, {other}" if near else other[0].upper() + other[1:]
        return UnknownLicenseError(f"unknown license '{shown}'", hint=hint)

    def _parse(self, text: str) -> Expression:
        stripped = text.strip()
        if not stripped:
            raise UnknownLicenseError(
                "empty license expression",
                code="licet.scenario.empty-license",
                hint="give a license id or expression; `licet licenses` lists them",
            )
        _check_shape(stripped)
        with self._lock:
            try:
                parsed = self._licensing.parse(stripped, validate=True, strict=True)
            except ExpressionError as err:
                raise self._invalid(stripped, err) from None
            except _PARSER_FAILURES:
                # license-expression fails this way on some malformed text, e.g. '()'
                raise self._malformed(stripped) from None
            if parsed is None:
                raise self._malformed(stripped)
        return Expression(stripped, _tree(parsed))

    def _malformed(self, text: str) -> UnknownLicenseError:
        return UnknownLicenseError(
            f"invalid license expression '{_shown(text)}'",
            code="licet.scenario.invalid-expression",
            hint="combine ids with AND, OR, WITH and parentheses, e.g. 'A OR (B AND C)'",
        )

    def _invalid(self, stripped: str, err: Exception) -> UnknownLicenseError:
        unknown: list[Any] = []
        try:
            unknown = self._licensing.unknown_license_keys(stripped)
        except (ExpressionError, *_PARSER_FAILURES):
            pass
        if unknown:
            return self.unknown(str(unknown[0]))
        return UnknownLicenseError(
            f"invalid license expression '{_shown(stripped)}': {_shown(str(err))}",
            code="licet.scenario.invalid-expression",
            hint="combine ids with AND, OR, WITH and parentheses, e.g. 'A OR (B AND C)'",
        )


# What license-expression raises, besides its ExpressionError, on text it
# cannot read (IndexError on '()'); the text is refused as malformed.
_PARSER_FAILURES = (IndexError, KeyError, TypeError, AttributeError, ValueError, RecursionError)


def _shown(text: str, limit: int = 200) -> str:
    """Text short enough to quote in a message."""
    return text if len(text) <= limit else text[:limit] + "…"


def _check_shape(text: str) -> None:
    """Refuse an expression too long, nested too deep or holding control
    characters, before it reaches the parser."""
    if len(text) > MAX_EXPRESSION_CHARS:
        raise UnknownLicenseError(
            f"license expression of {len(text):,} characters; at most {MAX_EXPRESSION_CHARS:,} are read",
            code="licet.scenario.expression-too-large",
            hint="a license expression names licenses; give the licenses the component is under",
        )
    bad = next((c for c in text if ord(c) < 32 or ord(c) == 127), None)
    if bad is not None:
        raise UnknownLicenseError(
            f"license expression '{_shown(text)!r}' holds the control character {bad!r}",
            code="licet.scenario.invalid-expression",
            hint="write license ids, AND, OR, WITH and parentheses on one line",
        )
    depth = deepest = 0
    for char in text:
        if char == "(":
            depth += 1
            deepest = max(deepest, depth)
        elif char == ")":
            depth -= 1
    if deepest > MAX_EXPRESSION_DEPTH:
        raise UnknownLicenseError(
            f"license expression nests parentheses {deepest} deep; at most {MAX_EXPRESSION_DEPTH} are read",
            code="licet.scenario.expression-too-large",
            hint="write the expression with fewer parentheses",
        )


def _tree(expr: Any) -> Tree:
    """A license_expression tree as ours: nested ANDs and ORs flattened,
    repeated parts of one AND or OR kept once."""
    kind = type(expr).__name__
    if kind == "LicenseSymbol":
        return Leaf(expr.key)
    if kind == "LicenseWithExceptionSymbol":
        return Leaf(expr.license_symbol.key, expr.exception_symbol.key)
    if kind in ("AND", "OR"):
        node_class = AllOf if kind == "AND" else AnyOf
        parts: list[Tree] = []
        for arg in expr.args:
            part = _tree(arg)
            parts.extend(part.parts if isinstance(part, node_class) else (part,))
        unique = tuple(dict.fromkeys(parts))
        return unique[0] if len(unique) == 1 else node_class(unique)
    raise UnknownLicenseError(f"unsupported license expression part {expr!r}", code="licet.scenario.invalid-expression")
