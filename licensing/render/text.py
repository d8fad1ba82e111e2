"""A verdict as plain text for a terminal (`licet check`: one page a lawyer
reads, and `--detail` with every clause, path, rule and solver term),
pinning-case results (`licet test`) and a compatibility matrix (`licet matrix`)."""

from __future__ import annotations

import textwrap
from collections.abc import Sequence

from ..cases import CaseResult
from ..matrix import Matrix
from ..verdict import ClauseRef, DependsOn, Fix, Verdict
from ..wording import HEADLINES, outcomes_text, path_text, waiver_scope
from . import plain

WIDTH = 100


def _clause_lines(ref: ClauseRef) -> list[str]:
    license_text = ref.license if not ref.declared_license else f"{ref.license} (from {ref.declared_license})"
    lines = [f"  - {license_text} § {ref.section} ({ref.clause})"]
    if ref.quote:
        lines.append(f'      "{ref.quote}"')
    if ref.text:
        lines.append(f"      {ref.text}")
    how = ref.role_text or ref.role
    where = f"      reaches '{ref.component}' ({how}): {path_text(ref.path, ref.via)}"
    if ref.also_components:
        more = ref.also_components
        shown = ", ".join(more[:3]) + (f" and {len(more) - 3} more" if len(more) > 3 else "")
        where += f" (also: {shown})"
    lines.append(where)
    lines.append(f"      rule: {ref.location or ref.source}")
    return lines


def depends_lines(depends_on: Sequence[DependsOn]) -> list[str]:
    """The section on the open questions an answer turns on (none: no lines)."""
    if not depends_on:
        return []
    lines = ["", "It depends on:"]
    for item in depends_on:
        lines.append(f"  - {item.assumption}: {outcomes_text(item)}")
        if item.kind == "purpose" and item.question:
            lines.append(f"      {item.question}")
        if item.asked_by:
            lines.append(f"      asked by: {', '.join(item.asked_by)}")
    return lines


def ways_out_lines(fixes: Sequence[Fix]) -> list[str]:
    """The section on the changes that would turn the answer (none: no lines)."""
    if not fixes:
        return []
    return ["", "Ways out:", *(f"  - {fix.change} → {fix.then}" for fix in fixes)]


def _item(text: str, marker: str = "-") -> list[str]:
    """A list item wrapped to the page width, its continuation lines indented."""
    lead = f"  {marker} "
    return textwrap.wrap(text, WIDTH, initial_indent=lead, subsequent_indent=" " * len(lead), break_on_hyphens=False, break_long_words=False)


def _section(title: str, items: Sequence[str], *, numbered: bool = False) -> list[str]:
    if not items:
        return []
    out = ["", title]
    for index, text in enumerate(items, 1):
        out += _item(text, f"{index}." if numbered else "-")
    return out


def release_words(verdict: Verdict, limit: int = 5) -> list[str]:
    """The release license licet found, the others possible, and the choices made."""
    out = []
    if verdict.release_license:
        others = [o for o in verdict.release_options if o != verdict.release_license]
        line = f"Release under: {verdict.release_license}"
        if others:
            # the rest are counted in --detail and JSON: how many grows with the library, not with the question
            shown = ", ".join(others[:limit]) + (" and others" if len(others) > limit else "")
            line += f" (also possible: {shown})"
        out.append(line)
    for choice in verdict.choices:
        out.append(f"For '{choice.component}', offered under {choice.expression}, choose {choice.chosen}.")
    return out


def render_verdict(verdict: Verdict) -> str:
    """One page a lawyer reads: the answer; conflicts first, one sentence
    each; open questions and presumptions; ways out; obligations by duty and
    license; release; where a rule rests on less than the full license text.
    No solver terms, duty ids or clause ids: those are in `render_verdict_detail`."""
    title = f"{verdict.scenario}: " if verdict.scenario else ""
    out = [f"{title}{HEADLINES[verdict.verdict]}", f"Target: '{verdict.target}'"]
    out += _section("Conflicts", [plain.conflict_sentence(verdict, c) for c in verdict.conflicts], numbered=True)
    questions = [plain.depends_words(verdict, item) for item in verdict.depends_on]
    out += _section("The answer turns on", questions)
    out += _section("Presumed (say so if not)", plain.presumption_lines(verdict))
    out += _section("Assumed by you", plain.stated_assumptions(verdict))
    out += _section("Not stated (every answer was checked)", plain.unstated(verdict))
    out += _section("Ways out", [plain.fix_words(verdict, fix) for fix in verdict.fixes])
    out += _section("Obligations", [plain.duty_sentence(verdict, line) for line in plain.duty_lines(verdict)])
    release = release_words(verdict)
    if release:
        out.append("")
        for line in release:
            out += textwrap.wrap(line, WIDTH, subsequent_indent="  ", break_on_hyphens=False)
    waived = [
        f"'{w.component}': {waiver_scope(w)}, accepted by {w.by}" + (f", until {w.expires}" if w.expires else "") + f": {w.reason}"
        for w in verdict.waivers
        if w.status == "in effect"
    ]
    out += _section("Waived (accepted findings, not checked)", waived)
    out += _section("Notes", [*plain.source_notes(verdict), *verdict.notes])
    out += ["", "Every clause, path, rule location and solver term: licet check --detail (or --format json)."]
    return "\n".join(out)


