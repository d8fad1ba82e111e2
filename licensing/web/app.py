"""The web page's application: routes that parse a request, call the same
`Engine` as the command line, and render.

    GET  /                  the question page (composer, answer, lineage, filing)
    GET  /library           every license; /library/{id}: its clauses and worked examples
    GET  /compare?a=&b=     two licenses side by side, clause by clause
    POST /api/check         a question → the verdict (exactly `licet check --format json`) and its renderings
    POST /api/upload        a scenario, model card or SBOM → a question
    GET  /api/hub?id=       a Hugging Face id → components, from the registry (offline)
    GET  /api/examples/{n}  an example scenario
    POST /api/memo, /memo   the memo as print-ready HTML (download, or a page to print)
    POST /api/scenario      the scenario YAML, re-checkable with `licet check`

Safe by default (`Guard`): requests for another host name are refused (a web
page elsewhere cannot reach this one through DNS rebinding), bodies are
bounded, every response forbids scripts from anywhere but this server, and
checks run a few at a time within the engine's time budget. Mistakes in the
input come back as the command line's error message, never a traceback.
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any, TypeVar

import yaml
from jinja2 import Environment, FileSystemLoader, select_autoescape
from markdown_it import MarkdownIt
from pydantic import ValidationError
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, PlainTextResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..engine import Engine
from ..errors import LicetError, ScenarioError
from ..inputs import MAX_FILE_BYTES, size_text
from ..render.lineage import lineage, mermaid
from ..render.memo import render_memo
from ..scenario import (
    COMMERCIAL_FLAG,
    Scenario,
    read_scenario_text,
    scenario_from_dict,
    scenario_to_dict,
)
from ..show import LicenseEntry, list_licenses
from ..verdict import Fix, Verdict
from ..version import __version__
from .answer import build_answer
from .catalog import Spelling, compare, hub_license_ids, license_page, spellings
from .edit import EditError, Settle, apply_fix, settle
from .graph import lineage_svg
from .sources import Example, find_examples, read_upload, resolve_hub

HERE = Path(__file__).resolve().parent
# A request body: a scenario file's limit, and room for the form around it.
DEFAULT_MAX_BODY = MAX_FILE_BYTES + 64 * 1024
# Checks at once; the others wait (up to the engine's budget) for a turn.
DEFAULT_CHECKS = 2
# How a question checked from the composer is named: the file the page offers to download.
COMPOSED_NAME = "scenario.yaml"
MAX_NAME_CHARS = 200
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; "
       "form-action 'self'; frame-ancestors 'none'")
# The memo is a document: it runs nothing, and its styles are its own.
MEMO_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

T = TypeVar("T")


class WebError(LicetError):
    """A request the page cannot answer (too large, busy, malformed)."""

    default_code = "licet.web.request"


@dataclass
class Site:
    """What every request reads: the engine, the examples, the limits."""

    engine: Engine
    examples: dict[str, Example]
    max_body: int = DEFAULT_MAX_BODY
    checks: int = DEFAULT_CHECKS
    slots: threading.BoundedSemaphore = field(init=False)
    env: Environment = field(init=False)
    markdown: MarkdownIt = field(init=False)
    page_data: dict[str, Any] = field(init=False)

    def __post_init__(self) -> None:
        self.slots = threading.BoundedSemaphore(self.checks)
        self.env = Environment(loader=FileSystemLoader(str(HERE / "templates")), autoescape=select_autoescape(default=True, default_for_string=True))
        self.env.globals.update(static=lambda name: f"/static/{name}?v={__version__}", version=__version__,
                                fingerprint=self.engine.rules_fingerprint[:12])
        # the memo's markdown holds what users typed (names, descriptions): raw HTML in it stays text
        self.markdown = MarkdownIt("commonmark", {"html": False}).enable("table")
        self.page_data = self._page_data()

    @cached_property
    def spellings(self) -> list[Spelling]:
        """Every id and alias, for the license lists (the library does not change while the server runs)."""
        return spellings(self.engine.library)

    @cached_property
    def entries(self) -> list[LicenseEntry]:
        return list_licenses(self.engine.library)

    def render(self, template: str, status: int = 200, **context: Any) -> HTMLResponse:
        return HTMLResponse(self.env.get_template(template).render(**context), status_code=status)

    def _page_data(self) -> dict[str, Any]:
        vocabulary = self.engine.library.vocabulary

        def words(category: str) -> list[dict[str, Any]]:
            return [{"name": w.name, "description": w.description, "within": list(w.within)} for w in vocabulary.words.get(category, {}).values()]

        return {
            "vocabulary": {
                "kinds": words("kind"), "actions": words("action"), "purposes": words("purpose"),
                "flags": [w for w in words("flag") if w["name"] != COMMERCIAL_FLAG], "numbers": words("number"),
                "assumptions": words("assumption"),
                "relations": [{"name": r.name, "description": r.description, "words": r.name.replace("-", " ")} for r in vocabulary.relations.values()],
            },
            "examples": [{"name": e.name, "title": e.title} for e in self.examples.values()],
            "timeout_ms": self.engine.timeout_ms,
            "max_body": self.max_body,
        }

    async def run(self, work: Callable[[], T]) -> T:
        """Run a check (or a read) in a worker thread, a few at a time: one
        that waits longer than the engine's budget for a turn is refused."""
        wait = self.engine.timeout_ms / 1000

        def guarded() -> T:
            if not self.slots.acquire(timeout=wait):
                raise WebError("licet is busy with other checks", code="licet.web.busy", hint="try again in a moment")
            try:
                return work()
            finally:
                self.slots.release()

        return await run_in_threadpool(guarded)


