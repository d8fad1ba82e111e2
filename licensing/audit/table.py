"""The input table of `licet audit`: one row per Hugging Face repo.

The columns are the fields the Hub's API returns for a repo, in snake_case:

| column | type | |
|---|---|---|
| `id` | string | required: `org/name` (or a legacy `name`) |
| `kind` | `model` or `dataset` | default `model` |
| `license` | string or list of strings | the card's `license:` (a list: all apply) |
| `license_name` | string | what `license: other` stands for |
| `base_model` | string or list of strings | models only |
| `base_model_relation` | `finetune`, `adapter`, `merge`, `quantized` | models only |
| `datasets` | string or list of strings | the datasets a model was trained on |
| `downloads` | whole number | |
| `last_modified` | ISO date-time | |

A table is Parquet (`.parquet`, `.pq`) or JSON Lines (`.jsonl`, `.ndjson`).
Other columns are ignored. A file that cannot be read as a table, or whose
columns have the wrong types (Parquet), is an `AuditError` (exit 2); a single
bad row (a JSON line that does not parse, an id that is not a Hub id, a
license that is a number) becomes a row with an error naming its row or line
number, and the audit goes on.

The table is cut into parts (`TablePart`: Parquet row groups, or byte ranges
of the JSON Lines file that start on a line) that workers read on their own;
`read_part` gives each part as a pandas frame of normalised rows
(`ROW_COLUMNS`). Each row keeps its number in the file (`row`): a JSON line
number, or a Parquet row counted from 1.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import os
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from ..errors import LicetError
from ..repo.cards import BASE_MODEL_RELATIONS, Card, hub_id, shown_id

if TYPE_CHECKING:
    import pandas as pd

PARQUET_SUFFIXES = (".parquet", ".pq")
JSONL_SUFFIXES = (".jsonl", ".ndjson")
KINDS = ("model", "dataset")
INPUT_COLUMNS = ("id", "kind", "license", "license_name", "base_model", "base_model_relation", "datasets", "downloads", "last_modified")
DEFAULT_ROWS_PER_PART = 25_000
MAX_LINE_BYTES = 1 << 20  # a JSON line longer than this is a bad row, not read
TABLE_HINT = ("an audit table is Parquet (.parquet) or JSON Lines (.jsonl), one Hub repo a row, with at least an `id` column; "
              "see `licet audit --help`")

# The normalised row every part is read into. Lists are JSON text, so that
# every column is a plain string or number for Dask and Parquet alike.
ROW_COLUMNS: dict[str, str] = {
    "row": "int64",         # the row's number in the file (a JSON line number, or a Parquet row from 1)
    "id": "object",         # the repo id as written (None when the row has none)
    "key": "object",        # "model:<id lower-cased>" or "dataset:<…>": the Hub's two namespaces
    "kind": "object",       # model or dataset
    "licenses": "object",   # JSON list of the licenses declared, as written (`other` read as license_name); None: none declared
    "declared": "object",   # what the card declares, for people (license, and license_name when it is other)
    "relation": "object",   # base_model_relation as written, lower-cased; None when there is no base model
    "parents": "object",    # JSON list of base_model entries, as written (strings; other values shown)
    "datasets": "object",   # JSON list of datasets entries
    "downloads": "float64",  # NaN when not given
    "last_modified": "object",
    "error": "object",      # why the row cannot be audited (with its row number), else None
}


class AuditError(LicetError):
    """An audit input that cannot be used at all (exit code 2)."""

    default_code = "licet.audit.invalid"


@dataclass(frozen=True)
class TablePart:
    """A part of the table a worker reads: Parquet row groups, or a byte range of JSON Lines."""

    path: str
    format: Literal["parquet", "jsonl"]
    first_row: int  # the number of the part's first row (1-based)
    rows: int  # rows (JSON Lines: lines) in the part
    row_groups: tuple[int, ...] = ()
    start: int = 0  # JSON Lines: byte offsets [start, end)
    end: int = 0


@dataclass(frozen=True)
class Table:
    """An input table that can be read: its parts and how many rows it has."""

    path: str
    format: Literal["parquet", "jsonl"]
    parts: tuple[TablePart, ...]
    rows: int


def table_format(path: str | Path) -> Literal["parquet", "jsonl"]:
    suffix = Path(path).suffix.lower()
    if suffix in PARQUET_SUFFIXES:
        return "parquet"
    if suffix in JSONL_SUFFIXES:
        return "jsonl"
    raise AuditError(f"'{Path(path).name}' is neither Parquet nor JSON Lines", code="licet.audit.unknown-format", file=str(path),
                     hint=TABLE_HINT)


def open_table(path: str | Path, *, rows_per_part: int = DEFAULT_ROWS_PER_PART) -> Table:
    """Check that `path` is a readable table and cut it into parts; an
    `AuditError` (exit 2) says why it cannot be read."""
    path = Path(path)
    fmt = table_format(path)
    if not path.is_file():
        raise AuditError("no such file" if not path.exists() else "not a regular file", code="licet.audit.not-found", file=str(path),
                         hint=TABLE_HINT)
    if rows_per_part < 1:
        raise ValueError("rows_per_part must be at least 1")
    if fmt == "parquet":
        return _open_parquet(path, rows_per_part)
    return _open_jsonl(path, rows_per_part)


def regrouped(table: Table, rows_per_part: int) -> Table:
    """The same table in bigger parts: consecutive parts joined up to about `rows_per_part` rows each."""
    parts: list[TablePart] = []
    group: list[TablePart] = []
    for part in table.parts:
        group.append(part)
        if sum(p.rows for p in group) >= rows_per_part:
            parts.append(_joined(group))
            group = []
    if group:
        parts.append(_joined(group))
    return Table(table.path, table.format, tuple(parts), table.rows)


def _joined(parts: list[TablePart]) -> TablePart:
    first, last = parts[0], parts[-1]
    return TablePart(first.path, first.format, first.first_row, sum(p.rows for p in parts),
                     tuple(g for p in parts for g in p.row_groups), first.start, last.end)


# ---------------------------------------------------------------- Parquet


def _parquet_schema_problems(schema: Any) -> list[str]:
    """What is wrong with a Parquet table's columns, in words (empty: nothing)."""
    import pyarrow as pa

    def is_text(t: Any) -> bool:
        return bool(pa.types.is_string(t) or pa.types.is_large_string(t) or pa.types.is_null(t)
                    or (pa.types.is_dictionary(t) and (pa.types.is_string(t.value_type) or pa.types.is_large_string(t.value_type))))

    def is_text_list(t: Any) -> bool:
        return bool((pa.types.is_list(t) or pa.types.is_large_list(t)) and is_text(t.value_type))

    names = set(schema.names)
    problems = []
    if "id" not in names:
        problems.append("it has no `id` column")
    wanted = {"id": (is_text, "text"), "kind": (is_text, "text"), "license_name": (is_text, "text"),
              "base_model_relation": (is_text, "text"), "license": (lambda t: is_text(t) or is_text_list(t), "text or a list of text"),
              "base_model": (lambda t: is_text(t) or is_text_list(t), "text or a list of text"),
              "datasets": (lambda t: is_text(t) or is_text_list(t), "text or a list of text"),
              "downloads": (lambda t: pa.types.is_integer(t) or pa.types.is_floating(t) or pa.types.is_null(t), "a number"),
              "last_modified": (lambda t: is_text(t) or pa.types.is_timestamp(t) or pa.types.is_date(t), "text or a timestamp")}
    for name, (ok, what) in wanted.items():
        if name in names:
            column_type = schema.field(name).type
            if not ok(column_type):
                problems.append(f"column `{name}` is {column_type}, not {what}")
    return problems


