"""Stage 2: the license library — every rule file loaded, checked against the
vocabulary, and indexed by id and alias.

Checking happens here, once, so later stages can trust the AST: every word a
clause uses exists in its category, named sets are expanded, license ids in
sets are canonical, and exceptions relax clauses that exist.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field, replace
from pathlib import Path

from license_expression import ExpressionError, LicenseSymbol, Licensing

from . import cache
from . import nodes as n
from .errors import RuleError, UnknownLicenseError, did_you_mean
from .paths import grammar_path, rules_dir

VOCABULARY_FILE = "vocabulary.lic"

# Subjects the language itself knows (they are constructs, like keywords):
# which vocabulary category their values come from, and whether they are sets.
SET_SUBJECTS = {"role": "role", "purpose": "purpose", "work.terms": "term"}
SINGLE_SUBJECTS = {"kind": "kind", "target.kind": "kind", "release.license": "license"}
LICENSE_SUBJECTS = {"release.license"}

EFFECTS_WITH_ACTIONS = {"forbid", "permit", "undecided"}


@dataclass(frozen=True)
class Vocabulary:
    words: dict[str, dict[str, n.Word]]
    relations: dict[str, n.Relation]
    compose: tuple[n.Compose, ...]
    counts: tuple[n.CountAs, ...]

    def names(self, category: str) -> tuple[str, ...]:
        return tuple(self.words.get(category, {}))

    def has(self, category: str, name: str) -> bool:
        return name in self.words.get(category, {})

    def describe(self, category: str, name: str) -> str:
        word = self.words.get(category, {}).get(name)
        return word.description if word else ""

    def compose_roles(self, first: str, relation_role: str) -> str | None:
        """The role of a component reached through a component playing `first`
        via a relation giving `relation_role`; None when out of reach."""
        for rule in self.compose:
            if rule.first not in ("*", first) or rule.second not in ("*", relation_role):
                continue
            if rule.result != "*":
                return rule.result
            return first if rule.first == "*" else relation_role
        return None


@dataclass(frozen=True)
class Option:
    """One way to comply with a license expression: every (license, exception)
    pair in it applies together."""

    terms: tuple[tuple[str, str | None], ...]

    def __str__(self) -> str:
        return " AND ".join(lic + (f" WITH {exc}" if exc else "") for lic, exc in self.terms)


@dataclass(frozen=True)
class Expression:
    """A parsed license expression in disjunctive normal form: pick one option."""

    text: str
    options: tuple[Option, ...]


@dataclass
class Library:
    root: Path
    vocabulary: Vocabulary
    licenses: dict[str, n.License]
    exceptions: dict[str, n.License]
    sets: dict[str, tuple[str, ...]]
    _alias_index: dict[str, str] = field(default_factory=dict)
    _symbols: Licensing | None = None
    _expressions: dict[str, Expression] = field(default_factory=dict)
    _tested: dict[str, frozenset[tuple[str, str]]] = field(default_factory=dict)

    # ------------------------------------------------------------ lookup

    def all_ids(self) -> list[str]:
        return list(self.licenses) + list(self.exceptions)

    def canonical_id(self, name: str) -> str | None:
        return self._alias_index.get(name.lower())

    def get(self, name: str) -> n.License:
        """A license or exception by id or alias (case-insensitive)."""
        canonical = self.canonical_id(name)
        if canonical is None:
            raise self.unknown(name)
        return self.licenses.get(canonical) or self.exceptions[canonical]

    def words_tested(self, license_id: str) -> frozenset[tuple[str, str]]:
        """The (category, word) pairs a license's clauses test: purposes, flags
        and numbers. Only these need a fact or a case to try when a scenario
        is compiled or enumerated; the other words cannot change its answer."""
        found = self._tested.get(license_id)
        if found is None:
            lic = self.licenses.get(license_id) or self.exceptions[license_id]
            conditions = [c for clause in lic.clauses for c in (clause.when, clause.unless, clause.requirement) if c is not None]
            found = self._tested[license_id] = frozenset(_words_in(conditions, self.vocabulary))
        return found

    def unknown(self, name: str, **where: object) -> UnknownLicenseError:
        canonical = {a: lic.id for lic in list(self.licenses.values()) + list(self.exceptions.values()) for a in (lic.id, *lic.aliases)}
        hint = did_you_mean(name, canonical, canonical) or "run `licet licenses` to list the ids and aliases the library knows"
        return UnknownLicenseError(f"unknown license '{name}'", hint=hint, **where)  # type: ignore[arg-type]

    @property
    def fallback(self) -> str | None:
        """The license assumed for a component that declares none."""
        for lic in self.licenses.values():
            if lic.fallback:
                return lic.id
        return None

    @property
    def release_domain(self) -> tuple[str, ...]:
        """Licenses a work may be released under."""
        return tuple(lic.id for lic in self.licenses.values() if lic.outbound)

    # ------------------------------------------------------------ expressions

    def _licensing(self) -> Licensing:
        if self._symbols is None:
            symbols = [LicenseSymbol(lic.id, aliases=tuple(lic.aliases)) for lic in self.licenses.values()]
            symbols += [LicenseSymbol(exc.id, aliases=tuple(exc.aliases), is_exception=True) for exc in self.exceptions.values()]
            self._symbols = Licensing(symbols)
        return self._symbols

    def parse_expression(self, text: str) -> Expression:
        """Parse an SPDX-style expression over the library's ids and aliases."""
        cached = self._expressions.get(text)
        if cached is None:
            cached = self._expressions[text] = self._parse_expression(text)
        return cached

    def _parse_expression(self, text: str) -> Expression:
        stripped = text.strip()
        if not stripped:
            raise UnknownLicenseError("empty license expression", hint="give a license id or expression; `licet licenses` lists them")
        licensing = self._licensing()
        try:
            parsed = licensing.parse(stripped, validate=True, strict=True)
        except ExpressionError as err:
            unknown = []
            try:
                unknown = licensing.unknown_license_keys(stripped)
            except ExpressionError:
                pass
            if unknown:
                raise self.unknown(str(unknown[0])) from None
            raise UnknownLicenseError(
                f"invalid license expression '{stripped}': {err}",
                hint="combine ids with AND, OR, WITH and parentheses, e.g. 'A OR (B AND C)'",
            ) from None
        options = tuple(Option(tuple(terms)) for terms in _dnf(parsed))
        return Expression(stripped, _unique(options))


