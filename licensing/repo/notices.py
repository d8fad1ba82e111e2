"""What a scanned component ships for its notice file: the NOTICE text and
the license files of an installed Python distribution, and the copyright
lines in them (`licet notice --scan`).

Only files the scan found are read (`FoundComponent.license_files`, from the
distribution's `License-File` metadata), each a regular file within the size
licet reads of a text file; nothing is fetched. What cannot be read is said,
with the reason, never guessed.
"""

from __future__ import annotations

import re
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from .files import MAX_TEXT_BYTES, ScanError, read_inside
from .scan import ScanReport

NOTICE_NAME = re.compile(r"^NOTICE", re.IGNORECASE)
# A copyright line states a year or a © sign: templates ("Copyright [yyyy] [name of
# copyright owner]", "Copyright (c) <year> <owner>") and prose about copyright are not one.
COPYRIGHT_LINE = re.compile(r"^\s*(?:copyright\b\s*(?:\(c\)|©)?\s*(?:\d{4}|©)|\(c\)\s*\d{4}|©\s*\d{4})", re.IGNORECASE)


class FoundText(BaseModel):
    model_config = ConfigDict(frozen=True)

    file: str
    text: str


class Attribution(BaseModel):
    """The notice material one component ships."""

    model_config = ConfigDict(frozen=True)

    component: str
    notices: list[FoundText] = Field(default_factory=list, description="NOTICE files, verbatim")
    licenses: list[FoundText] = Field(default_factory=list, description="license files, verbatim")
    copyrights: list[str] = Field(default_factory=list, description="copyright lines of those files")
    unread: list[str] = Field(default_factory=list, description="files not read, with the reason")


def copyright_lines(text: str) -> list[str]:
    """The lines of a license or NOTICE file that state a copyright."""
    return list(dict.fromkeys(line.strip() for line in text.splitlines() if COPYRIGHT_LINE.match(line)))


def read_attributions(report: ScanReport) -> dict[str, Attribution]:
    """Per scanned component with license files: what they say."""
    out: dict[str, Attribution] = {}
    for component in report.components:
        if not component.license_files:
            continue
        notices: list[FoundText] = []
        licenses: list[FoundText] = []
        copyrights: list[str] = []
        unread: list[str] = []
        for file in component.license_files:
            path = Path(file)
            try:
                text = read_inside(path, file, root=None, limit=MAX_TEXT_BYTES)
            except ScanError as err:  # SkippedFile included: a link, a device, too large, not UTF-8
                unread.append(f"{file}: {err.message}")
                continue
            found = FoundText(file=file, text=text.strip("\n"))
            (notices if NOTICE_NAME.match(path.name) else licenses).append(found)
            copyrights += [line for line in copyright_lines(text) if line not in copyrights]
        out[component.name] = Attribution(component=component.name, notices=notices, licenses=licenses, copyrights=copyrights, unread=unread)
    return out