# ---------------------------------------------------------------- answers


@dataclass
class Checked:
    verdict: Verdict
    scenario: Scenario
    text: str
    name: str
    engine_ms: float
    note: str | None = None


# libyaml's emitter writes the same text as PyYAML's (checked in the tests), ten times faster on a large SBOM
_DUMPER: type[yaml.SafeDumper] = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


def scenario_yaml(scenario: Scenario) -> str:
    """The scenario as YAML, re-checkable with `licet check`: `scenario_to_yaml`'s text."""
    return yaml.dump(scenario_to_dict(scenario), Dumper=_DUMPER, sort_keys=False, allow_unicode=True)


def _name(value: Any) -> str:
    """How the question is named in the answer and its errors: a display string only."""
    if not isinstance(value, str) or not value.strip():
        return COMPOSED_NAME
    text = "".join(ch for ch in value if ch.isprintable()).strip()
    return text[:MAX_NAME_CHARS] or COMPOSED_NAME


@dataclass
class Question:
    """What a request asks to check: the scenario text, its name, and, after
    an edit (settle, fix), the changed scenario for the composer."""

    text: str
    name: str
    note: str | None = None
    edited: dict[str, Any] | None = None


def _question(site: Site, body: Any) -> Question:
    """`{"yaml": text, "name": shown}` is checked as `licet check` checks a
    file of that name; `{"scenario": {...}}` (the composer's question), after
    an optional `settle` or `fix`, is checked as the YAML the page offers to
    download, named `scenario.yaml`."""
    if not isinstance(body, dict):
        raise WebError("the request is not a question", hint="send {\"scenario\": {...}} or {\"yaml\": \"...\"}")
    if isinstance(body.get("yaml"), str) and not any(key in body for key in ("settle", "fix")):
        return Question(body["yaml"], _name(body.get("name")))
    data = body.get("scenario")
    if not isinstance(data, dict):
        raise ScenarioError("a scenario is a mapping with 'components' and 'use'", code="licet.scenario.not-a-mapping",
                            hint="add a component and set the use")
    edited = None
    note = None
    try:
        if body.get("settle") is not None:
            edited = data = settle(data, Settle.model_validate(body["settle"]), site.engine.library)
        if body.get("fix") is not None:
            data, note = apply_fix(data, Fix.model_validate(body["fix"]))
            edited = data
    except ValidationError as err:
        raise EditError(f"the change is not one licet can make: {err.errors()[0]['msg']}", hint="reload the page and try again") from None
    try:
        text = scenario_yaml(scenario_from_dict(data))
    except LicetError as err:
        if edited is None:
            raise
        # an edit left the question incomplete (no action left): the composer shows it, and the error says what to fill in
        err.hint = " ".join(x for x in (note, err.hint) if x)
        raise EditedError(err, edited) from None
    return Question(text, COMPOSED_NAME, note, edited)


class EditedError(Exception):
    """A check that failed after an edit: the error, and the edited question the composer shows."""

    def __init__(self, error: LicetError, scenario: dict[str, Any]) -> None:
        super().__init__(error.message)
        self.error = error
        self.scenario = scenario


def _check(site: Site, question: Question) -> Checked:
    """What `licet check FILE` does for a file of this text and name."""
    scenario, source = read_scenario_text(question.text, question.name)
    started = time.perf_counter()
    verdict = site.engine.check(scenario, source=source, name=question.name)
    return Checked(verdict, scenario, question.text, question.name, (time.perf_counter() - started) * 1000, question.note)