def _open_parquet(path: Path, rows_per_part: int) -> Table:
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        metadata = pq.ParquetFile(path).metadata
        schema = pq.read_schema(path)
    except (OSError, pa.ArrowException) as err:
        raise AuditError(f"not a readable Parquet file ({_first_line(err)})", code="licet.audit.unreadable", file=str(path),
                         hint=TABLE_HINT) from None
    problems = _parquet_schema_problems(schema)
    if problems:
        raise AuditError("the table's columns cannot be audited: " + "; ".join(problems), code="licet.audit.bad-schema", file=str(path),
                         hint=TABLE_HINT)
    parts: list[TablePart] = []
    groups: list[int] = []
    first = row = 1
    for index in range(metadata.num_row_groups):
        if not groups:
            first = row
        groups.append(index)
        row += metadata.row_group(index).num_rows
        if row - first >= rows_per_part:
            parts.append(TablePart(str(path), "parquet", first, row - first, tuple(groups)))
            groups = []
    if groups:
        parts.append(TablePart(str(path), "parquet", first, row - first, tuple(groups)))
    return Table(str(path), "parquet", tuple(parts), metadata.num_rows)


def _parquet_records(part: TablePart) -> Iterator[tuple[int, Any]]:
    import pyarrow.parquet as pq

    handle = pq.ParquetFile(part.path)
    columns = [c for c in INPUT_COLUMNS if c in handle.schema_arrow.names]
    table = handle.read_row_groups(list(part.row_groups), columns=columns)
    for offset, record in enumerate(table.to_pylist()):
        yield part.first_row + offset, record


