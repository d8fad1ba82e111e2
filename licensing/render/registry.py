"""`licet registry refresh` and `licet registry show` as text."""

from __future__ import annotations

from ..repo.refresh import CacheListing, RefreshProblem, RefreshReport


def render_refresh(report: RefreshReport) -> str:
    """One line per entry written, then what happened to the file."""
    lines = []
    width = max([len(e.id) for e in report.entries] + [2])
    license_width = max([len(e.license) for e in report.entries] + [7])
    for e in report.entries:
        what = e.change + (f" (was {e.previous})" if e.previous else "")
        if e.shipped is not None:
            what += ("; the shipped registry says the same" if e.shipped == e.license
                     else f"; the shipped registry says {e.shipped}, and its entry wins")
        lines.append(f"{e.id:<{width}}  {e.kind:<7}  {e.license:<{license_width}}  {what}")
    removed = sum(1 for p in report.problems if p.removed)
    if report.written:
        counts = {change: sum(1 for e in report.entries if e.change == change) for change in ("added", "updated", "unchanged")}
        lines.append(f"wrote {report.output}: {counts['added']} added, {counts['updated']} updated, {counts['unchanged']} unchanged, "
                     f"{removed} removed; {report.total} entries (fetched {report.fetched})")
    else:
        lines.append(f"nothing written to {report.output}")
    return "\n".join(lines)


def render_problem(problem: RefreshProblem) -> str:
    """One repo or organisation that gave no entry, as a warning line and, when the card said something, what."""
    if problem.organisation:
        what = f"organisation '{problem.target}'"
    elif problem.reason == "invalid-id":
        what = f"'{problem.target}'"
    else:
        what = f"{'dataset' if problem.kind == 'data' else 'model'} '{problem.target}'"
    text = f"warning: {what}: {problem.message}"
    if problem.declared:
        text += f"\n  the card says: {problem.declared}"
    if problem.removed:
        text += "\n  its earlier cache entry is removed"
    elif problem.kept:
        text += "\n  its earlier cache entry is kept"
    return text


def render_cache(listing: CacheListing) -> str:
    if listing.path is None:
        return "no registry cache: LICET_REGISTRY_CACHE is set but empty"
    if not listing.exists:
        return f"no registry cache at {listing.path} yet: `licet registry refresh --online ID...` writes it"
    entries = listing.entries
    width = max([len(e.id or e.pattern or "") for e in entries] + [2])
    license_width = max([len(e.license) for e in entries] + [7])
    lines = [f"{e.id or e.pattern or '':<{width}}  {e.kind:<7}  {e.license:<{license_width}}  {e.note or e.source}" for e in entries]
    lines += [f"mirror org {m.org} ({', '.join(m.suffixes)})" for m in listing.mirrors]
    lines.append(f"{listing.path}: {len(entries)} entries" + (f", {len(listing.mirrors)} mirror orgs" if listing.mirrors else "")
                 + "; read by `licet scan` after rules/registry/huggingface.yaml, whose entries win")
    return "\n".join(lines)
