"""`licet serve` (issue 15), through HTTP against the real server: the answer
equals `licet check --format json`, bad input gets the command line's message,
requests are bounded, the edits the page makes (settle an open question, take
a way out) are what the verdict describes, uploads and Hub ids become
questions, and the Mermaid drawing goes into `check` and `scan` markdown.

The browser tests are in test_web_browser.py."""

from __future__ import annotations

import json
import subprocess
import sys
import urllib.error
import urllib.parse
import urllib.request
import uuid
from pathlib import Path
from typing import Any

import pytest
import yaml
from licensing.cli.main import cli

from licensing.render.lineage import lineage, mermaid, mermaid_block
from licensing.scenario import read_scenario_file, scenario_from_dict
from licensing.web.edit import EditError, Settle, apply_fix, rename_component, settle
from licensing.web.links import decode_question, encode_question
from licensing.web.serve import allowed_hosts, background, is_loopback, url_of

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted((ROOT / "examples").glob("*.yaml"))
FIXTURES = ROOT / "tests" / "fixtures" / "scan"
GPL_APACHE = {
    "components": {
        "core": {"kind": "code", "license": "GPL-2.0-only"},
        "parser": {"kind": "code", "license": "Apache-2.0"},
        "tool": {"kind": "code", "includes": ["core", "parser"]},
    },
    "use": {"target": "tool", "actions": ["distribute"], "commercial": False},
}


@pytest.fixture(scope="module")
def server(engine):
    with background(engine, max_body=256 * 1024) as url:
        yield url


def _request(url: str, data: bytes | None = None, headers: dict[str, str] | None = None, method: str | None = None) -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(url, data=data, headers=headers or {}, method=method)
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as err:
        return err.code, dict(err.headers), err.read()


def post_json(url: str, body: Any) -> tuple[int, dict[str, Any]]:
    status, _, raw = _request(url, json.dumps(body).encode(), {"Content-Type": "application/json"})
    return status, json.loads(raw)


def cli_json(runner, monkeypatch, path: str) -> dict[str, Any]:
    monkeypatch.chdir(ROOT)
    result = runner.invoke(cli, ["check", path, "--format", "json"])
    assert result.exit_code in (0, 1, 3), result.output
    return json.loads(result.stdout)


# ---------------------------------------------------------------- the answer is the command line's


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.name for p in EXAMPLES])
def test_the_page_answers_every_example_as_licet_check_json(server, runner, monkeypatch, path):
    name = f"examples/{path.name}"
    # the page loads an example by name and checks its text as `licet check examples/X.yaml` does
    status, example = _get_json(f"{server}/api/examples/{path.stem}")
    assert status == 200 and example["name"] == name and example["yaml"] == path.read_text(encoding="utf-8")
    status, answer = post_json(f"{server}/api/check", {"yaml": example["yaml"], "name": example["name"]})
    assert status == 200, answer
    expected = cli_json(runner, monkeypatch, name)
    assert answer["verdict"] == expected
    # what the page shows is that verdict
    assert f'data-verdict="{expected["verdict"]}"' in answer["answer_html"]
    assert expected["verdict"].upper() in answer["answer_html"]


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.name for p in EXAMPLES])
def test_a_composed_question_is_checked_as_the_yaml_the_page_offers(server, runner, monkeypatch, tmp_path, path):
    """After an edit the page sends the scenario itself; the answer is what
    `licet check` says of the YAML file the page lets you download."""
    scenario, _ = read_scenario_file(path)
    data = json.loads(scenario.model_dump_json(by_alias=True, exclude_none=True))
    for component in data["components"].values():
        component.update(component.pop("relations", {}))
    status, answer = post_json(f"{server}/api/check", {"scenario": data})
    assert status == 200, answer
    status, headers, downloaded = _request(f"{server}/api/scenario", json.dumps({"scenario": data}).encode(), {"Content-Type": "application/json"})
    assert status == 200 and "attachment" in headers["content-disposition"]
    monkeypatch.chdir(tmp_path)
    (tmp_path / "scenario.yaml").write_bytes(downloaded)
    result = runner.invoke(cli, ["check", "scenario.yaml", "--format", "json"])
    assert json.loads(result.stdout) == answer["verdict"]
    assert answer["yaml"] == downloaded.decode()


