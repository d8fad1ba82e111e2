"""Errors a user can cause: each names where (file:line:col), what, and a hint.

Everything a user can get wrong (a rule file, a scenario, a license id, a flag)
raises a subclass of `LicetError`; the command line prints `render()` and exits
with code 2. Nothing else should escape to the user as a traceback.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping
from typing import TypedDict


class LicetError(Exception):
    """A mistake in the input, with its location and a hint."""

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        line: int | None = None,
        column: int | None = None,
        text: str | None = None,
        expected: str | None = None,
        hint: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.file = file
        self.line = line
        self.column = column
        self.text = text
        self.expected = expected
        self.hint = hint

    @property
    def location(self) -> str:
        if self.file is None:
            return ""
        parts = [self.file]
        if self.line:
            parts.append(str(self.line))
            if self.column:
                parts.append(str(self.column))
        return ":".join(parts)

    def render(self) -> str:
        head = f"{self.location}: error: {self.message}" if self.location else f"error: {self.message}"
        lines = [head]
        if self.text is not None:
            lines.append(f"    {self.text}")
            if self.column:
                lines.append("    " + " " * (self.column - 1) + "^")
        if self.expected:
            lines.append(f"  expected: {self.expected}")
        if self.hint:
            lines.append(f"  help: {self.hint}")
        return "\n".join(lines)

    def as_dict(self) -> dict[str, object]:
        return {
            "error": self.message,
            "location": self.location or None,
            "expected": self.expected,
            "hint": self.hint,
        }

    def __str__(self) -> str:
        return self.render()


class RuleError(LicetError):
    """A rule file that does not parse or uses words the vocabulary lacks."""


class ScenarioError(LicetError):
    """A scenario that is malformed or refers to things that do not exist."""


class UnknownLicenseError(ScenarioError):
    """A license id or alias the library does not know."""


def did_you_mean(word: str, choices: Iterable[str], canonical: Mapping[str, str] | None = None) -> str | None:
    """A 'did you mean' hint for a misspelt word, compared case-insensitively;
    `canonical` maps spellings (aliases) to the name to suggest."""
    by_lower: dict[str, str] = {}
    for choice in choices:
        by_lower.setdefault(choice.lower(), choice)
    close = difflib.get_close_matches(word.lower(), list(by_lower), n=6, cutoff=0.6)
    if not close:
        return None
    suggestions = [canonical.get(by_lower[c], by_lower[c]) if canonical else by_lower[c] for c in close]
    names = [f"'{name}'" for name in dict.fromkeys(suggestions)][:3]
    return "did you mean " + " or ".join(names) + "?"


def source_line(text: str, line: int) -> str | None:
    """The text of a 1-based line, for showing under an error."""
    lines = text.splitlines()
    if 1 <= line <= len(lines):
        return lines[line - 1]
    return None


def yaml_problem(err: Exception) -> str:
    return str(getattr(err, "problem", None) or err)


class Where(TypedDict):
    line: int | None
    column: int | None
    text: str | None


def yaml_error_location(err: Exception, text: str, first_line: int = 1) -> Where:
    """line, column and the offending text of a YAML error, for a LicetError;
    `first_line` is the file line where the YAML text starts (front matter)."""
    mark = getattr(err, "problem_mark", None)
    if mark is None:
        return {"line": None, "column": None, "text": None}
    line = mark.line + first_line
    return {"line": line, "column": mark.column + 1, "text": source_line(text, line)}
