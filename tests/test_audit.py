"""`licet audit`: a synthetic Hub audited on a Dask LocalCluster, its planted
findings found exactly; lineage (cycles, missing parents, the depth bound);
bad rows and unreadable tables; the memo against uncached checks; the
online builder against a fake Hub API; the report.

One small in-process LocalCluster (threads, reached over TCP like any
cluster) serves the whole module; the command line is pointed at it with
--scheduler, so the tests run `licet audit` itself. They need the `audit`
extra (Dask, pyarrow, pandas, matplotlib), which the README's test install has.
"""

from __future__ import annotations

import json
import logging
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pandas as pd
import pyarrow.parquet as pq
import pytest
from licensing.cli.main import cli

from licensing.audit import check as checking
from licensing.audit.check import AuditConfig, findings_partition, worker_state
from licensing.audit.hub import Pacer, build_table, row_of
from licensing.audit.lineage import Node, RepoLineage
from licensing.audit.report import write_report
from licensing.audit.run import DASK_CONFIG, audit, plan
from licensing.audit.synthetic import generate_hub, load_spec
from licensing.audit.table import AuditError, open_table, read_part, regrouped

ROOT = Path(__file__).resolve().parent.parent
SEED = 12
REPOS = 300


# ---------------------------------------------------------------- the cluster and the synthetic Hub


@pytest.fixture(scope="module")
def cluster():
    from distributed import Client, LocalCluster

    logging.getLogger("distributed.shuffle").setLevel(logging.ERROR)
    with LocalCluster(n_workers=1, threads_per_worker=2, processes=False, protocol="tcp", dashboard_address=":0",
                      silence_logs=logging.ERROR) as local, Client(local) as client:
        yield client


@pytest.fixture(scope="module")
def hub(library):
    return generate_hub(REPOS, seed=SEED, bases=32, library=library)


def test_a_synthetic_hub_audited_on_a_local_cluster(cluster, hub, engine, runner, tmp_path):
    """`licet audit` on the cluster: one finding per row, the planted findings
    found exactly (recall and precision 100 %), cycles and missing parents
    reported exactly, one engine per worker, the memo identical to uncached
    checks, and the report. One test, so that the audit runs once whatever
    the test runner's distribution of tests over processes."""
    table = hub.write(tmp_path / "hub.parquet", row_group_size=100)
    output = tmp_path / "findings.parquet"
    result = runner.invoke(cli, ["audit", str(table), "-o", str(output), "--scheduler", cluster.scheduler.address])
    assert result.exit_code == 0, result.output
    assert f"audited {len(hub.rows):,} repos" in result.stdout
    findings = pq.read_table(output).to_pandas()
    _one_finding_per_row(findings, hub)
    _planted_forbidden_found_exactly(findings, hub)
    _each_finding_names_its_clause_section_and_path(findings, hub)
    _cycles_and_missing_parents_reported_exactly(findings, hub)
    _engine_built_once_and_memo_used(cluster)
    _memo_identical_to_uncached(table, findings, hub, engine)
    _the_report(output, runner, tmp_path)


def _one_finding_per_row(findings, hub):
    assert len(findings) == len(hub.rows)
    assert sorted(findings["row"]) == list(range(1, len(hub.rows) + 1))
    assert set(findings["repo"]) == {row["id"] for row in hub.rows}
    assert not (findings["verdict"] == "error").any(), findings.loc[findings["verdict"] == "error", "error"].tolist()


def _planted_forbidden_found_exactly(findings, hub):
    forbidden = set(findings.loc[findings["verdict"] == "forbidden", "repo"])
    planted = set(hub.planted.forbidden)
    assert len(planted) >= 10  # the small Hub plants enough to mean something
    assert planted - forbidden == set(), "planted, not found"
    assert forbidden - planted == set(), "found, not planted"


