"""`licet audit findings.parquet --summary`: the findings as a markdown report with charts.

The report counts repos by verdict, by the Hub's relation to their base
model, by declared license and by upstream license; lists the most common
conflicts with the sections they cite; gives the share of derivatives whose
declared license drops a term an upstream license requires to pass on (the
figure LicenseRec reports for model-to-application steps, here for repos);
and what the lineage could not settle (missing upstreams, cycles, the depth
bound, rows with errors). Charts are PNG files beside the markdown, drawn
with matplotlib (no display needed).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .table import AuditError, is_findings_table

if TYPE_CHECKING:
    import pandas as pd

VERDICTS = ("allowed", "depends", "unknown", "forbidden", "error")
COLORS = {"allowed": "#4c9a5f", "depends": "#e0a030", "unknown": "#8c8c8c", "forbidden": "#c0392b", "error": "#5b2c6f"}
RELATIONS = ("none", "finetune", "adapter", "merge", "quantized", "unspecified")
TOP = 15
# LicenseRec (1.6M Hugging Face models): the share of model-to-application
# steps that drop restrictive terms. Its unit is an edge of the supply chain,
# ours a derivative repo: comparable in kind, not in exact definition.
LICENSEREC_SHARE = 0.355


@dataclass(frozen=True)
class Report:
    markdown: Path
    charts: tuple[Path, ...]
    repos: int
    drop_share: float | None


def read_findings(path: str | Path) -> pd.DataFrame:
    if not is_findings_table(path):
        raise AuditError("not a findings table of licet audit (a Parquet file with a verdict column)", code="licet.audit.not-findings",
                         file=str(path), hint="run `licet audit TABLE -o findings.parquet` first, then `licet audit findings.parquet --summary`")
    import pyarrow.parquet as pq

    return pq.read_table(path).to_pandas()


def write_report(findings: str | Path, output: str | Path | None = None, *, title: str | None = None) -> Report:
    """Write the report of a findings table (default: beside it, `<name>.md`) and its charts (`<name>-*.png`)."""
    frame = read_findings(findings)
    findings = Path(findings)
    markdown = Path(output) if output is not None else findings.with_suffix(".md")
    stem = markdown.with_suffix("")
    markdown.parent.mkdir(parents=True, exist_ok=True)
    lines: list[str] = []
    charts: list[Path] = []
    total = len(frame)
    lines += [f"# {title or 'licet audit: ' + findings.name}", "",
              f"{total:,} repos audited ({_count(frame['kind'] == 'model'):,} models, {_count(frame['kind'] == 'dataset'):,} datasets). "
              "Each repo was checked as distributed and served under the license it declares, with its base models "
              "(derived-from) and training datasets (trained-on), transitively, as upstream components.", ""]

    verdicts = Counter(frame["verdict"].tolist())
    lines += ["## Verdicts", "", _table(["verdict", "repos", "share"],
                                        [[v, f"{verdicts[v]:,}", _pct(verdicts[v], total)] for v in VERDICTS if verdicts.get(v)]), ""]
    charts.append(_bar(stem, "verdicts", "Repos by verdict", [(v, verdicts[v]) for v in VERDICTS if verdicts.get(v)]))
    lines += [_image(charts[-1], markdown), ""]

    relation = frame["relation"].fillna("none")
    lines += ["## By relation to the base model", "",
              "`none`: no base model (a base model itself, or a dataset); `unspecified`: a base model without `base_model_relation`.", ""]
    rows = _crosstab(relation, frame["verdict"], order=[r for r in RELATIONS if (relation == r).any()] + sorted(set(relation) - set(RELATIONS)))
    lines += [_table(["relation", *VERDICTS, "repos"], rows), ""]
    charts.append(_stacked(stem, "relations", "Verdicts by relation", relation, frame["verdict"]))
    lines += [_image(charts[-1], markdown), ""]

    declared = frame["license"].fillna("(none declared)")
    top_declared = [name for name, _ in Counter(declared.tolist()).most_common(TOP)]
    lines += [f"## By declared license (top {TOP})", "", "As licet read it; a license licet cannot read is its fallback (terms unknown).", "",
              _table(["declared license", *VERDICTS, "repos"], _crosstab(declared, frame["verdict"], order=top_declared)), ""]
    charts.append(_stacked(stem, "declared", f"Verdicts by declared license (top {TOP})", declared, frame["verdict"], order=top_declared))
    lines += [_image(charts[-1], markdown), ""]

    upstream = frame[["upstream_licenses", "verdict"]].explode("upstream_licenses").dropna()
    top_upstream = [name for name, _ in Counter(upstream["upstream_licenses"].tolist()).most_common(TOP)]
    lines += [f"## By upstream license (top {TOP})", "", "A repo counts once under each license among its ancestors.", "",
              _table(["upstream license", *VERDICTS, "repos"], _crosstab(upstream["upstream_licenses"], upstream["verdict"], order=top_upstream)), ""]
    if len(upstream):
        charts.append(_stacked(stem, "upstream", f"Verdicts by upstream license (top {TOP})", upstream["upstream_licenses"], upstream["verdict"],
                               order=top_upstream))
        lines += [_image(charts[-1], markdown), ""]

    conflicts = _conflicts(frame)
    lines += ["## Most common conflicts", "",
              "A clause counts once per repo. *Always*: the conflict holds whatever the open questions; *under assumptions*: only "
              "for some answers to them (a `depends` verdict, or part of one).", ""]
    if conflicts:
        lines += [_table(["license", "clause", "section", "repos (always)", "repos (under assumptions)"],
                         [[lic, clause, section, f"{always:,}", f"{conditional:,}"] for (lic, clause, section), (always, conditional)
                          in conflicts[:20]]), ""]
        charts.append(_bar(stem, "conflicts", "Most common conflicts (repos, always)",
                           [(f"{lic} § {section}", always) for (lic, _, section), (always, _) in conflicts[:12] if always], horizontal=True))
        lines += [_image(charts[-1], markdown), ""]
    else:
        lines += ["No conflicts.", ""]

    derivatives = frame["relation"].notna() & (frame["verdict"] != "error")
    dropped = _count(derivatives & frame["drops_upstream"])
    share = dropped / _count(derivatives) if _count(derivatives) else None
    lines += ["## Derivatives that drop upstream restrictions", "",
              f"{_count(derivatives):,} repos name a base model. In {dropped:,} of them ({_pct(dropped, _count(derivatives))}) the declared license "
              "drops a term an upstream license requires its derivatives to keep: the conflict involves the release license and a clause of an "
              "ancestor, and holds whatever the open questions.", "",
              f"For comparison, LicenseRec found {LICENSEREC_SHARE:.1%} of model-to-application steps on the Hub dropping restrictive terms: "
              "its unit is a step of the supply chain, this one a derivative repo, so the two are of the same kind, not the same measure.", ""]

    lines += ["## What the lineage could not settle", ""]
    unresolved = frame["unresolved"].map(len) > 0
    cyclic = frame["cycle"].map(len) > 0
    cut = frame["depth_cut"].astype(bool)
    missing = Counter(item for items in frame.loc[unresolved, "unresolved"] for item in items)
    lines += [_table(["what", "repos"], [["an upstream that resolves nowhere (terms unknown)", f"{_count(unresolved):,}"],
                                         ["a cycle in the lineage (the edges closing it left out)", f"{_count(cyclic):,}"],
                                         ["lineage cut at the depth bound", f"{_count(cut):,}"],
                                         ["rows with errors", f"{verdicts.get('error', 0):,}"]]), ""]
    if missing:
        lines += ["Upstreams most often missing:", "", _table(["upstream", "repos"], [[name, f"{n:,}"] for name, n in missing.most_common(10)]), ""]
    errors = frame.loc[frame["verdict"] == "error", "error"].head(10).tolist()
    if errors:
        lines += ["First errors:", "", *[f"- {e}" for e in errors], ""]
    markdown.write_text("\n".join(lines), encoding="utf-8")
    return Report(markdown, tuple(charts), total, share)


# ---------------------------------------------------------------- tables


def _count(mask: Any) -> int:
    return int(mask.sum())


def _pct(part: int, whole: int) -> str:
    return f"{part / whole:.1%}" if whole else "–"


def _table(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    out = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    out += ["| " + " | ".join(str(cell).replace("|", "\\|") for cell in row) + " |" for row in rows]
    return "\n".join(out)


def _crosstab(labels: pd.Series, verdicts: pd.Series, *, order: Sequence[str]) -> list[list[str]]:
    counts = Counter(zip(labels.tolist(), verdicts.tolist(), strict=True))
    totals = Counter(labels.tolist())
    return [[label, *[f"{counts[(label, v)]:,}" if counts[(label, v)] else "" for v in VERDICTS], f"{totals[label]:,}"] for label in order]


def _conflicts(frame: pd.DataFrame) -> list[tuple[tuple[str, str, str], tuple[int, int]]]:
    always: Counter[tuple[str, str, str]] = Counter()
    conditional: Counter[tuple[str, str, str]] = Counter()
    for items in frame["conflicts"]:
        seen_always = {(c["license"], c["clause"], c["section"]) for c in items if len(c["when"]) == 0}
        seen_when = {(c["license"], c["clause"], c["section"]) for c in items if len(c["when"])} - seen_always
        always.update(seen_always)
        conditional.update(seen_when)
    keys = set(always) | set(conditional)
    return sorted(((k, (always[k], conditional[k])) for k in keys), key=lambda item: (-item[1][0], -item[1][1], item[0]))


# ---------------------------------------------------------------- charts


def _pyplot() -> Any:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _image(chart: Path, markdown: Path) -> str:
    return f"![{chart.stem}]({chart.relative_to(markdown.parent) if chart.parent == markdown.parent else chart})"


def _bar(stem: Path, name: str, title: str, bars: list[tuple[str, int]], *, horizontal: bool = False) -> Path:
    plt = _pyplot()
    path = stem.with_name(f"{stem.name}-{name}.png")
    figure, axes = plt.subplots(figsize=(8, max(3.0, 0.35 * len(bars) + 1.2) if horizontal else 3.6))
    labels = [label for label, _ in bars]
    values = [value for _, value in bars]
    colors = [COLORS.get(label, "#3b6ea5") for label in labels]
    if horizontal:
        axes.barh(labels[::-1], values[::-1], color=colors[::-1])
        axes.set_xlabel("repos")
    else:
        axes.bar(labels, values, color=colors)
        axes.set_ylabel("repos")
    axes.set_title(title)
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)
    return path


def _stacked(stem: Path, name: str, title: str, labels: pd.Series, verdicts: pd.Series, *, order: Sequence[str] | None = None) -> Path:
    plt = _pyplot()
    path = stem.with_name(f"{stem.name}-{name}.png")
    counts = Counter(zip(labels.tolist(), verdicts.tolist(), strict=True))
    order = list(order) if order is not None else [label for label, _ in Counter(labels.tolist()).most_common()]
    figure, axes = plt.subplots(figsize=(8, max(3.0, 0.35 * len(order) + 1.2)))
    left = [0] * len(order)
    for verdict in VERDICTS:
        values = [counts[(label, verdict)] for label in order]
        if any(values):
            axes.barh(order[::-1], values[::-1], left=left[::-1], color=COLORS[verdict], label=verdict)
            left = [a + b for a, b in zip(left, values, strict=True)]
    axes.set_xlabel("repos")
    axes.set_title(title)
    axes.legend(loc="lower right", fontsize="small")
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)
    return path
