"""Result writers (CSV, XLSX, JSON, Parquet) that give identical bytes for identical input, and the run manifest.

Determinism: columns keep the caller's order, floats are written in their
shortest round-trip form, missing values are empty/null, and nothing inside a
results file depends on the clock (XLSX properties and zip entry times are
fixed).  The manifest is the only file that records a time.
Text cells of CSV/XLSX are neutralised against spreadsheet formula injection.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

import engine
from engine.diagnostics import fail, file_span
from engine.i18n import _
from engine.safe_output import HashingFile, atomic, atomic_text, file_sha256

Table = Mapping[str, Any] | Sequence[tuple[str, Any]]
_DANGEROUS = ("=", "+", "-", "@", "\t", "\r")
XLSX_MAX_ROWS = 1_048_575  # Excel's sheet limit less the header row
# Parquet rows per row group, fixed so a streamed run (ResultStream) writes the same bytes as
# an in-memory one; small enough that a streamed writer buffers little.
ROW_GROUP = 1 << 17
STREAMED_SUFFIXES = (".csv", ".parquet")  # written chunk by chunk (``ResultStream``)


def neutralise_text(text: str) -> str:
    """A text cell that a spreadsheet would read as a formula gets a leading `'`."""
    return "'" + text if text.startswith(_DANGEROUS) else text


def write_results(table: Table, path: str | Path, sheet: str = "results") -> None:
    """Write ``table`` (name -> column, in order) as .csv, .xlsx, .json or .parquet by suffix."""
    cols = table_columns(table)
    suffix = _suffix(path, "results")
    n = len(cols[0][1]) if cols else 0
    if suffix == ".xlsx" and n > XLSX_MAX_ROWS:
        raise fail("output.too-many-rows", _("{n} rows do not fit one Excel sheet ({most} max)", n=n,
                                             most=XLSX_MAX_ROWS), _("write .csv or .parquet"), file_span(path))
    if suffix == ".xlsx":
        from engine.xlsx_results import write_xlsx

        write_xlsx(cols, Path(path), sheet)
    elif suffix == ".json":
        from engine.json_results import write_json

        write_json(cols, Path(path))
    else:
        with ResultStream(path) as out:  # renames a complete file into place
            out.write(cols)


def _suffix(path: str | Path, what: str) -> str:
    suffix = Path(path).suffix.lower()
    if suffix not in (*STREAMED_SUFFIXES, ".json", ".xlsx"):
        message = (_("cannot write `{suffix}` results to {path}") if what == "results"
                   else _("cannot write `{suffix}` changes to {path}"))
        raise fail("output.unknown-format", message.format(suffix=suffix or _("(no suffix)"), path=path),
                   _("name a .csv, .xlsx, .json or .parquet file"), file_span(path))
    return suffix


def open_results(path: str | Path, what: str = "results") -> ResultStream | HeldResults:
    """A writer of ``path`` taking tables chunk by chunk (``write``, then ``close`` or ``abort``):
    CSV and Parquet are streamed, JSON and XLSX held and written in one piece on ``close``."""
    return ResultStream(path) if _suffix(path, what) in STREAMED_SUFFIXES else HeldResults(path)


class HeldResults:
    """JSON or XLSX results: the chunks are held and written in one piece, atomically, on ``close``."""

    def __init__(self, path: str | Path):
        self.path, self.rows, self._held = Path(path), 0, []  # type: tuple[Path, int, list[dict[str, Any]]]

    def write(self, table: Table, present: bool = False) -> None:
        cols = table_columns(presentable(table) if present else table)
        self._held.append(dict(cols))
        self.rows += len(cols[0][1]) if cols else 0

    def close(self) -> None:
        held = self._held or [{}]
        write_results({k: np.concatenate([h[k] for h in held]) for k in held[0]}, self.path)

    def abort(self) -> None:
        self._held = []


def presentable(table: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Numeric columns snapped to 12 significant digits: float noise is not shown to auditors."""
    from engine.evaluate.numeric import snap

    floats = [k for k, v in table.items() if isinstance(v, np.ndarray) and v.dtype.kind == "f"]
    if len(floats) > 1 and len(table[floats[0]]) >= 1 << 16:
        from engine.evaluate.blocks import parallel_map  # large columns: both cores (numpy releases the GIL)

        snapped = dict(zip(floats, parallel_map(snap, [table[k] for k in floats])))
    else:
        snapped = {k: snap(table[k]) for k in floats}
    return {k: snapped.get(k, v) for k, v in table.items()}


