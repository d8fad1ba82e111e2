"""The library as the page shows it: every spelling of every license for the
search lists, one license with its pinning cases as worked examples, and two
licenses side by side, clause by clause.

Descriptions come from `licensing.show` (the same as `licet licenses` and
`licet show`), cases from `licensing.cases` (the same as `licet test`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..cases import Case, read_cases
from ..errors import LicetError
from ..library import Library
from ..scenario import load_yaml
from ..show import (
    ClauseDescription,
    LicenseDescription,
    LicenseEntry,
    cases_file_for,
    describe_license,
    list_licenses,
    rule_file,
)
from .links import encode_question

# The Hugging Face Hub's license ids, kept as data beside the registry.
HUB_LICENSE_LIST = ("registry", "hub-licenses.yaml")


@dataclass(frozen=True)
class Spelling:
    """One way to write a license in a scenario: its id or an alias."""

    value: str
    license: str  # the canonical id
    title: str
    kinds: tuple[str, ...]
    alias: bool
    hub: bool  # one of the Hugging Face Hub's license ids
    exception: bool

    def as_dict(self) -> dict[str, Any]:
        return {"value": self.value, "license": self.license, "title": self.title, "kinds": list(self.kinds), "alias": self.alias,
                "hub": self.hub, "exception": self.exception}


def hub_license_ids(library: Library) -> set[str]:
    """The Hub's license ids (lower case), from the shipped list; none when the rules folder has no list."""
    path = library.root.joinpath(*HUB_LICENSE_LIST)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError:
        return set()
    data = load_yaml(text, str(path)).data
    items = data.get("licenses") if isinstance(data, dict) else None
    return {str(item["id"]).lower() for item in items or [] if isinstance(item, dict) and "id" in item}


def spellings(library: Library) -> list[Spelling]:
    """Every id and alias the library knows, Hub ids marked: what a license field may say."""
    hub = hub_license_ids(library)
    out: list[Spelling] = []
    for entry in list_licenses(library):
        for value, alias in ((entry.id, False), *((a, True) for a in entry.aliases)):
            out.append(Spelling(value, entry.id, entry.title, tuple(entry.kinds), alias, value.lower() in hub, entry.exception))
    return out


# ---------------------------------------------------------------- one license, with worked examples


@dataclass(frozen=True)
class WorkedExample:
    """A pinning case: the question, the answer its author pinned, a link to open it."""

    name: str
    line: int
    components: list[tuple[str, str, str, str]]  # name, kind, license, relations in words
    use: list[str]
    expected: str
    cites: list[str]
    obligations: list[str]
    link: str


def _relations_text(component: dict[str, Any]) -> str:
    parts = []
    for key, value in component.items():
        if key in ("kind", "license", "description"):
            continue
        targets = value if isinstance(value, list) else [value]
        parts.append(f"{key.replace('-', ' ')} {', '.join(str(t) for t in targets)}")
    return "; ".join(parts)


def _worked(case: Case) -> WorkedExample | None:
    scenario = case.data.get("scenario")
    if not isinstance(scenario, dict) or not isinstance(scenario.get("components"), dict) or not isinstance(scenario.get("use"), dict):
        return None
    components = [
        (str(name), str(c.get("kind", "")), str(c.get("license") or "—"), _relations_text(c))
        for name, c in scenario["components"].items()
        if isinstance(c, dict)
    ]
    use = scenario["use"]
    said = [f"target: {use.get('target')}", f"actions: {', '.join(map(str, use.get('actions') or []))}"]
    if use.get("commercial") is not None:
        said.append(f"commercial: {'yes' if use.get('commercial') else 'no'}")
    if use.get("purposes"):
        said.append(f"purposes: {', '.join(map(str, use['purposes']))}")
    for name, value in (use.get("facts") or {}).items():
        said.append(f"{name}: {value}")
    if use.get("release-license"):
        said.append(f"released under: {use['release-license']}")
    for name, value in (scenario.get("assume") or {}).items():
        said.append(f"assumed {name}: {value}")
    expect = case.data.get("expect") or {}
    cites = [" ".join(str(c.get(k)) for k in ("license", "section", "clause") if c.get(k) is not None) for c in expect.get("cites") or []]
    obligations = [" ".join(str(o.get(k)) for k in ("duty", "license", "section") if o.get(k) is not None) for o in expect.get("obligations") or []]
    return WorkedExample(case.name, case.line, components, said, str(expect.get("verdict", "")), cites, obligations, encode_question(scenario))


@dataclass
class LicensePage:
    description: LicenseDescription
    examples: list[WorkedExample] = field(default_factory=list)
    examples_error: str | None = None


def license_page(library: Library, name: str) -> LicensePage:
    """A license's clauses in plain words, and its pinning cases as worked examples."""
    description = describe_license(library, name)
    page = LicensePage(description)
    path = cases_file_for(rule_file(library, library.get(name)))
    if path.is_file():
        try:
            page.examples = [w for w in (_worked(case) for case in read_cases(path)) if w is not None]
        except LicetError as err:
            page.examples_error = err.render()
    return page


# ---------------------------------------------------------------- two licenses, side by side


@dataclass(frozen=True)
class ClausePair:
    """A clause of the first license beside the clause of the same name in the second."""

    name: str
    left: ClauseDescription | None
    right: ClauseDescription | None

    @property
    def key(self) -> str:
        """The status as a CSS class."""
        return {"the same": "same", "same rule, other words": "reworded", "changed": "changed"}.get(self.status, "one-side")

    @property
    def status(self) -> str:
        if self.left is None:
            return "only in the second"
        if self.right is None:
            return "only in the first"
        if (self.left.text, self.left.quote, self.left.section) == (self.right.text, self.right.quote, self.right.section):
            return "the same"
        # the rule reads the same in plain words: the license says it in other words, or in another section
        return "same rule, other words" if self.left.text == self.right.text else "changed"


@dataclass(frozen=True)
class Comparison:
    left: LicenseDescription
    right: LicenseDescription
    pairs: list[ClausePair]
    differences: list[tuple[str, str, str]]  # what, first, second: the license's own fields that differ

    @property
    def counts(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for pair in self.pairs:
            out[pair.status] = out.get(pair.status, 0) + 1
        return out


def _fields(d: LicenseEntry) -> dict[str, str]:
    return {
        "kinds": ", ".join(d.kinds) or "—",
        "rules written from": d.source,
        "aliases": ", ".join(d.aliases) or "—",
        "choice of": ", ".join(d.offers) or "—",
        "family of": ", ".join(d.members) or "—",
        "pinning cases": str(d.pinning_cases),
    }


def compare(library: Library, first: str, second: str) -> Comparison:
    """Two licenses clause by clause: clauses of the same name side by side
    (in the first license's order, then the second's own), each marked the
    same, changed, or in one only."""
    left, right = describe_license(library, first), describe_license(library, second)
    right_by_name = {c.name: c for c in right.clauses}
    pairs = [ClausePair(c.name, c, right_by_name.get(c.name)) for c in left.clauses]
    left_names = {c.name for c in left.clauses}
    pairs += [ClausePair(c.name, None, c) for c in right.clauses if c.name not in left_names]
    ours, theirs = _fields(left), _fields(right)
    differences = [(key, ours[key], theirs[key]) for key in ours if ours[key] != theirs[key]]
    return Comparison(left, right, pairs, differences)