def _each_finding_names_its_clause_section_and_path(findings, hub):
    findings = findings.set_index("repo")
    for repo, why in hub.planted.forbidden.items():
        row = findings.loc[repo]
        binding = [c for c in row["conflicts"] if len(c["when"]) == 0]
        assert binding, repo
        assert all(c["license"] and c["clause"] and c["section"] for c in binding)
        assert any(c["license"] in why and c["section"] in why for c in binding), (repo, why, binding)
        assert list(row["path"])[0] == repo  # the path starts at the repo
    relabelled = [repo for repo, why in hub.planted.forbidden.items() if why.startswith("relabelled")]
    assert relabelled and all(findings.loc[repo, "drops_upstream"] for repo in relabelled)


def _cycles_and_missing_parents_reported_exactly(findings, hub):
    findings = findings.set_index("repo")
    cycles = {repo: frozenset(row) for repo, row in findings["cycle"].items() if len(row)}
    unresolved = {repo: frozenset(row) for repo, row in findings["unresolved"].items() if len(row)}
    assert hub.planted.cycles and hub.planted.unresolved and hub.planted.registry_parents
    assert cycles == hub.planted.cycles
    assert unresolved == hub.planted.unresolved
    # a repo whose lineage has an upstream nobody knows is never allowed
    assert not (findings.loc[list(unresolved), "verdict"] == "allowed").any()
    # base models only the registry knows are resolved there
    assert not set(findings["unresolved"].explode().dropna()) & hub.planted.registry_parents


def _engine_built_once_and_memo_used(cluster):
    stats = list(cluster.run(lambda: dict(checking._STATES[AuditConfig()].stats)).values())
    assert [s["engines_built"] for s in stats] == [1]
    assert stats[0]["memo_hits"] > 0 and stats[0]["checks"] < stats[0]["rows"]


def _memo_identical_to_uncached(table, findings, hub, engine):
    """The findings of a sample of questions, memo on and off, are the same
    frame; and the verdict matches a check of the scenario with the repos'
    real names."""
    import dask

    with dask.config.set(DASK_CONFIG):
        questions, _ = plan(open_table(table, rows_per_part=100), AuditConfig())
        frame = questions.compute()
    forbidden = frame["repo"].isin(list(hub.planted.forbidden))
    sample = pd.concat([frame.loc[forbidden].head(12), frame.loc[~forbidden].sample(24, random_state=SEED)])
    sample = pd.concat([sample, sample.head(8)])  # repeated rows: answered from the memo the second time
    cached = findings_partition(sample, AuditConfig())
    uncached = findings_partition(sample, AuditConfig(memo=False))
    pd.testing.assert_frame_equal(cached.reset_index(drop=True), uncached.reset_index(drop=True))
    by_repo = findings.set_index("repo")
    for question, names, finding in list(zip(sample["question"], sample["names"], cached.to_dict("records"), strict=True))[:12]:
        assert by_repo.loc[finding["repo"], "verdict"] == finding["verdict"]
        verdict = engine.check(_real_names(json.loads(question), json.loads(names)))
        assert verdict.verdict == finding["verdict"]


def _the_report(output, runner, tmp_path):
    report = write_report(output, tmp_path / "report.md")
    text = report.markdown.read_text(encoding="utf-8")
    for heading in ("## Verdicts", "## By relation", "## By declared license", "## By upstream license", "## Most common conflicts",
                    "## Derivatives that drop upstream restrictions", "LicenseRec"):
        assert heading in text
    assert len(report.charts) >= 4
    for chart in report.charts:
        assert chart.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        assert chart.name in text
    assert report.drop_share is not None and 0 < report.drop_share < 1
    result = runner.invoke(cli, ["audit", str(output), "--summary", "-o", str(tmp_path / "again.md")])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "again.md").is_file() and (tmp_path / "again-verdicts.png").is_file()


