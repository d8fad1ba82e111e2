"""Agreement of licet with the FSF's published GPL-compatibility positions.

    python benchmarks/fsf_agreement.py

Two comparisons, both from benchmarks/fsf-license-list.yaml (sources and
dates are in that file):

- the FSF license list: for every license both know, "may code under X be
  incorporated into a work released under GPL-2.0-only / GPL-3.0-only?"
  (the `licet matrix` question, licensing/matrix.py), against the FSF's
  gpl-2-compatible / gpl-3-compatible tags;
- the GNU licenses FAQ compatibility matrix: every "copy code" (derived-from)
  and "use a library" (combines) cell between the GPL and LGPL versions,
  -only and -or-later.

Every difference must be listed, with the reason licet answers as it does, in
benchmarks/fsf-disagreements.yaml. Prints the agreement figures and every
difference (UNLISTED when it is not in that file); exits 1 when a difference is not listed, a listed one no longer
occurs, or one has no reason.
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from licensing import Engine, LicetError, load_library
from licensing.library import Library
from licensing.matrix import ANSWERS, cell_reason, cell_scenario

HERE = Path(__file__).parent
DATA_FILE = HERE / "fsf-license-list.yaml"
DISAGREEMENTS_FILE = HERE / "fsf-disagreements.yaml"


@dataclass(frozen=True)
class Question:
    source: str  # "license-list" or "matrix"
    relation: str  # "derived-from" or "combines" (the FAQ's "copy code" / "use a library")
    outbound: str
    inbound: str
    fsf: str  # "Yes" or "No"
    why: str  # what the FSF says, e.g. the tag or the cell's text

    @property
    def key(self) -> tuple[str, str, str, str]:
        return (self.source, self.relation, self.outbound, self.inbound)


@dataclass
class Difference:
    question: Question
    licet: str
    reason: str  # licet's own reason: the clauses of the first conflict


@dataclass
class Comparison:
    questions: list[Question] = field(default_factory=list)
    answers: dict[tuple[str, str, str, str], str] = field(default_factory=dict)
    differences: list[Difference] = field(default_factory=list)
    unlisted: list[Difference] = field(default_factory=list)
    stale: list[tuple[str, str, str, str]] = field(default_factory=list)
    unjustified: list[tuple[str, str, str, str]] = field(default_factory=list)
    seconds: float = 0.0

    def figures(self, source: str) -> tuple[int, int]:
        asked = [q for q in self.questions if q.source == source]
        agreed = sum(self.answers[q.key] == q.fsf for q in asked)
        return agreed, len(asked)

    @property
    def ok(self) -> bool:
        return not self.unlisted and not self.stale and not self.unjustified


def load_data(path: Path = DATA_FILE) -> dict[str, Any]:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def listed_disagreements(path: Path = DISAGREEMENTS_FILE) -> dict[tuple[str, str, str, str], dict]:
    document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return {(d["source"], d["relation"], d["outbound"], d["inbound"]): d for d in document.get("disagreements") or []}


def license_list_questions(library: Library, data: dict[str, Any]) -> list[Question]:
    """One question per license both know and per GPL version: the FSF's tag
    says Yes, its absence No."""
    targets = data["targets"]
    seen: dict[str, dict] = {}
    for entry in data["licenses"]:
        names = [entry["licet"]] if entry.get("licet") else entry.get("spdx") or []
        for name in names:
            license_id = library.canonical_id(name)
            if license_id in library.licenses and license_id not in seen:
                seen[license_id] = entry
    questions = []
    for tag, outbound in targets.items():
        for inbound, entry in seen.items():
            if inbound == outbound:
                continue
            tagged = tag in entry["tags"]
            why = f"FSF entry {entry['fsf']}: {'tagged' if tagged else 'not tagged'} {tag}"
            questions.append(Question("license-list", "derived-from", outbound, inbound, "Yes" if tagged else "No", why))
    return questions


_UNDER = re.compile(r"^OK: (?:Combination is|Convey copied code) under (?P<x>.+?)\s*(\[.*)?$")


def matrix_questions(data: dict[str, Any]) -> list[Question]:
    """The FAQ matrix, read as its header in fsf-license-list.yaml says: OK is
    Yes for the column's license; NO is No; "under X" is Yes for X, and No for
    the column's license unless X covers it."""
    matrix = data["matrix"]
    columns = list(matrix["columns"].items())
    questions: dict[tuple[str, str, str, str], Question] = {}

    def ask(relation: str, outbound: str, inbound: str, fsf: str, why: str) -> None:
        if outbound == inbound:
            return
        question = Question("matrix", relation, outbound, inbound, fsf, why)
        earlier = questions.get(question.key)
        if earlier is not None and earlier.fsf != fsf:
            raise ValueError(f"the matrix asks {question.key} twice with different answers")
        questions.setdefault(question.key, question)

    for kind, rows in matrix["cells"].items():
        relation = matrix["relations"][kind]
        for row, cells in rows.items():
            for (column, outbound), text in zip(columns, cells, strict=True):
                why = f"{kind} under {row} into a {column} project: {text}"
                for inbound in matrix["rows"][row]:
                    under = _UNDER.match(text)
                    if text.startswith("NO"):
                        ask(relation, outbound, inbound, "No", why)
                    elif under is None:
                        ask(relation, outbound, inbound, "Yes", why)
                    else:
                        covered = matrix["under"][under.group("x")]
                        if outbound in covered:
                            ask(relation, outbound, inbound, "Yes", why)
                        else:
                            ask(relation, outbound, inbound, "No", why)
                            ask(relation, covered[0], inbound, "Yes", why)
    return list(questions.values())


