"""`licet registry refresh --online` and the local registry cache it writes.

No network: a fake Hub API stands for huggingface_hub.HfApi (the four methods
the refresh uses), raising errors named and shaped as huggingface_hub's are.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import stat
from pathlib import Path
from types import SimpleNamespace

import pytest
import yaml
from licensing.cli.main import cli

from licensing.repo import refresh as refreshing
from licensing.repo import scan
from licensing.repo.refresh import read_cache, refresh_registry
from licensing.repo.registry import RegistryError, load_registry, registry_cache_path

TODAY = dt.date(2026, 12, 2)


# ---------------------------------------------------------------- a fake Hub


def _http_error(name: str, status: int) -> Exception:
    """An error shaped as huggingface_hub's: its class name, and a response with a status code."""
    cls = type(name, (OSError,), {})
    error = cls(f"{status} Client Error for url: https://huggingface.co/api/models/x")
    error.response = SimpleNamespace(status_code=status)
    return error


class FakeHub:
    """Models and datasets by id, each a card-metadata mapping (None: no card)
    or an exception to raise; organisations list the ids under them."""

    def __init__(self, models=None, datasets=None):
        self.models = models or {}
        self.datasets = datasets or {}
        self.asked: list[tuple[str, str]] = []

    def _info(self, table, repo_id, what):
        self.asked.append((what, repo_id))
        if repo_id not in table:
            raise _http_error("RepositoryNotFoundError", 404)
        value = table[repo_id]
        if isinstance(value, BaseException):
            raise value
        card = None if value is None else SimpleNamespace(to_dict=lambda: dict(value))
        return SimpleNamespace(id=repo_id, card_data=card)

    def model_info(self, repo_id, **kwargs):
        return self._info(self.models, repo_id, "model")

    def dataset_info(self, repo_id, **kwargs):
        return self._info(self.datasets, repo_id, "dataset")

    def _list(self, table, author, limit, what):
        self.asked.append((what, author))
        for repo_id in table:
            if repo_id.split("/")[0] == author:
                yield SimpleNamespace(id=repo_id)

    def list_models(self, *, author, limit=None, **kwargs):
        return self._list(self.models, author, limit, "list models")

    def list_datasets(self, *, author, limit=None, **kwargs):
        return self._list(self.datasets, author, limit, "list datasets")


HUB = FakeHub(
    models={
        "acme/known-7b": {"license": "apache-2.0", "base_model": "acme/base-7b"},
        "acme/research-7b": {"license": "other", "license_name": "qwen-research", "license_link": "LICENSE"},
        "acme/odd-7b": {"license": "acme-community-license-v9"},
        "acme/other-only": {"license": "other", "license_link": "https://acme.example/terms"},
        "acme/no-card": None,
        "acme/nc-7b": {"license": "cc-by-nc-4.0"},
        "acme/gated-7b": _http_error("GatedRepoError", 401),
        "acme/busy-7b": _http_error("HfHubHTTPError", 429),
        "acme/offline-7b": ConnectionError("Name or service not known"),
    },
    datasets={"acme/corpus": {"license": ["cc-by-4.0", "odc-by"], "task_categories": ["text-generation"]}},
)


def _refresh(tmp_path, *targets, hub=HUB, **kwargs):
    output = kwargs.pop("output", tmp_path / "registry.yaml")
    return refresh_registry(targets, library=kwargs.pop("library"), api=hub, output=output, today=TODAY, **kwargs)


def _problem(report, target):
    return next(p for p in report.problems if p.target == target)


def _entry(report, repo_id):
    return next(e for e in report.entries if e.id == repo_id)


# ---------------------------------------------------------------- the library function


def test_a_known_license_is_written_with_its_source_and_the_date(tmp_path, library):
    report = _refresh(tmp_path, "acme/known-7b", library=library)
    assert report.written and report.refreshed and not report.problems
    assert _entry(report, "acme/known-7b").license == "Apache-2.0"
    data = yaml.safe_load((tmp_path / "registry.yaml").read_text(encoding="utf-8"))
    [entry] = data["repos"]
    assert entry["id"] == "acme/known-7b" and entry["kind"] == "weights" and entry["license"] == "Apache-2.0"
    assert entry["source"] == "https://huggingface.co/acme/known-7b"
    assert "fetched from the Hub on 2026-12-02" in entry["note"]
    assert "license: apache-2.0" in entry["note"] and "base_model: acme/base-7b" in entry["note"]
    assert stat.S_IMODE(os.stat(tmp_path / "registry.yaml").st_mode) & 0o077 == 0


def test_other_with_a_license_name_reads_the_name(tmp_path, library):
    report = _refresh(tmp_path, "acme/research-7b", library=library)
    entry = _entry(report, "acme/research-7b")
    assert entry.license == "qwen-research"
    assert entry.declared == "license: other, license_name: qwen-research, license_link: LICENSE"