# ---------------------------------------------------------------- JSON Lines


def _open_jsonl(path: Path, rows_per_part: int) -> Table:
    """Count the lines once and cut the file at line starts, every `rows_per_part` lines."""
    parts: list[TablePart] = []
    try:
        with path.open("rb") as handle:
            _check_jsonl_start(handle, path)
            handle.seek(0)
            start, first, line, offset = 0, 1, 1, 0
            pending = False
            while chunk := handle.read(1 << 24):
                position = 0
                while True:
                    found = chunk.find(b"\n", position)
                    if found < 0:
                        pending = position < len(chunk) or pending
                        break
                    pending = False
                    line += 1
                    position = found + 1
                    if line - first >= rows_per_part:
                        end = offset + position
                        parts.append(TablePart(str(path), "jsonl", first, line - first, start=start, end=end))
                        start, first = end, line
                offset += len(chunk)
    except OSError as err:
        raise AuditError(f"cannot be read ({err.strerror or type(err).__name__})", code="licet.audit.unreadable", file=str(path),
                         hint=TABLE_HINT) from None
    rows = line - 1 + (1 if pending else 0)
    if offset > start:
        parts.append(TablePart(str(path), "jsonl", first, rows - first + 1, start=start, end=offset))
    return Table(str(path), "jsonl", tuple(parts), rows)


def _check_jsonl_start(handle: Any, path: Path) -> None:
    """The first lines with text must include a JSON object: else the file is no JSON Lines table."""
    seen = 0
    for raw in handle:
        if not raw.strip():
            continue
        seen += 1
        try:
            if isinstance(json.loads(raw), dict):
                return
        except (ValueError, UnicodeDecodeError):
            pass
        if seen >= 5:
            break
    if seen:
        raise AuditError("not JSON Lines: none of its first lines is a JSON object", code="licet.audit.unreadable", file=str(path),
                         hint=TABLE_HINT)


def _jsonl_records(part: TablePart) -> Iterator[tuple[int, Any]]:
    with open(part.path, "rb") as handle:
        handle.seek(part.start)
        data = handle.read(part.end - part.start)
    for offset, raw in enumerate(data.split(b"\n")):
        number = part.first_row + offset
        if not raw.strip():
            continue
        if len(raw) > MAX_LINE_BYTES:
            yield number, _Bad(f"the line is longer than {MAX_LINE_BYTES} bytes")
            continue
        try:
            yield number, json.loads(raw)
        except UnicodeDecodeError:
            yield number, _Bad("the line is not UTF-8 text")
        except ValueError as err:
            yield number, _Bad(f"the line is not JSON ({_first_line(err)})")