def table_columns(table: Table, arrow: bool = False) -> list[tuple[str, np.ndarray]]:
    """The columns as arrays (``arrow``: an Arrow column is kept as it is, for the Parquet/CSV writer)."""
    items = list(table.items()) if isinstance(table, Mapping) else list(table)
    out = []
    lengths = set()
    for name, col in items:
        arr = col if arrow and _is_arrow(col) else np.asarray(col)
        if isinstance(arr, np.ndarray) and arr.dtype.kind in "US":  # plain numpy strings: treat as text
            arr = arr.astype(object)
        out.append((str(name), arr))
        lengths.add(len(arr))
    if len(lengths) > 1:
        raise ValueError(f"result columns differ in length: {sorted(lengths)}")
    return out


def _is_arrow(col: Any) -> bool:
    return type(col).__module__.startswith("pyarrow")


def clean_float(arr: np.ndarray) -> np.ndarray:
    # -0.0 + 0.0 is 0.0: a negative zero must not print as "-0".
    return np.add(arr, 0.0, dtype=np.float64)  # one pass (not a copy, then an addition)


def _arrow(arr: np.ndarray, neutralise: bool) -> Any:
    """One column as an Arrow array: numbers with null for missing, anything else as text (an Arrow
    column is already text: a dictionary-encoded one is decoded)."""
    import pyarrow as pa

    from engine.data import compute as pc  # Arrow's kernels without importing pyarrow.compute

    if _is_arrow(arr):
        text = pc.cast(arr, pa.string()) if pa.types.is_dictionary(arr.type) else arr
        return _neutralised(text) if neutralise else text
    if arr.dtype.kind == "b":
        return pa.array(arr)
    if arr.dtype.kind in "iu":
        return pa.array(arr.astype(np.int64))
    if arr.dtype.kind == "f":
        values = clean_float(arr)
        return pa.array(values, mask=~np.isfinite(values))
    text = _fast_text(arr)
    if text is None:
        text = pa.array([_text(v) for v in arr], type=pa.string())
    return _neutralised(text) if neutralise else text


def _neutralised(text: Any) -> Any:
    from engine.data import compute as pc

    risky = pc.fill_null(pc.match_substring_regex(text, r"^[=+\-@\t\r]"), False)
    return pc.if_else(risky, pc.binary_join_element_wise("'", text, ""), text)


def _fast_text(arr: np.ndarray) -> Any:
    """An object column of text and None converted in Arrow's C loop (None when it holds anything else)."""
    import pyarrow as pa

    try:
        return pa.array(arr, type=pa.string(), from_pandas=False)
    except (pa.ArrowTypeError, pa.ArrowInvalid):
        return None


def _text(v: Any) -> str | None:
    if v is None or (isinstance(v, float) and not math.isfinite(v)):
        return None
    if isinstance(v, (bool, np.bool_)):
        return "true" if v else "false"
    if isinstance(v, (float, np.floating)):
        return repr(float(v) + 0.0)
    return str(v)


def _conformed(table: Any, schema: Any, path: Path) -> Any:
    """A later chunk cast to the first chunk's column types (a column all missing in one chunk has
    no type of its own); different column names or an impossible cast is a bug of the evaluator."""
    import pyarrow as pa

    if table.schema.names != schema.names:
        raise ValueError(f"{path}: the result columns changed between chunks")
    try:
        return table.cast(schema)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError, pa.ArrowTypeError) as exc:
        raise ValueError(f"{path}: a result column's type changed between chunks ({exc})") from exc


