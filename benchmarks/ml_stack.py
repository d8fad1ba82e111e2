"""How much of a real ML service stack `licet scan` resolves with no overrides,
and how long it takes beside pip-licenses on the same environment (issue 13).

Run: python benchmarks/ml_stack.py [--work DIR] [--runs 5] [--packages a,b,...]

It installs a realistic ML service stack (transformers, fastapi, pandas,
scikit-learn, jupyter, boto3 ... and their dependencies, from PyPI) into a
fresh virtualenv, `.venv` of a project whose pyproject.toml depends on the
stack (`--work DIR` keeps and reuses it), and then:

- scans it with `licet scan --format json` and counts the distributions whose
  license licet settled with no override (an id or expression it knows, not
  unknown terms), says by what evidence they were settled, and prints each one
  it did not settle with its raw metadata (License-Expression, License, the
  License :: classifiers, License-File or the license files beside METADATA,
  and any SBOM the wheel ships);
- times `licet scan` and `pip-licenses --format=json` (installed in the same
  virtualenv) as whole processes, `--runs` times each, alternating, and prints
  medians, min-max and the ratio.

Installing needs the network (PyPI); nothing else does.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
import venv
from email.parser import Parser
from pathlib import Path

from licensing import load_library

# A model-serving service and its notebooks: the packages an ML team installs.
STACK = (
    "transformers", "tokenizers", "safetensors", "huggingface_hub", "datasets", "accelerate", "sentencepiece",
    "fastapi", "uvicorn", "pydantic", "httpx", "requests", "numpy", "pandas", "scikit-learn", "scipy", "matplotlib",
    "jupyter", "sqlalchemy", "boto3", "pillow", "pyyaml", "tqdm", "click", "rich",
)


def _run(command: list[str], cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, capture_output=True, text=True, check=False, cwd=cwd)


def prepare(venv_dir: Path, packages: list[str]) -> Path:
    """A virtualenv with the stack and pip-licenses installed; its python."""
    python = venv_dir / "bin" / "python"
    if not python.exists():
        print(f"creating {venv_dir} ...", file=sys.stderr)
        venv.create(venv_dir, with_pip=True)
    print(f"installing {len(packages)} packages and their dependencies (this takes a few minutes) ...", file=sys.stderr)
    result = _run([str(python), "-m", "pip", "install", "--quiet", *packages, "pip-licenses"])
    if result.returncode != 0:
        sys.exit(f"pip install failed:\n{result.stderr[-3000:]}")
    return python


def project(folder: Path, packages: list[str]) -> Path:
    """A project depending on the stack; its environment is its .venv (licet
    reads only what is inside the scanned folder)."""
    folder.mkdir(parents=True, exist_ok=True)
    dependencies = ",\n".join(f'  "{p}"' for p in packages)
    (folder / "pyproject.toml").write_text(
        f'[project]\nname = "ml-service"\nversion = "1.0"\nlicense = "LicenseRef-Proprietary"\ndependencies = [\n{dependencies}\n]\n'
        "",
        encoding="utf-8",
    )
    return folder


def raw_metadata(site_packages: list[Path], name: str) -> str:
    """License-Expression, License and classifiers of an installed distribution, as written."""
    wanted = name.lower().replace("-", "_")
    for site in site_packages:
        for meta in site.glob("*.dist-info/METADATA"):
            if meta.parent.name.split("-")[0].lower().replace("-", "_") != wanted:
                continue
            message = Parser().parsestr(meta.read_text(encoding="utf-8", errors="replace"), headersonly=True)
            parts = []
            if message.get("License-Expression"):
                parts.append(f"License-Expression: {message['License-Expression']}")
            if message.get("License"):
                text = " ".join(message["License"].split())
                parts.append(f"License: {text[:80]}{'…' if len(text) > 80 else ''}")
            parts += [c for c in message.get_all("Classifier") or [] if c.startswith("License ::")]
            if not parts:
                parts.append("no License-Expression, License field or license classifier")
            files = message.get_all("License-File") or []
            if files:
                parts.append(f"License-File: {', '.join(files)}")
            else:  # what the scan may still read: license files beside METADATA, an SBOM (PEP 770)
                shipped = sorted(p.name for place in (meta.parent, meta.parent / "licenses") if place.is_dir()
                                 for p in place.iterdir() if p.is_file() and p.name.upper().startswith(("LICEN", "COPYING")))
                parts.append(f"license files in .dist-info: {', '.join(shipped) or 'none'}")
            sboms = sorted(p.name for p in (meta.parent / "sboms").glob("*")) if (meta.parent / "sboms").is_dir() else []
            if sboms:
                parts.append(f"SBOM: {', '.join(sboms)}")
            return "; ".join(parts)
    return "not found"


def _way(resolved_by: str) -> str:
    """The kind of evidence a `resolved_by` names, for the summary line."""
    if " by its SBOM" in resolved_by:
        return "classifier + SBOM"
    if "narrowed to" in resolved_by:
        return "classifier + partial license text"
    if "(title '" in resolved_by:
        return "license file's title"
    if resolved_by.startswith("License-Expression '"):
        return "LicenseRef read from license file"
    if resolved_by.startswith("license file"):
        return "license file (matcher)"
    if resolved_by.startswith("License field"):
        return "License field"
    return resolved_by or "-"


def timed(command: list[str], cwd: Path) -> tuple[float, subprocess.CompletedProcess[str]]:
    started = time.perf_counter()
    result = _run(command, cwd=cwd)
    return time.perf_counter() - started, result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--work", type=Path, help="keep the project and its virtualenv here, and reuse them (default: a temporary folder)")
    parser.add_argument("--runs", type=int, default=5, help="timed runs of each tool (default 5)")
    parser.add_argument("--packages", help="comma-separated packages instead of the default stack")
    parser.add_argument("--rules", type=Path, help="scan with these rules instead of the shipped ones")
    args = parser.parse_args(argv)
    packages = args.packages.split(",") if args.packages else list(STACK)
    work = args.work or Path(tempfile.mkdtemp(prefix="licet-ml-stack-"))
    folder = project(work / "ml-service", packages)
    venv_dir = folder / ".venv"
    prepare(venv_dir, packages)
    licet = [str(Path(sys.executable).parent / "licet"), "scan", str(folder), "--format", "json"]
    if args.rules:
        licet += ["--rules", str(args.rules)]
    pip_licenses = [str(venv_dir / "bin" / "pip-licenses"), "--format=json"]

    _, first = timed(licet, work)
    if first.returncode not in (0, 1, 3):
        sys.exit(f"licet scan failed ({first.returncode}):\n{first.stderr[-3000:]}")
    report = json.loads(first.stdout)
    scanned = report["scan"]
    components = [c for c in scanned["components"] if c["name"] != scanned["target"]]
    unknown_ids = {"NOASSERTION", None}
    library = load_library(args.rules) if args.rules else load_library()

    def names_one_license(expression: str | None) -> bool:
        """Settled: a license, not unknown terms and not a family whose member is left open."""
        if expression in unknown_ids:
            return False
        return not any(library.licenses[leaf.license].is_family for leaf in library.parse_expression(expression).leaves)

    settled = [c for c in components if names_one_license(c.get("license")) and c.get("resolved_by") != "override"]
    unsettled = [c for c in components if c not in settled]
    site = sorted((venv_dir / "lib").glob("python*/site-packages"))
    share = 100 * len(settled) / len(components) if components else 0.0
    print(f"ML stack: {len(packages)} packages asked for, {len(components)} distributions installed and scanned")
    print(f"settled with no override: {len(settled)}/{len(components)} = {share:.1f}%")
    ways: dict[str, int] = {}
    for component in settled:
        way = _way(component.get("resolved_by") or "")
        ways[way] = ways.get(way, 0) + 1
    print("settled by: " + ", ".join(f"{way} {count}" for way, count in sorted(ways.items(), key=lambda item: -item[1])))
    print(f"not settled: {len(unsettled)}" + (", each with its raw metadata:" if unsettled else ""))
    for component in unsettled:
        print(f"  {component['name']}: {component.get('license') or 'no license'} ({component.get('resolved_by') or '-'}) "
              f"— {raw_metadata(site, component['name'])}")

    licet_times: list[float] = []
    peer_times: list[float] = []
    peer_unknown = None
    for _ in range(args.runs):
        seconds, _result = timed(licet, work)
        licet_times.append(seconds)
        seconds, result = timed(pip_licenses, work)
        peer_times.append(seconds)
        if result.returncode == 0:
            rows = json.loads(result.stdout)
            peer_unknown = sum(1 for row in rows if row.get("License", "UNKNOWN") in ("UNKNOWN", ""))
    print()
    print(f"{'tool':<14}{'median s':>10}{'min':>8}{'max':>8}")
    for tool, times in (("licet scan", licet_times), ("pip-licenses", peer_times)):
        print(f"{tool:<14}{statistics.median(times):>10.2f}{min(times):>8.2f}{max(times):>8.2f}")
    print(f"ratio licet/pip-licenses (medians): {statistics.median(licet_times) / statistics.median(peer_times):.2f}")
    if peer_unknown is not None:
        print(f"pip-licenses printed UNKNOWN for {peer_unknown} distributions (it settles nothing: it prints what the metadata says)")
    print(f"(environment: {venv_dir}; project: {folder})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
