"""CSV and Parquet exports: one file per table of :mod:`crossread.export.tables`, streamed from the store.

Rows reach the files a chunk of stories at a time (:func:`crossread.export.view.iter_parts`); Parquet
buffers at most ``ROWS_PER_GROUP`` rows per table, and ``TEXT_BUFFERED`` characters of text over all
tables, before writing row groups. Files are written under
temporary names and renamed at the end, with ``manifest.json`` (tables, columns, counts, selection).

CSV: UTF-8 without a byte-order mark, a header row, RFC 4180 quoting (a field with a comma, quote or
line break is quoted, quotes doubled), empty for null, ``true``/``false`` for booleans. Parquet:
typed columns (strings, 64-bit integers, doubles, booleans, dates as ``date32``).
"""

from __future__ import annotations

import csv
import datetime as _dt
import json
from pathlib import Path
from typing import Any, Protocol

from crossread.export.tables import TABLES, Table, actor_rows, alias_rows
from crossread.export.view import ExportError, Selection, actor_infos, iter_parts, record_actor_ids
from crossread.fileio import write_text_atomic
from crossread.records import SCHEMA_VERSION

ROWS_PER_GROUP = 5000
TEXT_BUFFERED = 8 * 2**20  # characters of text buffered over all tables at most (articles are long)
FORMATS = ("csv", "parquet")


class _Sink(Protocol):
    text: int  # characters of text buffered, not yet written

    def write(self, rows: list[tuple]) -> None: ...
    def flush(self) -> None: ...
    def close(self) -> None: ...


def _csv_value(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return value


class _CsvSink:
    text = 0  # rows go straight to the file

    def __init__(self, path: Path, table: Table) -> None:
        self.handle = path.open("w", encoding="utf-8", newline="")
        self.writer = csv.writer(self.handle, lineterminator="\r\n")
        self.writer.writerow(table.column_names)

    def write(self, rows: list[tuple]) -> None:
        self.writer.writerows([tuple(_csv_value(v) for v in row) for row in rows])

    def flush(self) -> None:
        pass

    def close(self) -> None:
        self.handle.close()


def _date(value: Any) -> _dt.date | None:
    if not value:
        return None
    try:
        return _dt.date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


class _ParquetSink:
    def __init__(self, path: Path, table: Table) -> None:
        import pyarrow as pa
        import pyarrow.parquet as pq

        types = {"str": pa.string(), "int": pa.int64(), "float": pa.float64(), "bool": pa.bool_(),
                 "date": pa.date32()}
        self.pa = pa
        self.table = table
        self.schema = pa.schema([pa.field(c.name, types[c.type]) for c in table.columns])
        self.writer = pq.ParquetWriter(str(path), self.schema, compression="zstd")
        self.buffer: list[tuple] = []
        self.text = 0  # characters of the strings in the buffer
        self.dates = [i for i, c in enumerate(table.columns) if c.type == "date"]

    def write(self, rows: list[tuple]) -> None:
        self.buffer += rows
        self.text += sum(len(v) for row in rows for v in row if isinstance(v, str))
        if len(self.buffer) >= ROWS_PER_GROUP:
            self.flush()

    def flush(self) -> None:
        if not self.buffer:
            return
        columns = list(zip(*self.buffer))
        columns = [[_date(v) for v in col] if i in self.dates else list(col) for i, col in enumerate(columns)]
        self.writer.write_table(self.pa.Table.from_arrays(
            [self.pa.array(col, type=field.type) for col, field in zip(columns, self.schema)], schema=self.schema))
        self.buffer, self.text = [], 0

    def close(self) -> None:
        self.flush()
        self.writer.close()


def _check_folder(folder: Path) -> None:
    if folder.exists() and not folder.is_dir():
        raise ExportError(f"-o {folder}: a file is there; the {FORMATS} exports write a folder")


def export_tables(store: Any, folder: Path | str, fmt: str = "csv", selection: Selection = Selection()) -> dict[str, int]:
    """Write ``folder/<table>.csv`` (or ``.parquet``) for every table and ``folder/manifest.json``;
    returns the row counts."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown tabular format {fmt!r} (one of {', '.join(FORMATS)})")
    folder = Path(folder)
    _check_folder(folder)
    folder.mkdir(parents=True, exist_ok=True)
    if fmt == "parquet":
        import pyarrow  # noqa: F401  (fail before any file is written when it is missing)
    make = _CsvSink if fmt == "csv" else _ParquetSink
    tmp = {t.name: folder / f".{t.name}.{fmt}.tmp" for t in TABLES}
    sinks: dict[str, _Sink] = {}
    counts = {t.name: 0 for t in TABLES}
    try:
        for t in TABLES:
            sinks[t.name] = make(tmp[t.name], t)
        named: set[str] = set()
        for part in iter_parts(store, selection):
            for t in TABLES:
                if t.rows is None:
                    continue
                rows = list(t.rows(part))
                sinks[t.name].write(rows)
                counts[t.name] += len(rows)
            if sum(sink.text for sink in sinks.values()) >= TEXT_BUFFERED:
                for sink in sinks.values():
                    sink.flush()
            if selection != Selection():
                named |= record_actor_ids(part.analysis)
        # actors last: every actor (whole store) or those the exported records name
        batch: list[tuple] = []
        aliases: list[tuple] = []
        for info in actor_infos(store, None if selection == Selection() else named):
            batch.append(actor_rows(info))
            aliases.extend(alias_rows(info))
            if len(batch) >= ROWS_PER_GROUP:
                _write_actors(sinks, counts, batch, aliases)
                batch, aliases = [], []
        _write_actors(sinks, counts, batch, aliases)
    finally:
        for sink in sinks.values():
            sink.close()
    for t in TABLES:
        tmp[t.name].replace(folder / f"{t.name}.{fmt}")
    write_text_atomic(folder / "manifest.json", json.dumps(_manifest(fmt, counts, selection), indent=2) + "\n")
    return counts


def _write_actors(sinks: dict[str, _Sink], counts: dict[str, int], batch: list[tuple], aliases: list[tuple]) -> None:
    sinks["actors"].write(batch)
    sinks["actor_aliases"].write(aliases)
    counts["actors"] += len(batch)
    counts["actor_aliases"] += len(aliases)


def _manifest(fmt: str, counts: dict[str, int], selection: Selection) -> dict[str, Any]:
    return {"schema_version": SCHEMA_VERSION, "format": f"crossread {fmt.upper()} tables",
            "selection": {"story": selection.story, "since": selection.since},
            "tables": {t.name: {"file": f"{t.name}.{fmt}", "rows": counts[t.name], "description": t.description,
                                "columns": {c.name: c.type for c in t.columns}} for t in TABLES},
            "notes": ["offsets (char_start, char_end) index the text column of articles",
                      "several actor ids, names or outlets in one field are joined with '; '"]}
