"""The `licet` command: parse arguments, call the engine, render.

Exit codes: 0 allowed, 1 forbidden, 2 bad input, 3 depends or unknown.
"""

from __future__ import annotations

import csv
import functools
import json
import math
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from licensing.budget import MAX_BUDGET_MS
from licensing.errors import LicetError, ScenarioError
from licensing.paths import schema_path

if TYPE_CHECKING:
    from licensing.engine import Engine
    from licensing.library import Library
    from licensing.scenario import Scenario, SourceMap

# The engine, the scenario model and the verdict are imported by the commands
# that use them: `licet --help` should not pay for z3 and every pydantic model.

EXIT_ALLOWED, EXIT_FORBIDDEN, EXIT_BAD_INPUT, EXIT_UNSURE = 0, 1, 2, 3
FORMATS = click.Choice(["text", "json"])

F = TypeVar("F", bound=Callable[..., Any])


def rules_option(help_text: str = "use another rules folder") -> Callable[[F], F]:
    return click.option("--rules", type=click.Path(file_okay=False), help=help_text)


def timeout_option(command: F) -> F:
    return click.option(
        "--timeout", type=float, default=20.0, show_default=True, help="seconds one check may take, reading to explanation; past it the answer is unknown"
    )(command)


def _engine(rules: str | None, timeout: float | None = None) -> Engine:
    from licensing.engine import Engine

    if timeout is None:
        return Engine(rules)
    if not timeout > 0 or timeout * 1000 > MAX_BUDGET_MS:
        raise LicetError(
            f"--timeout must be a number of seconds above 0 (and at most a day), not {timeout:g}",
            code="licet.budget.invalid",
            hint="e.g. --timeout 20; past the budget the answer is unknown, with the reason",
        )
    return Engine(rules, timeout_ms=max(1, round(timeout * 1000)))


def _library(rules: str | None) -> Library:
    """The library alone, for commands that describe rules without checking
    anything (an engine would import the compiler and z3 for nothing)."""
    from licensing.library import load_library

    return load_library(rules)


