"""Checks a verdict (as printed JSON) against the `expect:` block of a golden case."""

from __future__ import annotations

EXIT_CODES = {"allowed": 0, "forbidden": 1, "depends": 3, "unknown": 3}


def _matches(item: dict, wanted: dict) -> bool:
    for key, value in wanted.items():
        got = str(item.get(key))
        if key == "section":
            # a clause may cite several sections ("3, 9"); one match is enough
            if str(value) not in [part.strip() for part in got.split(",")]:
                return False
        elif got != str(value):
            return False
    return True


def check_expectations(verdict: dict, expect: dict) -> list[str]:
    """Return what does not hold; an empty list means the case passes."""
    problems = []
    if verdict["verdict"] != expect["verdict"]:
        problems.append(f"verdict is {verdict['verdict']}, expected {expect['verdict']}")
    clauses = [c for conflict in verdict["conflicts"] for c in conflict["clauses"]]
    for wanted in expect.get("cites", []):
        if not any(_matches(c, wanted) for c in clauses):
            problems.append(f"no conflict cites {wanted}; cited: {[(c['license'], c['clause'], c['section']) for c in clauses]}")
    if expect.get("same_conflict"):
        if not any(all(any(_matches(c, w) for c in conflict["clauses"]) for w in expect["cites"]) for conflict in verdict["conflicts"]):
            problems.append("the cited clauses are not in one conflict")
    for wanted in expect.get("not_cites", []):
        if any(_matches(c, wanted) for c in clauses):
            problems.append(f"a conflict cites {wanted}, which it should not")
    facts = [f for conflict in verdict["conflicts"] for f in conflict["facts"]]
    for fact in expect.get("facts", []):
        if fact not in facts:
            problems.append(f"fact {fact!r} is not in any conflict; facts: {facts}")
    for wanted in expect.get("obligations", []):
        if not any(_matches(o, wanted) for o in verdict["obligations"]):
            problems.append(f"obligation {wanted} missing; got {[(o['duty'], o['license'], o['component']) for o in verdict['obligations']]}")
    for duty in expect.get("no_obligations", []):
        if any(o["duty"] == duty for o in verdict["obligations"]):
            problems.append(f"obligation {duty} should not be there")
    if "release_license" in expect and verdict["release_license"] != expect["release_license"]:
        problems.append(f"release_license is {verdict['release_license']}, expected {expect['release_license']}")
    for component, chosen in expect.get("choices", {}).items():
        got = {c["component"]: c["chosen"] for c in verdict["choices"]}
        if got.get(component) != chosen:
            problems.append(f"choice for {component} is {got.get(component)}, expected {chosen}")
    depends = {d["assumption"]: d for d in verdict["depends_on"]}
    for assumption, values in expect.get("depends_on", {}).items():
        if assumption not in depends:
            problems.append(f"depends_on lacks {assumption}; has {sorted(depends)}")
            continue
        for key, value in values.items():
            key = {True: "yes", False: "no"}.get(key, key)
            if depends[assumption].get(key) != value:
                problems.append(f"depends_on {assumption} {key} is {depends[assumption].get(key)}, expected {value}")
    return problems