def scenario(library: Library, question: Question) -> dict[str, Any]:
    """The `licet matrix` cell (declared framing), with the relation the question names."""
    document = cell_scenario(library, question.outbound, question.inbound, "declared")
    work = document["components"]["work"]
    made_from = work.pop("derived-from")
    work[question.relation] = made_from
    return document


def compare(library: Library | None = None, data: dict[str, Any] | None = None, engine: Engine | None = None) -> Comparison:
    library = library or load_library()
    data = data or load_data()
    engine = engine or Engine(library=library)
    result = Comparison()
    result.questions = license_list_questions(library, data) + matrix_questions(data)
    started = time.perf_counter()
    for question in result.questions:
        verdict = engine.check(scenario(library, question), explain=False).verdict
        result.answers[question.key] = ANSWERS[verdict]
    result.seconds = time.perf_counter() - started
    listed = listed_disagreements()
    seen = set()
    for question in result.questions:
        answer = result.answers[question.key]
        if answer == question.fsf:
            continue
        difference = Difference(question, answer, cell_reason(engine.check(scenario(library, question))))
        result.differences.append(difference)
        seen.add(question.key)
        known = listed.get(question.key)
        if known is None or known.get("licet") != answer or known.get("fsf") != question.fsf:
            result.unlisted.append(difference)
        elif len(str(known.get("reason", "")).split()) < 5:
            result.unjustified.append(question.key)
    result.stale = sorted(set(listed) - seen)
    return result


def _line(difference: Difference, unlisted: bool) -> str:
    q = difference.question
    flag = "UNLISTED " if unlisted else ""
    return f"    {flag}[{q.source}, {q.relation}] {q.outbound} <- {q.inbound}: FSF {q.fsf}, licet {difference.licet}  ({q.why}; licet: {difference.reason})"


def main() -> int:
    argparse.ArgumentParser(description=__doc__.split("\n\n")[0]).parse_args()
    try:
        library = load_library()
    except LicetError as err:
        print(err.render(), file=sys.stderr)
        return 2
    result = compare(library)
    for source, title in (("license-list", "FSF license list (GPL-compatible tags)"), ("matrix", "GNU FAQ compatibility matrix (GPL/LGPL versions)")):
        agreed, asked = result.figures(source)
        differences = [d for d in result.differences if d.question.source == source]
        print(f"{title}")
        print(f"  cells compared: {asked}")
        print(f"  agreement:      {agreed}/{asked} = {agreed / asked:.1%}" if asked else "  agreement:      n/a")
        print(f"  differences:    {len(differences)} ({sum(d not in result.unlisted for d in differences)} listed with a reason)")
        for difference in differences:
            print(_line(difference, difference in result.unlisted))
    print(f"time: {result.seconds:.1f} s for {len(result.questions)} checks")
    for key in result.stale:
        print(f"    STALE: {key} is listed but licet now agrees with the FSF")
    for key in result.unjustified:
        print(f"    NO REASON: {key}")
    return 0 if result.ok else 1


if __name__ == "__main__":
    sys.exit(main())