def _words_in(conditions: list[n.Condition], vocabulary: Vocabulary) -> set[tuple[str, str]]:
    found: set[tuple[str, str]] = set()
    while conditions:
        cond = conditions.pop()
        if isinstance(cond, n.Member) and cond.subject == "purpose":
            found.update(("purpose", v) for v in cond.values)
        elif isinstance(cond, n.Flag) and vocabulary.has("flag", cond.name):
            found.add(("flag", cond.name))
        elif isinstance(cond, n.Compare):
            found.add(("number", cond.subject))
        elif isinstance(cond, (n.AllOf, n.AnyOf)):
            conditions.extend(cond.items)
        elif isinstance(cond, n.Not):
            conditions.append(cond.item)
    return found


def _dnf(expr) -> list[list[tuple[str, str | None]]]:
    """Disjunctive normal form of a license_expression tree."""
    kind = type(expr).__name__
    if kind == "LicenseSymbol":
        return [[(expr.key, None)]]
    if kind == "LicenseWithExceptionSymbol":
        return [[(expr.license_symbol.key, expr.exception_symbol.key)]]
    if kind == "OR":
        return [option for arg in expr.args for option in _dnf(arg)]
    if kind == "AND":
        options: list[list[tuple[str, str | None]]] = [[]]
        for arg in expr.args:
            options = [left + right for left in options for right in _dnf(arg)]
        return [list(dict.fromkeys(o)) for o in options]
    raise UnknownLicenseError(f"unsupported license expression part {expr!r}")


def _unique(options: tuple[Option, ...]) -> tuple[Option, ...]:
    return tuple(dict.fromkeys(options))


# ---------------------------------------------------------------- loading


def _display(root: Path, path: Path) -> str:
    try:
        return "rules/" + path.relative_to(root).as_posix()
    except ValueError:
        return str(path)


def _rule_files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*.lic") if p.name != VOCABULARY_FILE)


def _error(message: str, span: n.Span, hint: str | None = None, expected: str | None = None) -> RuleError:
    return RuleError(message, file=span.file, line=span.line, column=span.column, hint=hint, expected=expected)