def _real_names(scenario, names):
    """The canonical scenario with each component under the repo's real id."""
    real = {f"n{index}": name for index, name in enumerate(names)}
    components = {}
    for name, component in scenario["components"].items():
        renamed = {k: ([real[t] for t in v] if isinstance(v, list) else v) for k, v in component.items()}
        components[real[name]] = renamed
    return {"components": components, "use": {**scenario["use"], "target": real["n0"]}}


# ---------------------------------------------------------------- lineage on a table made by hand


def _rows():
    model = "model"
    return [
        {"id": "a/chain-0", "license": "apache-2.0", "base_model": "a/chain-1", "base_model_relation": "finetune"},
        {"id": "a/chain-1", "license": "apache-2.0", "base_model": "a/chain-2"},
        {"id": "a/chain-2", "license": "apache-2.0", "base_model": "a/chain-3"},
        {"id": "a/chain-3", "license": "apache-2.0"},
        {"id": "b/self-loop", "license": "mit", "base_model": "b/self-loop"},
        {"id": "c/left", "license": "mit", "base_model": "c/right"},
        {"id": "c/right", "license": "mit", "base_model": ["c/left", "meta-llama/Llama-2-7b-hf"], "base_model_relation": "merge"},
        {"id": "d/orphan", "license": "apache-2.0", "base_model": ["gone/nowhere-7b", "not a repo id!"], "kind": model},
        {"id": "e/trained", "license": "mit", "base_model": "meta-llama/Llama-2-7b-hf", "datasets": ["tatsu-lab/alpaca", "e/corpus"]},
        {"id": "e/corpus", "kind": "dataset", "license": "cc-by-4.0"},
        {"id": "f/child", "license": "apache-2.0", "base_model": "f/card-parent"},
    ]


CARDS = {
    # not in the table: read from the local card, and its own base model followed
    "f/card-parent": "---\nlicense: apache-2.0\nbase_model: google/gemma-2b\n---\n# a parent known from its card\n",
    # in the table: the table wins over the card
    "e/corpus": "---\nlicense: cc-by-sa-4.0\n---\n",
}


@pytest.fixture(scope="module")
def handmade(cluster, tmp_path_factory):
    folder = tmp_path_factory.mktemp("handmade")
    table = folder / "hub.jsonl"
    table.write_text("".join(json.dumps(row) + "\n" for row in _rows()), encoding="utf-8")
    for repo, text in CARDS.items():
        (folder / "cards" / repo).mkdir(parents=True)
        (folder / "cards" / repo / "README.md").write_text(text, encoding="utf-8")
    summary = audit(table, folder / "findings.parquet", client=cluster, depth=2, cards=[folder / "cards"])
    return summary, pq.read_table(folder / "findings.parquet").to_pandas().set_index("repo")


def test_the_depth_bound_cuts_the_lineage_and_never_allows(handmade):
    summary, findings = handmade
    assert summary.lineage.depth_bound == 2
    assert findings.loc["a/chain-0", "depth_cut"] and findings.loc["a/chain-0", "ancestors"] == 2
    assert findings.loc["a/chain-0", "verdict"] != "allowed"
    assert not findings.loc["a/chain-1", "depth_cut"] and findings.loc["a/chain-1", "verdict"] == "allowed"


def test_cycles_are_reported_and_broken(handmade):
    _, findings = handmade
    assert list(findings.loc["b/self-loop", "cycle"]) == ["b/self-loop"]
    assert findings.loc["b/self-loop", "verdict"] == "allowed"
    for repo in ("c/left", "c/right"):
        assert sorted(findings.loc[repo, "cycle"]) == ["c/left", "c/right"]
        # the registry's Llama 2 stays in the lineage of both, and their MIT release drops its terms
        assert "llama2" in set(findings.loc[repo, "upstream_licenses"])
        assert findings.loc[repo, "verdict"] == "forbidden"