def render_verdict_detail(verdict: Verdict) -> str:
    """The verdict, its conflicts, open questions, plan, obligations, ways
    out, assumptions, waivers and notes, with every clause id, path, rule
    location and solver term (`licet check --detail`)."""
    out = []
    title = f"{verdict.scenario}: " if verdict.scenario else ""
    out.append(f"{title}{HEADLINES[verdict.verdict]}")
    out.append(f"target: {verdict.target}")
    for index, conflict in enumerate(verdict.conflicts, 1):
        out.append("")
        out.append(f"Conflict {index}:")
        for ref in conflict.clauses:
            out.extend(_clause_lines(ref))
        for fact in conflict.fact_refs:
            out.append(f"  - fact: {fact.text}" + (f"  [{fact.source}]" if fact.source else ""))
        for assumption in conflict.assumptions:
            out.append(f"  - if {assumption}")
    out.extend(depends_lines(verdict.depends_on))
    if verdict.release_license or verdict.choices:
        out.append("")
        if verdict.release_license:
            others = [o for o in verdict.release_options if o != verdict.release_license]
            line = f"Release under: {verdict.release_license}"
            if others:
                line += " (also possible: " + ", ".join(others) + ")"
            out.append(line)
        for choice in verdict.choices:
            out.append(f"Choose for '{choice.component}' ({choice.expression}): {choice.chosen}")
    if verdict.obligations:
        out.append("")
        out.append("Obligations:")
        grouped: dict[tuple[str, str, str, str, tuple[str, ...]], list[str]] = {}
        for ob in verdict.obligations:
            key = (ob.license, ob.section, ob.duty, f'{ob.description}: "{ob.words}"' if ob.words else ob.description, tuple(ob.when))
            grouped.setdefault(key, []).append(ob.component)
        for (license_id, section, duty, description, when), components in grouped.items():
            condition = f" (if {', '.join(when)})" if when else ""
            names = ", ".join(components[:6]) + (f" and {len(components) - 6} more" if len(components) > 6 else "")
            out.append(f"  - {license_id} § {section}: {description} [{duty}], for {names}{condition}")
    out.extend(ways_out_lines(verdict.fixes))
    if verdict.assumptions:
        out.append("")
        out.append("Open questions and assumptions:")
        for used in verdict.assumptions:
            if used.stated:
                origin = "stated"
            elif used.kind == "number":
                origin = "not stated, every range checked"
            elif used.kind == "license":
                origin = "not stated, every member checked"
            else:
                origin = "not stated, both answers checked"
            out.append(f"  - {used.name} = {used.value} ({origin}): {used.description}")
    if any(w.status == "in effect" for w in verdict.waivers):
        out.append("")
        out.append("Waived (accepted findings, not checked):")
        for waiver in verdict.waivers:
            if waiver.status != "in effect":
                continue
            until = f", until {waiver.expires}" if waiver.expires else ""
            out.append(f"  - '{waiver.component}': {waiver_scope(waiver)}, accepted by {waiver.by}{until}: {waiver.reason}")
    for note in verdict.notes:
        out.append(f"note: {note}")
    return "\n".join(out)


def render_case_results(results: Sequence[CaseResult], *, verbose: bool = False) -> str:
    """Failures (and with `verbose` every case) with file:line, then a count."""
    lines = []
    for r in results:
        if r.passed and not verbose:
            continue
        lines.append(f"{r.file}:{r.line}: {'ok  ' if r.passed else 'FAIL'} {r.name}")
        lines += [f"    {problem}" for problem in r.problems]
    failed = sum(not r.passed for r in results)
    files = len({r.file for r in results})
    snapshots = sum(r.snapshot for r in results)
    lines.append(f"{len(results) - failed} passed, {failed} failed ({len(results)} cases in {files} files, {snapshots} with an exact outcome)")
    return "\n".join(lines)


def render_coverage(missing: Sequence[tuple[str, str, str]], clause_count: int) -> str:
    """The clauses no case found decisive."""
    if not missing:
        return f"all {clause_count} clauses are decisive in some case"
    lines = [f"{clause_count - len(missing)} of {clause_count} clauses are decisive in some case; never decisive:"]
    lines += [f"  {location}: {license_id} {clause}" for license_id, clause, location in missing]
    return "\n".join(lines)


def render_matrix(matrix: Matrix) -> str:
    """One line per outbound license: its No and Unknown cells with the reason."""
    lines = [f"question: {matrix.question}"]
    for out in matrix.licenses:
        row = matrix.cells[out]
        yes = sum(cell.answer == "Yes" for cell in row.values())
        lines.append(f"{out}: {yes} Yes")
        for inb, cell in row.items():
            if cell.answer in ("No", "Unknown"):
                lines.append(f"    {cell.answer:<7} {inb}: {cell.reason}")
    return "\n".join(lines)
