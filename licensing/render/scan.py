"""Rendering a scan: plain text grouped by component, JSON, SARIF 2.1.0 and
markdown for pull-request comments. Nothing here decides anything; it only
lays out the verdict and where each fact came from (the verdict's and the
scan's `Location`s), in the words of `licensing.wording`.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml

from ..location import Location
from ..repo.scan import ScanReport
from ..scenario import scenario_from_dict
from ..verdict import ClauseRef, Conflict, FactRef, Fix
from ..version import __version__
from ..wording import HEADLINES, outcomes_text, path_text, waiver_scope
from .lineage import mermaid_block
from .text import depends_lines, ways_out_lines

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
INFORMATION_URI = "https://github.com/licet-dev/licet"
UNKNOWN_TERMS = "(none: terms unknown)"
UNREADABLE_RULE = "unknown-license"


def _declared_at(report: ScanReport, component: str) -> Location | None:
    found = report.component(component)
    return found.origin if found is not None else None


def _unreadable_at(report: ScanReport, component: str) -> list[Location]:
    """Where the parts of a component's license licet could not read were
    written (the `unknown-license` notes): what a finding on the fallback
    license (terms unknown) on it comes from."""
    return [n.origin for n in report.notes if n.rule == UNREADABLE_RULE and n.component == component and n.origin is not None]


def _clause_at(report: ScanReport, ref: ClauseRef) -> Location | None:
    """Where the license a clause belongs to was declared: for unknown terms
    that stand for an id licet could not read, the line of that id."""
    if ref.license == report.unknown_terms:
        unreadable = _unreadable_at(report, ref.component)
        if unreadable:
            return unreadable[0]
    found = report.component(ref.component)
    if found is not None and found.license_origins and ref.license in found.license_origins:
        return found.license_origins[ref.license]
    return _declared_at(report, ref.component)


def _fact_line(fact: FactRef) -> str:
    """A fact in words, and where it was stated."""
    return fact.text + (f" [{fact.source}]" if fact.source else "")


def _facts_text(conflict: Conflict) -> str:
    return "; ".join(_fact_line(fact) for fact in conflict.fact_refs)


def _rule_at(ref: ClauseRef) -> str:
    """Where the clause's rule is written."""
    return str(ref.location) if ref.location is not None else ref.source


def _fixes_for(fixes: list[Fix], component: str) -> list[Fix]:
    """The ways out that leave `component` out."""
    return [fix for fix in fixes if component in fix.components]


# ---------------------------------------------------------------- text


def render_scan_text(report: ScanReport) -> str:
    verdict = report.verdict
    out = [f"licet scan {report.root}: {HEADLINES[verdict.verdict]}"]
    out.append(f"read: {', '.join(report.files) or '(installed Python metadata only)'}")
    out.append("")
    out.append("Components:")
    width = min(48, max((len(c.name) for c in report.components), default=10))
    license_width = min(40, max((len(c.license or UNKNOWN_TERMS) for c in report.components), default=10))
    for c in report.components:
        license_text = c.license or UNKNOWN_TERMS
        where = f"  {c.origin}" if c.origin else ""
        marker = "*" if c.name == report.target else " "
        out.append(f" {marker}{c.name:<{width}}  {c.kind:<7}  {license_text:<{license_width}}  {c.resolved_by}{where}")
    by_component: dict[str, list[tuple[Conflict, ClauseRef]]] = {}
    for conflict in verdict.conflicts:
        for ref in conflict.clauses:
            by_component.setdefault(ref.component, []).append((conflict, ref))
    for name, items in by_component.items():
        found = report.component(name)
        out.append("")
        license_text = found.license if found and found.license else "terms unknown"
        out.append(f"{name} ({license_text})" + (f", declared at {found.origin}" if found and found.origin else ""))
        first = items[0][1]
        out.append(f"  path: {path_text(first.path, first.via)}")
        for conflict, ref in items:
            out.append(f"  - {ref.license} § {ref.section} ({ref.clause})" + (f' "{ref.quote}"' if ref.quote else ""))
            if ref.text:
                out.append(f"      {ref.text}")
            unreadable = _unreadable_at(report, name) if ref.license == report.unknown_terms else []
            for origin in dict.fromkeys(unreadable):
                out.append(f"      unreadable license at {origin}")
            if not unreadable and found is not None and found.license_origins and ref.license in found.license_origins:
                out.append(f"      {ref.license} declared at {found.license_origins[ref.license]}")
            for fact in conflict.fact_refs:
                out.append(f"      with: {_fact_line(fact)}")
            for assumption in conflict.assumptions:
                out.append(f"      if: {assumption}")
            out.append(f"      rule: {_rule_at(ref)}")
        for fix in _fixes_for(verdict.fixes, name):
            out.append(f"  fix: {fix.change} → {fix.then}")
    out.extend(ways_out_lines([f for f in verdict.fixes if not any(name in f.components for name in by_component)]))
    out.extend(depends_lines(verdict.depends_on))
    if verdict.obligations:
        out.append("")
        out.append("Obligations:")
        grouped: dict[str, list[str]] = {}
        for ob in verdict.obligations:
            condition = f" (if {', '.join(ob.when)})" if ob.when else ""
            grouped.setdefault(ob.component, []).append(f"{ob.license} § {ob.section}: {ob.description} [{ob.duty}]{condition}")
        for name, lines in grouped.items():
            out.append(f"  {name}:")
            out.extend(f"    - {line}" for line in dict.fromkeys(lines))
    if verdict.release_license:
        out.append("")
        out.append(f"Release under: {verdict.release_license}")
    open_items = [a for a in verdict.assumptions if not a.stated]
    if open_items:
        out.append("")
        out.append("Open questions (not stated; every answer checked):")
        for used in open_items:
            out.append(f"  - {used.name}: {used.description}")
    if report.notes:
        out.append("")
        out.append("What the scan could not settle:")
        for note in report.notes:
            where = f" [{note.origin}]" if note.origin else ""
            out.append(f"  - {note.level}: {note.message}{where}")
            if note.hint:
                out.append(f"      help: {note.hint}")
    waived = [w for w in verdict.waivers if w.status == "in effect"]
    if waived:
        out.append("")
        out.append("Waived:")
        for w in waived:
            out.append(f"  - '{w.component}': {waiver_scope(w)}, accepted by {w.by}" + (f" until {w.expires}" if w.expires else "") + f": {w.reason}")
    for text in verdict.notes:
        out.append(f"note: {text}")
    return "\n".join(out)