class _Checker:
    """Validates declarations against the vocabulary and expands named sets."""

    def __init__(self, vocabulary: Vocabulary, sets: dict[str, n.SetDecl], alias_index: dict[str, str]) -> None:
        self.vocabulary = vocabulary
        self.set_decls = sets
        self.alias_index = alias_index
        self.expanded: dict[str, tuple[str, ...]] = {}

    def word(self, category: str, name: str, span: n.Span) -> str:
        if self.vocabulary.has(category, name):
            return name
        choices = self.vocabulary.names(category)
        raise _error(
            f"unknown {category} '{name}'",
            span,
            hint=did_you_mean(name, choices) or f"declare it in rules/{VOCABULARY_FILE} as `{category} {name} \"…\"`",
            expected=f"one of the {category} words: " + ", ".join(choices[:12]) + (", …" if len(choices) > 12 else ""),
        )

    def license_id(self, name: str, span: n.Span) -> str:
        canonical = self.alias_index.get(name.lower())
        if canonical is None:
            raise _error(
                f"unknown license '{name}'",
                span,
                hint=did_you_mean(name, sorted(set(self.alias_index.values()))) or "license ids in rules must be declared by a `license` block",
            )
        return canonical

    def expand_set(self, name: str, category: str, span: n.Span, seen: tuple[str, ...] = ()) -> tuple[str, ...]:
        key = f"{category}:{name}"
        if key in self.expanded:
            return self.expanded[key]
        decl = self.set_decls.get(name)
        if decl is None:
            raise _error(
                f"unknown set '{name}'",
                span,
                hint=did_you_mean(name, list(self.set_decls)) or "declare it with `set NAME { … }`",
            )
        if name in seen:
            raise _error(f"set '{name}' contains itself", decl.span, hint="remove the cycle between sets")
        values = self.values(decl.values, decl.quoted, category, decl.span, seen + (name,))
        self.expanded[key] = values
        return values

    def values(
        self, values: tuple[str, ...], quoted: tuple[bool, ...] | None, category: str, span: n.Span, seen: tuple[str, ...] = ()
    ) -> tuple[str, ...]:
        out: list[str] = []
        for i, value in enumerate(values):
            is_quoted = quoted[i] if quoted else False
            if category == "license":
                if not is_quoted and value in self.set_decls:
                    out.extend(self.expand_set(value, category, span, seen))
                else:
                    out.append(self.license_id(value, span))
            elif not is_quoted and value in self.set_decls and not self.vocabulary.has(category, value):
                out.extend(self.expand_set(value, category, span, seen))
            else:
                out.append(self.word(category, value, span))
        return tuple(dict.fromkeys(out))

    def condition(self, cond: n.Condition) -> n.Condition:
        if isinstance(cond, n.Const):
            return cond
        if isinstance(cond, (n.AllOf, n.AnyOf)):
            return replace(cond, items=tuple(self.condition(c) for c in cond.items))
        if isinstance(cond, n.Not):
            return replace(cond, item=self.condition(cond.item))
        if isinstance(cond, n.Assumed):
            self.word("assumption", cond.name, cond.span)
            return cond
        if isinstance(cond, n.Flag):
            if self.vocabulary.has("action", cond.name) or self.vocabulary.has("flag", cond.name):
                return cond
            choices = self.vocabulary.names("action") + self.vocabulary.names("flag")
            raise _error(
                f"unknown action or flag '{cond.name}'",
                cond.span,
                hint=did_you_mean(cond.name, choices) or "a bare word must be an action or a yes/no flag of the vocabulary",
                expected=", ".join(choices),
            )
        if isinstance(cond, n.Compare):
            self.word("number", cond.subject, cond.span)
            return cond
        if isinstance(cond, n.Member):
            category = SET_SUBJECTS.get(cond.subject) or SINGLE_SUBJECTS.get(cond.subject)
            if category is None:
                known = sorted(SET_SUBJECTS) + sorted(SINGLE_SUBJECTS)
                raise _error(
                    f"'{cond.subject}' cannot be compared with 'in', '==' or '!='",
                    cond.span,
                    hint=did_you_mean(cond.subject, known) or "compare one of: " + ", ".join(known),
                )
            if cond.set_name is not None:
                values = self.expand_set(cond.set_name, category, cond.span)
            else:
                values = self.values(cond.values, None, category, cond.span)
            return replace(cond, values=values)
        raise AssertionError(f"unhandled condition {cond!r}")  # pragma: no cover


def _collect(root: Path) -> tuple[list[n.Declaration], list[n.Declaration]]:
    from .syntax import parse_rule_file  # lark is only needed when the cache misses

    vocab_path = root / VOCABULARY_FILE
    if not vocab_path.is_file():
        raise RuleError(f"no {VOCABULARY_FILE} in the rules folder", file=str(root), hint="the rules folder needs its vocabulary")
    vocab_decls = parse_rule_file(vocab_path, _display(root, vocab_path))
    other: list[n.Declaration] = []
    for path in _rule_files(root):
        other.extend(parse_rule_file(path, _display(root, path)))
    return vocab_decls, other