def test_missing_parents_and_entries_that_are_not_ids_are_unresolved(handmade):
    _, findings = handmade
    assert sorted(findings.loc["d/orphan", "unresolved"]) == ["gone/nowhere-7b", "not a repo id!"]
    assert findings.loc["d/orphan", "verdict"] == "unknown"


def test_datasets_from_the_table_and_the_registry_are_trained_on(handmade):
    _, findings = handmade
    row = findings.loc["e/trained"]
    assert set(row["upstream_licenses"]) >= {"llama2", "CC-BY-NC-4.0", "CC-BY-4.0"}
    assert row["unresolved"].tolist() == [] and row["relation"] == "unspecified"


def test_local_cards_resolve_upstreams_the_table_lacks(handmade):
    _, findings = handmade
    row = findings.loc["f/child"]
    assert set(row["upstream_licenses"]) == {"Apache-2.0", "gemma"} and row["ancestors"] == 2
    assert row["verdict"] == "forbidden" and "f/card-parent" not in findings.index  # a card is used, not audited
    assert "CC-BY-SA-4.0" not in set(findings.loc["e/trained", "upstream_licenses"])  # the table's e/corpus, not the card's


def test_repo_lineage_keeps_every_ancestor_reachable_when_breaking_cycles():
    nodes = {k: Node(k, k, None, "table") for k in ("model:t", "model:a", "model:b", "model:c")}
    parents = {"model:t": [("derived-from", "model:a")], "model:a": [("derived-from", "model:b")],
               "model:b": [("derived-from", "model:a"), ("derived-from", "model:c")], "model:c": [("derived-from", "model:c")]}
    lineage = RepoLineage("model:t", nodes, parents)
    assert lineage.on_cycles() == {"model:a", "model:b", "model:c"}
    kept = lineage.acyclic_parents()
    assert ("derived-from", "model:a") not in kept.get("model:b", []) and ("derived-from", "model:c") not in kept.get("model:c", [])
    assert lineage.depth(kept) == 3


# ---------------------------------------------------------------- bad rows and unreadable tables


def test_bad_rows_become_error_findings_with_their_line_numbers(cluster, tmp_path):
    lines = [
        json.dumps({"id": "ok/model", "license": "mit"}),
        "{not json",
        json.dumps({"id": "not an id", "license": "mit"}),
        json.dumps({"id": "ok/numbered", "license": 7}),
        json.dumps({"id": "ok/model", "license": "apache-2.0"}),
        "",
        json.dumps({"id": "ok/fine", "downloads": -3}),
        json.dumps(["a", "list"]),
        json.dumps({"id": "ok/last", "license": "apache-2.0", "base_model": "ok/model"}),
    ]
    table = tmp_path / "bad.jsonl"
    table.write_text("\n".join(lines) + "\n", encoding="utf-8")
    summary = audit(table, tmp_path / "findings.parquet", client=cluster)
    findings = pq.read_table(tmp_path / "findings.parquet").to_pandas()
    errors = dict(zip(findings.loc[findings["verdict"] == "error", "row"], findings.loc[findings["verdict"] == "error", "error"], strict=True))
    assert sorted(errors) == [2, 3, 4, 5, 7, 8]
    assert errors[2].startswith("line 2: the line is not JSON")
    assert "line 3: id 'not an id' is not a Hugging Face repo id" in errors[3]
    assert "line 4: license must be text" in errors[4]
    assert "line 5: id 'ok/model' is in the table already (line 1)" in errors[5]
    assert "line 7: downloads must be a whole number" in errors[7]
    assert "line 8: a row must be a JSON object" in errors[8]
    good = findings.set_index("row")
    assert good.loc[1, "verdict"] == "allowed" and good.loc[9, "verdict"] == "allowed"
    assert summary.error_count == 6 and summary.errors[0].startswith("line")