# ---------------------------------------------------------------- JSON


def scan_json(report: ScanReport) -> dict[str, Any]:
    """The verdict format of DESIGN.md, plus what the scan built and read."""
    data = report.verdict.model_dump(mode="json")
    data["scan"] = {
        "root": report.root,
        "target": report.target,
        "files": report.files,
        "components": [c.model_dump(mode="json", exclude_none=True) for c in report.components],
        "notes": [n.model_dump(mode="json", exclude_none=True) for n in report.notes],
        "scenario": report.scenario,
    }
    return data


# ---------------------------------------------------------------- SARIF


def _sarif_location(origin: Location | None, message: str | None = None) -> dict[str, Any] | None:
    if origin is None or not origin.file:
        return None
    uri = origin.file if not Path(origin.file).is_absolute() else Path(origin.file).as_uri()
    physical: dict[str, Any] = {"artifactLocation": {"uri": uri}}
    if not Path(origin.file).is_absolute():
        physical["artifactLocation"]["uriBaseId"] = "SRCROOT"
    if origin.line:
        region: dict[str, Any] = {"startLine": origin.line}
        if origin.column:
            region["startColumn"] = origin.column
        physical["region"] = region
    location: dict[str, Any] = {"physicalLocation": physical}
    if message:
        location["message"] = {"text": message}
    return location


def scan_sarif(report: ScanReport) -> dict[str, Any]:
    """SARIF 2.1.0: one result per clause in a conflict, at the line that
    declared the component the clause reached, with the facts it collides
    with as related locations; scan notes become warnings and notes."""
    verdict = report.verdict
    rules: dict[str, dict[str, Any]] = {}
    results: list[dict[str, Any]] = []

    def rule(rule_id: str, name: str, short: str, full: str | None = None) -> int:
        if rule_id not in rules:
            entry: dict[str, Any] = {"id": rule_id, "name": name, "shortDescription": {"text": short}}
            if full:
                entry["fullDescription"] = {"text": full}
            rules[rule_id] = entry
        return list(rules).index(rule_id)

    for conflict in verdict.conflicts:
        level = "warning" if conflict.assumptions or verdict.verdict != "forbidden" else "error"
        related = []
        for index, fact in enumerate(conflict.fact_refs, 1):
            location = _sarif_location(fact.source, _fact_line(fact))
            if location is not None:
                location["id"] = index
                related.append(location)
        for ref in conflict.clauses:
            rule_id = f"{ref.license}/{ref.clause}"
            index = rule(rule_id, ref.clause, f"{ref.license} § {ref.section}", ref.text or None)
            facts = _facts_text(conflict)
            conditions = "; ".join(conflict.assumptions)
            text = (f"{ref.license} § {ref.section} ({ref.clause}) reaches '{ref.component}' "
                    f"({path_text(ref.path, ref.via)})" + (f" and collides with: {facts}" if facts else "")
                    + (f" if {conditions}" if conditions else "") + f". Rule: {_rule_at(ref)}")
            result: dict[str, Any] = {"ruleId": rule_id, "ruleIndex": index, "level": level, "message": {"text": text}}
            location = _sarif_location(_clause_at(report, ref)) or _sarif_location(_declared_at(report, report.target))
            if location is not None:
                result["locations"] = [location]
            if related:
                result["relatedLocations"] = related
            fixes = [f"{f.change} → {f.then}" for f in _fixes_for(verdict.fixes, ref.component)]
            result["properties"] = {"verdict": verdict.verdict, "component": ref.component, "section": ref.section, "fixes": fixes}
            results.append(result)
    for note in report.notes:
        index = rule(f"licet/{note.rule}", note.rule, note.rule.replace("-", " "))
        result = {"ruleId": f"licet/{note.rule}", "ruleIndex": index, "level": note.level,
                  "message": {"text": note.message + (f" Help: {note.hint}" if note.hint else "")}}
        location = _sarif_location(note.origin)
        if location is not None:
            result["locations"] = [location]
        results.append(result)
    for item in verdict.depends_on:
        index = rule("licet/depends-on", "depends-on", "the answer turns on an open question")
        result = {"ruleId": "licet/depends-on", "ruleIndex": index, "level": "warning",
                  "message": {"text": f"The answer depends on {item.assumption}: {outcomes_text(item)}."}}
        location = _sarif_location(_declared_at(report, report.target))
        if location is not None:
            result["locations"] = [location]
        results.append(result)
    root = Path(report.root).resolve()
    base = root if root.is_dir() else root.parent
    run: dict[str, Any] = {
        "tool": {"driver": {"name": "licet", "version": __version__, "informationUri": INFORMATION_URI, "rules": list(rules.values())}},
        "originalUriBaseIds": {"SRCROOT": {"uri": base.as_uri() + "/"}},
        "results": results,
        "properties": {"verdict": verdict.verdict, "target": report.target},
    }
    return {"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": [run]}