def _build_vocabulary(decls: list[n.Declaration]) -> Vocabulary:
    words: dict[str, dict[str, n.Word]] = {}
    relations: dict[str, n.Relation] = {}
    compose: list[n.Compose] = []
    counts: list[n.CountAs] = []
    for decl in decls:
        if isinstance(decl, n.Word):
            bucket = words.setdefault(decl.category, {})
            if decl.name in bucket:
                raise _error(f"{decl.category} '{decl.name}' is declared twice", decl.span, hint="keep one declaration")
            bucket[decl.name] = decl
        elif isinstance(decl, n.Relation):
            if decl.name in relations:
                raise _error(f"relation '{decl.name}' is declared twice", decl.span, hint="keep one declaration")
            relations[decl.name] = decl
        elif isinstance(decl, n.Compose):
            compose.append(decl)
        elif isinstance(decl, n.CountAs):
            counts.append(decl)
    vocabulary = Vocabulary(words, relations, tuple(compose), tuple(counts))
    checker = _Checker(vocabulary, {}, {})
    for relation in relations.values():
        checker.word("role", relation.role, relation.span)
    for rule in compose:
        for role in (rule.first, rule.second, rule.result):
            if role != "*":
                checker.word("role", role, rule.span)
    for count in counts:
        checker.word("role", count.role, count.span)
        checker.word("role", count.counts_as, count.span)
        checker.condition(count.when)
        if not _only_assumptions(count.when):
            raise _error("a `count … as …` rule may only depend on assumptions", count.span, hint="write `when assume NAME`")
    return vocabulary


def _only_assumptions(cond: n.Condition) -> bool:
    if isinstance(cond, (n.Assumed, n.Const)):
        return True
    if isinstance(cond, (n.AllOf, n.AnyOf)):
        return all(_only_assumptions(c) for c in cond.items)
    if isinstance(cond, n.Not):
        return _only_assumptions(cond.item)
    return False


def _check_clause(checker: _Checker, lic: n.License, clause: n.Clause) -> n.Clause:
    if lic.is_exception and clause.effect != "relax":
        raise _error(
            f"exception '{lic.id}' may only relax clauses of the license it is attached to",
            clause.span,
            hint="write `relax CLAUSE-NAME when …`",
        )
    if clause.effect == "relax" and not lic.is_exception:
        raise _error("`relax` is only allowed in an exception block", clause.span, hint="use `exception \"ID\" { … }`")
    if clause.effect in EFFECTS_WITH_ACTIONS:
        for action in clause.actions:
            if action != n.ANY_ACTION:
                checker.word("action", action, clause.span)
    if clause.effect == "require":
        for duty in clause.words:
            checker.word("duty", duty, clause.span)
    if clause.effect == "impose":
        for term in clause.words:
            checker.word("term", term, clause.span)
    requirement = checker.condition(clause.requirement) if clause.requirement is not None else None
    return replace(
        clause,
        requirement=requirement,
        when=checker.condition(clause.when),
        unless=checker.condition(clause.unless),
    )


def _check_license(checker: _Checker, lic: n.License) -> n.License:
    seen: dict[str, n.Clause] = {}
    for clause in lic.clauses:
        if clause.name in seen:
            raise _error(
                f"clause '{clause.name}' is declared twice in '{lic.id}'",
                clause.span,
                hint=f"the first is at {seen[clause.name].span}; give each clause its own name",
            )
        seen[clause.name] = clause
    for kind in lic.covers:
        checker.word("kind", kind, lic.span)
    if lic.source not in ("full", "partial", "secondary"):
        raise _error(f"unknown source '{lic.source}'", lic.span, expected="full, partial or secondary")
    offers = tuple(checker.license_id(o, lic.span) for o in lic.offers)
    if lic.applies_to and not lic.is_exception:
        raise _error(f"'applies to' is for exceptions; '{lic.id}' is a license", lic.span, hint="remove it, or declare the block with `exception`")
    applies_to = tuple(checker.license_id(a, lic.span) for a in lic.applies_to)
    return replace(lic, offers=offers, applies_to=applies_to, clauses=tuple(_check_clause(checker, lic, c) for c in lic.clauses))


def load_library(root: Path | str | None = None) -> Library:
    """Load and check every rule file under `root` (default: the shipped rules)."""
    path = Path(root) if root is not None else rules_dir()
    return _load_cached(str(path.resolve()))