def _answer_json(site: Site, checked: Checked) -> dict[str, Any]:
    graph = lineage(checked.scenario, checked.verdict)
    answer = build_answer(checked.verdict, site.engine.library.vocabulary)
    return {
        "ok": True,
        "verdict": checked.verdict.model_dump(mode="json"),
        "answer_html": site.env.get_template("answer.html").render(answer=answer),
        "graph_svg": lineage_svg(graph),
        "mermaid": mermaid(graph),
        "scenario": scenario_to_dict(checked.scenario),
        "yaml": checked.text,
        "name": checked.name,
        "components": len(checked.scenario.components),
        "engine_ms": round(checked.engine_ms, 1),
        "note": checked.note,
    }


def _error_json(err: LicetError, status: int = 400) -> JSONResponse:
    return JSONResponse({"ok": False, "error": err.as_dict(), "message": err.render()}, status_code=status)


async def _body(request: Request) -> Any:
    """A JSON body, or a form's `question` field holding JSON (the print form)."""
    kind = request.headers.get("content-type", "")
    raw: str | bytes
    if kind.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
        form = await request.form(max_files=0, max_fields=4)
        value = form.get("question")
        raw = value if isinstance(value, str) else ""
    else:
        raw = await request.body()
    try:
        return json.loads(raw)
    except (ValueError, RecursionError):
        raise WebError("the request is not JSON", code="licet.web.json", hint="reload the page and try again") from None


# ---------------------------------------------------------------- routes


def _site(request: Request) -> Site:
    site: Site = request.app.state.site
    return site


async def index(request: Request) -> HTMLResponse:
    site = _site(request)
    vocabulary = site.page_data["vocabulary"]
    return site.render("index.html", nav="question", examples=list(site.examples.values()), vocabulary=vocabulary,
                       spellings=[s.as_dict() for s in site.spellings], data=site.page_data)


async def api_check(request: Request) -> JSONResponse:
    site = _site(request)
    try:
        question = _question(site, await _body(request))
    except EditedError as edited:
        error = edited.error
        return JSONResponse({"ok": False, "error": error.as_dict(), "message": error.render(), "scenario": edited.scenario}, status_code=400)
    checked = await site.run(lambda: _check(site, question))
    return JSONResponse(await run_in_threadpool(_answer_json, site, checked))


async def api_upload(request: Request) -> JSONResponse:
    site = _site(request)
    try:
        form = await request.form(max_files=1, max_fields=4)
    except HTTPException as err:
        raise WebError(f"the upload cannot be read: {err.detail}", code="licet.web.upload", hint="choose the file again") from None
    upload = form.get("file")
    if not isinstance(upload, UploadFile) or not upload.filename:
        raise WebError("no file was uploaded", code="licet.web.upload", hint="choose a scenario, a model card or an SBOM first")
    data = await upload.read(MAX_FILE_BYTES + 1)
    loaded = await site.run(lambda: read_upload(data, upload.filename, site.engine.library, site.engine))
    reply: dict[str, Any] = {"ok": True, **loaded.as_dict()}
    if loaded.verdict is not None and loaded.checked is not None:
        # a card or SBOM is answered as `licet scan FILE` answers it, in the same request
        scenario, verdict = loaded.checked, loaded.verdict
        checked = Checked(verdict, scenario, scenario_yaml(scenario), loaded.name, loaded.engine_ms)
        answer = await run_in_threadpool(_answer_json, site, checked)
        answer.pop("scenario")  # the reply carries it once, beside the answer
        reply["answer"] = answer
    return JSONResponse(reply)


async def api_hub(request: Request) -> JSONResponse:
    site = _site(request)
    text = request.query_params.get("id", "")
    loaded = await site.run(lambda: resolve_hub(text, site.engine.library))
    return JSONResponse({"ok": True, **loaded.as_dict()})


async def api_examples(request: Request) -> JSONResponse:
    site = _site(request)
    return JSONResponse([{"name": e.name, "title": e.title, "file": e.display} for e in site.examples.values()])


async def api_example(request: Request) -> JSONResponse:
    site = _site(request)
    example = site.examples.get(request.path_params["name"])
    if example is None:
        raise ScenarioError(f"no example named '{_name(request.path_params['name'])}'", code="licet.web.not-found",
                            hint=f"the examples are {', '.join(site.examples) or 'none'}")
    scenario, _ = read_scenario_text(example.text, example.display)
    return JSONResponse({"ok": True, "kind": "scenario", "name": example.display, "yaml": example.text, "title": example.title,
                         "scenario": scenario_to_dict(scenario), "target": scenario.use.target, "notes": []})