def test_a_failing_check_is_a_row_with_an_error_not_a_lost_partition(engine):
    good = {"components": {"n0": {"kind": "weights"}}, "use": {"target": "n0", "actions": ["distribute"], "release-license": "MIT"}}
    bad = {"components": {"n0": {"kind": "weights", "license": "no-such-license-anywhere"}}, "use": {"target": "n0", "actions": ["distribute"]}}
    rows = [{"row": i + 1, "repo": f"x/r{i}", "kind": "model", "shape": str(i), "question": json.dumps(q), "names": json.dumps([f"x/r{i}"]),
             "error": None, "ancestors": 0, "depth": 0, "depth_cut": False, "downloads": float("nan")} for i, q in enumerate([good, bad, good])]
    frame = pd.DataFrame(rows)
    out = findings_partition(frame, AuditConfig())
    assert out["verdict"].tolist() == ["allowed", "error", "allowed"]
    assert out.loc[1, "error"].startswith("row 2: the check failed:") and "no-such-license-anywhere" in out.loc[1, "error"]


@pytest.mark.parametrize("name, content, words", [
    ("missing.parquet", None, "no such file"),
    ("table.csv", "id\nx/y\n", "neither Parquet nor JSON Lines"),
    ("garbage.parquet", b"PAR1 not really", "not a readable Parquet file"),
    ("words.jsonl", "hello\nworld\n", "not JSON Lines"),
])
def test_unreadable_tables_exit_2_with_a_clear_error(runner, tmp_path, name, content, words):
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    elif content is not None:
        path.write_text(content, encoding="utf-8")
    result = runner.invoke(cli, ["audit", str(path), "-o", str(tmp_path / "f.parquet")])
    assert result.exit_code == 2, result.output
    assert words in result.stderr and "help:" in result.stderr


def test_a_parquet_table_with_wrongly_typed_columns_is_refused(tmp_path):
    import pyarrow as pa

    path = tmp_path / "typed.parquet"
    pq.write_table(pa.table({"id": [1, 2], "license": [3, 4]}), path)
    with pytest.raises(AuditError, match="column `id` is int64, not text; column `license` is int64"):
        open_table(path)


def test_jsonl_parts_start_on_lines_and_number_rows_from_the_file(tmp_path):
    path = tmp_path / "t.jsonl"
    path.write_text("".join(json.dumps({"id": f"o/m{i}"}) + "\n" for i in range(1, 12)), encoding="utf-8")
    table = open_table(path, rows_per_part=4)
    assert table.rows == 11 and [(p.first_row, p.rows) for p in table.parts] == [(1, 4), (5, 4), (9, 3)]
    frames = [read_part(p) for p in table.parts]
    assert [f["row"].tolist() for f in frames] == [[1, 2, 3, 4], [5, 6, 7, 8], [9, 10, 11]]
    assert frames[2]["id"].tolist() == ["o/m9", "o/m10", "o/m11"]
    joined = regrouped(table, 8)
    assert [(p.first_row, p.rows) for p in joined.parts] == [(1, 8), (9, 3)]
    assert read_part(joined.parts[0])["row"].tolist() == list(range(1, 9))


# ---------------------------------------------------------------- the synthetic Hub


def test_the_synthetic_hub_is_seeded_and_shaped_like_the_hub(library):
    first, again = generate_hub(400, seed=3, bases=30, library=library), generate_hub(400, seed=3, bases=30, library=library)
    assert first.rows == again.rows and first.planted == again.planted
    assert generate_hub(400, seed=4, bases=30, library=library).rows != first.rows
    relations = {row["base_model_relation"] for row in first.rows}
    assert {"finetune", "adapter", "merge", "quantized"} <= relations
    kinds = {row["kind"] for row in first.rows}
    assert kinds == {"model", "dataset"}
    # real base models with their real licenses: the registry's, as cards write them
    assert any(row["id"].startswith("meta-llama/") for row in first.rows)
    assert any(row["license"] == "other" and row["license_name"] for row in first.rows)
    assert any(row["license"] is None for row in first.rows)


