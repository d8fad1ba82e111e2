"""License expressions: SPDX-style text (`A OR (B AND C WITH E)`)
over the library's ids and aliases, read into disjunctive normal form.

Each option of the normal form is one way to comply: every (license,
exception) pair in it applies together, and the plan picks one option.
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

from .errors import UnknownLicenseError, did_you_mean

MEMO_SIZE = 4096


@dataclass(frozen=True)
class Option:
    """One way to comply with a license expression: every (license, exception)
    pair in it applies together."""

    terms: tuple[tuple[str, str | None], ...]

    def __str__(self) -> str:
        return " AND ".join(lic + (f" WITH {exc}" if exc else "") for lic, exc in self.terms)


@dataclass(frozen=True)
class Expression:
    """A parsed license expression in disjunctive normal form: pick one option."""

    text: str
    options: tuple[Option, ...]


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
        self.parse = functools.lru_cache(maxsize=MEMO_SIZE)(self._parse)

    def unknown(self, name: str) -> UnknownLicenseError:
        hint = did_you_mean(name, self._spellings, self._spellings) or "run `licet licenses` to list the ids and aliases the library knows"
        return UnknownLicenseError(f"unknown license '{name}'", hint=hint)

    def _parse(self, text: str) -> Expression:
        stripped = text.strip()
        if not stripped:
            raise UnknownLicenseError(
                "empty license expression",
                code="licet.scenario.empty-license",
                hint="give a license id or expression; `licet licenses` lists them",
            )
        with self._lock:
            try:
                parsed = self._licensing.parse(stripped, validate=True, strict=True)
            except ExpressionError as err:
                unknown: list[Any] = []
                try:
                    unknown = self._licensing.unknown_license_keys(stripped)
                except ExpressionError:
                    pass
                if unknown:
                    raise self.unknown(str(unknown[0])) from None
                raise UnknownLicenseError(
                    f"invalid license expression '{stripped}': {err}",
                    code="licet.scenario.invalid-expression",
                    hint="combine ids with AND, OR, WITH and parentheses, e.g. 'A OR (B AND C)'",
                ) from None
        options = tuple(Option(tuple(terms)) for terms in _dnf(parsed))
        return Expression(stripped, tuple(dict.fromkeys(options)))


def _dnf(expr: Any) -> list[list[tuple[str, str | None]]]:
    """Disjunctive normal form of a license_expression tree."""
    kind = type(expr).__name__
    if kind == "LicenseSymbol":
        return [[(expr.key, None)]]
    if kind == "LicenseWithExceptionSymbol":
        return [[(expr.license_symbol.key, expr.exception_symbol.key)]]
    if kind == "OR":
        return [option for arg in expr.args for option in _dnf(arg)]
    if kind == "AND":
        options: list[list[tuple[str, str | None]]] = [[]]
        for arg in expr.args:
            options = [left + right for left in options for right in _dnf(arg)]
        return [list(dict.fromkeys(o)) for o in options]
    raise UnknownLicenseError(f"unsupported license expression part {expr!r}", code="licet.scenario.invalid-expression")