def test_an_unknown_license_is_left_out_and_reported_with_its_raw_value(tmp_path, library):
    report = _refresh(tmp_path, "acme/odd-7b", "acme/other-only", "acme/no-card", "acme/known-7b", library=library)
    odd = _problem(report, "acme/odd-7b")
    assert odd.reason == "unknown-license" and odd.declared == "license: acme-community-license-v9"
    assert "'acme-community-license-v9' is not a license licet knows" in odd.message and "not guessed" in odd.message
    other = _problem(report, "acme/other-only")
    assert other.reason == "unknown-license" and "license_link: https://acme.example/terms" in other.declared
    assert _problem(report, "acme/no-card").reason == "missing-license"
    ids = [e["id"] for e in yaml.safe_load((tmp_path / "registry.yaml").read_text())["repos"]]
    assert ids == ["acme/known-7b"]


def test_an_organisation_lists_its_models_up_to_the_limit(tmp_path, library):
    hub = FakeHub(models={f"acme/m{i}": {"license": "mit"} for i in range(5)} | {"other/x": {"license": "mit"}})
    seen = []
    report = _refresh(tmp_path, "acme", hub=hub, limit=3, progress=lambda done, total: seen.append((done, total)), library=library)
    assert [e.id for e in report.entries] == ["acme/m0", "acme/m1", "acme/m2"]
    assert seen == [(1, 3), (2, 3), (3, 3)]
    assert ("list models", "acme") in hub.asked and ("model", "other/x") not in hub.asked


def test_an_organisation_with_nothing_listed_is_reported(tmp_path, library):
    report = _refresh(tmp_path, "nobody", library=library)
    problem = _problem(report, "nobody")
    assert problem.organisation and problem.reason == "empty-org"
    assert not report.refreshed and not (tmp_path / "registry.yaml").exists()


def test_a_dataset_is_data_with_its_dataset_page(tmp_path, library):
    hub = FakeHub(datasets={"acme/corpus": {"license": ["cc-by-4.0", "odc-by"]}, "acme/more": {"license": "cc0-1.0"}})
    report = _refresh(tmp_path, "datasets/acme/corpus", library=library, hub=hub)
    entry = _entry(report, "acme/corpus")
    assert entry.kind == "data" and entry.license == "CC-BY-4.0 AND ODC-By-1.0"
    [written] = yaml.safe_load((tmp_path / "registry.yaml").read_text())["repos"]
    assert written["source"] == "https://huggingface.co/datasets/acme/corpus"
    listed = _refresh(tmp_path, "acme", kind="data", library=library, hub=hub)
    assert {e.id for e in listed.entries} == {"acme/corpus", "acme/more"}
    assert ("list datasets", "acme") in hub.asked


@pytest.mark.parametrize(("repo_id", "reason", "words"), [
    ("acme/missing-7b", "not-found", "no such repo"),
    ("acme/gated-7b", "gated", "gated"),
    ("acme/busy-7b", "rate-limited", "HTTP 429"),
    ("acme/offline-7b", "network", "cannot be reached"),
])
def test_hub_failures_are_per_repo_and_the_others_go_on(tmp_path, library, repo_id, reason, words):
    report = _refresh(tmp_path, repo_id, "acme/known-7b", library=library)
    problem = _problem(report, repo_id)
    assert problem.reason == reason and words in problem.message
    assert [e.id for e in report.entries] == ["acme/known-7b"] and report.refreshed


def test_real_huggingface_hub_errors_are_told_apart(tmp_path, library):
    errors = pytest.importorskip("huggingface_hub.errors")
    httpx = pytest.importorskip("httpx2")

    def error(cls, status):
        request = httpx.Request("GET", "https://huggingface.co/api/models/acme/x")
        return cls(f"{status} error", response=httpx.Response(status, request=request))

    hub = FakeHub(models={"acme/a": error(errors.RepositoryNotFoundError, 404), "acme/b": error(errors.GatedRepoError, 403),
                          "acme/c": error(errors.HfHubHTTPError, 429), "acme/d": error(errors.HfHubHTTPError, 500)})
    report = _refresh(tmp_path, "acme/a", "acme/b", "acme/c", "acme/d", library=library, hub=hub)
    assert [p.reason for p in report.problems] == ["not-found", "gated", "rate-limited", "hub-error"]


def test_an_invalid_target_is_reported_and_never_asked(tmp_path, library):
    hub = FakeHub()
    report = _refresh(tmp_path, "../../etc/passwd", "a b", library=library, hub=hub)
    assert [p.reason for p in report.problems] == ["invalid-id", "invalid-id"] and hub.asked == []