def _get_json(url: str) -> tuple[int, Any]:
    status, _, raw = _request(url)
    return status, json.loads(raw)


# ---------------------------------------------------------------- bad input: the command line's message


def test_bad_yaml_gets_the_command_lines_message_with_file_line_and_column(server, runner, tmp_path, monkeypatch):
    text = "components:\n  a: {kind: code, license: MIT}\nuse:\n  target: a\n  actions: [distribute\n"
    status, answer = post_json(f"{server}/api/check", {"yaml": text, "name": "bad.yaml"})
    assert status == 400 and answer["ok"] is False
    monkeypatch.chdir(tmp_path)
    (tmp_path / "bad.yaml").write_text(text)
    result = runner.invoke(cli, ["check", "bad.yaml"])
    assert result.exit_code == 2
    assert answer["message"] == result.stderr.strip()
    assert answer["error"]["location"].startswith("bad.yaml:") and answer["error"]["hint"]
    assert "Traceback" not in answer["message"]


def test_an_unknown_license_names_the_key_and_suggests(server):
    data = {"components": {"a": {"kind": "code", "license": "Apache-2.O"}}, "use": {"target": "a", "actions": ["distribute"]}}
    status, answer = post_json(f"{server}/api/check", {"scenario": data})
    assert status == 400
    assert answer["error"]["code"] == "licet.scenario.unknown-license"
    assert answer["message"].startswith("scenario.yaml:4:5: error: component 'a': unknown license") and "help:" in answer["message"]


def test_a_scenario_that_is_not_a_mapping_and_broken_json_are_clear_errors(server):
    status, answer = post_json(f"{server}/api/check", {"scenario": ["a"]})
    assert status == 400 and "components" in answer["message"]
    status, _, raw = _request(f"{server}/api/check", b"{not json", {"Content-Type": "application/json"})
    assert status == 400 and "not JSON" in json.loads(raw)["message"]


def test_a_body_past_the_limit_is_refused_with_a_message(server):
    big = json.dumps({"yaml": "#" * (300 * 1024)}).encode()
    status, _, raw = _request(f"{server}/api/check", big, {"Content-Type": "application/json"})
    assert status == 413
    answer = json.loads(raw)
    assert answer["error"]["code"] == "licet.web.too-large" and "larger than" in answer["message"] and "help:" in answer["message"]


def test_a_streamed_body_past_the_limit_is_refused_too(engine):
    """A body without Content-Length (chunked) is counted as it arrives."""
    import asyncio

    from licensing.web.app import create_app

    app = create_app(engine, max_body=64 * 1024)
    chunks = [{"type": "http.request", "body": b"x" * 8192, "more_body": True}] * 20
    sent: list[dict[str, Any]] = []

    async def receive():
        return chunks.pop(0) if chunks else {"type": "http.request", "body": b"", "more_body": False}

    async def send(message):
        sent.append(message)

    scope = {"type": "http", "method": "POST", "path": "/api/check", "raw_path": b"/api/check", "query_string": b"", "root_path": "",
             "headers": [(b"host", b"127.0.0.1"), (b"content-type", b"application/json")], "scheme": "http", "server": ("127.0.0.1", 80),
             "client": ("127.0.0.1", 1), "http_version": "1.1", "asgi": {"version": "3.0"}}
    asyncio.run(app(scope, receive, send))
    assert sent[0]["status"] == 413
    assert b"larger than 64 KiB" in sent[1]["body"]


def test_a_request_for_another_host_name_is_refused(engine):
    with background(engine) as url:
        status, _, raw = _request(f"{url}/", headers={"Host": "attacker.example"})
        assert status == 421 and b"host name" in raw
        status, _, _ = _request(f"{url}/", headers={"Host": "localhost:1234"})
        assert status == 200


