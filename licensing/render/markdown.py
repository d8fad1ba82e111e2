"""A verdict as markdown for a pull-request comment (`licet check --format
markdown`): the answer, each conflict in the lawyer's wording with the
license's own words, the lineage drawn as a Mermaid diagram (GitHub and GitLab
draw it), the open questions, ways out and obligations, and the scenario to
re-check. It lays out the verdict's fields; it decides nothing.
"""

from __future__ import annotations

from ..scenario import Scenario, scenario_to_yaml
from ..verdict import Verdict
from ..wording import HEADLINES
from . import plain
from .lineage import mermaid_block
from .text import release_words


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:]


def _cell(text: str) -> str:
    return text.replace("\n", " ")


def _longest_backticks(text: str) -> int:
    longest = run = 0
    for char in text:
        run = run + 1 if char == "`" else 0
        longest = max(longest, run)
    return longest


def _section(title: str, items: list[str], *, numbered: bool = False) -> list[str]:
    if not items:
        return []
    marker = "1." if numbered else "-"
    return [f"#### {title}", "", *(f"{marker} {_cell(item)}" for item in items), ""]


def render_verdict_markdown(verdict: Verdict, scenario: Scenario) -> str:
    """The verdict on `scenario` as markdown, with its lineage as Mermaid."""
    source = f" ({verdict.scenario})" if verdict.scenario else ""
    out = [f"### licet: **{verdict.verdict.upper()}** for `{verdict.target}`{source}", "", _sentence(HEADLINES[verdict.verdict].split(": ", 1)[1]), ""]
    out += _section("Conflicts", [plain.conflict_sentence(verdict, c) for c in verdict.conflicts], numbered=True)
    out += ["#### Lineage", "", *mermaid_block(scenario, verdict), ""]
    out += _section("The answer turns on", [plain.depends_words(verdict, item) for item in verdict.depends_on])
    out += _section("Presumed (say so if not)", plain.presumption_lines(verdict))
    out += _section("Assumed by you", plain.stated_assumptions(verdict))
    out += _section("Ways out", [plain.fix_words(verdict, fix) for fix in verdict.fixes])
    out += _section("Obligations", [plain.duty_sentence(verdict, line) for line in plain.duty_lines(verdict)])
    out += _section("Release", release_words(verdict))
    out += _section("Notes", [*plain.source_notes(verdict), *verdict.notes])
    text = scenario_to_yaml(scenario).rstrip()
    fence = "`" * max(3, _longest_backticks(text) + 1)  # a description holding ``` must not end the block
    out += ["<details><summary>Scenario (re-check with <code>licet check</code>)</summary>", "", f"{fence}yaml", text, fence, "", "</details>"]
    return "\n".join(out) + "\n"
