"""Stage 2: the license library — every rule file parsed, checked against the
vocabulary (`checker`), and indexed by id and alias.

A `Library` is immutable once built, so one can be shared by every check of a
process and by every thread. Loading parses with lark only when the on-disk
cache (`cache`) misses.
"""

from __future__ import annotations

import functools
import os
import stat
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

from . import cache
from . import nodes as n
from .checker import VOCABULARY_FILE, Checker, Vocabulary
from .errors import RuleError, UnknownLicenseError, collected
from .expression import Expression, ExpressionParser, Option, Symbol
from .inputs import MAX_RULE_FILE_BYTES, read_text_limited, size_text
from .paths import grammar_path, rules_dir

__all__ = ["VOCABULARY_FILE", "Expression", "Library", "Option", "Vocabulary", "load_library"]


def _frozen(mapping: Mapping[str, Any]) -> Mapping[str, Any]:
    return MappingProxyType(dict(mapping))


@dataclass(frozen=True, eq=False)
class Library:
    """The checked rules: licenses and exceptions by canonical id, named sets,
    the vocabulary, and the alias index (lower-case spelling → id)."""

    root: Path
    vocabulary: Vocabulary
    licenses: Mapping[str, n.License]
    exceptions: Mapping[str, n.License]
    sets: Mapping[str, tuple[str, ...]]
    alias_index: Mapping[str, str]
    fingerprint: str = ""
    # derived from the above when the library is built
    tested: Mapping[str, frozenset[tuple[str, str]]] = field(init=False, repr=False, compare=False)
    expressions: ExpressionParser = field(init=False, repr=False, compare=False)
    fallback: str | None = field(init=False, repr=False, compare=False)
    release_domain: tuple[str, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        set_field = functools.partial(object.__setattr__, self)
        for name in ("licenses", "exceptions", "sets", "alias_index"):
            set_field(name, _frozen(getattr(self, name)))
        blocks = [*self.licenses.values(), *self.exceptions.values()]
        set_field("tested", _frozen({lic.id: _words_tested(lic, self.vocabulary) for lic in blocks}))
        set_field("expressions", ExpressionParser(Symbol(lic.id, lic.aliases, lic.is_exception) for lic in blocks))
        set_field("fallback", next((lic.id for lic in self.licenses.values() if lic.fallback), None))
        # a family is never a release license: whoever releases names which one
        set_field("release_domain", tuple(lic.id for lic in self.licenses.values() if lic.outbound and not lic.is_family))

    # ------------------------------------------------------------ lookup

    def covered_by(self, license_id: str) -> frozenset[str]:
        """The licenses a name stands for in a waiver: itself, or for a family
        every member and every version a member offers."""
        lic = self.licenses.get(license_id)
        if lic is None or not lic.is_family:
            return frozenset({license_id})
        return frozenset(name for member in lic.members for name in (member, *self.licenses[member].offers))

    def all_ids(self) -> list[str]:
        return list(self.licenses) + list(self.exceptions)

    def canonical_id(self, name: str) -> str | None:
        if not isinstance(name, str):
            return None
        return self.alias_index.get(name.lower())

    def get(self, name: str) -> n.License:
        """A license or exception by id or alias (case-insensitive)."""
        canonical = self.canonical_id(name)
        if canonical is None:
            raise self.unknown(name if isinstance(name, str) else repr(name))
        return self.licenses.get(canonical) or self.exceptions[canonical]

    def block(self, license_id: str) -> n.License:
        """A license or exception by canonical id."""
        return self.licenses.get(license_id) or self.exceptions[license_id]

    def words_tested(self, license_id: str) -> frozenset[tuple[str, str]]:
        """The (category, word) pairs a license's clauses test: purposes, flags,
        numbers and assumptions. Only these need a fact or a case to try when a scenario
        is compiled or enumerated; the other words cannot change its answer."""
        return self.tested[license_id]

    def unknown(self, name: str) -> UnknownLicenseError:
        return self.expressions.unknown(name)

    def parse_expression(self, text: str) -> Expression:
        """Parse an SPDX-style expression over the library's ids and aliases."""
        return self.expressions.parse(text)


def _words_tested(lic: n.License, vocabulary: Vocabulary) -> frozenset[tuple[str, str]]:
    found: set[tuple[str, str]] = set()
    for clause in lic.clauses:
        for node in n.walk(clause):
            match node:
                case n.PurposeIn(values=values):
                    found.update(("purpose", v) for v in values)
                case n.PurposeOnlyIn(values=values, others=others):
                    found.update(("purpose", v) for v in (*values, *others))
                case n.Flag(name=name) if vocabulary.has("flag", name):
                    found.add(("flag", name))
                case n.Compare(number=number):
                    found.add(("number", number))
                case n.Assumed(name=name):
                    found.add(("assumption", name))
    return frozenset(found)


# ---------------------------------------------------------------- loading


def _display(root: Path, path: Path) -> str:
    try:
        return "rules/" + path.relative_to(root).as_posix()
    except ValueError:
        return str(path)


def rule_files(root: Path) -> list[Path]:
    """Every rule file under `root` but the vocabulary, in a stable order.
    (os.walk rather than Path.rglob: a sixth of a cold start's library time.)"""
    found: list[Path] = []
    for folder, subfolders, names in os.walk(root):
        subfolders.sort()
        found.extend(Path(folder, name) for name in names if name.endswith(".lic") and name != VOCABULARY_FILE)
    return sorted(found)


def load_library(root: Path | str | None = None) -> Library:
    """Load and check every rule file under `root` (default: the shipped rules).

    Raises `RuleError` with every mistake found (`error.errors`)."""
    if root is not None and not isinstance(root, (str, os.PathLike)):
        raise RuleError(f"a rules folder is named by a path, not {type(root).__name__}", code="licet.rule.no-rules-folder")
    try:
        path = (Path(root) if root is not None else rules_dir()).resolve()
    except (OSError, ValueError, RuntimeError) as err:  # a NUL in the path, a symlink loop
        raise RuleError(f"rules folder cannot be read: {err}", code="licet.rule.no-rules-folder", file=str(root)) from None
    return _load_cached(str(path))


@functools.lru_cache(maxsize=8)
def _load_cached(root_text: str) -> Library:
    root = Path(root_text)
    if not root.is_dir():
        raise RuleError("rules folder not found", code="licet.rule.no-rules-folder", file=root_text, hint="pass the folder that holds vocabulary.lic")
    if not (root / VOCABULARY_FILE).is_file():
        raise RuleError(
            f"no {VOCABULARY_FILE} in the rules folder", code="licet.rule.no-vocabulary", file=str(root), hint="the rules folder needs its vocabulary"
        )
    files = [root / VOCABULARY_FILE, *rule_files(root)]
    _readable_or_raise(root, files)
    key = cache.fingerprint(files, grammar_path())
    payload = cache.read(key)
    if isinstance(payload, dict):
        try:
            return _from_payload(root, payload, key)
        except (KeyError, TypeError, ValueError, AttributeError):
            pass  # a stale or foreign cache: parse as usual
    library = _parse_and_check(root, key)
    cache.write(key, _payload(library))
    return library


def _readable_or_raise(root: Path, files: list[Path]) -> None:
    """Refuse, before any is read, rule files that are not regular files (a
    FIFO would block, a device never end) or are over MAX_RULE_FILE_BYTES."""
    errors = []
    for path in files:
        display = _display(root, path)
        try:
            info = path.stat()
        except OSError as err:
            errors.append(RuleError(f"cannot read rule file: {err.strerror or err}", code="licet.rule.unreadable", file=display))
            continue
        if not stat.S_ISREG(info.st_mode):
            errors.append(
                RuleError("cannot read rule file: not a regular file", code="licet.rule.unreadable", file=display, hint="rule files are UTF-8 text files")
            )
        elif info.st_size > MAX_RULE_FILE_BYTES:
            errors.append(
                RuleError(
                    f"rule file is larger than {size_text(MAX_RULE_FILE_BYTES)}",
                    code="licet.rule.too-large",
                    file=display,
                    hint="no license needs a rule file that large; split it",
                )
            )
    if errors:
        raise collected(errors)


def _payload(library: Library) -> dict[str, Any]:
    vocabulary = library.vocabulary
    return {
        "words": {category: dict(words) for category, words in vocabulary.words.items()},
        "relations": dict(vocabulary.relations),
        "compose": vocabulary.compose,
        "counts": vocabulary.counts,
        "presumptions": dict(vocabulary.presumptions),
        "licenses": dict(library.licenses),
        "exceptions": dict(library.exceptions),
        "sets": dict(library.sets),
        "aliases": dict(library.alias_index),
    }


def _from_payload(root: Path, payload: dict[str, Any], key: str) -> Library:
    vocabulary = Vocabulary(payload["words"], payload["relations"], tuple(payload["compose"]), tuple(payload["counts"]), payload["presumptions"])
    return Library(root, vocabulary, payload["licenses"], payload["exceptions"], payload["sets"], payload["aliases"], key)


def _parse_and_check(root: Path, key: str = "") -> Library:
    from .syntax import parse_rules  # lark is only needed when the cache misses

    errors: list[RuleError] = []
    texts: dict[str, str] = {}

    def parse(path: Path) -> list[n.Declaration]:
        display = _display(root, path)
        try:
            text = read_text_limited(path, RuleError, display=display, what="rule file", limit=MAX_RULE_FILE_BYTES)
            texts[display] = text
            return parse_rules(text, display)
        except RuleError as err:
            errors.append(err)  # a file that does not parse is skipped; the others are still checked
            return []

    vocab_decls = parse(root / VOCABULARY_FILE)
    other = [decl for path in rule_files(root) for decl in parse(path)]

    words: dict[str, dict[str, n.Word]] = {}
    relations: dict[str, n.Relation] = {}
    compose: list[n.Compose] = []
    counts: list[n.CountAs] = []
    presumptions: dict[str, n.Presumption] = {}
    stray: list[n.Declaration] = []
    for decl in vocab_decls:
        match decl:
            case n.Word():
                bucket = words.setdefault(decl.category, {})
                if decl.name in bucket:
                    errors.append(_duplicate(f"{decl.category} '{decl.name}'", decl.span, bucket[decl.name].span))
                bucket[decl.name] = decl
            case n.Relation():
                if decl.name in relations:
                    errors.append(_duplicate(f"relation '{decl.name}'", decl.span, relations[decl.name].span))
                relations[decl.name] = decl
            case n.Compose():
                compose.append(decl)
            case n.CountAs():
                counts.append(decl)
            case n.Presumption():
                if decl.fact in presumptions:
                    errors.append(_duplicate(f"presumption for '{decl.fact}'", decl.span, presumptions[decl.fact].span))
                presumptions[decl.fact] = decl
            case n.License() | n.SetDecl():
                stray.append(decl)
    vocabulary = Vocabulary(words, relations, tuple(compose), tuple(counts), presumptions)

    licenses: dict[str, n.License] = {}
    exceptions: dict[str, n.License] = {}
    alias_index: dict[str, str] = {}
    set_decls: dict[str, n.SetDecl] = {}
    for decl in stray + other:
        match decl:
            case n.Word() | n.Relation() | n.Compose() | n.CountAs() | n.Presumption():
                errors.append(
                    RuleError(
                        f"vocabulary declarations belong in rules/{VOCABULARY_FILE}",
                        code="licet.rule.misplaced",
                        file=decl.span.file,
                        line=decl.span.line,
                        column=decl.span.column,
                        hint="move the declaration there so every rule file sees the same words",
                    )
                )
            case n.SetDecl():
                if decl.name in set_decls:
                    errors.append(_duplicate(f"set '{decl.name}'", decl.span, set_decls[decl.name].span))
                set_decls[decl.name] = decl
            case n.License():
                previous = licenses.get(decl.id) or exceptions.get(decl.id)
                if previous is not None:
                    what = "exception" if decl.is_exception else "license"
                    errors.append(_duplicate(f"{what} '{decl.id}'", decl.span, previous.span))
                    continue  # the first block stays; the second never silently replaces it
                for name in (decl.id, *decl.aliases):
                    spelling = name.lower()
                    if alias_index.get(spelling) == decl.id:
                        continue  # an alias that differs from the id only in case
                    if spelling in alias_index:
                        errors.append(
                            RuleError(
                                f"'{name}' names two licenses ('{alias_index[spelling]}' and '{decl.id}')",
                                code="licet.rule.duplicate",
                                file=decl.span.file,
                                line=decl.span.line,
                                column=decl.span.column,
                                hint="an id or alias must name one license",
                            )
                        )
                        continue
                    alias_index[spelling] = decl.id
                (exceptions if decl.is_exception else licenses)[decl.id] = decl

    checker = Checker(vocabulary, set_decls, alias_index, texts)
    checker.vocabulary_rules()
    licenses = {key_: checker.license(lic) for key_, lic in licenses.items()}
    exceptions = {key_: checker.license(exc) for key_, exc in exceptions.items()}
    checker.relaxed_clauses_exist(licenses.values(), exceptions.values())
    for lic in licenses.values():
        for offered in lic.offers:
            if offered in licenses and licenses[offered].offers:
                checker.error(f"'{lic.id}' offers '{offered}', which itself offers a choice", lic.span, code="licet.rule.invalid", hint="offer plain licenses")
        for member in lic.members:
            if member in licenses and licenses[member].is_family:
                checker.error(f"family '{lic.id}' names '{member}', itself a family", lic.span, code="licet.rule.invalid", hint="name the member licenses")
    fallbacks = [lic for lic in licenses.values() if lic.fallback]
    if len(fallbacks) > 1:
        checker.error(
            f"two licenses are marked 'fallback yes' ('{fallbacks[0].id}' and '{fallbacks[1].id}')",
            fallbacks[1].span,
            code="licet.rule.invalid",
            hint="one license stands for undeclared terms",
        )
    sets = {name: checker.values(decl.values, decl.quoted, checker.set_category(decl), decl.span) for name, decl in set_decls.items()}
    errors.extend(checker.errors)
    if errors:
        raise collected(errors)
    return Library(root, vocabulary, licenses, exceptions, sets, alias_index, key)


def _duplicate(what: str, span: n.Span, first: n.Span) -> RuleError:
    return RuleError(
        f"{what} is declared twice",
        code="licet.rule.duplicate",
        file=span.file,
        line=span.line,
        column=span.column,
        hint=f"the first is at {first}; keep one declaration",
    )