def test_every_response_forbids_scripts_from_elsewhere(server):
    status, headers, page = _request(f"{server}/")
    assert status == 200
    policy = headers["content-security-policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy.split("style-src")[0]
    assert headers["x-content-type-options"] == "nosniff" and headers["referrer-policy"] == "no-referrer"
    # every script and stylesheet is served by licet itself
    assert b"http://" not in page.replace(b'xmlns="http://www.w3.org/2000/svg"', b"") and b"https://" not in page
    assert b"<script src=\"/static/app.js" in page


def test_a_timeout_gives_unknown_with_the_reason(library):
    from licensing import Engine

    slow = Engine(library=library, timeout_ms=1)
    with background(slow) as url:
        status, answer = post_json(f"{url}/api/check", {"scenario": GPL_APACHE})
    assert status == 200
    assert answer["verdict"]["verdict"] == "unknown"
    assert any("time budget" in note for note in answer["verdict"]["notes"])
    assert "UNKNOWN" in answer["answer_html"]


def test_nothing_from_the_request_names_a_file(server):
    status, answer = _get_json(f"{server}/api/examples/..%2F..%2Fpyproject")
    assert status == 404 and answer["ok"] is False
    status, _, _ = _request(f"{server}/static/../../pyproject.toml")
    assert status == 404
    status, _, page = _request(f"{server}/library/..%2Fcode%2Fmit")
    assert status in (400, 404) and b"Traceback" not in page


# ---------------------------------------------------------------- edits: settle, ways out


def test_settling_an_open_question_changes_the_verdict(server):
    chatbot, _ = read_scenario_file(ROOT / "examples" / "chatbot.yaml")
    data = _file_format(chatbot)
    status, before = post_json(f"{server}/api/check", {"scenario": data})
    assert before["verdict"]["verdict"] == "depends"
    question = before["verdict"]["depends_on"][0]
    assert f'data-name="{question["assumption"]}"' in before["answer_html"]
    status, after = post_json(f"{server}/api/check", {"scenario": data, "settle": {"kind": question["kind"], "name": question["assumption"], "value": "yes"}})
    assert status == 200, after
    assert after["verdict"]["verdict"] == question["yes"] == "forbidden"
    assert after["scenario"]["assume"][question["assumption"]] == "yes"


def test_every_way_out_applied_gives_the_verdict_it_promised(server, engine):
    for path in EXAMPLES:
        scenario, _ = read_scenario_file(path)
        data = _file_format(scenario)
        _, answer = post_json(f"{server}/api/check", {"scenario": data})
        for fix in answer["verdict"]["fixes"]:
            if fix["kind"] == "remedy":
                assert "Apply this way out" not in answer["answer_html"].split(fix["change"][:20])[-1].split("</li>")[0]
                continue
            status, after = post_json(f"{server}/api/check", {"scenario": data, "fix": fix})
            if status == 400:  # the way out leaves no action: the composer shows the question, the message says what to pick
                assert "pick what you do" in after["message"] and after["scenario"]["use"]["actions"] == []
                continue
            assert after["verdict"]["verdict"] == fix["then"], (path.name, fix["change"])


def _file_format(scenario) -> dict[str, Any]:
    data = json.loads(scenario.model_dump_json(by_alias=True, exclude_none=True))
    for component in data["components"].values():
        component.update(component.pop("relations", {}))
    return data


def test_settle_refuses_words_the_vocabulary_lacks(library):
    with pytest.raises(EditError, match="unknown assumption"):
        settle(GPL_APACHE, Settle(kind="assumption", name="no-such-thing", value="yes"), library)
    with pytest.raises(EditError, match="not a number"):
        settle(GPL_APACHE, Settle(kind="number", name="licensee.monthly-active-users", value="lots"), library)
    settled = settle(GPL_APACHE, Settle(kind="number", name="licensee.monthly-active-users", value="5,000,000"), library)
    assert settled["use"]["facts"] == {"licensee.monthly-active-users": 5000000}
    assert GPL_APACHE["use"].get("facts") is None  # the question given is not changed


def test_settling_which_member_of_a_family_applies(library, engine):
    data = {"components": {"captions": {"kind": "data", "license": "cc"}, "model": {"kind": "weights", "license": "proprietary", "trained-on": ["captions"]}},
            "use": {"target": "model", "actions": ["run"], "commercial": True},
            "assume": {"training-is-licensed-use": "yes", "weights-derive-from-training-data": "yes"}}
    verdict = engine.check(data)
    question = next(item for item in verdict.depends_on if item.kind == "license")
    member = question.outcomes[0].when
    settled = settle(data, Settle(kind="license", name=question.assumption, value=member), library)
    assert settled["components"]["captions"]["license"] == member
    assert engine.check(settled).verdict == question.outcomes[0].verdict


def test_leaving_out_a_component_drops_its_relations_and_renaming_follows_every_reference():
    from licensing.verdict import Fix

    data, note = apply_fix(GPL_APACHE, Fix(change="leave out 'core'", then="allowed", kind="leave-out", components=["core"]))
    assert note is None and "core" not in data["components"] and data["components"]["tool"]["includes"] == ["parser"]
    renamed = rename_component(GPL_APACHE, "tool", "the-app")
    assert renamed["use"]["target"] == "the-app" and "the-app" in renamed["components"]
    renamed = rename_component(GPL_APACHE, "core", "kernel")
    assert renamed["components"]["tool"]["includes"] == ["kernel", "parser"]


# ---------------------------------------------------------------- starting points


def _upload(server: str, name: str, content: bytes) -> tuple[int, dict[str, Any]]:
    boundary = uuid.uuid4().hex
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\n"
            "Content-Type: application/octet-stream\r\n\r\n").encode() + content + f"\r\n--{boundary}--\r\n".encode()
    status, _, raw = _request(f"{server}/api/upload", body, {"Content-Type": f"multipart/form-data; boundary={boundary}"})
    return status, json.loads(raw)


