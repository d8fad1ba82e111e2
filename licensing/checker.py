"""The rule checker: every declaration checked against the vocabulary, named
sets expanded, license ids made canonical — and every mistake collected, not
only the first, so that one run of `licet test` or `licet check` lists them all.

After this stage the AST can be trusted: every word a clause uses exists in its
category, bare action words are `Action` nodes, sets hold their members, and
exceptions relax clauses that exist.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import assert_never

from . import nodes as n
from .errors import RuleError, did_you_mean, source_line

VOCABULARY_FILE = "vocabulary.lic"
SOURCE_LEVELS = ("full", "partial", "secondary", "unread")


@dataclass(frozen=True)
class Vocabulary:
    """The words rules and scenarios may use, by category, and the relations
    between components with the roles they give."""

    words: Mapping[str, Mapping[str, n.Word]]
    relations: Mapping[str, n.Relation]
    compose: tuple[n.Compose, ...]
    counts: tuple[n.CountAs, ...]
    # yes/no facts → the value they take when a question leaves them unstated
    presumptions: Mapping[str, n.Presumption] = field(default_factory=dict)

    def names(self, category: str) -> tuple[str, ...]:
        return tuple(self.words.get(category, {}))

    def has(self, category: str, name: str) -> bool:
        return name in self.words.get(category, {})

    def describe(self, category: str, name: str) -> str:
        word = self.words.get(category, {}).get(name)
        return word.description if word else ""

    def phrase(self, category: str, name: str) -> str:
        """How a word reads inside a sentence about a clause; "" when not declared."""
        word = self.words.get(category, {}).get(name)
        return word.phrase if word else ""

    # ------------------------------------------------------------ the purpose taxonomy

    def broader(self, purpose: str) -> frozenset[str]:
        """Every purpose a use for `purpose` is also for (`within`, transitively)."""
        purposes = self.words.get("purpose", {})
        found: set[str] = set()
        todo = [purpose]
        while todo:
            word = purposes.get(todo.pop())
            for parent in word.within if word else ():
                if parent not in found:
                    found.add(parent)
                    todo.append(parent)
        return frozenset(found)

    def narrower(self, purpose: str) -> frozenset[str]:
        """Every purpose that is one way of having `purpose`."""
        return frozenset(other for other in self.words.get("purpose", {}) if purpose in self.broader(other))

    def overlapping(self, purpose: str) -> frozenset[str]:
        """Purposes a use for `purpose` may or may not also be for (declared either way)."""
        purposes = self.words.get("purpose", {})
        word = purposes.get(purpose)
        mine = set(word.overlaps) if word else set()
        return frozenset(mine | {other for other, w in purposes.items() if purpose in w.overlaps})

    def qualifying(self, purpose: str) -> bool:
        word = self.words.get("purpose", {}).get(purpose)
        return bool(word and word.qualifying)

    def decided_by_user(self, flag: str) -> bool:
        """Whether the person asking decides a flag, so a way out may change it."""
        word = self.words.get("flag", {}).get(flag)
        return bool(word and word.decided_by_user)


class Checker:
    """Checks declarations and collects every error it meets in `errors`.

    Each method returns its best reading even after an error, so checking goes
    on and later mistakes are found in the same run."""

    def __init__(
        self,
        vocabulary: Vocabulary,
        sets: Mapping[str, n.SetDecl],
        alias_index: Mapping[str, str],
        texts: Mapping[str, str] | None = None,
    ) -> None:
        self.vocabulary = vocabulary
        self.set_decls = sets
        self.alias_index = alias_index
        self.texts = texts or {}
        self.expanded: dict[str, tuple[str, ...]] = {}
        self.errors: list[RuleError] = []

    # ------------------------------------------------------------ reporting

    def error(self, message: str, span: n.Span, *, code: str, hint: str | None = None, expected: str | None = None, word: str | None = None) -> None:
        """Record an error at `span`, pointing at `word` when it can be found
        on or after the span's position (a set member has no span of its own)."""
        line, column = span.line, span.column
        text = self.texts.get(span.file)
        if text is not None and word:
            line, column = _find_word(text, word, line, column)
        self.errors.append(
            RuleError(
                message,
                code=code,
                file=span.file,
                line=line or None,
                column=column or None,
                text=source_line(text, line) if text is not None and line else None,
                hint=hint,
                expected=expected,
            )
        )

    def word(self, category: str, name: str, span: n.Span) -> str:
        if self.vocabulary.has(category, name):
            return name
        choices = self.vocabulary.names(category)
        self.error(
            f"unknown {category} '{name}'",
            span,
            code="licet.rule.unknown-word",
            word=name,
            hint=did_you_mean(name, choices) or f"declare it in rules/{VOCABULARY_FILE} as `{category} {name} \"…\"`",
            expected=f"one of the {category} words: " + ", ".join(choices[:12]) + (", …" if len(choices) > 12 else ""),
        )
        return name

    def license_id(self, name: str, span: n.Span) -> str:
        canonical = self.alias_index.get(name.lower())
        if canonical is None:
            self.error(
                f"unknown license '{name}'",
                span,
                code="licet.rule.unknown-license",
                word=name,
                hint=did_you_mean(name, sorted(set(self.alias_index.values()))) or "license ids in rules must be declared by a `license` block",
            )
            return name
        return canonical

    # ------------------------------------------------------------ sets

    def expand_set(self, name: str, category: str, span: n.Span, seen: tuple[str, ...] = ()) -> tuple[str, ...]:
        key = f"{category}:{name}"
        if key in self.expanded:
            return self.expanded[key]
        decl = self.set_decls.get(name)
        if decl is None:
            self.error(
                f"unknown set '{name}'",
                span,
                code="licet.rule.unknown-set",
                word=name,
                hint=did_you_mean(name, list(self.set_decls)) or "declare it with `set NAME { … }`",
            )
            return ()
        if name in seen:
            self.error(f"set '{name}' contains itself", decl.span, code="licet.rule.set-cycle", hint="remove the cycle between sets")
            return ()
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

    def set_category(self, decl: n.SetDecl) -> str:
        """A set of quoted values holds license ids; otherwise its words' category."""
        if any(decl.quoted):
            return "license"
        for value in decl.values:
            for category, words in self.vocabulary.words.items():
                if value in words:
                    return category
        return "license"

    # ------------------------------------------------------------ conditions

    def condition(self, cond: n.Condition) -> n.Condition:
        """The condition with its words checked, action words as `Action`
        and named sets expanded."""
        match cond:
            case n.Const():
                return cond
            case n.AllOf(items=items):
                return replace(cond, items=tuple(self.condition(c) for c in items))
            case n.AnyOf(items=items):
                return replace(cond, items=tuple(self.condition(c) for c in items))
            case n.Not(item=item):
                return replace(cond, item=self.condition(item))
            case n.Assumed(name=name):
                self.word("assumption", name, cond.span)
                return cond
            case n.Action(name=name):
                self.word("action", name, cond.span)
                return cond
            case n.Flag(name=name):
                if self.vocabulary.has("action", name):
                    return n.Action(name, span=cond.span)
                if not self.vocabulary.has("flag", name):
                    choices = self.vocabulary.names("action") + self.vocabulary.names("flag")
                    self.error(
                        f"unknown action or flag '{name}'",
                        cond.span,
                        code="licet.rule.unknown-word",
                        word=name,
                        hint=did_you_mean(name, choices) or "a bare word must be an action or a yes/no flag of the vocabulary",
                        expected=", ".join(choices),
                    )
                return cond
            case n.Compare(number=number):
                self.word("number", number, cond.span)
                return cond
            case n.PurposeOnlyIn():
                only = self.set_values(cond)
                related = set(only).union(*(self.vocabulary.broader(p) | self.vocabulary.narrower(p) for p in only))
                others = tuple(p for p in self.vocabulary.names("purpose") if p not in related)
                return replace(cond, values=only, others=others)
            case n.RoleIn() | n.PurposeIn() | n.TermsIn() | n.KindIs() | n.TargetKindIs() | n.ReleaseIn() | n.LineageIn():
                return replace(cond, values=self.set_values(cond))
            case _:
                assert_never(cond)

    def set_values(self, cond: n.SetTest) -> tuple[str, ...]:
        if cond.set_name is not None:
            return self.expand_set(cond.set_name, cond.category, cond.span)
        return self.values(cond.values, None, cond.category, cond.span)

    def effect(self, effect: n.Effect, lic: n.License, clause: n.Clause) -> n.Effect:
        match effect:
            case n.Forbid() | n.Undecided():
                return effect
            case n.RequireDuties(duties=duties):
                for duty in duties:
                    self.word("duty", duty, clause.span)
                return effect
            case n.RequireThat(requirement=requirement):
                return replace(effect, requirement=self.condition(requirement))
            case n.Impose(terms=terms):
                for term in terms:
                    self.word("term", term, clause.span)
                return effect
            case n.Relax():
                if not lic.is_exception:
                    self.error("`relax` is only allowed in an exception block", clause.span, code="licet.rule.misplaced", hint="use `exception \"ID\" { … }`")
                return effect
            case _:
                assert_never(effect)

    # ------------------------------------------------------------ declarations

    def clause(self, lic: n.License, clause: n.Clause) -> n.Clause:
        if lic.is_exception and not isinstance(clause.effect, n.Relax):
            self.error(
                f"exception '{lic.id}' may only relax clauses of the license it is attached to",
                clause.span,
                code="licet.rule.misplaced",
                hint="write `relax CLAUSE-NAME when …`",
            )
        if clause.remedies and isinstance(clause.effect, (n.RequireDuties, n.Relax)):
            self.error(
                f"clause '{clause.name}' of '{lic.id}' cannot stop a use, so it has no remedy to offer",
                clause.remedies[0].span,
                code="licet.rule.misplaced",
                hint="put `remedy` on the clause that forbids the use or constrains the release",
            )
        return replace(
            clause,
            effect=self.effect(clause.effect, lic, clause),
            when=self.condition(clause.when),
            unless=self.condition(clause.unless),
        )

    def license(self, lic: n.License) -> n.License:
        seen: dict[str, n.Clause] = {}
        for clause in lic.clauses:
            if clause.name in seen:
                self.error(
                    f"clause '{clause.name}' is declared twice in '{lic.id}'",
                    clause.span,
                    code="licet.rule.duplicate",
                    hint=f"the first is at {seen[clause.name].span}; give each clause its own name",
                )
            seen[clause.name] = clause
        for kind in lic.covers:
            self.word("kind", kind, lic.span)
        if lic.source not in SOURCE_LEVELS:
            self.error(f"unknown source '{lic.source}'", lic.span, code="licet.rule.unknown-word", word=lic.source, expected=", ".join(SOURCE_LEVELS))
        offers = tuple(self.license_id(o, lic.span) for o in lic.offers)
        if lic.applies_to and not lic.is_exception:
            self.error(
                f"'applies to' is for exceptions; '{lic.id}' is a license",
                lic.span,
                code="licet.rule.misplaced",
                hint="remove it, or declare the block with `exception`",
            )
        applies_to = tuple(self.license_id(a, lic.span) for a in lic.applies_to)
        members = tuple(self.license_id(m, lic.span) for m in lic.members)
        if members and (lic.clauses or lic.offers or lic.is_exception or lic.fallback):
            self.error(
                f"'{lic.id}' is a family (`one-of`) and also has clauses, offers or another role",
                lic.span,
                code="licet.rule.invalid",
                hint="a family only names its members: their clauses apply, whichever it is",
            )
        return replace(lic, offers=offers, applies_to=applies_to, members=members, clauses=tuple(self.clause(lic, c) for c in lic.clauses))

    def only_assumptions(self, cond: n.Condition) -> bool:
        """Whether a condition tests nothing but assumptions (and constants)."""
        return all(isinstance(node, (n.Assumed, n.Const, n.AllOf, n.AnyOf, n.Not)) for node in n.walk(cond))

    def vocabulary_rules(self) -> None:
        """The roles named by relations, compose and count rules exist, and the
        purpose taxonomy names purposes and has no cycle."""
        vocabulary = self.vocabulary
        for category, words in vocabulary.words.items():
            for word in words.values():
                if word.decided_by_user and category != "flag":
                    self.error(
                        f"{category} '{word.name}': only flags are `decided-by-user`",
                        word.span,
                        code="licet.rule.misplaced",
                        hint="actions, purposes and the release license are the user's to change already",
                    )
                if category != "purpose" and (word.within or word.overlaps or word.qualifying):
                    self.error(
                        f"{category} '{word.name}': only purposes have `within`, `overlaps` or `qualifying`",
                        word.span,
                        code="licet.rule.misplaced",
                        hint="the taxonomy is of purposes",
                    )
                    continue
                for other in (*word.within, *word.overlaps):
                    self.word("purpose", other, word.span)
                if word.name in vocabulary.broader(word.name):
                    self.error(f"purpose '{word.name}' is within itself", word.span, code="licet.rule.invalid", hint="remove the cycle of `within`")
        for relation in vocabulary.relations.values():
            self.word("role", relation.role, relation.span)
        for presumption in vocabulary.presumptions.values():
            if not vocabulary.has("flag", presumption.fact):
                self.error(
                    f"unknown flag '{presumption.fact}': only yes/no facts can be presumed",
                    presumption.span,
                    code="licet.rule.unknown-word",
                    word=presumption.fact,
                    hint=did_you_mean(presumption.fact, vocabulary.names("flag")) or f"declare it with `flag {presumption.fact} \"…\"`",
                )
        for rule in vocabulary.compose:
            for role in (rule.first, rule.second, rule.result):
                if role != "*":
                    self.word("role", role, rule.span)
        for count in vocabulary.counts:
            self.word("role", count.role, count.span)
            self.word("role", count.counts_as, count.span)
            self.condition(count.when)
            if not self.only_assumptions(count.when):
                self.error("a `count … as …` rule may only depend on assumptions", count.span, code="licet.rule.invalid", hint="write `when assume NAME`")

    def relaxed_clauses_exist(self, licenses: Iterable[n.License], exceptions: Iterable[n.License]) -> None:
        all_clause_names = {c.name for lic in licenses for c in lic.clauses}
        for exc in exceptions:
            for clause in exc.clauses:
                if not isinstance(clause.effect, n.Relax):
                    continue
                for name in clause.effect.clauses:
                    if name not in all_clause_names:
                        self.error(
                            f"exception '{exc.id}' relaxes clause '{name}', which no license has",
                            clause.span,
                            code="licet.rule.unknown-clause",
                            word=name,
                            hint=did_you_mean(name, all_clause_names) or "name a clause of the licenses it is used with",
                        )


def _find_word(text: str, word: str, line: int, column: int) -> tuple[int, int]:
    """The line and column of `word` at or after (line, column), as a whole
    word; the given position when it is not found."""
    lines = text.splitlines()
    pattern = re.compile(r"(?<![\w.-])" + re.escape(word) + r"(?![\w.-])")
    for index in range(max(line, 1) - 1, len(lines)):
        start = column - 1 if index == line - 1 and column > 0 else 0
        found = pattern.search(lines[index], start)
        if found:
            return index + 1, found.start() + 1
    return line, column