def test_an_existing_cache_is_merged_not_clobbered(tmp_path, library):
    cache = tmp_path / "registry.yaml"
    cache.write_text(
        "repos:\n"
        "  - pattern: handmade/*\n    kind: weights\n    license: mit\n    source: https://huggingface.co/handmade\n"
        "  - id: acme/nc-7b\n    kind: weights\n    license: apache-2.0\n    source: https://huggingface.co/acme/nc-7b\n"
        "  - id: acme/odd-7b\n    kind: weights\n    license: mit\n    source: https://huggingface.co/acme/odd-7b\n"
        "  - id: acme/offline-7b\n    kind: weights\n    license: mit\n    source: https://huggingface.co/acme/offline-7b\n"
        "  - id: acme/untouched\n    kind: weights\n    license: mit\n    source: https://huggingface.co/acme/untouched\n"
        "mirrors:\n  - org: acme-quant\n    suffixes: [-GGUF]\n    source: https://huggingface.co/acme-quant\n",
        encoding="utf-8",
    )
    report = _refresh(tmp_path, "acme/nc-7b", "acme/odd-7b", "acme/offline-7b", "acme/known-7b", library=library)
    nc = _entry(report, "acme/nc-7b")
    assert nc.change == "updated" and nc.previous == "apache-2.0" and nc.license == "CC-BY-NC-4.0"
    assert _entry(report, "acme/known-7b").change == "added"
    assert _problem(report, "acme/odd-7b").removed  # the card no longer names a license licet knows
    assert _problem(report, "acme/offline-7b").kept  # the Hub did not answer: the entry stays
    data = yaml.safe_load(cache.read_text(encoding="utf-8"))
    by_name = {e.get("id") or e.get("pattern"): e["license"] for e in data["repos"]}
    assert by_name == {"acme/known-7b": "Apache-2.0", "acme/nc-7b": "CC-BY-NC-4.0", "acme/offline-7b": "mit",
                       "acme/untouched": "mit", "handmade/*": "mit"}
    assert data["mirrors"][0]["org"] == "acme-quant"
    assert report.total == 5
    again = _refresh(tmp_path, "acme/nc-7b", "acme/offline-7b", library=library)
    assert _entry(again, "acme/nc-7b").change == "unchanged"
    cache.write_text(cache.read_text().replace("license: CC-BY-NC-4.0", "license: cc-by-nc-4.0"))
    assert _entry(_refresh(tmp_path, "acme/nc-7b", library=library), "acme/nc-7b").change == "unchanged"  # an alias is the same license


def test_a_cache_that_does_not_read_is_an_error_and_left_as_it_is(tmp_path, library):
    cache = tmp_path / "registry.yaml"
    cache.write_text("repos:\n  - id: acme/x\n    kind: weights\n    license: not-a-license-at-all\n    source: https://x.example\n")
    before = cache.read_text()
    with pytest.raises(RegistryError) as caught:
        _refresh(tmp_path, "acme/known-7b", library=library)
    assert caught.value.code == "licet.registry.unknown-license" and caught.value.line == 2
    assert cache.read_text() == before


def test_a_shipped_entry_wins_and_the_report_says_so(tmp_path, library):
    hub = FakeHub(models={"meta-llama/Llama-2-7b-hf": {"license": "mit"}})
    report = _refresh(tmp_path, "meta-llama/Llama-2-7b-hf", library=library, hub=hub)
    assert _entry(report, "meta-llama/Llama-2-7b-hf").shipped == "llama2"
    registry = load_registry(library, cache=tmp_path / "registry.yaml")
    found = registry.resolve("meta-llama/Llama-2-7b-hf", "weights")
    assert found.license == "llama2" and not registry.in_cache(found)


# ---------------------------------------------------------------- the cache in the scan


def _card(tmp_path: Path) -> Path:
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "README.md").write_text("---\nlicense: apache-2.0\nbase_model: acme/nc-7b\ndatasets: [acme/corpus]\n---\n# tuned\n")
    (repo / "licet.yaml").write_text("use: {actions: [serve], commercial: true}\n")
    return repo


def test_the_cache_resolves_a_base_model_in_the_scan(tmp_path, library, runner, monkeypatch):
    repo = _card(tmp_path)
    before = scan(repo, library=library)  # the tests read no cache: as before
    assert before.component("acme/nc-7b").license is None and before.verdict.verdict == "unknown"

    cache = tmp_path / "cache" / "registry.yaml"
    _refresh(tmp_path, "acme/nc-7b", "datasets/acme/corpus", output=cache, library=library)
    monkeypatch.setenv("LICET_REGISTRY_CACHE", str(cache))
    after = scan(repo, library=library)
    base = after.component("acme/nc-7b")
    assert base.license == "CC-BY-NC-4.0" and base.resolved_by == "registry cache"
    assert base.evidence.startswith(f"{cache}:") and "https://huggingface.co/acme/nc-7b" in base.evidence
    assert after.component("acme/corpus").resolved_by == "registry cache"
    assert after.verdict.verdict == "forbidden"  # a non-commercial base served commercially

    result = runner.invoke(cli, ["scan", str(repo), "--format", "json"])
    assert result.exit_code == 1
    assert "CC-BY-NC-4.0" in json.dumps(json.loads(result.stdout)["scan"])