@functools.lru_cache(maxsize=8)
def _load_cached(root_text: str) -> Library:
    root = Path(root_text)
    if not root.is_dir():
        raise RuleError("rules folder not found", file=root_text, hint="pass the folder that holds vocabulary.lic")
    key = None
    if (root / VOCABULARY_FILE).is_file():
        key = cache.fingerprint([root / VOCABULARY_FILE, *_rule_files(root)], grammar_path())
        payload = cache.read(key)
        if isinstance(payload, dict):
            try:
                return _from_payload(root, payload)
            except (KeyError, TypeError, ValueError):
                pass  # a stale or foreign cache: parse as usual
    library = _parse_and_check(root)
    if key is not None:
        cache.write(key, _payload(library))
    return library


def _payload(library: Library) -> dict:
    vocabulary = library.vocabulary
    return {
        "words": vocabulary.words,
        "relations": vocabulary.relations,
        "compose": vocabulary.compose,
        "counts": vocabulary.counts,
        "licenses": library.licenses,
        "exceptions": library.exceptions,
        "sets": library.sets,
        "aliases": library._alias_index,
    }


def _from_payload(root: Path, payload: dict) -> Library:
    vocabulary = Vocabulary(payload["words"], payload["relations"], tuple(payload["compose"]), tuple(payload["counts"]))
    return Library(root, vocabulary, payload["licenses"], payload["exceptions"], payload["sets"], payload["aliases"])


def _parse_and_check(root: Path) -> Library:
    vocab_decls, other = _collect(root)
    stray = [d for d in vocab_decls if isinstance(d, (n.License, n.SetDecl))]
    vocabulary = _build_vocabulary(vocab_decls)
    misplaced = [d for d in other if isinstance(d, (n.Word, n.Relation, n.Compose, n.CountAs))]
    if misplaced:
        raise _error(
            "vocabulary declarations belong in rules/vocabulary.lic",
            misplaced[0].span,
            hint="move the declaration there so every rule file sees the same words",
        )
    other = stray + other

    licenses: dict[str, n.License] = {}
    exceptions: dict[str, n.License] = {}
    alias_index: dict[str, str] = {}
    set_decls: dict[str, n.SetDecl] = {}
    for decl in other:
        if isinstance(decl, n.SetDecl):
            if decl.name in set_decls:
                raise _error(f"set '{decl.name}' is declared twice", decl.span, hint=f"the first is at {set_decls[decl.name].span}")
            set_decls[decl.name] = decl
        elif isinstance(decl, n.License):
            for name in (decl.id, *decl.aliases):
                key = name.lower()
                if alias_index.get(key) == decl.id:
                    continue  # an alias that differs from the id only in case
                if key in alias_index:
                    raise _error(
                        f"'{name}' names two licenses ('{alias_index[key]}' and '{decl.id}')",
                        decl.span,
                        hint="an id or alias must name one license",
                    )
                alias_index[key] = decl.id
            (exceptions if decl.is_exception else licenses)[decl.id] = decl

    checker = _Checker(vocabulary, set_decls, alias_index)
    licenses = {key: _check_license(checker, lic) for key, lic in licenses.items()}
    exceptions = {key: _check_license(checker, exc) for key, exc in exceptions.items()}
    all_clause_names = {c.name for lic in licenses.values() for c in lic.clauses}
    for exc in exceptions.values():
        for clause in exc.clauses:
            for name in clause.words:
                if name not in all_clause_names:
                    raise _error(
                        f"exception '{exc.id}' relaxes clause '{name}', which no license has",
                        clause.span,
                        hint=did_you_mean(name, all_clause_names) or "name a clause of the licenses it is used with",
                    )
    for lic in licenses.values():
        for offered in lic.offers:
            if licenses[offered].offers:
                raise _error(f"'{lic.id}' offers '{offered}', which itself offers a choice", lic.span, hint="offer plain licenses")
    fallbacks = [lic for lic in licenses.values() if lic.fallback]
    if len(fallbacks) > 1:
        raise _error(
            f"two licenses are marked 'fallback yes' ('{fallbacks[0].id}' and '{fallbacks[1].id}')",
            fallbacks[1].span,
            hint="one license stands for undeclared terms",
        )
    sets = {name: checker.values(decl.values, decl.quoted, _set_category(checker, decl), decl.span) for name, decl in set_decls.items()}
    return Library(root, vocabulary, licenses, exceptions, sets, alias_index)


def _set_category(checker: _Checker, decl: n.SetDecl) -> str:
    """A set of quoted values holds license ids; otherwise its words' category."""
    if any(decl.quoted):
        return "license"
    for value in decl.values:
        for category, words in checker.vocabulary.words.items():
            if value in words:
                return category
    return "license"