def _filename(text: str, suffix: str) -> str:
    stem = re.sub(r"[^A-Za-z0-9._-]+", "-", text).strip("-.")[:60] or "question"
    return f"{stem}{suffix}"


def _memo_html(site: Site, checked: Checked) -> str:
    describe = site.engine.library.vocabulary.describe
    body = site.markdown.render(render_memo(checked.verdict, checked.scenario, describe=describe))
    figure = (f'<figure>{lineage_svg(lineage(checked.scenario, checked.verdict), title="The lineage of " + checked.verdict.target)}'
              "<figcaption>The lineage: the target on top, what it is made of below; parts in conflict have a thick border and a ⚠.</figcaption></figure>")
    # the drawing goes with the question, before the first section after it
    at = body.find("<h2>", body.find("<h2>The question</h2>") + 1)
    body = body[:at] + figure + body[at:] if at > 0 else body + figure
    return site.env.get_template("memo.html").render(body=body, target=checked.verdict.target)


async def memo(request: Request) -> Response:
    site = _site(request)
    question = _question(site, await _body(request))
    checked = await site.run(lambda: _check(site, question))
    html = await run_in_threadpool(_memo_html, site, checked)
    inline = request.url.path == "/memo"
    disposition = "inline" if inline else "attachment"
    headers = {"Content-Disposition": f'{disposition}; filename="{_filename("licet-memo-" + checked.verdict.target, ".html")}"',
               "Content-Security-Policy": MEMO_CSP}
    return HTMLResponse(html, headers=headers)


async def scenario_download(request: Request) -> Response:
    site = _site(request)
    question = _question(site, await _body(request))
    scenario, _ = await site.run(lambda: read_scenario_text(question.text, question.name))
    headers = {"Content-Disposition": f'attachment; filename="{_filename(scenario.use.target, ".yaml")}"'}
    return Response(question.text, media_type="application/yaml; charset=utf-8", headers=headers)


async def library_index(request: Request) -> HTMLResponse:
    site = _site(request)
    library = site.engine.library
    hub = hub_license_ids(library)
    query = request.query_params.get("q", "")[:200]
    entries = []
    for entry in site.entries:
        search = " ".join([entry.id, entry.title, *entry.aliases]).lower()
        if query.lower() in search:
            entries.append({**entry.model_dump(), "search": search})
    all_entries = site.entries
    counts = {
        "licenses": sum(not e.exception for e in all_entries), "exceptions": sum(e.exception for e in all_entries),
        "clauses": sum(e.clause_count for e in all_entries), "cases": sum(e.pinning_cases for e in all_entries),
    }
    return site.render("library.html", nav="library", entries=entries, hub=hub, query=query, counts=counts)


async def library_license(request: Request) -> HTMLResponse:
    site = _site(request)
    page = await site.run(lambda: license_page(site.engine.library, request.path_params["license_id"]))
    return site.render("license.html", nav="library", page=page)


async def compare_page(request: Request) -> HTMLResponse:
    site = _site(request)
    first, second = request.query_params.get("a", "")[:200].strip(), request.query_params.get("b", "")[:200].strip()
    comparison, error = None, None
    if first and second:
        try:
            comparison = await site.run(lambda: compare(site.engine.library, first, second))
        except LicetError as err:
            error = err.render()
    return site.render("compare.html", status=400 if error else 200, nav="compare", first=first, second=second, comparison=comparison,
                       error=error, spellings=site.spellings)


# ---------------------------------------------------------------- errors


def _wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/")


async def licet_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, LicetError)
    status = 503 if exc.code == "licet.web.busy" else 404 if exc.code in ("licet.web.not-found", "licet.library.unknown-license") else 400
    if exc.code == "licet.web.too-large":
        status = 413
    if _wants_json(request):
        return _error_json(exc, status)
    site = _site(request)
    return site.render("error.html", status=status, nav="", heading="licet cannot answer this", message=exc.render())


async def edited_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, EditedError)
    return await licet_error(request, exc.error)


async def body_too_large(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, BodyTooLarge)
    return await licet_error(request, _too_large(exc.limit))


async def http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    message = "not found" if exc.status_code == 404 else str(exc.detail)
    if _wants_json(request):
        return JSONResponse({"ok": False, "message": f"error: {message}"}, status_code=exc.status_code)
    return _site(request).render("error.html", status=exc.status_code, nav="", heading=message.capitalize(),
                                 message=f"error: {message}\n  help: the pages are the question, the license library and the comparison")


async def internal_error(request: Request, exc: Exception) -> Response:
    message = f"licet: internal error: {type(exc).__name__}\n  help: please report it with the question that caused it"
    if _wants_json(request):
        return JSONResponse({"ok": False, "message": message}, status_code=500)
    return PlainTextResponse(message, status_code=500)