def test_a_model_entry_does_not_answer_for_a_dataset_of_the_same_name(tmp_path, library):
    _refresh(tmp_path, "acme/nc-7b", library=library)
    registry = load_registry(library, cache=tmp_path / "registry.yaml")
    assert registry.resolve("acme/nc-7b", "weights").license == "CC-BY-NC-4.0"
    assert registry.resolve("acme/nc-7b", "data") is None


def test_without_a_cache_the_registry_is_the_shipped_one(library):
    assert registry_cache_path() is None  # conftest turns the user's cache off
    assert load_registry(library).cache == () and load_registry(library).cache_file is None


def test_the_default_cache_lives_in_the_cache_folder(tmp_path, monkeypatch):
    monkeypatch.delenv("LICET_REGISTRY_CACHE")
    monkeypatch.setenv("LICET_CACHE_DIR", str(tmp_path))
    assert registry_cache_path() == tmp_path / "registry.yaml"
    monkeypatch.delenv("LICET_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert registry_cache_path() == tmp_path / "xdg" / "licet" / "registry.yaml"


@pytest.mark.skipif(not hasattr(os, "getuid"), reason="POSIX owners and modes")
def test_a_cache_others_can_write_is_not_read(tmp_path, library):
    _refresh(tmp_path, "acme/known-7b", library=library)
    cache = tmp_path / "registry.yaml"
    cache.chmod(0o666)
    with pytest.raises(RegistryError) as caught:
        load_registry(library, cache=cache)
    assert caught.value.code == "licet.registry.unsafe-cache" and "chmod go-w" in caught.value.hint


# ---------------------------------------------------------------- the command


@pytest.fixture()
def fake_hub(monkeypatch):
    monkeypatch.setattr(refreshing, "default_refresh_api", lambda: HUB)
    return HUB


def test_refresh_refuses_without_online(runner, tmp_path, monkeypatch):
    def never():
        raise AssertionError("the Hub API must not be built without --online")

    monkeypatch.setattr(refreshing, "default_refresh_api", never)
    result = runner.invoke(cli, ["registry", "refresh", "acme/known-7b", "-o", str(tmp_path / "r.yaml")])
    assert result.exit_code == 2
    assert "nothing is fetched without --online" in result.stderr and not (tmp_path / "r.yaml").exists()


def test_refresh_command_writes_reports_and_exits_0(runner, tmp_path, fake_hub):
    out = tmp_path / "r.yaml"
    result = runner.invoke(cli, ["registry", "refresh", "--online", "-o", str(out), "acme/known-7b", "acme/odd-7b", "acme/gated-7b"])
    assert result.exit_code == 0, result.output
    assert "acme/known-7b" in result.stdout and "added" in result.stdout and f"wrote {out}" in result.stdout
    assert "warning: model 'acme/odd-7b'" in result.stderr and "the card says: license: acme-community-license-v9" in result.stderr
    assert "warning: model 'acme/gated-7b': the repo is gated" in result.stderr
    shown = runner.invoke(cli, ["registry", "show", "-o", str(out)])
    assert shown.exit_code == 0 and "acme/known-7b" in shown.stdout and "1 entries" in shown.stdout


def test_refresh_command_exits_2_when_nothing_could_be_refreshed(runner, tmp_path, fake_hub):
    out = tmp_path / "r.yaml"
    result = runner.invoke(cli, ["registry", "refresh", "--online", "-o", str(out), "acme/missing", "acme/offline-7b"])
    assert result.exit_code == 2
    assert "nothing could be refreshed" in result.stderr and not out.exists()


def test_refresh_command_json(runner, tmp_path, fake_hub):
    out = tmp_path / "r.yaml"
    result = runner.invoke(cli, ["registry", "refresh", "--online", "--format", "json", "-o", str(out), "acme/research-7b"])
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert data["entries"][0]["license"] == "qwen-research" and data["output"] == str(out)


def test_refresh_without_a_cache_file_needs_output(runner, fake_hub):
    result = runner.invoke(cli, ["registry", "refresh", "--online", "acme/known-7b"])  # conftest: the cache is off
    assert result.exit_code == 2 and "--output" in result.stderr


def test_show_without_a_cache(library, tmp_path):
    assert read_cache(library).path is None
    assert not read_cache(library, tmp_path / "none.yaml").exists
