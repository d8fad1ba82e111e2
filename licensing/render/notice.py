"""The notice file (`licet notice`): per component, its license and the
notices its obligations say it must carry, as ORT's NOTICE reporter lays
them out, in markdown or plain text.

What goes in: the words the obligations fix (a badge, a name, CC attribution
elements), and for scanned Python distributions the NOTICE files, license
files and copyright lines they ship (`licensing.repo.notices`). What an
obligation requires and licet did not find is listed under "Missing", never
written in.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

from ..repo.notices import Attribution, FoundText
from ..verdict import Verdict
from . import plain

# The duties whose performance is text that travels with the work: these
# obligations are the notice file's content. (A vocabulary marker on such
# duties would let rules/ say it; until then the names are listed here.)
NOTICE_DUTIES = (
    "attribution", "include-license-text", "retain-notices", "notice-file-text", "display-badge", "produced-work-notice", "state-changes",
)
# What found material performs a duty that fixes no words of its own.
DUTY_MATERIAL = {"include-license-text": "licenses", "notice-file-text": "notices", "retain-notices": "copyrights", "attribution": "copyrights"}
MATERIAL_WORDS = {
    "licenses": "licet ships no license texts, and",
    "notices": "no NOTICE text was found:",
    "copyrights": "no copyright line was found:",
}
NOT_IN_FILES = "none is among the files the component ships"
NO_FILES = "a scenario names no files to take it from (licet notice --scan reads a repository's)"


@dataclass(frozen=True)
class NoticePart:
    """A component of the notice: its name, kind and license expression."""

    name: str
    kind: str
    license: str | None


@dataclass
class NoticeEntry:
    part: NoticePart
    duties: list[plain.DutyLine] = field(default_factory=list)
    attribution: Attribution | None = None
    missing: list[str] = field(default_factory=list)


def build_notice(verdict: Verdict, parts: Sequence[NoticePart], attributions: dict[str, Attribution] | None = None) -> list[NoticeEntry]:
    """One entry per component with a license or a notice duty (the target
    only if a duty reaches it), its notice duties, what was found and what is missing."""
    attributions = attributions or {}
    lines = [line for line in plain.duty_lines(verdict) if line.duty in NOTICE_DUTIES]
    entries = []
    for part in parts:
        duties = [_only(line, part.name) for line in lines if part.name in line.components]
        if not duties and (part.name == verdict.target or not part.license):
            continue
        found = attributions.get(part.name)
        entry = NoticeEntry(part, duties, found)
        for line in duties:
            if line.words:
                continue
            material = DUTY_MATERIAL.get(line.duty)
            if material and found is not None and getattr(found, material):
                continue
            where = NOT_IN_FILES if found is not None else NO_FILES
            why = f"{MATERIAL_WORDS[material]} {where}" if material else "the rules give no words for it"
            entry.missing.append(f"{line.description} ({plain.title(verdict, line.license)} § {', '.join(line.sections)}): {why}")
        if found is not None:
            entry.missing += [f"not read: {reason}" for reason in found.unread]
        entries.append(entry)
    return entries


def _only(line: plain.DutyLine, component: str) -> plain.DutyLine:
    return plain.DutyLine(line.duty, line.description, line.license, line.words, line.sections, [component], line.when)


def _duty_text(verdict: Verdict, line: plain.DutyLine) -> str:
    text = line.description[:1].upper() + line.description[1:]
    if line.words:
        text += ": " + "; ".join(f"“{w}”" for w in line.words)
    text += f" ({plain.title(verdict, line.license)} § {', '.join(line.sections)})"
    if line.when:
        text += " — only if " + " or ".join(line.when)
    return text


def _license_text(verdict: Verdict, part: NoticePart) -> str:
    if not part.license:
        return "none of its own"
    titles = [c.title for c in verdict.licenses if c.id == part.license and c.title]
    return part.license + (f" — {titles[0]}" if titles else "")


def render_notice(verdict: Verdict, entries: Sequence[NoticeEntry], *, fmt: str = "md", date: dt.date | None = None, source: str | None = None) -> str:
    """The notice file in markdown (`md`) or plain text (`text`)."""
    date = date or dt.date.today()
    md = fmt == "md"
    made = f"Prepared by licet {verdict.licet_version} on {date.isoformat()}" + (f" from {source}" if source else "") + "."
    intro = [
        f"Notices for the components of '{verdict.target}', as the obligations of their licenses require.",
        made,
        "Only what licet found is reproduced; what an obligation requires and licet could not find is listed under “Missing”.",
    ]
    out = [f"# Notices: {verdict.target}" if md else f"NOTICES: {verdict.target}", "" if md else "=" * (9 + len(verdict.target)), *intro]
    if not md:
        out.pop(1)
    for entry in entries:
        out += ["", f"## {entry.part.name}" if md else entry.part.name]
        if not md:
            out.append("-" * len(entry.part.name))
        bullet = "- " if md else "  "
        out.append(f"{bullet}Kind: {entry.part.kind}")
        out.append(f"{bullet}License: {_license_text(verdict, entry.part)}")
        if entry.duties:
            out.append(f"{bullet}Must carry:")
            out += [f"{'  - ' if md else '    - '}{_duty_text(verdict, line)}" for line in entry.duties]
        found = entry.attribution
        if found is not None and found.copyrights:
            out.append(f"{bullet}Copyright:")
            out += [f"{'  - ' if md else '    '}{line}" for line in found.copyrights]
        for title, texts in (("NOTICE", found.notices if found else []), ("License text", found.licenses if found else [])):
            for text in texts:
                out += _verbatim(title, text, md)
    missing = [(entry.part.name, item) for entry in entries for item in entry.missing]
    out += ["", "## Missing" if md else "MISSING", *([] if md else ["-------"])]
    if missing:
        out += [f"- '{name}': {item}" for name, item in missing]
    else:
        out.append("Nothing: every notice the obligations require is above.")
    return "\n".join(out) + "\n"


def _verbatim(title: str, text: FoundText, md: bool) -> list[str]:
    if md:
        fence = "```" if "```" not in text.text else "~~~~"
        return ["", f"### {title} (from `{text.file}`)", "", f"{fence}text", text.text, fence]
    return ["", f"  {title} (from {text.file}):", "", *(f"    {line}".rstrip() for line in text.text.splitlines())]
