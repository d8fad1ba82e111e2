"""Errors a user can cause: each names where (file:line:col), what, and a hint.

Everything a user can get wrong (a rule file, a scenario, a license id, a flag)
raises a subclass of `LicetError`; the command line prints `render()` and exits
with code 2. Nothing else should escape to the user as a traceback.

Every error carries a stable `code` (`licet.scenario.unknown-license`), so that
tools embedding licet can tell mistakes apart without reading the message. A
check that finds several mistakes in one input (the rule checker does) raises
one error holding the others in `more`, as OPA's `ast.Errors` does.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, TypedDict


class LicetError(Exception):
    """A mistake in the input, with its code, location and a hint."""

    default_code = "licet.input"

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        file: str | None = None,
        line: int | None = None,
        column: int | None = None,
        text: str | None = None,
        expected: str | None = None,
        hint: str | None = None,
        more: Sequence[LicetError] = (),
    ) -> None:
        super().__init__(message)
        self.message = message
        self.code = code or self.default_code
        self.file = file
        self.line = line
        self.column = column
        self.text = text
        self.expected = expected
        self.hint = hint
        self.more: tuple[LicetError, ...] = tuple(more)

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

    @property
    def errors(self) -> tuple[LicetError, ...]:
        """This error and every other one found in the same input."""
        return (self, *self.more)

    def _render_one(self) -> str:
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

    def render(self) -> str:
        rendered = [error._render_one() for error in self.errors]
        if self.more:
            rendered.append(f"{len(self.errors)} errors")
        return "\n".join(rendered)

    def _as_dict_one(self) -> dict[str, Any]:
        return {
            "error": self.message,
            "code": self.code,
            "location": self.location or None,
            "file": self.file,
            "line": self.line,
            "column": self.column,
            "expected": self.expected,
            "hint": self.hint,
        }

    def as_dict(self) -> dict[str, Any]:
        """The error as JSON data; with several errors, all of them under `errors`."""
        data = self._as_dict_one()
        if self.more:
            data["errors"] = [error._as_dict_one() for error in self.errors]
        return data

    def __str__(self) -> str:
        return self.render()

    def __reduce__(self) -> tuple[Any, ...]:
        # keyword-only arguments: rebuild through a helper so errors cross
        # process boundaries (Engine.check_many) intact
        return (_rebuild, (type(self), self.message, self.__dict__.copy()))


def _rebuild(cls: type[LicetError], message: str, state: dict[str, Any]) -> LicetError:
    error = cls.__new__(cls)
    Exception.__init__(error, message)
    error.__dict__.update(state)
    return error


def collected(errors: Sequence[LicetError]) -> LicetError:
    """One error standing for several: the first, with the others in `more`."""
    first = errors[0]
    first.more = tuple(errors[1:])
    return first


class RuleError(LicetError):
    """A rule file that does not parse or uses words the vocabulary lacks."""

    default_code = "licet.rule.invalid"


class ScenarioError(LicetError):
    """A scenario that is malformed or refers to things that do not exist."""

    default_code = "licet.scenario.invalid"


class UnknownLicenseError(ScenarioError):
    """A license id or alias the library does not know, or an expression over
    them that cannot be read."""

    default_code = "licet.scenario.unknown-license"


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


def _family(spelling: str) -> str:
    """The family stem of a license spelling: its first run of letters,
    lower-cased (a leading version digit skipped, the version and the
    variant after it left out)."""
    match = re.search(r"[a-z]+", spelling.lower())
    return match.group(0) if match else ""


def _one_edit_apart(a: str, b: str) -> bool:
    """Whether one insertion, deletion, substitution or swap of neighbours
    turns `a` into `b` (a typo, not another word)."""
    if a == b:
        return True
    if abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        diff = [i for i in range(len(a)) if a[i] != b[i]]
        return len(diff) == 1 or (len(diff) == 2 and diff[1] == diff[0] + 1 and a[diff[0]] == b[diff[1]] and a[diff[1]] == b[diff[0]])
    short, long = sorted((a, b), key=len)
    return any(long[:i] + long[i + 1 :] == short for i in range(len(long)))


# A family stem shorter than this must match exactly: 'mpl' and 'mnpl', 'gpl'
# and 'lgpl', 'agpl' and 'lgpl' are other licenses, not typos of each other.
MIN_TYPO_STEM = 5


def same_family(word: str, spelling: str) -> bool:
    """Whether a known license spelling is of the family the typed word names:
    the same family stem, or (for stems of MIN_TYPO_STEM letters or more) a
    stem one typo away (a letter dropped, added, changed or two swapped)."""
    mine, theirs = _family(word), _family(spelling)
    if not mine or not theirs:
        return False
    if mine == theirs:
        return True
    return min(len(mine), len(theirs)) >= MIN_TYPO_STEM and _one_edit_apart(mine, theirs)


def did_you_mean_license(word: str, spellings: Mapping[str, str]) -> str | None:
    """A 'did you mean' hint for a misspelt license id: near spellings of the
    same family only (see `same_family`), each shown as its canonical id, so
    that an unknown vendor's EULA is never offered a well-known license of
    another family as if it were a typo.
    `spellings` maps every id and alias to its canonical id."""
    by_lower: dict[str, str] = {}
    for spelling in spellings:
        by_lower.setdefault(spelling.lower(), spelling)
    lowered = word.lower()
    related = [s for s in by_lower if same_family(lowered, s)]
    ranked = sorted(related, key=lambda s: -difflib.SequenceMatcher(None, lowered, s).ratio())
    names = list(dict.fromkeys(spellings[by_lower[s]] for s in ranked))[:3]
    if not names:
        return None
    return "did you mean " + " or ".join(f"'{name}'" for name in names) + "?"


def source_line(text: str, line: int) -> str | None:
    """The text of a 1-based line, for showing under an error."""
    lines = text.splitlines()
    if 1 <= line <= len(lines):
        return lines[line - 1]
    return None


def yaml_problem(err: Exception) -> str:
    reason = getattr(err, "reason", None)
    character = getattr(err, "character", None)
    if isinstance(reason, str) and isinstance(character, (int, str)):
        shown = f"#x{character:04x}" if isinstance(character, int) else repr(character)
        return f"unacceptable character {shown}: {reason}"
    return str(getattr(err, "problem", None) or err)


class Where(TypedDict):
    line: int | None
    column: int | None
    text: str | None


def yaml_error_location(err: Exception, text: str, first_line: int = 1) -> Where:
    """line, column and the offending text of a YAML error, for a LicetError;
    `first_line` is the file line where the YAML text starts (front matter)."""
    mark = getattr(err, "problem_mark", None)
    position = getattr(err, "position", None)
    if mark is None and isinstance(position, int) and 0 <= position <= len(text):
        # a character YAML refuses (a reader error): its offset in the text
        line = text.count("\n", 0, position)
        column = position - (text.rfind("\n", 0, position) + 1)
        return {"line": line + first_line, "column": column + 1, "text": source_line(text, line + 1)}
    if mark is None:
        return {"line": None, "column": None, "text": None}
    return {"line": mark.line + first_line, "column": mark.column + 1, "text": source_line(text, mark.line + 1)}