# ---------------------------------------------------------------- markdown


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render_scan_markdown(report: ScanReport) -> str:
    verdict = report.verdict
    out = [f"### licet: **{verdict.verdict.upper()}** for `{report.target}`", "", HEADLINES[verdict.verdict].split(": ", 1)[1], ""]
    if verdict.conflicts:
        out.append("#### Findings")
        out.append("")
        for conflict in verdict.conflicts:
            for ref in conflict.clauses:
                where = _clause_at(report, ref)
                facts = _facts_text(conflict)
                line = (f"- **{_cell(ref.license)} § {_cell(ref.section)}** (`{ref.clause}`) reaches `{ref.component}`"
                        + (f" (declared at `{where}`)" if where else "") + f": {_cell(path_text(ref.path, ref.via))}")
                if facts:
                    line += f"; collides with: {_cell(facts)}"
                if conflict.assumptions:
                    line += f"; if {', '.join(conflict.assumptions)}"
                out.append(line)
                if ref.quote:
                    out.append(f"  > {ref.quote}")
        out.append("")
    # the lineage, drawn: GitHub and GitLab render the Mermaid block in the comment
    out += ["#### Lineage", "", *mermaid_block(scenario_from_dict(report.scenario), verdict), ""]
    if verdict.depends_on:
        out.append("#### It depends on")
        out.append("")
        for item in verdict.depends_on:
            out.append(f"- `{item.assumption}`: {outcomes_text(item)}")
        out.append("")
    if verdict.fixes:
        out.append("#### Ways out")
        out.append("")
        out.extend(f"- {_cell(f.change)} → {f.then}" for f in verdict.fixes)
        out.append("")
    if verdict.obligations:
        out.append("#### Obligations")
        out.append("")
        seen = dict.fromkeys(f"- {ob.license} § {ob.section}: {ob.description} (`{ob.component}`)" for ob in verdict.obligations)
        out.extend(seen)
        out.append("")
    if report.notes:
        out.append("#### Not settled by the scan")
        out.append("")
        out.extend(f"- {_cell(n.message)}" + (f" (`{n.origin}`)" if n.origin else "") for n in report.notes)
        out.append("")
    out.append("<details><summary>Components</summary>")
    out.append("")
    out.append("| component | kind | license | from | declared at |")
    out.append("|---|---|---|---|---|")
    for c in report.components:
        out.append(f"| `{_cell(c.name)}` | {c.kind} | {_cell(c.license or 'unknown')} | {c.resolved_by} | {_cell(str(c.origin) if c.origin else '')} |")
    out.append("")
    out.append("</details>")
    out.append("")
    out.append("<details><summary>Scenario (re-check with <code>licet check</code>)</summary>")
    out.append("")
    out.append("```yaml")
    out.append(yaml.safe_dump(report.scenario, sort_keys=False, allow_unicode=True).rstrip())
    out.append("```")
    out.append("")
    out.append("</details>")
    return "\n".join(out)


def render_scan(report: ScanReport, fmt: str) -> str:
    if fmt == "json":
        return json.dumps(scan_json(report), indent=2)
    if fmt == "sarif":
        return json.dumps(scan_sarif(report), indent=2)
    if fmt == "markdown":
        return render_scan_markdown(report)
    return render_scan_text(report)