def test_uploading_a_card_reads_it_as_licet_scan_does(server, engine):
    card = FIXTURES / "nc-dataset-commercial" / "README.md"
    status, loaded = _upload(server, "README.md", card.read_bytes())
    assert status == 200, loaded
    assert loaded["kind"] == "card" and loaded["target"] == "model"
    components = loaded["scenario"]["components"]
    assert components["tatsu-lab/alpaca"]["license"] == "CC-BY-NC-4.0"
    assert components["model"]["trained-on"] == ["tatsu-lab/alpaca"]
    # the server's temporary folder never shows
    assert "/tmp" not in json.dumps(loaded) and "licet-upload" not in json.dumps(loaded)


def test_uploading_an_sbom_and_a_scenario(server, tmp_path):
    sbom = FIXTURES / "cyclonedx-mlbom" / "bom.cdx.json"
    status, loaded = _upload(server, "bom.cdx.json", sbom.read_bytes())
    assert status == 200 and loaded["kind"] == "sbom" and len(loaded["scenario"]["components"]) > 3
    text = (ROOT / "examples" / "gpl2-apache.yaml").read_text()
    status, loaded = _upload(server, "gpl2-apache.yaml", text.encode())
    assert status == 200 and loaded["kind"] == "scenario" and loaded["yaml"] == text and loaded["name"] == "gpl2-apache.yaml"


def test_a_bad_upload_gets_a_located_message(server):
    status, loaded = _upload(server, "README.md", b"---\nlicense: [apache-2.0\n---\n# card\n")
    assert status == 400 and loaded["error"]["file"] == "README.md" and loaded["error"]["line"]
    status, loaded = _upload(server, "../../etc/passwd", b"\xff\xfe\x00")
    assert status == 400 and "UTF-8" in loaded["message"] and loaded["error"]["file"] == "passwd"
    status, loaded = _upload(server, "bom.json", b'{"bomFormat": "CycloneDX", "components": 3}')
    assert status == 400 and "bom.json" in loaded["message"] and "Traceback" not in loaded["message"]


def test_a_pasted_hub_id_resolves_offline_through_the_registry(server):
    status, loaded = _get_json(f"{server}/api/hub?id=meta-llama/Llama-2-7b-chat-hf")
    assert status == 200
    assert loaded["scenario"]["components"]["meta-llama/Llama-2-7b-chat-hf"]["license"] == "llama2"
    status, loaded = _get_json(f"{server}/api/hub?id=nobody/nothing-{uuid.uuid4().hex[:6]}")
    assert status == 200 and loaded["notes"][0]["rule"] == "unresolved-license"
    status, loaded = _get_json(f"{server}/api/hub?id=../../etc")
    assert status == 400 and "not a Hugging Face repo id" in loaded["message"]


# ---------------------------------------------------------------- the library, the memo, the link


