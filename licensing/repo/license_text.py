"""Which license a text states: a distribution's license file, or the
free-text `License` field of its metadata (issue 13).

Texts are matched with licenseclassifier, a pure-Python port of Google's
licensecheck (the `scan` extra): it finds the regions of a text that are a
known SPDX license and the share of the text's words they cover. A text
whose regions cover at least `THRESHOLD` percent is identified (every
license found in it: a bundled file can hold several); below, the regions
found are only candidates, and the caller reports them, never guesses
(benchmarks/license_matcher_eval.py compares it with the other matchers).

Copyright lines are not license terms: a text the matcher is not sure of is
scanned again without its copyright and "All rights reserved" lines, which
some files put in the middle of a license's wording (between a BSD
license's preamble and its clauses) where they break the match.

A license the matcher has no reference text for (no SPDX id: a vendor's
agreement, a model license) can only be recognised by its title: a text
one of whose headings is, word for word, the title or a several-word alias
of such a license in the library (`identify_title`). The caller passes
those titles; ids with an SPDX entry are never matched by title, since for
them the text decides.

Short names (a license's name and version followed by "License", or "N-Clause BSD License")
are not texts: they are matched against license-expression's license keys
(SPDX ids and ScanCode keys, both with their SPDX id), after the words
that never tell licenses apart ("the", "license", "version") are left out and
"N-clause BSD" is put in key order. A name that stays a family (a bare
name with no version or variant) is no answer.

Nothing here reads a file or the network: the caller reads, this module
only matches. Ids come back as the matcher spells them (SPDX); the caller
maps them to licet's ids (`Library.canonical_id`) and reports those licet
does not know.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field

THRESHOLD = 75.0  # percent of the text's words the matched licenses must cover (licensecheck's own default)
MAX_NAME = 100  # a longer License field is a text, not a name


class MatcherMissingError(Exception):
    """licenseclassifier is not installed (licet without the `scan` extra)."""


@dataclass(frozen=True)
class Identified:
    """What a text or a name was matched to."""

    ids: tuple[str, ...] = ()  # SPDX ids found, in the order of the text; several: all apply
    score: float = 0.0  # percent of the text the licenses found cover; 100 for a name found
    confident: bool = False  # at or over THRESHOLD (a name: found)
    candidates: tuple[str, ...] = field(default=())  # below THRESHOLD: what was seen, best first
    method: str = "text"  # "text", "name" or "title"
    heading: str | None = None  # method "title": the heading that named the license, as the text writes it

    @property
    def expression(self) -> str:
        """The ids found, all applying."""
        return " AND ".join(self.ids)

    def describe(self) -> str:
        if self.method == "title":
            return f"title '{self.heading}'"
        return f"matcher {self.score:.0f}%" if self.method == "text" else "name"


def available() -> bool:
    try:
        import licenseclassifier  # noqa: F401
    except ImportError:
        return False
    return True


def identify_text(text: str) -> Identified:
    """The licenses a license text states. Raises MatcherMissingError without licenseclassifier."""
    if not available():
        raise MatcherMissingError("licenseclassifier is not installed")
    percent, found = _scan(text)
    if percent < THRESHOLD:
        bare = _without_copyright_lines(text)
        if bare != text and bare.strip():
            again, found_again = _scan(bare)
            if again > percent:
                percent, found = again, found_again
    ids = tuple(dict.fromkeys(found))
    if ids and percent >= THRESHOLD:
        return Identified(ids=ids, score=percent, confident=True)
    return Identified(score=percent, candidates=ids)  # below the threshold: only what was seen


# a line that is only a copyright statement or "All rights reserved" (a list dash or a comment mark before it)
_COPYRIGHT_LINE = re.compile(r"^[\s#*/;>-]*(?:(?:copyright\b|\(c\)|©).*|all\s+rights\s+reserved\.?)\s*$", re.IGNORECASE)


def _without_copyright_lines(text: str) -> str:
    return "\n".join(line for line in text.splitlines() if not _COPYRIGHT_LINE.match(line))


@functools.lru_cache(maxsize=64)
def _scan(text: str) -> tuple[float, tuple[str, ...]]:
    """The percent of `text` the licenses found cover, and their ids in order.
    Cached: the wheels of one vendor often carry the same long agreement
    (a dozen wheels, one 60 KB file), and it is matched once."""
    try:
        from licenseclassifier._engine import scan
    except ImportError:  # a release that moved its engine: the public API, coverage estimated by characters
        from licenseclassifier import identify_license
        matches = identify_license(text, coverage_threshold=0.0)
        covered = sum(m.end - m.start for m in matches)
        size = len(text.strip()) or 1
        return min(100.0, 100.0 * covered / size), tuple(m.id for m in matches)
    coverage = scan(text)
    ordered = sorted(coverage.match, key=lambda m: m.start)
    return float(coverage.percent), tuple(m.id for m in ordered if not m.is_url)


# ---------------------------------------------------------------- titles

MIN_TITLE_WORDS = 3  # "Proprietary", "Creative Commons": too general to name one license as a heading
MAX_HEADING = 200  # a longer paragraph is prose, not a heading
_UNDERLINE = re.compile(r"^\s*[-=~_*#]{3,}\s*$")
_NUMBERING = re.compile(r"^(?:\d+(?:\.\d+)*\.?|[ivx]+\.|[A-Z]\.)\s+", re.IGNORECASE)
_QUOTES = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"'})


def _title_key(text: str) -> str:
    """A title or heading as compared: case, spacing, quotes, a section
    number before it and a full stop or colon after it do not count."""
    text = " ".join(text.translate(_QUOTES).split())
    text = _NUMBERING.sub("", text)
    return text.rstrip(".:").strip().casefold()


def _headings(text: str) -> list[str]:
    """The paragraphs of `text` short enough to be headings (a heading may be
    wrapped over lines, and underlined), as written."""
    out: list[str] = []
    block: list[str] = []
    for line in [*text.splitlines(), ""]:
        if line.strip() and not _UNDERLINE.match(line):
            block.append(line.strip())
            continue
        if block:
            joined = " ".join(block)
            if len(joined) <= MAX_HEADING:
                out.append(joined)
            block = []
    return out


def identify_title(text: str, titles: dict[str, str]) -> Identified:
    """The licenses whose title is a heading of `text`. `titles`: title or
    alias → license id, as the library spells them; only those of at least
    `MIN_TITLE_WORDS` words and whose id has no SPDX entry (the matcher reads
    those by their text) are looked for. Every license so named is found."""
    keys = _keys()
    wanted: dict[str, str] = {}
    for title, license_id in titles.items():
        key = _title_key(title)
        if len(key.split()) >= MIN_TITLE_WORDS and license_id.lower() not in keys:
            wanted.setdefault(key, license_id)
    ids: list[str] = []
    first: str | None = None
    for heading in _headings(text):
        hit = wanted.get(_title_key(heading))
        if hit and hit not in ids:
            ids.append(hit)
            first = first or heading
    if not ids:
        return Identified(method="title")
    return Identified(ids=tuple(ids), score=100.0, confident=True, method="title", heading=first)


# ---------------------------------------------------------------- short names


_NOISE = {"the", "license", "licence", "licensed", "licenses", "version", "ver", "v", "software", "public", "under"}
# "3-clause bsd" and "bsd 3-clause" → "bsd-3-clause" (the family's name, then the count: the key order)
_CLAUSE_FIRST = re.compile(r"^(?P<count>\d)[- ]?clause[- ](?P<family>[a-z]+)$")
_CLAUSE_LAST = re.compile(r"^(?P<family>[a-z]+)[- ](?P<count>\d)[- ]?clause$")
_BARE_VERSION = re.compile(r"^([a-z]+)[- ]?v?(\d+)$")  # "apache-2", "apache2" → "apache-2.0"


@functools.cache
def _keys() -> dict[str, str]:
    """license-expression's keys → SPDX id: every SPDX id (and its other
    SPDX keys) and every ScanCode key, lower case."""
    from license_expression import get_license_index

    keys: dict[str, str] = {}
    for entry in get_license_index():
        spdx = entry.get("spdx_license_key")
        if not spdx or entry.get("is_deprecated") or str(spdx).startswith("LicenseRef-"):
            continue
        keys.setdefault(str(spdx).lower(), str(spdx))
        for other in entry.get("other_spdx_license_keys") or []:
            if not str(other).startswith("LicenseRef-"):
                keys.setdefault(str(other).lower(), str(spdx))
        keys.setdefault(str(entry["license_key"]).lower(), str(spdx))
    return keys


def _forms(name: str) -> list[str]:
    """Key spellings a license name may stand for, most literal first."""
    text = re.sub(r"[\s,;:()\"']+", " ", name.strip().lower()).strip()
    forms = [text, text.replace(" ", "-")]
    words = [w for w in text.split() if w not in _NOISE]
    core = " ".join(words)
    for joined in (core, core.replace(" ", "-"), core.replace(" ", "")):
        forms.append(joined)
    for pattern in (_CLAUSE_FIRST, _CLAUSE_LAST):
        found = pattern.match(core)
        if found:
            forms.append(f"{found.group('family')}-{found.group('count')}-clause")
    found = _BARE_VERSION.match(core.replace(" ", "-"))
    if found:
        forms.append(f"{found.group(1)}-{found.group(2)}.0")
    if len(words) == 2:  # "new bsd" → "bsd-new", ScanCode's key order
        forms.append(f"{words[1]}-{words[0]}")
    dotted = re.sub(r"^([a-z]+)[- ](\d)", r"\1-\2", core)
    forms.append(dotted)
    return [f for f in dict.fromkeys(forms) if f]


def identify_name(name: str, known: dict[str, str] | None = None) -> Identified:
    """The license a short name stands for. `known`: extra spellings (lower
    case → id) to try first, such as licet's own ids and aliases."""
    if not name.strip() or len(name) > MAX_NAME or "\n" in name.strip():
        return Identified(method="name")
    keys = _keys()
    for form in _forms(name):
        hit = (known or {}).get(form) or keys.get(form)
        if hit:
            return Identified(ids=(hit,), score=100.0, confident=True, method="name")
    return Identified(method="name")
