"""Where something was written: a file, a line and a column.

Rule clauses, scenario keys, scan findings and errors all point into files;
they carry a `Location`, and renderers lay it out (`file:line:col` in text,
`physicalLocation` in SARIF) instead of parsing strings back.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from .nodes import Span


class Location(BaseModel):
    """A position in a file; line and column are 1-based, and either may be unknown."""

    model_config = ConfigDict(frozen=True)

    file: str
    line: int | None = None
    column: int | None = None

    def __str__(self) -> str:
        if not self.line:
            return self.file
        return f"{self.file}:{self.line}" + (f":{self.column}" if self.column else "")


def span_location(span: Span) -> Location:
    """Where a rule-language node was written, as a `Location`."""
    return Location(file=span.file, line=span.line or None, column=span.column or None)