@dataclass(frozen=True)
class _Bad:
    why: str


# ---------------------------------------------------------------- rows


def read_part(part: TablePart) -> pd.DataFrame:
    """One part of the table as normalised rows (`ROW_COLUMNS`)."""
    records = _parquet_records(part) if part.format == "parquet" else _jsonl_records(part)
    where = "row" if part.format == "parquet" else "line"
    return rows_frame(normalise(number, record, where) for number, record in records)


def rows_frame(rows: Iterator[dict[str, Any]] | Sequence[dict[str, Any]]) -> pd.DataFrame:
    import pandas as pd

    frame = pd.DataFrame(list(rows), columns=list(ROW_COLUMNS))
    return frame.astype(ROW_COLUMNS)


def empty_rows() -> pd.DataFrame:
    return rows_frame([])


def normalise(number: int, record: Any, where: str = "row") -> dict[str, Any]:
    """A row of the input, checked and normalised; a row that cannot be
    audited keeps what could be read and says why in `error`."""
    row: dict[str, Any] = {column: None for column in ROW_COLUMNS}
    row["row"] = number
    row["downloads"] = math.nan
    if isinstance(record, _Bad):
        row["error"] = f"{where} {number}: {record.why}"
        return row
    if not isinstance(record, Mapping):
        row["error"] = f"{where} {number}: a row must be a JSON object, not {_type_name(record)}"
        return row
    problems: list[str] = []
    repo = record.get("id")
    if isinstance(repo, str) and hub_id(repo) is not None:
        row["id"] = repo
    elif repo is None:
        problems.append("it has no id")
    else:
        row["id"] = shown_id(repo)
        problems.append(f"id {shown_id(repo)!r} is not a Hugging Face repo id (org/name)")
    kind = record.get("kind")
    if kind is None:
        kind = "model"
    if kind not in KINDS:
        problems.append(f"kind must be model or dataset, not {shown_id(kind)!r}")
        kind = "model"
    row["kind"] = kind
    if row["id"] is not None and hub_id(row["id"]) is not None:
        row["key"] = repo_key(kind, row["id"])

    license_value, license_name = record.get("license"), record.get("license_name")
    if not _text_or_texts(license_value):
        problems.append(f"license must be text or a list of text, not {_type_name(license_value)}")
    elif not (license_name is None or isinstance(license_name, str)):
        problems.append(f"license_name must be text, not {_type_name(license_name)}")
    else:
        items, _ = Card({k: v for k, v in (("license", license_value), ("license_name", license_name)) if v is not None}, "", "").licenses()
        if items:
            row["licenses"] = json.dumps([text for text, _ in items], ensure_ascii=False)
            row["declared"] = _declared(license_value, license_name)

    relation = record.get("base_model_relation")
    for name in ("base_model", "datasets"):
        value = record.get(name)
        if not _text_or_texts(value, items_any=True):
            problems.append(f"{name} must be text or a list of text, not {_type_name(value)}")
            continue
        entries = [] if value is None else value if isinstance(value, list) else [value]
        shown = [e if isinstance(e, str) else shown_id(e) for e in entries if e is not None]
        if kind == "model" and shown:
            row["parents" if name == "base_model" else "datasets"] = json.dumps(shown, ensure_ascii=False)
    if relation is not None and not isinstance(relation, str):
        problems.append(f"base_model_relation must be text, not {_type_name(relation)}")
    elif row["parents"] is not None:
        row["relation"] = relation.strip().lower() if isinstance(relation, str) and relation.strip() else "unspecified"

    downloads = record.get("downloads")
    if downloads is not None:
        if isinstance(downloads, bool) or not isinstance(downloads, (int, float)) or not math.isfinite(downloads) or downloads < 0:
            problems.append(f"downloads must be a whole number of at least 0, not {shown_id(downloads)}")
        else:
            row["downloads"] = float(downloads)
    modified = record.get("last_modified")
    if isinstance(modified, (dt.datetime, dt.date)):
        row["last_modified"] = modified.isoformat()
    elif isinstance(modified, str):
        row["last_modified"] = modified
    elif modified is not None:
        problems.append(f"last_modified must be a date-time, not {_type_name(modified)}")
    if problems:
        row["error"] = f"{where} {number}: " + "; ".join(problems)
    return row