def test_the_planted_judgement_names_licenses_the_library_knows(library):
    spec = load_spec(library)
    for item in spec.planted.terms_stay + spec.planted.forbid_use:
        assert library.canonical_id(item.license) is not None, item.license
        assert item.section and item.reading


# ---------------------------------------------------------------- the online builder


def _hub_error(status, retry_after=None):
    error = OSError(f"{status} Client Error")
    error.response = SimpleNamespace(status_code=status, headers={"Retry-After": str(retry_after)} if retry_after is not None else {})
    return error


class FakeListingApi:
    """list_models/list_datasets as huggingface_hub pages them: repos come one
    page at a time; a failure can be set to strike at a given repo, once."""

    def __init__(self, models, datasets=(), fail_at=None, failure=None):
        self.models, self.datasets = list(models), list(datasets)
        self.fail_at, self.failure = fail_at, failure
        self.calls = []

    def _listing(self, items, author, what, expand, limit):
        self.calls.append((what, author, tuple(expand)))
        count = 0
        for item in items:
            if not item.id.startswith(author + "/"):
                continue
            if self.fail_at is not None and item.id == self.fail_at and self.failure is not None:
                failure, self.failure = self.failure, None
                raise failure
            yield item
            count += 1
            if limit is not None and count >= limit:
                return

    def list_models(self, *, author, expand, limit=None, **kwargs):
        return self._listing(self.models, author, "models", expand, limit)

    def list_datasets(self, *, author, expand, limit=None, **kwargs):
        return self._listing(self.datasets, author, "datasets", expand, limit)


def _model(repo_id, card=None, tags=()):
    data = SimpleNamespace(to_dict=lambda: dict(card or {}))
    return SimpleNamespace(id=repo_id, card_data=data if card is not None else None, tags=list(tags), downloads=12,
                           last_modified=pd.Timestamp("2025-03-01T10:00:00Z").to_pydatetime())


MODELS = [
    _model("org/base", {"license": "apache-2.0"}),
    _model("org/tuned", {"license": "mit", "base_model": "org/base"}, tags=["base_model:finetune:org/base"]),
    _model("org/from-tags", None, tags=["license:llama2", "base_model:adapter:meta-llama/Llama-2-7b-hf", "dataset:tatsu-lab/alpaca"]),
    _model("org/fourth", {"license": "other", "license_name": "llama3"}),
    _model("other/elsewhere", {"license": "mit"}),
]
DATASETS = [SimpleNamespace(id="org/corpus", card_data={"license": "cc-by-4.0"}, tags=[], downloads=3, last_modified="2024-01-01")]


class _Clock:
    def __init__(self):
        self.now = 0.0
        self.slept = []

    def __call__(self):
        return self.now

    def sleep(self, seconds):
        self.slept.append(seconds)
        self.now += seconds


def test_rows_read_card_data_then_the_hubs_tags():
    tuned = row_of(MODELS[1], "model")
    assert tuned["base_model"] == "org/base" and tuned["base_model_relation"] == "finetune" and tuned["license"] == "mit"
    tagged = row_of(MODELS[2], "model")
    assert tagged["license"] == "llama2" and tagged["base_model"] == ["meta-llama/Llama-2-7b-hf"]
    assert tagged["base_model_relation"] == "adapter" and tagged["datasets"] == ["tatsu-lab/alpaca"]
    assert tagged["last_modified"].startswith("2025-03-01") and tagged["downloads"] == 12