def test_the_library_lists_every_id_and_alias_hub_ids_included(server, library):
    _, _, page = _request(f"{server}/")
    text = page.decode()
    for lic in [*library.licenses.values(), *library.exceptions.values()]:
        assert f'<option value="{lic.id}">' in text
        for alias in lic.aliases:
            assert f'<option value="{alias}">' in text.replace("&#39;", "'").replace("&amp;", "&")
    assert "other" in [a.lower() for a in library.get("other").aliases] and "Hugging Face id" in text


def test_a_license_page_and_a_comparison(server):
    status, _, page = _request(f"{server}/library/llama3.1")
    text = page.decode()
    assert status == 200 and "§ 1.b.i" in text and "Worked examples" in text and "/#q=" in text
    status, _, page = _request(f"{server}/compare?a=llama3.1&b=llama3.3")
    text = page.decode()
    assert status == 200 and "compare-table" in text and "the same" in text
    status, _, page = _request(f"{server}/compare?a=llama3.1&b=no-such-license")
    assert status == 400 and b"no-such-license" in page and b"help:" in page


def test_a_worked_example_link_opens_its_question(server, library):
    from licensing.web.catalog import license_page

    example = license_page(library, "CC-BY-NC-4.0").examples[0]
    scenario = decode_question(example.link)
    assert scenario_from_dict(scenario).components


def test_the_memo_is_print_ready_html_with_the_lineage(server):
    status, headers, raw = _request(f"{server}/api/memo", json.dumps({"scenario": GPL_APACHE}).encode(), {"Content-Type": "application/json"})
    assert status == 200 and "attachment" in headers["content-disposition"] and headers["content-disposition"].endswith('.html"')
    html = raw.decode()
    assert html.startswith("<!doctype html>") and "<h1>License review: tool" in html
    assert "Answer: FORBIDDEN" in html and "<svg" in html and "@media print" in html
    assert "<script" not in html and "script-src" not in headers["content-security-policy"]


def test_the_memo_keeps_what_users_typed_as_text(server):
    data = json.loads(json.dumps(GPL_APACHE))
    data["components"]["tool"]["description"] = "<script>alert(1)</script> <img src=x onerror=alert(1)>"
    status, _, raw = _request(f"{server}/api/memo", json.dumps({"scenario": data}).encode(), {"Content-Type": "application/json"})
    assert status == 200 and b"<script>alert" not in raw and b"<img src=x" not in raw


def test_the_question_link_round_trips():
    fragment = encode_question(GPL_APACHE)
    assert fragment.startswith("q=") and "+" not in fragment and "/" not in fragment
    assert decode_question("#" + fragment) == GPL_APACHE
    with pytest.raises(Exception, match="does not carry a question"):
        decode_question("q=not-a-question")


# ---------------------------------------------------------------- Mermaid in markdown


def test_check_markdown_carries_the_lineage_as_mermaid(runner, monkeypatch):
    monkeypatch.chdir(ROOT)
    result = runner.invoke(cli, ["check", "examples/chatbot.yaml", "--format", "markdown"])
    assert result.exit_code == 3
    out = result.stdout
    assert "```mermaid\nflowchart TD" in out and "(in conflict)" in out and "linkStyle" in out
    assert "### licet: **DEPENDS** for `app`" in out and "re-check with <code>licet check</code>" in out


def test_scan_markdown_carries_the_lineage_as_mermaid(runner):
    result = runner.invoke(cli, ["scan", str(FIXTURES / "nc-dataset-commercial"), "--format", "markdown"])
    assert "#### Lineage" in result.stdout and "```mermaid" in result.stdout


def test_the_lineage_marks_conflicts_and_paths(engine):
    scenario = scenario_from_dict(GPL_APACHE)
    verdict = engine.check(scenario)
    graph = lineage(scenario, verdict)
    assert graph.target == "tool" and {n.name for n in graph.nodes if n.conflict} >= {"core", "parser"}
    assert all(e.conflict for e in graph.edges)
    assert [n.layer for n in graph.nodes if n.name == "tool"] == [0]
    text = mermaid(graph)
    assert text.count("==>") == 2 and 'n0["tool' in text


