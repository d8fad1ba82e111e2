"""The component graph: which component plays which role for the target.

Relations in a scenario (`derived-from`, `trained-on`, …) give roles
(vocabulary `relation … gives …`); two steps away, the vocabulary's `compose`
rules give the role of the far component from the role of the near one and the
relation between them. Walking from the target gives every component the roles
it plays and the shortest path by which it plays each.
"""

from __future__ import annotations

from collections import deque

from ..checker import Vocabulary
from .model import Scenario

# The role the target plays for itself: where every walk starts.
START_ROLE = "self"


class Reach:
    """How a component reaches the target: its role and the path to it.

    A reach keeps the reach it extends rather than a copy of its path, so a
    chain of n components costs n reaches, not n² path entries; `path` and
    `via` are built when asked for (an explanation asks for a few)."""

    __slots__ = ("_component", "_parent", "_relation", "role")

    def __init__(self, role: str, component: str, relation: str | None = None, parent: Reach | None = None) -> None:
        self.role = role
        self._component = component
        self._relation = relation
        self._parent = parent

    @classmethod
    def start(cls, target: str) -> Reach:
        return cls(START_ROLE, target)

    def extend(self, role: str, other: str, relation: str) -> Reach:
        return Reach(role, other, relation, self)

    def _chain(self) -> list[Reach]:
        chain: list[Reach] = []
        node: Reach | None = self
        while node is not None:
            chain.append(node)
            node = node._parent
        chain.reverse()
        return chain

    @property
    def path(self) -> tuple[str, ...]:
        """Component names, from the target to this component."""
        return tuple(r._component for r in self._chain())

    @property
    def via(self) -> tuple[str, ...]:
        """Relation names along the path."""
        return tuple(r._relation for r in self._chain() if r._relation is not None)

    def _key(self) -> tuple[str, tuple[str, ...], tuple[str, ...]]:
        return (self.role, self.path, self.via)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Reach) and self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def __repr__(self) -> str:
        return f"Reach(role={self.role!r}, path={self.path!r}, via={self.via!r})"

    def __reduce__(self) -> tuple[object, ...]:
        # pickled flat: a deep chain of parents would recurse
        return (_rebuild_reach, self._key())


def _rebuild_reach(role: str, path: tuple[str, ...], via: tuple[str, ...]) -> Reach:
    """A reach with this path; every step but the last takes the role of the last."""
    reach = Reach(role, path[0])
    for component, relation in zip(path[1:], via, strict=True):
        reach = Reach(role, component, relation, reach)
    return reach


def compose_roles(vocabulary: Vocabulary, first: str, relation_role: str) -> str | None:
    """The role of a component reached through a component playing `first`
    via a relation giving `relation_role`; None when out of reach. The first
    `compose` rule that matches wins; `*` in the result copies the side that
    was the wildcard."""
    for rule in vocabulary.compose:
        if rule.first not in ("*", first) or rule.second not in ("*", relation_role):
            continue
        if rule.result != "*":
            return rule.result
        return first if rule.first == "*" else relation_role
    return None


def find_cycle(scenario: Scenario) -> list[str] | None:
    """A cycle of relations between components, as the names along it, if any."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    for start in scenario.components:
        if start in state:
            continue
        trail = [start]
        state[start] = 1
        iterators = [iter(_related(scenario, start))]
        while iterators:
            following = next(iterators[-1], None)
            if following is None:
                iterators.pop()
                state[trail.pop()] = 2
                continue
            if state.get(following) == 1:
                return trail[trail.index(following):] + [following]
            if following not in state:
                state[following] = 1
                trail.append(following)
                iterators.append(iter(_related(scenario, following)))
    return None


def _related(scenario: Scenario, name: str) -> list[str]:
    component = scenario.components.get(name)
    if component is None:
        return []
    return [other for targets in component.relations.values() for other in targets if other in scenario.components]


def walk(scenario: Scenario, vocabulary: Vocabulary, target: str) -> dict[str, list[Reach]]:
    """Breadth-first from the target: every (component, role) once, by its shortest path."""
    found: dict[str, list[Reach]] = {target: [Reach.start(target)]}
    seen = {(target, START_ROLE)}
    queue = deque([(target, found[target][0])])
    while queue:
        name, reach = queue.popleft()
        for relation, others in scenario.components[name].relations.items():
            role = compose_roles(vocabulary, reach.role, vocabulary.relations[relation].role)
            if role is None:
                continue
            for other in others:
                if (other, role) in seen:
                    continue
                seen.add((other, role))
                next_reach = reach.extend(role, other, relation)
                found.setdefault(other, []).append(next_reach)
                queue.append((other, next_reach))
    return found