def test_the_builder_lists_every_author_paced_and_waits_out_rate_limits(tmp_path):
    clock = _Clock()
    api = FakeListingApi(MODELS, DATASETS, fail_at="org/fourth", failure=_hub_error(429, retry_after=7))
    pacer = Pacer(rate=2.0, page_size=2, clock=clock, sleep=clock.sleep)
    report = build_table(["org"], tmp_path / "hub.jsonl", api=api, pacer=pacer)
    rows = [json.loads(line) for line in (tmp_path / "hub.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [r["id"] for r in rows] == ["org/base", "org/tuned", "org/from-tags", "org/fourth", "org/corpus"]
    assert report.retries == 1 and 7.0 in clock.slept and report.skipped == 3  # listed again after the 429, not written twice
    assert all(s <= 7.0 for s in clock.slept) and sum(1 for s in clock.slept if 0 < s < 1) >= 1  # pages paced at 2 a second
    assert all("cardData" in expand for _, _, expand in api.calls)
    assert not (tmp_path / "hub.jsonl.state.json").exists()


def test_a_stopped_build_resumes_without_fetching_a_repo_twice(tmp_path):
    clock = _Clock()
    table = tmp_path / "hub.jsonl"
    api = FakeListingApi(MODELS, DATASETS, fail_at="org/fourth", failure=ConnectionError("network down"))
    with pytest.raises(AuditError, match="resumes where it stopped"):
        build_table(["org"], table, api=api, pacer=Pacer(clock=clock, sleep=clock.sleep))
    assert (tmp_path / "hub.jsonl.state.json").exists()
    assert len(table.read_text(encoding="utf-8").splitlines()) == 3
    again = build_table(["org"], table, api=api, pacer=Pacer(clock=clock, sleep=clock.sleep))
    assert again.resumed and again.skipped == 3 and again.fetched == 2
    ids = [json.loads(line)["id"] for line in table.read_text(encoding="utf-8").splitlines()]
    assert sorted(ids) == ["org/base", "org/corpus", "org/fourth", "org/from-tags", "org/tuned"]


def test_the_built_table_audits(cluster, tmp_path):
    clock = _Clock()
    build_table(["org"], tmp_path / "hub.jsonl", api=FakeListingApi(MODELS, DATASETS), pacer=Pacer(clock=clock, sleep=clock.sleep))
    audit(tmp_path / "hub.jsonl", tmp_path / "f.parquet", client=cluster)
    findings = pq.read_table(tmp_path / "f.parquet").to_pandas().set_index("repo")
    assert findings.loc["org/tuned", "verdict"] == "allowed"
    assert findings.loc["org/from-tags", "verdict"] in ("depends", "forbidden")
    assert set(findings.loc["org/from-tags", "upstream_licenses"]) == {"llama2", "CC-BY-NC-4.0"}


def test_author_without_online_fetches_nothing(runner, tmp_path, monkeypatch):
    import licensing.audit.hub as hub_module

    monkeypatch.setattr(hub_module, "default_listing_api", lambda: pytest.fail("the Hub was asked without --online"))
    result = runner.invoke(cli, ["audit", "--author", "meta-llama", "-o", str(tmp_path / "f.parquet")])
    assert result.exit_code == 2 and "--online" in result.stderr


def test_online_needs_an_author(runner, tmp_path):
    result = runner.invoke(cli, ["audit", "--online", "-o", str(tmp_path / "f.parquet"), "--table", str(tmp_path / "t.jsonl")])
    assert result.exit_code == 2 and "--author" in result.stderr


# ---------------------------------------------------------------- imports


def test_licet_help_does_not_import_dask():
    code = ("import sys\nfrom click.testing import CliRunner\nfrom licensing.cli.main import cli\n"
            "r = CliRunner().invoke(cli, ['--help'])\nassert r.exit_code == 0 and 'audit' in r.output\n"
            "r = CliRunner().invoke(cli, ['audit', '--help'])\nassert r.exit_code == 0\n"
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('dask', 'distributed', 'pandas', 'pyarrow', 'matplotlib')))\n")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT / "tests")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


def test_worker_state_is_built_once_per_config():
    config = AuditConfig(timeout_ms=12_345)
    assert worker_state(config) is worker_state(AuditConfig(timeout_ms=12_345))
    assert worker_state(config).engine.timeout_ms == 12_345