class ResultStream:
    """CSV or Parquet results written chunk by chunk, byte-identical to writing them at once.

    Parquet row groups are always ``ROW_GROUP`` rows (the last one shorter), cut from
    contiguous columns whatever the chunk sizes, so the bytes do not depend on chunking.
    The rows go to a temporary file beside ``path``, renamed onto it by ``close`` (and
    removed by ``abort``): ``path`` never holds a partial set of rows.
    """

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self._atomic = atomic(self.path)
        self._tmp = self._atomic.__enter__()
        self._sink: HashingFile | None = None  # the open temporary file, hashed as it is written
        self.csv = self.path.suffix.lower() == ".csv"
        self.rows = 0
        self._writer: Any = None
        self._schema: Any = None
        self._pending: list[Any] = []
        self._pending_rows = 0
        self._pool: Any = None  # one background thread: Parquet encoding overlaps the next chunk
        self._busy: Any = None

    def write(self, table: Table, present: bool = False) -> None:
        """Take a chunk of rows (``present``: its numbers snapped first, as ``presentable`` does).  The
        chunk is converted and encoded on the writer's thread while the caller computes the next one."""
        cols = table_columns(table, arrow=True)
        self.rows += len(cols[0][1]) if cols else 0
        self._submit(self._encode, cols, present)

    def _encode(self, cols: list[tuple[str, np.ndarray]], present: bool) -> None:
        import pyarrow as pa

        if present:
            cols = list(presentable(dict(cols)).items())
        t = pa.table({name: _arrow(arr, neutralise=self.csv) for name, arr in cols})
        if self._schema is None:
            self._open(t.schema)
        elif t.schema != self._schema:
            t = _conformed(t, self._schema, self.path)
        if self.csv:
            self._writer.write_table(t)
            return
        self._pending.append(t)
        self._pending_rows += t.num_rows
        if self._pending_rows >= ROW_GROUP:
            self._flush(final=False)

    def _open(self, schema: Any) -> None:
        self._schema = schema
        if self.csv:
            import pyarrow.csv as pcsv

            self._sink = HashingFile(self._tmp)
            self._writer = pcsv.CSVWriter(self._sink, schema, write_options=pcsv.WriteOptions(include_header=True))
        else:
            import pyarrow.parquet as pq

            # No dictionary for the subject id (unique per row) and one given up sooner on other
            # high-cardinality columns: 8% less encoding time, a slightly smaller file.
            plain = [f.name for f in schema if f.name == "subject_id"]
            self._sink = HashingFile(self._tmp)
            self._writer = pq.ParquetWriter(self._sink, schema, compression="zstd",
                                            use_dictionary=[f.name for f in schema if f.name not in plain],
                                            dictionary_pagesize_limit=1 << 18)

    def _flush(self, final: bool) -> None:
        import pyarrow as pa

        if not self._pending:
            return
        table = pa.concat_tables(self._pending) if len(self._pending) > 1 else self._pending[0]
        whole = (table.num_rows // ROW_GROUP) * ROW_GROUP
        cut = table.num_rows if final else whole
        if cut:
            self._writer.write_table(table.slice(0, cut).combine_chunks(), row_group_size=ROW_GROUP)
        rest = table.slice(cut)
        self._pending = [rest] if rest.num_rows else []
        self._pending_rows = rest.num_rows

    def _submit(self, job: Any, *args: Any) -> None:
        # One job in flight on one background thread: chunks are encoded in order, memory stays
        # bounded, and Arrow's conversion, snapping (numpy) and Parquet encoding (write_table
        # releases the GIL) overlap the caller's next chunk.
        from concurrent.futures import ThreadPoolExecutor

        from engine.i18n import carried

        self._wait()
        if self._pool is None:
            self._pool = ThreadPoolExecutor(1, thread_name_prefix="kinerja-write")
        self._busy = self._pool.submit(carried(job), *args)

    def _wait(self) -> None:
        if self._busy is not None:
            busy, self._busy = self._busy, None
            busy.result()

    def close(self) -> None:
        try:
            self._wait()
            if self._writer is None:  # no chunk at all: a file without columns
                import pyarrow as pa

                self._open(pa.schema([]))
            if not self.csv:
                self._flush(final=True)
            self._finish()
        except BaseException as exc:
            self._atomic.__exit__(type(exc), exc, exc.__traceback__)
            raise
        self._atomic.__exit__(None, None, None)  # renamed into place
        if self._sink is not None:  # the manifest's SHA-256 of the results, without reading them again
            self._sink.remember(self.path)

    def _finish(self) -> None:
        try:
            self._wait()
        finally:
            if self._pool is not None:
                self._pool.shutdown()
                self._pool = None
            try:
                if self._writer is not None:
                    self._writer.close()
            finally:
                if self._sink is not None:
                    self._sink.close()

    def abort(self) -> None:
        """Stop writing and remove the partial file (``path`` keeps what it held before)."""
        try:
            self._finish()
        except Exception:  # noqa: BLE001 - the file is removed anyway
            pass
        self._tmp.unlink(missing_ok=True)

    def __enter__(self) -> ResultStream:
        return self

    def __exit__(self, kind: object, *rest: object) -> None:
        if kind is None:
            self.close()
        else:
            self.abort()


# ------------------------------------------------------------------ manifest

def write_manifest(path: str | Path, *, policy_files: Iterable[str | Path], data_files: Iterable[str | Path],
                   rows_read: int, rows_scored: int, rows_rejected: int, policy_id: str | None = None,
                   policy_version: str | None = None, results_file: str | Path | None = None,
                   rejects_file: str | Path | None = None, run_time: dt.datetime | None = None,
                   extra: Mapping[str, Any] | None = None, explanations_file: str | Path | None = None
                   ) -> dict[str, Any]:
    """Write the run's provenance as JSON and return it: the only place a time appears.

    Written last and atomically, it names every output with its SHA-256, so a stale or
    partial set of files is detectable (``kinerja verify``)."""
    when = run_time or dt.datetime.now(dt.timezone.utc)
    manifest: dict[str, Any] = {
        "engine": {"name": "kinerja", "version": engine.__version__},
        "run_time": when.isoformat(timespec="seconds"),
        "policy": {"id": policy_id, "version": policy_version,
                   "files": [_file_entry(p) for p in policy_files]},
        "data_files": [_file_entry(p) for p in data_files],
        "rows": {"read": rows_read, "scored": rows_scored, "rejected": rows_rejected},
        "reconciles": rows_read == rows_scored + rows_rejected,
    }
    for key, out in (("results", results_file), ("rejects", rejects_file), ("explanations", explanations_file)):
        if out is not None:
            manifest[key] = _file_entry(out)
    if extra:
        manifest.update(extra)
    atomic_text(path, json.dumps(manifest, ensure_ascii=False, indent=2) + "\n")
    return manifest


def write_run_manifest(run: Any, path: str | Path, data_files: Sequence[str | Path], results: str | Path,
                       rejects: str | Path, explanations: str | Path | None = None) -> dict[str, Any]:
    """The manifest of an ``engine.api.Run``: its files with their SHA-256, the rules' id and versions,
    row counts that reconcile, agency files, warnings, quota violations (``write_manifest``)."""
    from dataclasses import asdict

    report, header = run.report, run.plan.header
    return write_manifest(
        path, policy_files=run.policy_files(), data_files=list(data_files),
        rows_read=report.rows_read, rows_scored=report.rows_accepted, rows_rejected=report.rows_rejected,
        policy_id=header.name if header else None,
        policy_version=", ".join(p.header.version or "" for p in run.plans if p.header) or None,
        results_file=results, rejects_file=rejects, explanations_file=explanations,
        extra={"subjects": run.subjects, "runtime_errors": run.runtime_errors,
               "agency_files": [{"path": f, "sha256": file_sha256(f), "subjects": k}
                                for f, k in sorted(run.agency_files.items())],
               "quota_violations": [v.to_dict() for v in run.violations], "levels": run.levels,
               "warnings": [asdict(w) for w in report.warnings],
               "files_read": [asdict(f) for f in report.files]})


def _file_entry(path: str | Path) -> dict[str, str]:
    return {"path": str(path), "sha256": file_sha256(path)}
