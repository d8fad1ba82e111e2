"""`licet scan` stays home (issue 11, item 4).

It reads regular files inside the scanned folder only, each up to a stated
size (licensing/repo/files.py): a link out of the folder, a FIFO, a device or
an oversize file is not read and is reported as a `skipped-file` warning with
its path and why; what the file would have carried stands as a component with
unknown terms, so the answer is never `allowed` because something was skipped.
Requirement includes and policy paths are followed only inside the folder.
Paths given on the command line are the user's choice and are read.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import pytest

from licensing import load_library
from licensing.repo import ScanError, scan
from licensing.repo.files import MAX_DOCUMENT_BYTES, MAX_TEXT_BYTES
from licensing.repo.init import starter_policy, write_policy

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="symbolic links and FIFOs as POSIX has them")

LICET = Path(sys.executable).parent / "licet"
CARD = "---\nlicense: mit\npipeline_tag: text-generation\n---\n# acme model\n"


@pytest.fixture(scope="module")
def library():
    return load_library()


def licet(*args: str, cwd: Path | None = None, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    """The installed command, bounded: a scan that blocks fails the test instead of hanging it."""
    command = str(LICET) if LICET.exists() else (shutil.which("licet") or "licet")
    return subprocess.run([command, *args], check=False, capture_output=True, text=True, cwd=cwd, timeout=timeout)


def scan_within(path: Path, library: Any, seconds: float = 60) -> Any:
    """`scan` in a thread that must finish in time (a FIFO read would block it forever)."""
    result: dict[str, Any] = {}

    def run() -> None:
        try:
            result["report"] = scan(path, library=library)
        except BaseException as err:  # noqa: BLE001 - handed back to the test
            result["error"] = err

    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    worker.join(seconds)
    assert not worker.is_alive(), f"scan of {path} did not finish in {seconds} s"
    if "error" in result:
        raise result["error"]
    return result["report"]


def bom(components: dict[str, str], root: str = "acme-model") -> str:
    return json.dumps({
        "bomFormat": "CycloneDX", "specVersion": "1.6", "version": 1,
        "metadata": {"component": {"bom-ref": root, "type": "machine-learning-model", "name": root}},
        "components": [{"bom-ref": name, "type": "library", "name": name, "licenses": [{"license": {"id": lic}}]}
                       for name, lic in components.items()],
    }, indent=2)


def model_repo(tmp_path: Path) -> Path:
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "README.md").write_text(CARD)
    return repo


def skipped(report: Any) -> dict[str, Any]:
    """The skipped-file notes, by the file their origin names."""
    return {n.origin.file if n.origin else "": n for n in report.notes if n.rule == "skipped-file"}


def stand_ins(report: Any) -> list[str]:
    return [c.name for c in report.components if c.resolved_by == "not read"]


def test_a_model_card_alone_is_allowed(tmp_path, library):
    # the baseline the other tests change: one MIT card, nothing else
    report = scan(model_repo(tmp_path), library=library)
    assert report.verdict.verdict == "allowed"
    assert not skipped(report)


# ---------------------------------------------------------------- links out of the folder


def test_a_symlinked_sbom_pointing_outside_is_skipped_with_a_note(tmp_path, library):
    repo = model_repo(tmp_path)
    secret = tmp_path / "elsewhere" / "bom.json"
    secret.parent.mkdir()
    secret.write_text(bom({"gpl-lib": "GPL-3.0-only"}))
    (repo / "bom.json").symlink_to(secret)
    report = scan(repo, library=library)
    note = skipped(report)[f"{repo.as_posix()}/bom.json"]
    assert note.level == "warning"
    assert "symbolic link" in note.message and "outside the scanned folder" in note.message
    assert report.component("gpl-lib") is None  # nothing of the outside file was read
    assert not any("elsewhere" in f for f in report.files)
    assert stand_ins(report) == [f"{repo.as_posix()}/bom.json (not read)"]
    assert report.verdict.verdict == "unknown"  # never allowed because a file was skipped
    assert report.exit_code == 3


def test_a_symlink_inside_the_folder_to_a_file_inside_is_still_read(tmp_path, library):
    repo = model_repo(tmp_path)
    (repo / "boms").mkdir()
    (repo / "boms" / "model.cdx.json").write_text(bom({"tokenizer": "Apache-2.0"}))
    (repo / "bom.json").symlink_to(Path("boms") / "model.cdx.json")
    (repo / "site" / "acme_lib-1.0.dist-info").mkdir(parents=True)
    (repo / "site" / "acme_lib-1.0.dist-info" / "METADATA").write_text("Metadata-Version: 2.4\nName: acme-lib\nVersion: 1.0\nLicense-Expression: MIT\n")
    (repo / "reqs").mkdir()
    (repo / "reqs" / "base.txt").write_text("acme-lib\n")
    (repo / "requirements.txt").write_text("-r reqs/base.txt\n")
    (repo / "licet.yaml").write_text("python: {environment: site}\n")
    report = scan(repo, library=library)
    assert not skipped(report), [n.message for n in report.notes]
    assert report.component("tokenizer").license == "Apache-2.0"
    assert report.component("acme-lib").license == "MIT"
    assert report.component("acme-lib").origin.file == f"{repo.as_posix()}/reqs/base.txt"  # the include, shown inside the folder
    assert report.verdict.verdict == "allowed"


def test_a_readme_linked_out_of_the_folder_is_not_read(tmp_path, library):
    repo = tmp_path / "repo"
    repo.mkdir()
    (tmp_path / "README.md").write_text("---\nlicense: gpl-3.0\n---\n")
    (repo / "README.md").symlink_to("../README.md")
    (repo / "pyproject.toml").write_text('[project]\nname = "acme"\nversion = "1"\nlicense = "MIT"\n[tool.licet.python]\nenabled = false\n')
    report = scan(repo, library=library)
    assert "symbolic link to '../README.md'" in skipped(report)[f"{repo.as_posix()}/README.md"].message
    assert report.target == "acme"
    assert report.verdict.verdict == "unknown"


def test_a_pyproject_linked_out_of_the_folder_is_an_error_and_shows_nothing_of_it(tmp_path, library):
    # the policy says what the scan checks (use, bundle, license, waivers): without it licet stops, exit 2
    repo = tmp_path / "repo"
    repo.mkdir()
    (tmp_path / "secret.toml").write_text("[project\nsecret = 'do not print me'\n")
    (repo / "pyproject.toml").symlink_to(tmp_path / "secret.toml")
    with pytest.raises(ScanError) as caught:
        scan(repo, library=library)
    rendered = caught.value.render()
    assert caught.value.code == "licet.scan.outside"
    assert "pyproject.toml" in rendered and "outside the scanned folder" in rendered
    assert "do not print me" not in rendered


# ---------------------------------------------------------------- FIFOs and devices


def test_a_fifo_named_bom_json_does_not_hang_the_command_and_is_reported(tmp_path):
    repo = model_repo(tmp_path)
    os.mkfifo(repo / "bom.json")
    done = licet("scan", str(repo), "--format", "json", timeout=60)
    assert done.returncode == 3, done.stdout + done.stderr
    report = json.loads(done.stdout)
    notes = [n for n in report["scan"]["notes"] if n["rule"] == "skipped-file"]
    assert len(notes) == 1 and "named pipe (FIFO)" in notes[0]["message"], notes
    assert notes[0]["origin"]["file"] == f"{repo.as_posix()}/bom.json"
    assert report["verdict"] == "unknown"


@pytest.mark.parametrize("name", ["bom.json", "sbom-model.json", "x.spdx.json", "requirements.txt", "uv.lock", "README.md"])
def test_a_fifo_does_not_hang_the_scan_and_is_reported(tmp_path, library, name):
    repo = model_repo(tmp_path)
    (repo / "pyproject.toml").write_text('[project]\nname = "acme"\nversion = "1"\nlicense = "MIT"\n')
    (repo / name).unlink(missing_ok=True)
    os.mkfifo(repo / name)
    report = scan_within(repo, library)
    assert list(skipped(report)) == [f"{repo.as_posix()}/{name}"]
    assert "named pipe (FIFO)" in skipped(report)[f"{repo.as_posix()}/{name}"].message
    assert report.verdict.verdict == "unknown"


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="needs /dev/zero")
@pytest.mark.parametrize("name", ["bom.json", "requirements-dev.txt"])
def test_a_link_to_a_device_is_not_read(tmp_path, library, name):
    repo = model_repo(tmp_path)
    (repo / name).symlink_to("/dev/zero")
    report = scan_within(repo, library)
    assert "symbolic link to '/dev/zero'" in skipped(report)[f"{repo.as_posix()}/{name}"].message
    assert report.verdict.verdict == "unknown"


def test_a_committed_environment_whose_metadata_links_to_a_device_is_not_read(tmp_path, library):
    repo = model_repo(tmp_path)
    info = repo / "site" / "acme_lib-1.0.dist-info"
    info.mkdir(parents=True)
    os.mkfifo(info / "METADATA")
    (repo / "requirements.txt").write_text("acme-lib\n")
    (repo / "licet.yaml").write_text("python: {environment: site}\n")
    report = scan_within(repo, library)
    assert "named pipe" in skipped(report)[f"{repo.as_posix()}/site/acme_lib-1.0.dist-info/METADATA"].message
    assert any(n.rule == "not-installed" and n.component == "acme-lib" for n in report.notes)
    assert report.verdict.verdict == "unknown"


# ---------------------------------------------------------------- requirement includes


def test_requirement_includes_outside_the_folder_are_not_followed(tmp_path, library):
    repo = model_repo(tmp_path)
    (tmp_path / "outside.txt").write_text("evilpkg==1.0\n")
    info = repo / "site" / "acme_lib-1.0.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text("Metadata-Version: 2.4\nName: acme-lib\nVersion: 1.0\nLicense-Expression: MIT\n")
    (repo / "requirements.txt").write_text("-r /etc/passwd\n--requirement ../outside.txt\n-r https://example.com/r.txt\n-r missing.txt\nacme-lib\n")
    (repo / "licet.yaml").write_text("python: {environment: site}\n")
    report = scan(repo, library=library)
    names = {c.name for c in report.components}
    assert "root" not in names and "evilpkg" not in names  # the first word of /etc/passwd's lines, the outside file's package
    assert report.component("acme-lib").license == "MIT"  # the rest of the file is read
    notes = [n for n in report.notes if n.rule == "skipped-file"]
    by_line = {n.origin.line: n.message for n in notes}
    assert set(by_line) == {1, 2, 3, 4}, by_line
    assert "'-r /etc/passwd'" in by_line[1] and "outside the scanned folder" in by_line[1]
    assert "'--requirement ../outside.txt'" in by_line[2] and "outside the scanned folder" in by_line[2]
    assert "does not fetch" in by_line[3]
    assert "no such file" in by_line[4]
    assert all(n.origin.file == f"{repo.as_posix()}/requirements.txt" for n in notes)
    assert not any("passwd" in f or "outside.txt" in f for f in report.files)
    assert report.verdict.verdict == "unknown"


def test_requirement_includes_through_the_cli_put_nothing_of_the_target_in_sarif(tmp_path):
    repo = model_repo(tmp_path)
    (repo / "requirements.txt").write_text("-r /etc/passwd\n")
    done = licet("scan", str(repo), "--format", "sarif")
    assert done.returncode == 3, done.stdout + done.stderr
    sarif = json.loads(done.stdout)
    texts = [r["message"]["text"] for r in sarif["runs"][0]["results"]]
    assert any("/etc/passwd" in t and "outside the scanned folder" in t for t in texts)
    assert "'root'" not in done.stdout and "nologin" not in done.stdout


# ---------------------------------------------------------------- policy paths


def test_policy_paths_outside_the_folder_are_not_followed(tmp_path, library):
    repo = model_repo(tmp_path)
    outside = tmp_path / "outside"
    (outside / "cards" / "acme" / "base").mkdir(parents=True)
    (outside / "cards" / "acme" / "base" / "README.md").write_text("---\nlicense: apache-2.0\n---\n")
    (outside / "bom.json").write_text(bom({"gpl-lib": "GPL-3.0-only"}))
    (outside / "req.txt").write_text("evilpkg\n")
    (repo / "README.md").write_text("---\nlicense: mit\nbase_model: acme/base\n---\n")
    (repo / "licet.yaml").write_text(
        f"cards: [../outside/cards]\nsbom: [{outside / 'bom.json'}]\npython: {{requirements: [../outside/req.txt]}}\n")
    report = scan(repo, library=library)
    messages = [n.message for n in report.notes if n.rule == "skipped-file"]
    assert any("card folder '../outside/cards'" in m for m in messages), messages
    assert any(f"{outside / 'bom.json'}: not read: it is outside the scanned folder" in m for m in messages), messages
    assert any("req.txt: not read: it is outside the scanned folder" in m for m in messages), messages
    assert report.component("acme/base").resolved_by != "card folder"
    assert report.component("gpl-lib") is None and report.component("evilpkg") is None
    assert report.verdict.verdict == "unknown"


def test_base_model_ids_that_are_paths_are_not_looked_up_on_disk(tmp_path, library):
    repo = model_repo(tmp_path)
    (tmp_path / "x").mkdir()
    (tmp_path / "x" / "README.md").write_text("---\nlicense: apache-2.0\n---\n")
    (repo / "cards").mkdir()
    (repo / "README.md").write_text("---\nlicense: mit\nbase_model: [../x, /etc/passwd]\n---\n")
    (repo / "licet.yaml").write_text("cards: [cards]\n")
    report = scan(repo, library=library)
    # not Hub ids (issue 11): looked up nowhere, components whose terms are unknown, with a note each
    for name in ("../x", "/etc/passwd"):
        assert report.component(name).license == library.fallback and report.component(name).resolved_by == "not a Hub id"
    assert [n.rule for n in report.notes].count("invalid-id") == 2
    assert report.verdict.verdict == "unknown"


# ---------------------------------------------------------------- sizes


def test_an_oversize_sbom_is_skipped_and_reported(tmp_path, library):
    repo = model_repo(tmp_path)
    with open(repo / "bom.json", "wb") as out:
        out.truncate(MAX_DOCUMENT_BYTES + 1)  # sparse: the size is what is checked, nothing is read
    report = scan_within(repo, library)
    note = skipped(report)[f"{repo.as_posix()}/bom.json"]
    assert "over the 16 MiB licet reads of such a file" in note.message
    assert report.verdict.verdict == "unknown"


def test_an_oversize_card_is_skipped_and_reported(tmp_path, library):
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "README.md").write_text(CARD + "x" * MAX_TEXT_BYTES)
    (repo / "pyproject.toml").write_text('[project]\nname = "acme"\nversion = "1"\nlicense = "MIT"\n[tool.licet.python]\nenabled = false\n')
    report = scan(repo, library=library)
    note = skipped(report)[f"{repo.as_posix()}/README.md"]
    assert "over the 1 MiB" in note.message
    assert report.target == "acme"
    assert report.verdict.verdict == "unknown"


def test_an_oversize_card_that_is_the_only_manifest_is_a_clear_error(tmp_path, library):
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "README.md").write_text(CARD + "x" * MAX_TEXT_BYTES)
    with pytest.raises(ScanError) as caught:
        scan(repo, library=library)
    assert caught.value.code == "licet.scan.nothing-to-scan"
    assert "README.md" in caught.value.message and "over the 1 MiB" in caught.value.message


def test_an_oversize_policy_is_an_error(tmp_path, library):
    repo = model_repo(tmp_path)
    (repo / "licet.yaml").write_text("# x\n" * (MAX_TEXT_BYTES // 4 + 1))
    with pytest.raises(ScanError) as caught:
        scan(repo, library=library)
    assert caught.value.code == "licet.scan.too-large" and caught.value.file.endswith("licet.yaml")


# ---------------------------------------------------------------- the user's own choice


def test_a_file_named_on_the_command_line_is_read_wherever_it_is(tmp_path, library):
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "model.cdx.json").write_text(bom({"tokenizer": "Apache-2.0"}))
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "bom.json").symlink_to(outside / "model.cdx.json")
    for named in (outside / "model.cdx.json", repo / "bom.json"):
        report = scan(named, library=library)
        assert report.component("tokenizer").license == "Apache-2.0"
        assert not skipped(report)
        assert report.verdict.verdict == "allowed"


def test_a_fifo_named_on_the_command_line_is_an_error_not_a_hang(tmp_path):
    os.mkfifo(tmp_path / "bom.json")
    done = licet("scan", str(tmp_path / "bom.json"), timeout=60)
    assert done.returncode == 2, done.stdout + done.stderr
    assert "named pipe" in done.stderr and "Traceback" not in done.stderr


# ---------------------------------------------------------------- licet init writes only inside


def test_init_never_writes_through_a_link(tmp_path, library):
    repo = model_repo(tmp_path)
    (repo / "licet.yaml").symlink_to(tmp_path / "planted.yaml")  # dangling: writing through it would create the target
    with pytest.raises(ScanError):
        starter_policy(repo, library=library)
    assert not (tmp_path / "planted.yaml").exists()
    (repo / "licet.yaml").unlink()
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "other"\n')
    (repo / "pyproject.toml").symlink_to("../pyproject.toml")
    with pytest.raises(ScanError) as caught:
        write_policy(starter_policy(repo, library=library))
    assert "outside the scanned folder" in caught.value.message
    assert (tmp_path / "pyproject.toml").read_text() == '[project]\nname = "other"\n'