def _pairs(values: tuple[str, ...], option: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for value in values:
        key, sep, rest = value.partition("=")
        if not sep or not key.strip():
            raise ScenarioError(f"{option} takes KEY=VALUE, not '{_shown(value)}'", code="licet.flags.invalid", file=option,
                                hint=f"e.g. {option} licensee.monthly-active-users=5000000")
        if key.strip() in out and out[key.strip()] != rest.strip():
            raise ScenarioError(f"{option} {_shown(key.strip())} is given twice, with two values", code="licet.flags.invalid", file=option,
                                hint=f"give each {option} once")
        out[key.strip()] = rest.strip()
    return out


def _number(text: str, key: str) -> float | bool:
    lowered = text.lower()
    if lowered in ("true", "yes"):
        return True
    if lowered in ("false", "no"):
        return False
    try:
        number = float(text.replace("_", "").replace(",", ""))
    except ValueError:
        raise ScenarioError(f"--fact {key} needs a number or true/false, not '{_shown(text)}'", code="licet.flags.invalid",
                            file="--fact", hint=FACT_HINT) from None
    if not math.isfinite(number):  # nan, inf, and numbers past a float's range (1e400, 400 digits)
        raise ScenarioError(f"--fact {key} needs a finite number, not '{_shown(text)}'", code="licet.flags.invalid", file="--fact",
                            hint=FACT_HINT + "; nan, inf and numbers beyond 1e308 are not numbers a license can count")
    return number


FACT_HINT = "e.g. --fact licensee.monthly-active-users=5000000"


def _shown(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _read_file(path: str) -> tuple[Scenario, SourceMap | None]:
    from licensing.scenario import read_scenario_file

    return read_scenario_file(path)


def worst_exit_code(codes: list[int]) -> int:
    """With several answers the worst wins: forbidden, then unsure, then allowed."""
    for code in (EXIT_FORBIDDEN, EXIT_UNSURE):
        if code in codes:
            return code
    return EXIT_ALLOWED


class LicetGroup(click.Group):
    """Turns user mistakes into a message and exit code 2, never a traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except LicetError as err:
            click.echo(err.render(), err=True)
            ctx.exit(EXIT_BAD_INPUT)
        except (click.exceptions.Exit, click.ClickException, click.exceptions.Abort, SystemExit):
            raise
        except BrokenPipeError:
            ctx.exit(EXIT_BAD_INPUT)
        except Exception as err:  # noqa: BLE001 - the last line of defence
            click.echo(f"licet: internal error: {type(err).__name__}: {err}\n  help: please report it with the input that caused it", err=True)
            ctx.exit(EXIT_UNSURE)


@click.group(cls=LicetGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="licet", prog_name="licet")
def cli() -> None:
    """licet: does this combination of licenses allow this use, and if not, why?"""


@cli.command()
@click.argument("files", nargs=-1, type=click.Path(dir_okay=False))
@click.option("--format", "fmt", type=click.Choice(["text", "json", "memo", "markdown"]), default="text", show_default=True,
              help="text: one page for people; json: one object per scenario, one per line; memo: a markdown memo for an approval ticket; "
                   "markdown: a pull-request comment, with the lineage as a Mermaid diagram")
@click.option("--detail", is_flag=True, help="text: every clause id, path, rule location and solver term behind the answer")
@click.option("--code", multiple=True, metavar="LICENSE", help="quick query: code the system includes")
@click.option("--weights", multiple=True, metavar="LICENSE", help="quick query: model weights the system includes")
@click.option("--base", multiple=True, metavar="LICENSE", help="quick query: a model the system is derived from (fine-tuned, merged)")
@click.option("--data", multiple=True, metavar="LICENSE", help="quick query: data the system was trained on")
@click.option("--use", "actions", multiple=True, metavar="ACTION", help="quick query: run, modify, distribute or serve (repeatable)")
@click.option("--commercial/--non-commercial", default=None, help="quick query: whether the use is commercial (left out: both are checked)")
@click.option("--purpose", "purposes", multiple=True, metavar="PURPOSE", help="quick query: a purpose of the use (repeatable)")
@click.option("--fact", "facts", multiple=True, metavar="NAME=VALUE", help="quick query: a number or flag, e.g. licensee.monthly-active-users=5000000")
@click.option("--assume", "assume", multiple=True, metavar="NAME=yes|no", help="quick query: settle an assumption")
@click.option("--release-license", metavar="LICENSE", help="quick query: the license you release the system under")
@click.option("--print-scenario", is_flag=True, help="print the scenario (YAML) instead of checking it")
@rules_option()
@timeout_option
def check(
    files: tuple[str, ...], fmt: str, code: tuple[str, ...], weights: tuple[str, ...], base: tuple[str, ...], data: tuple[str, ...],
    actions: tuple[str, ...], commercial: bool | None, purposes: tuple[str, ...], facts: tuple[str, ...], assume: tuple[str, ...],
    release_license: str | None, print_scenario: bool, rules: str | None, timeout: float, detail: bool = False,
) -> None:
    """Check scenario files, or a quick query given by flags.

    The text answer is one page: conflicts, open questions, ways out,
    obligations; --detail adds every clause id, path, rule and solver term.
    """
    from licensing.scenario import scenario_to_yaml
    from licensing.verdict import EXIT_CODES

    from .quick import QUICK_SOURCE, quick_query

    engine = _engine(rules, timeout)
    quick = any((code, weights, base, data))
    if files and quick:
        raise ScenarioError("give scenario files or quick-query flags, not both", hint="put the question in a file, or drop the files")
    if not files and not quick:
        raise ScenarioError("nothing to check", hint="give a scenario file (see examples/) or flags such as --weights LICENSE --use serve; `licet licenses` lists the ids")
    # Each job is a name and a loader giving (scenario, source); loading errors
    # are reported per job so one bad file does not hide the others' answers.
    jobs: list[tuple[str, Callable[[], tuple[Scenario, SourceMap | None]]]] = []
    if quick:
        numbers = {k: _number(v, k) for k, v in _pairs(facts, "--fact").items()}
        assumptions = _pairs(assume, "--assume")

        def flags_scenario() -> tuple[Scenario, SourceMap | None]:
            return quick_query(
                code=code, weights=weights, base=base, data=data, actions=actions, commercial=commercial,
                purposes=purposes, facts=numbers, assume=assumptions, release_license=release_license,
            )

        jobs.append((QUICK_SOURCE, flags_scenario))
    for path in files:
        jobs.append((path, functools.partial(_read_file, path)))

    from licensing.render.memo import render_memo
    from licensing.render.text import render_verdict, render_verdict_detail

    codes: list[int] = []
    bad_input = False
    for name, load in jobs:
        try:
            scenario, source = load()
            if print_scenario:
                click.echo(scenario_to_yaml(scenario), nl=False)
                continue
            verdict = engine.check(scenario, source=source, name=name)
        except LicetError as err:
            bad_input = True
            if fmt == "json":
                click.echo(json.dumps({"scenario": name, **err.as_dict()}))
            click.echo(err.render(), err=True)
            continue
        if fmt == "json":
            click.echo(json.dumps(verdict.model_dump(mode="json"), ensure_ascii=False))
        else:
            if codes:
                click.echo("")
            if fmt == "memo":
                click.echo(render_memo(verdict, scenario, describe=engine.library.vocabulary.describe), nl=False)
            elif fmt == "markdown":
                from licensing.render.markdown import render_verdict_markdown

                click.echo(render_verdict_markdown(verdict, scenario), nl=False)
            else:
                click.echo(render_verdict_detail(verdict) if detail else render_verdict(verdict))
        codes.append(EXIT_CODES[verdict.verdict])
    sys.exit(EXIT_BAD_INPUT if bad_input else worst_exit_code(codes))


@cli.command()
@click.option("--format", "fmt", type=FORMATS, default="text", show_default=True)
@rules_option()
def licenses(fmt: str, rules: str | None) -> None:
    """List every license id the library knows, with aliases, kinds and title."""
    from licensing.render.library import render_licenses
    from licensing.show import list_licenses

    entries = list_licenses(_library(rules))
    if fmt == "json":
        click.echo(json.dumps([e.model_dump(mode="json") for e in entries], ensure_ascii=False, indent=2))
    else:
        click.echo(render_licenses(entries))


@cli.command()
@click.argument("license_id")
@click.option("--format", "fmt", type=FORMATS, default="text", show_default=True)
@rules_option()
def show(license_id: str, fmt: str, rules: str | None) -> None:
    """Show the clauses of one license, with sections, in plain words."""
    from licensing.render.library import render_license
    from licensing.show import describe_license

    description = describe_license(_library(rules), license_id)
    if fmt == "json":
        click.echo(json.dumps(description.model_dump(mode="json"), ensure_ascii=False, indent=2))
    else:
        click.echo(render_license(description))


@cli.command()
@rules_option()
def vocabulary(rules: str | None) -> None:
    """List the words scenarios and rules may use: actions, purposes, facts, assumptions…"""
    from licensing.render.library import render_vocabulary

    click.echo(render_vocabulary(_library(rules)))


@cli.command()
def schema() -> None:
    """Print the JSON Schema of the verdict `licet check --format json` prints."""
    click.echo(schema_path().read_text(encoding="utf-8"), nl=False)


@cli.command("test")
@click.argument("paths", nargs=-1, type=click.Path(exists=True))
@click.option("--format", "fmt", type=FORMATS, default="text", show_default=True)
@rules_option("use another rules folder (default: the one the files are in)")
@click.option("--verbose", "-v", is_flag=True, help="list passing cases too")
@click.option("--run", "pattern", metavar="REGEX", help="only the cases whose name matches")
@click.option("--update", is_flag=True, help="write each case's outcome (verdict, conflicts, obligations, …) into its file, to be compared exactly from then on")
@click.option("--coverage", is_flag=True, help="also list the clauses that no case found decisive")
@click.option("--jobs", "-j", type=click.IntRange(min=1), default=1, show_default=True, help="run the files in this many processes")
def test_command(
    paths: tuple[str, ...], fmt: str, rules: str | None, verbose: bool, pattern: str | None, update: bool, coverage: bool, jobs: int
) -> None:
    """Run the pinning cases of rule files (each X.lic has X.cases.yaml beside it).

    With no paths, runs every rule file's cases. Exit code 0 when all pass, 1 when any fails.
    """
    from licensing.cases import (
        never_decisive,
        pinning_files,
        read_cases,
        run_case,
        run_files,
        select,
        update_outcomes,
    )
    from licensing.render.text import render_case_results, render_coverage

    files, root = pinning_files([Path(p) for p in paths], rules)
    from licensing.engine import Engine

    engine = Engine(root)
    if pattern:
        results = [run_case(case, engine) for path in files for case in select(read_cases(path), pattern)]
    else:
        results = run_files(files, engine, workers=jobs)
    if update:
        changed, results = update_outcomes(results)
        click.echo(f"outcomes written in {len(changed)} files", err=True)
    if fmt == "json":
        click.echo(json.dumps([r.model_dump(mode="json") for r in results], ensure_ascii=False, indent=2))
    else:
        click.echo(render_case_results(results, verbose=verbose))
        if coverage:
            library = engine.library
            click.echo(render_coverage(never_decisive(library, results), sum(len(lic.clauses) for lic in library.licenses.values())))
    sys.exit(EXIT_FORBIDDEN if any(not r.passed for r in results) else EXIT_ALLOWED)


@cli.command()
@click.argument("license_ids", nargs=-1)
@click.option("--kind", type=click.Choice(["code", "data", "weights", "outputs"]), default="code", show_default=True, help="with no ids: take every license written for this kind")
@click.option("--format", "fmt", type=click.Choice(["csv", "json", "text"]), default="text", show_default=True)
@click.option("--jobs", "-j", type=click.IntRange(min=1), default=None, help="work in this many processes  [default: one per CPU]")
@rules_option()
def matrix(license_ids: tuple[str, ...], kind: str, fmt: str, jobs: int | None, rules: str | None) -> None:
    """Print the compatibility matrix d[outbound][inbound], as OSADL lays it out.

    Each cell answers: may material under INBOUND be incorporated into a work
    released under OUTBOUND? Yes, No, Unknown (depends on an assumption) or Same.
    """
    from licensing.matrix import matrix_csv_header, matrix_csv_row, matrix_licenses
    from licensing.render.text import render_matrix

    engine = _engine(rules)
    ids = engine.matrix_ids(list(license_ids) or matrix_licenses(engine.library, kind))
    show_progress = sys.stderr.isatty()
    workers = jobs if jobs is not None else (os.cpu_count() or 1)

    def progress(done: int, total: int) -> None:
        if show_progress:
            click.echo(f"\r{done}/{total} cells", err=True, nl=done == total)

    if fmt == "csv":
        # answers only (no conflict search for each reason), a row printed as soon as it is known
        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(matrix_csv_header(ids))
        for outbound, row in engine.matrix_rows(ids, reasons=False, progress=progress, workers=workers):
            if show_progress:
                click.echo("\r\033[K", err=True, nl=False)  # clear the progress line before the row shows
            writer.writerow(matrix_csv_row(outbound, row, ids))
            sys.stdout.flush()
        return
    result = engine.matrix(ids, reasons=True, progress=progress, workers=workers)
    if fmt == "json":
        click.echo(json.dumps(result.model_dump(mode="json"), ensure_ascii=False, indent=2))
    else:
        click.echo(render_matrix(result))


@cli.command()
@click.argument("path", default=".", type=click.Path())
@click.option("--format", "fmt", type=click.Choice(["text", "json", "sarif", "markdown", "memo"]), default="text", show_default=True,
              help="text for people; json: the verdict plus the built scenario; sarif for code-scanning UIs; markdown for pull-request comments; "
                   "memo: a markdown memo for an approval ticket")
@click.option("--print-scenario", is_flag=True, help="print the scenario the scan built (YAML, re-checkable with `licet check`) instead of checking it")
@click.option("--online", is_flag=True, help="resolve Hugging Face ids that nothing on disk resolves through the Hub API")
@click.option("--output", "-o", type=click.Path(dir_okay=False, writable=True), help="write the report to this file instead of standard output")
@rules_option()
@timeout_option
def scan(path: str, fmt: str, print_scenario: bool, online: bool, output: str | None, rules: str | None, timeout: float) -> None:
    """Read a repository (model card, Python metadata, SBOMs, policy), build the scenario and check it.

    PATH is a folder (default: the current one), a README.md card, an SBOM or a pyproject.toml.
    """
    from licensing.render.scan import render_scan
    from licensing.repo import build_scenario
    from licensing.repo import scan as scan_repository
    from licensing.scenario import scenario_from_dict, scenario_to_yaml

    engine = _engine(rules, timeout)
    if print_scenario:
        _, scenario, _ = build_scenario(path, library=engine.library, online=online)
        text = scenario_to_yaml(scenario)
        code = EXIT_ALLOWED
    else:
        report = scan_repository(path, library=engine.library, online=online, timeout_ms=engine.timeout_ms)
        if fmt == "memo":
            from licensing.render.memo import render_memo

            built = scenario_from_dict(report.scenario)
            text = render_memo(report.verdict, built, describe=engine.library.vocabulary.describe, title=f"{report.target} (licet scan {report.root})")
        else:
            text = render_scan(report, fmt)
        code = report.exit_code
    if output:
        Path(output).write_text(text if text.endswith("\n") else text + "\n", encoding="utf-8")
    else:
        click.echo(text, nl=not text.endswith("\n"))
    sys.exit(code)


@cli.group()
def registry() -> None:
    """The local registry cache: Hugging Face repos' licenses, fetched with
    `registry refresh --online`, that `licet scan` reads after the shipped
    registry (rules/registry/huggingface.yaml, whose entries win)."""


@registry.command("refresh")
@click.argument("targets", nargs=-1, metavar="IDS_OR_ORGS...")
@click.option("--online", is_flag=True, help="fetch from the Hugging Face Hub (required: nothing is fetched without it)")
@click.option("--kind", type=click.Choice(["weights", "data"]), default="weights", show_default=True,
              help="what an id or organisation without a datasets/ prefix names: models (weights) or datasets (data)")
@click.option("--limit", type=click.IntRange(min=1), default=100, show_default=True, help="at most this many repos of each organisation")
@click.option("--output", "-o", type=click.Path(dir_okay=False), help="the cache file to update (default: $LICET_REGISTRY_CACHE, else "
              "registry.yaml in licet's cache folder, ~/.cache/licet)")
@click.option("--format", "fmt", type=FORMATS, default="text", show_default=True)
@rules_option()
def registry_refresh(targets: tuple[str, ...], online: bool, kind: str, limit: int, output: str | None, fmt: str, rules: str | None) -> None:
    """Fetch the license metadata of Hub repos into the local registry cache.

    IDS_OR_ORGS are repo ids (org/name; datasets/org/name for a dataset) or
    organisations (org: its first --limit models; datasets/org: its datasets).
    A card whose license licet does not know is left out and reported, never
    guessed; a repo the Hub does not answer for (missing, gated, rate limit,
    network) is reported and the others go on. An existing cache is updated.
    Exit code 0 when something was refreshed, 2 when nothing could be.
    """
    from licensing.repo import refresh as refreshing
    from licensing.repo.registry import RegistryError

    if not online:
        raise RegistryError("`licet registry refresh` reads the Hugging Face Hub, and nothing is fetched without --online",
                            code="licet.registry.offline", hint="run `licet registry refresh --online ID_OR_ORG...`")
    library = _library(rules)
    show_progress = sys.stderr.isatty()

    def progress(done: int, total: int) -> None:
        if show_progress and total > 1:
            click.echo(f"\r{done}/{total} repos", err=True, nl=done == total)

    report = refreshing.refresh_registry(targets, library=library, api=refreshing.default_refresh_api(), output=output, kind=kind,
                                         limit=limit, progress=progress)
    from licensing.render.registry import render_problem, render_refresh

    if fmt == "json":
        click.echo(json.dumps(report.model_dump(mode="json"), ensure_ascii=False, indent=2))
    else:
        for problem in report.problems:
            click.echo(render_problem(problem), err=True)
        click.echo(render_refresh(report))
    if not report.refreshed:
        click.echo("error: nothing could be refreshed\n  help: see the warnings above for each repo", err=True)
        sys.exit(EXIT_BAD_INPUT)
    sys.exit(EXIT_ALLOWED)


@registry.command("show")
@click.option("--output", "-o", type=click.Path(dir_okay=False), help="the cache file to show (default: the one `licet scan` reads)")
@click.option("--format", "fmt", type=FORMATS, default="text", show_default=True)
@rules_option()
def registry_show(output: str | None, fmt: str, rules: str | None) -> None:
    """List the entries of the local registry cache."""
    from licensing.render.registry import render_cache
    from licensing.repo.refresh import read_cache

    listing = read_cache(_library(rules), output)
    if fmt == "json":
        click.echo(json.dumps(listing.model_dump(mode="json", exclude={"entries": {"__all__": {"line", "file"}},
                                                                       "mirrors": {"__all__": {"line", "file"}}}),
                              ensure_ascii=False, indent=2))
    else:
        click.echo(render_cache(listing))


@cli.command()
@click.argument("scenario_file", required=False, type=click.Path(dir_okay=False))
@click.option("--scan", "scan_path", metavar="PATH", type=click.Path(), help="a repository to scan instead of a scenario file (as `licet scan PATH`)")
@click.option("--format", "fmt", type=click.Choice(["md", "text"]), default="md", show_default=True, help="markdown or plain text")
@click.option("--output", "-o", type=click.Path(dir_okay=False, writable=True), help="write the notice file here instead of standard output")
@rules_option()
@timeout_option
def notice(scenario_file: str | None, scan_path: str | None, fmt: str, output: str | None, rules: str | None, timeout: float) -> None:
    """Write the notice (attribution) file the obligations require.

    Per component: its license, the notices its obligations say it must
    carry (with the words the license fixes), and for scanned Python
    distributions their NOTICE files, license files and copyright lines.
    What licet cannot find is listed under "Missing", never invented.
    Exit codes as `licet check`: 0 allowed, 1 forbidden, 3 depends or unknown, 2 bad input.
    """
    from licensing.render.notice import NoticePart, build_notice, render_notice
    from licensing.verdict import EXIT_CODES

    if (scenario_file is None) == (scan_path is None):
        raise ScenarioError("give a scenario file or --scan PATH, one of them", code="licet.flags.invalid",
                            hint="e.g. licet notice examples/chatbot.yaml, or licet notice --scan .")
    engine = _engine(rules, timeout)
    if scan_path is not None:
        from licensing.repo import scan as scan_repository
        from licensing.repo.notices import read_attributions

        report = scan_repository(scan_path, library=engine.library, timeout_ms=engine.timeout_ms)
        verdict, source = report.verdict, f"licet scan {report.root}"
        parts = [NoticePart(c.name, c.kind, c.license) for c in report.components]
        entries = build_notice(verdict, parts, read_attributions(report))
    else:
        assert scenario_file is not None
        scenario, source_map = _read_file(scenario_file)
        verdict, source = engine.check(scenario, source=source_map, name=scenario_file), scenario_file
        parts = [NoticePart(name, c.kind, c.license) for name, c in scenario.components.items()]
        entries = build_notice(verdict, parts)
    text = render_notice(verdict, entries, fmt=fmt, source=source)
    if verdict.verdict != "allowed":
        click.echo(f"note: the answer is {verdict.verdict}; the notices follow the obligations as they stand (licet check for why)", err=True)
    if output:
        Path(output).write_text(text, encoding="utf-8")
    else:
        click.echo(text, nl=False)
    sys.exit(EXIT_CODES[verdict.verdict])


@cli.command()
@click.argument("path", default=".", type=click.Path(file_okay=False, exists=True))
@click.option("--stdout", "to_stdout", is_flag=True, help="print the starter policy instead of writing it")
@rules_option()
def init(path: str, to_stdout: bool, rules: str | None) -> None:
    """Write a starter policy: [tool.licet] in pyproject.toml, else licet.yaml. Asks nothing."""
    from licensing.repo.init import starter_policy, write_policy

    starter = starter_policy(path, library=_library(rules))
    if to_stdout:
        click.echo(starter.text, nl=False)
        return
    written = write_policy(starter)
    click.echo(f"wrote {written}: edit the use (commercial? purposes?) and run `licet scan {path}`")


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True,
              help="the address to listen on; any but a loopback one lets other machines in, and the page has no authentication")
@click.option("--port", type=click.IntRange(0, 65535), default=8765, show_default=True, help="the port to listen on")
@click.option("--open", "open_browser", is_flag=True, help="open the page in the default browser")
@rules_option()
@timeout_option
def serve(host: str, port: int, open_browser: bool, rules: str | None, timeout: float) -> None:
    """Serve the web page: compose a question, see the answer and its lineage,
    browse the library, download the memo. Needs the `web` extra."""
    try:
        from licensing.web import serve as serving
    except ImportError as err:
        raise LicetError(f"licet serve needs the web extra ({err.name or err} is not installed)", code="licet.serve.missing",
                         hint="pip install 'licet[web]'") from None
    engine = _engine(rules, timeout)
    url = serving.url_of(host, port)
    if not serving.is_loopback(host):
        click.echo(f"warning: listening on {host}: anyone who can reach this machine on port {port} can use the page, which has no "
                   "authentication, and see what is typed into it\n  help: keep the default --host 127.0.0.1 unless the network is yours", err=True)
    click.echo(f"licet serve: {url} (Ctrl+C stops it)", err=True)
    if open_browser:
        import webbrowser

        webbrowser.open(url)
    serving.run(engine, host, port)


@cli.command("audit")
@click.argument("table", required=False, type=click.Path(dir_okay=False))
@click.option("--output", "-o", type=click.Path(dir_okay=False), help="the findings table to write (Parquet; default: beside TABLE); "
              "with --summary of a findings table: the report (markdown; default: beside it)")
@click.option("--summary", is_flag=True, help="write the report: markdown with tables, and charts (PNG) beside it")
@click.option("--scheduler", metavar="ADDRESS", help="run on an existing Dask cluster (tcp://host:8786) instead of a local one")
@click.option("--workers", type=click.IntRange(min=1), help="worker processes of the local cluster (default: one per core)")
@click.option("--depth", type=click.IntRange(min=1), default=8, show_default=True, help="levels of ancestors followed; past them terms are unknown")
@click.option("--cards", multiple=True, type=click.Path(file_okay=False), help="a folder of local cards (ORG/NAME/README.md) for upstreams not in the table")
@click.option("--online", is_flag=True, help="build the table from the Hugging Face Hub first (with --author)")
@click.option("--author", "authors", multiple=True, metavar="ORG", help="with --online: a user or organisation whose models and datasets to list")
@click.option("--limit", type=click.IntRange(min=1), help="with --online: at most this many repos of each author and kind")
@click.option("--table", "built_table", type=click.Path(dir_okay=False), help="with --online: the table to build (JSON Lines; default: "
              "beside the findings); a stopped build resumes")
@rules_option("use another rules folder (it must exist on every worker)")
@timeout_option
def audit_command(table: str | None, output: str | None, summary: bool, scheduler: str | None, workers: int | None, depth: int,
                  cards: tuple[str, ...], online: bool, authors: tuple[str, ...], limit: int | None, built_table: str | None,
                  rules: str | None, timeout: float) -> None:
    """Audit a whole Hub: every repo's lineage checked on a Dask cluster.

    TABLE has one row per Hugging Face repo (Parquet or JSON Lines; columns
    id, kind, license, license_name, base_model, base_model_relation, datasets,
    downloads, last_modified). Each repo is checked as distributed and served
    under the license it declares, with its base models and datasets,
    transitively, upstream. The findings (one row per repo: verdict,
    conflicts with license, clause and section, unresolved upstreams, the
    path) go to a Parquet table. Exit code 0 when the audit ran, 2 for bad input.
    """
    from licensing.audit.table import AuditError, is_findings_table

    if table is not None and summary and not online and is_findings_table(table):
        from licensing.audit.report import write_report

        report = write_report(table, output)
        click.echo(f"wrote {report.markdown} ({report.repos:,} repos) and {len(report.charts)} charts beside it")
        return
    if authors and not online:
        raise AuditError("--author lists the Hub, and nothing is fetched without --online", code="licet.audit.offline",
                         hint="add --online, or audit a table you have")
    if online == (table is not None):
        raise AuditError("give a TABLE, or --online with --author, one of them", code="licet.audit.invalid",
                         hint="e.g. licet audit hub.parquet -o findings.parquet; licet audit --online --author meta-llama -o findings.parquet")
    if scheduler is not None and workers is not None:
        raise AuditError("--workers sizes a local cluster; an existing one (--scheduler) has its own", code="licet.audit.invalid")
    findings = Path(output) if output else Path(table or "hub").with_suffix(".findings.parquet")
    if online:
        from licensing.audit.hub import build_table, default_listing_api

        built = Path(built_table) if built_table else findings.with_suffix(".hub.jsonl")
        made = build_table(authors, built, api=default_listing_api(), limit=limit)
        click.echo(f"{'resumed and ' if made.resumed else ''}built {built}: {made.rows:,} repos ({made.fetched:,} fetched now)", err=True)
        table = str(built)
    from licensing.audit.check import AuditConfig
    from licensing.audit.run import audit, summary_lines

    assert table is not None
    config = AuditConfig(rules=rules, timeout_ms=_engine(rules, timeout).timeout_ms)
    bar: Any = None

    def progress(stage: str, done: int, total: int) -> None:
        nonlocal bar
        if not sys.stderr.isatty():
            return
        if bar is None:
            bar = click.progressbar(length=total, label="checking", file=sys.stderr)
            bar.__enter__()
        bar.update(done - bar.pos)
        if done == total:
            bar.__exit__(None, None, None)

    def level(stats: Any) -> None:
        if sys.stderr.isatty():
            click.echo(f"lineage: depth {stats.depth}, {stats.frontier:,} ancestors first reached", err=True)

    result = audit(table, findings, scheduler=scheduler, workers=workers, depth=depth, cards=cards, config=config, progress=progress,
                   on_level=level)
    click.echo("\n".join(summary_lines(result)))
    if summary:
        from licensing.audit.report import write_report

        report = write_report(findings)
        click.echo(f"wrote {report.markdown} and {len(report.charts)} charts beside it")


def main() -> None:
    """Entry point of the `licet` command."""
    cli(prog_name="licet")


if __name__ == "__main__":  # pragma: no cover
    main()
