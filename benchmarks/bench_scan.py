"""Speed of `licet scan` on a Python environment of about 300 distributions.

Run: python benchmarks/bench_scan.py [--runs N] [--size N] [--env PATH]
Prints the median whole-process time of `licet scan` (issue 4 target: <= 1.5 s
for ~300 distributions). The environment is generated in a temporary folder:
real-format dist-info METADATA files declaring their licenses the three ways
wheels do (PEP 639 License-Expression, a License field, classifiers only).
With --env, a real virtualenv or site-packages folder is scanned instead.
"""

from __future__ import annotations

import argparse
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

# (how the license is declared, value) and its weight: the shape of a typical
# environment, not license knowledge of the engine
DECLARATIONS = [
    ("License-Expression", "MIT", 30),
    ("License-Expression", "Apache-2.0", 20),
    ("License-Expression", "BSD-3-Clause", 12),
    ("License", "MIT", 10),
    ("License", "Apache-2.0", 8),
    ("License", "MPL-2.0", 2),
    ("License", "MIT OR Apache-2.0", 3),
    ("Classifier", "License :: OSI Approved :: MIT License", 10),
    ("Classifier", "License :: OSI Approved :: Apache Software License", 3),
    ("Classifier", "License :: OSI Approved :: Python Software Foundation License", 2),
]


def make_environment(folder: Path, size: int, seed: int = 11) -> list[str]:
    rng = random.Random(seed)
    weighted = [(field, value) for field, value, weight in DECLARATIONS for _ in range(weight)]
    names = []
    for index in range(size):
        name = f"pkg-{index:03d}"
        field, value = rng.choice(weighted)
        dist = folder / f"pkg_{index:03d}-1.0.{index}.dist-info"
        dist.mkdir(parents=True)
        lines = ["Metadata-Version: 2.4" if field == "License-Expression" else "Metadata-Version: 2.1",
                 f"Name: {name}", f"Version: 1.0.{index}", f"Summary: generated package {index}", f"{field}: {value}"]
        # each package requires a few earlier ones, so the closure walk has work to do
        for other in rng.sample(names, k=min(len(names), rng.randint(0, 3))):
            lines.append(f"Requires-Dist: {other}>=1.0")
        (dist / "METADATA").write_text("\n".join(lines) + "\n\n", encoding="utf-8")
        (dist / "RECORD").write_text(f"{dist.name}/METADATA,,\n{dist.name}/RECORD,,\n", encoding="utf-8")
        (dist / "INSTALLER").write_text("pip\n", encoding="utf-8")
        names.append(name)
    return names


def make_repo(folder: Path, environment: str, dependencies: list[str]) -> None:
    deps = ",\n".join(f'    "{name}"' for name in dependencies)
    (folder / "pyproject.toml").write_text(
        f'[project]\nname = "bench-app"\nversion = "1.0"\nlicense = "Apache-2.0"\ndependencies = [\n{deps}\n]\n\n'
        f'[tool.licet]\nbundle = true\npython = {{ environment = "{environment}" }}\n\n'
        '[tool.licet.use]\nactions = ["distribute"]\ncommercial = true\n',
        encoding="utf-8",
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--size", type=int, default=300)
    parser.add_argument("--env", help="scan this virtualenv or site-packages folder instead of a generated one")
    args = parser.parse_args()

    script = Path(sys.executable).parent / "licet"
    licet = str(script) if script.exists() else (shutil.which("licet") or "licet")
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        repo = root / "repo"
        repo.mkdir()
        if args.env:
            environment = str(Path(args.env).resolve())
            dependencies: list[str] = []
        else:
            environment = str(root / "site-packages")
            dependencies = make_environment(root / "site-packages", args.size)
        make_repo(repo, environment, dependencies)
        command = [licet, "scan", str(repo), "--format", "json"]
        first = subprocess.run(command, capture_output=True, text=True)  # also warms the caches
        if first.returncode not in (0, 1, 3):
            raise SystemExit(f"licet scan failed: {first.stderr}")
        import json

        report = json.loads(first.stdout)
        components = len(report["scan"]["components"]) - 1
        times = []
        for _ in range(args.runs):
            start = time.perf_counter()
            subprocess.run(command, capture_output=True, text=True, check=False)
            times.append(time.perf_counter() - start)
    print(f"licet scan, median of {args.runs} runs, whole process")
    print(f"  {components} distributions -> {report['verdict']}: {statistics.median(times):.3f} s"
          f" (min {min(times):.3f}, max {max(times):.3f}; target <= 1.5 s)")


if __name__ == "__main__":
    main()