def repo_key(kind: str, repo_id: str) -> str:
    """The join key of a repo: the Hub's namespace and the id, compared case-insensitively."""
    return f"{kind}:{repo_id.lower()}"


def relation_known(relation: str | None) -> bool:
    return relation is None or relation == "unspecified" or relation in BASE_MODEL_RELATIONS


def _declared(value: Any, name: Any) -> str:
    shown = " AND ".join(str(v) for v in value if v is not None) if isinstance(value, list) else str(value)
    if isinstance(name, str) and name and "other" in [str(v).lower() for v in (value if isinstance(value, list) else [value])]:
        shown += f" (license_name: {name})"
    elif value is None and isinstance(name, str):
        shown = f"license_name: {name}"
    return shown


def _text_or_texts(value: Any, *, items_any: bool = False) -> bool:
    if value is None or isinstance(value, str):
        return True
    if isinstance(value, list):
        return items_any or all(v is None or isinstance(v, str) for v in value)
    return False


def _type_name(value: Any) -> str:
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, Mapping):
        return "a mapping"
    if isinstance(value, list):
        return "a list with values that are not text"
    return type(value).__name__


def _first_line(err: BaseException) -> str:
    text = str(err).strip()
    return text.splitlines()[0] if text else type(err).__name__


def is_findings_table(path: str | Path) -> bool:
    """Whether a Parquet file is a findings table `licet audit` wrote (it has a verdict column)."""
    if table_format(path) != "parquet" or not os.path.isfile(path):
        return False
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        return "verdict" in pq.read_schema(path).names
    except (OSError, pa.ArrowException):
        return False


# ---------------------------------------------------------------- local cards


def card_rows(folders: Sequence[str | Path]) -> pd.DataFrame:
    """Rows for the cards in local folders (`ORG/NAME/README.md` or
    `ORG--NAME/README.md`; datasets under a `datasets/` folder): they
    resolve upstream ids the table does not have, and are not audited. A card
    that cannot be read is left out: its id then resolves as if it had none."""
    from ..repo.cards import read_card_file
    from ..repo.files import ScanError, SkippedFile

    rows: list[dict[str, Any]] = []
    for folder in folders:
        base = Path(folder)
        if not base.is_dir():
            raise AuditError("the card folder does not exist", code="licet.audit.not-found", file=str(base),
                             hint="--cards names a folder of ORG/NAME/README.md cards")
        for card_path in sorted(base.rglob("README.md")):
            parts = card_path.relative_to(base).parts[:-1]
            kind = "model"
            if parts[:1] == ("datasets",):
                kind, parts = "dataset", parts[1:]
            repo = "/".join(parts) if len(parts) == 2 else parts[0].replace("--", "/", 1) if len(parts) == 1 else None
            if repo is None or hub_id(repo) is None:
                continue
            try:
                card = read_card_file(card_path, str(card_path), base)
            except (ScanError, SkippedFile):
                continue
            record = {k: card.data.get(k) for k in INPUT_COLUMNS if k in card.data}
            record.update(id=repo, kind=kind)
            row = normalise(0, record, "card")
            if row["error"] is None:
                rows.append(row)
    return rows_frame(rows)