# ---------------------------------------------------------------- the guard


class Guard:
    """Every request passes here: a Host header this server answers to, a
    body within the limit; every response gets the security headers."""

    def __init__(self, app: ASGIApp, *, max_body: int, allowed_hosts: Iterable[str] | None) -> None:
        self.app = app
        self.max_body = max_body
        self.allowed = {h.lower().strip("[]") for h in allowed_hosts} if allowed_hosts is not None else None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}
        path = str(scope.get("path", ""))
        if self.allowed is not None and _host(headers.get("host", "")) not in self.allowed:
            await _refuse(send, path, 421, WebError("this server does not answer for that host name", code="licet.web.host",
                                                    hint="open the page at the address `licet serve` printed"))
            return
        declared = headers.get("content-length", "")
        if declared.isdigit() and int(declared) > self.max_body:
            await _refuse(send, path, 413, _too_large(self.max_body))
            return
        started = False
        received = 0

        async def counted() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_body:
                    raise BodyTooLarge(self.max_body)
            return message

        async def secured(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                names = {k.lower() for k, _ in message.get("headers", [])}
                extra = [(b"x-content-type-options", b"nosniff"), (b"referrer-policy", b"no-referrer"), (b"x-frame-options", b"DENY"),
                         (b"cache-control", b"no-store")]
                if b"content-security-policy" not in names:
                    extra.append((b"content-security-policy", CSP.encode()))
                message = {**message, "headers": [*message.get("headers", []), *((k, v) for k, v in extra if k not in names)]}
            await send(message)

        try:
            await self.app(scope, counted, secured)
        except BodyTooLarge:
            if not started:
                await _refuse(send, path, 413, _too_large(self.max_body))


class BodyTooLarge(Exception):
    """A body that grew past the limit while it was read (no Content-Length)."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"larger than {limit} bytes")
        self.limit = limit


def _too_large(limit: int) -> WebError:
    return WebError(f"the request is larger than {size_text(limit)}", code="licet.web.too-large",
                    hint=f"licet reads inputs up to {size_text(MAX_FILE_BYTES)}; split the input")


def _host(header: str) -> str:
    """The host name of a Host header, without the port (IPv6 in brackets too)."""
    header = header.strip().lower()
    if header.startswith("["):
        return header[1 : header.find("]")] if "]" in header else header
    return header.rsplit(":", 1)[0] if header.count(":") == 1 else header


async def _refuse(send: Send, path: str, status: int, err: LicetError) -> None:
    if path.startswith("/api/"):
        body = json.dumps({"ok": False, "error": err.as_dict(), "message": err.render()}).encode()
        kind = b"application/json"
    else:
        body = err.render().encode()
        kind = b"text/plain; charset=utf-8"
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", kind), (b"content-length", str(len(body)).encode()), (b"connection", b"close"),
                            (b"content-security-policy", CSP.encode()), (b"x-content-type-options", b"nosniff")]})
    await send({"type": "http.response.body", "body": body})


# ---------------------------------------------------------------- the application


def create_app(
    engine: Engine | None = None,
    *,
    max_body: int = DEFAULT_MAX_BODY,
    checks: int = DEFAULT_CHECKS,
    allowed_hosts: Iterable[str] | None = None,
) -> ASGIApp:
    """The page's ASGI application. `allowed_hosts`: the Host names it answers
    to (None: any, for a server bound to a public address or under test)."""
    site = Site(engine or Engine(), find_examples(), max_body=max_body, checks=checks)

    handlers: dict[Any, Callable[[Request, Exception], Awaitable[Response]]] = {
        LicetError: licet_error, EditedError: edited_error, BodyTooLarge: body_too_large, HTTPException: http_error, Exception: internal_error,
    }
    routes = [
        Route("/", index),
        Route("/library", library_index),
        Route("/library/{license_id}", library_license),
        Route("/compare", compare_page),
        Route("/memo", memo, methods=["POST"]),
        Route("/api/check", api_check, methods=["POST"]),
        Route("/api/upload", api_upload, methods=["POST"]),
        Route("/api/hub", api_hub),
        Route("/api/examples", api_examples),
        Route("/api/examples/{name}", api_example),
        Route("/api/memo", memo, methods=["POST"]),
        Route("/api/scenario", scenario_download, methods=["POST"]),
        Mount("/static", app=StaticFiles(directory=str(HERE / "static")), name="static"),
    ]
    app = Starlette(routes=routes, exception_handlers=handlers)
    app.state.site = site
    return Guard(app, max_body=max_body, allowed_hosts=allowed_hosts)