def test_a_large_lineage_is_drawn_in_part_and_says_so():
    components: dict[str, Any] = {f"dep-{i}": {"kind": "code", "license": "MIT"} for i in range(300)}
    components["app"] = {"kind": "code", "includes": list(components)}
    scenario = scenario_from_dict({"components": components, "use": {"target": "app", "actions": ["run"]}})
    lines = mermaid_block(scenario)
    assert "… and 277 more components" in "\n".join(lines) and "shows 24 of 301 components" in lines[-1]
    from licensing.web.graph import lineage_svg

    drawing = lineage_svg(lineage(scenario))
    assert drawing.count(' data-name=') == 24 and "… and 277 more components" in drawing
    assert drawing.count(">includes</text>") == 1  # one label for the fan of edges, not 23


def test_mermaid_labels_cannot_break_the_diagram():
    scenario = scenario_from_dict({"components": {'a"]-->x': {"kind": "code", "license": "MIT"}}, "use": {"target": 'a"]-->x', "actions": ["run"]}})
    text = mermaid(lineage(scenario))
    assert 'a#quot;]--#gt;x' in text and '"]-->x' not in text


# ---------------------------------------------------------------- the command


def test_serve_is_loopback_by_default_and_warns_otherwise(runner, monkeypatch):
    import licensing.web.serve as serving

    calls = []
    monkeypatch.setattr(serving, "run", lambda engine, host, port: calls.append((host, port)))
    result = runner.invoke(cli, ["serve"])
    assert result.exit_code == 0 and calls[-1] == ("127.0.0.1", 8765) and "warning" not in result.stderr
    assert "http://127.0.0.1:8765" in result.stderr
    result = runner.invoke(cli, ["serve", "--host", "0.0.0.0", "--port", "9000"])
    assert result.exit_code == 0 and calls[-1] == ("0.0.0.0", 9000)
    assert "warning" in result.stderr and "no authentication" in result.stderr
    assert is_loopback("127.0.0.1") and is_loopback("::1") and is_loopback("localhost") and not is_loopback("0.0.0.0")
    assert allowed_hosts("0.0.0.0") is None and "localhost" in (allowed_hosts("127.0.0.1") or [])
    assert url_of("::1", 80) == "http://[::1]:80"


def test_licet_help_does_not_import_the_web_libraries():
    code = ("import sys\nfrom licensing.cli.main import cli\n"
            "try:\n    cli(['--help'])\nexcept SystemExit:\n    pass\n"
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('starlette', 'uvicorn', 'jinja2', 'markdown_it', 'multipart')))\n")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT / "tests", check=False)
    assert result.stdout.strip().splitlines()[-1] == "[]", result.stderr


def test_the_examples_ship_inside_the_package():
    from licensing.paths import examples_dir

    pyproject = (ROOT / "pyproject.toml").read_text()
    assert '"licensing.examples" = "examples"' in pyproject and '"licensing.web"' in pyproject
    assert sorted(p.name for p in examples_dir().glob("*.yaml")) == [p.name for p in EXAMPLES]
    assert yaml.safe_load((ROOT / "examples" / "chatbot.yaml").read_text())["use"]["target"] == "app"


def test_the_pages_yaml_is_scenario_to_yaml(engine):
    from licensing.scenario import scenario_to_yaml
    from licensing.web.app import scenario_yaml

    for path in EXAMPLES:
        scenario, _ = read_scenario_file(path)
        assert scenario_yaml(scenario) == scenario_to_yaml(scenario)


def test_the_library_list_filters_and_every_license_page_opens(server, library):
    status, _, page = _request(f"{server}/library?q=llama")
    text = page.decode()
    assert status == 200 and "/library/llama3.1" in text and "/library/MIT" not in text
    for lic in [*library.licenses.values(), *library.exceptions.values()]:
        status, _, page = _request(f"{server}/library/{urllib.parse.quote(lic.id, safe='')}")
        assert status == 200, lic.id
        assert f"<code>{lic.id}</code>" in page.decode().replace("&#43;", "+")


def test_the_print_view_is_the_memo_inline(server):
    form = urllib.parse.urlencode({"question": json.dumps({"scenario": GPL_APACHE})}).encode()
    status, headers, raw = _request(f"{server}/memo", form, {"Content-Type": "application/x-www-form-urlencoded"})
    assert status == 200 and headers["content-disposition"].startswith("inline") and b"License review: tool" in raw
