"""Autoloader (``spark.readStream.format("cloudFiles")``), emulated on Spark's own file streaming source.

What Databricks documents, and what the emulation does (README.md has the full table):

- **Files once each, across runs.** The stream is Spark's ``binaryFile`` streaming source over the
  folder: Spark's checkpoint (the writer's ``checkpointLocation``) records which files were read,
  so ``trigger(availableNow=True)``, ``foreachBatch``, ``toTable`` and restarts behave as Spark's
  file source does, and a file is read once. ``cloudFiles.maxFilesPerTrigger`` (default 1000, as
  Databricks) and ``cloudFiles.maxBytesPerTrigger`` map to the file source's options;
  ``maxFileAge`` is lifted so that old modification times never hide a file (Autoloader keeps
  every file it saw).
- **Parsing with Autoloader's rules.** Each file's bytes are parsed by a Python function of this
  module (pyarrow for Parquet, ``json`` for JSON lines or ``multiLine``, ``csv`` for CSV) into rows
  of the stream's schema, value by value, so that the rescued data column can hold exactly what
  did not fit: a value of another type, a column the schema does not have, a column whose name
  differs only in case. ``_rescued_data`` is a JSON object of those values plus ``_file_path``.
- **``_metadata``** is the file source's own hidden column (``file_path``, ``file_name``,
  ``file_size``, ``file_block_start``, ``file_block_length``, ``file_modification_time``): select
  it explicitly, as on Databricks; ``select("*")`` does not include it.
- **Schema inference and evolution** (``cloudFiles.schemaLocation``): the schema is inferred with
  Spark's own batch readers from up to 1,000 existing files (JSON and CSV as strings unless
  ``cloudFiles.inferColumnTypes``; Parquet's schemas merged), ``cloudFiles.schemaHints`` applied,
  and written to ``<schemaLocation>/_schemas/<version>``; later runs read the latest version.
  ``cloudFiles.schemaEvolutionMode``: ``addNewColumns`` (default without a given schema) — files
  with columns the schema lacks stop the stream with ``UnknownFieldException`` after the new
  columns were added to the schema location, and the next run reads them; ``rescue`` — the schema
  never changes, new columns go to ``_rescued_data``; ``failOnNewColumns`` — fails until the schema
  is changed; ``none`` (default with a given schema) — new columns are ignored, rescued only when
  ``rescuedDataColumn`` is set.

Differences (documented, on purpose): a new column is detected when the stream is *started*
(``load``), for the files not yet inspected, instead of in the micro-batch that reads it — the
stream fails before reading anything rather than after the earlier files; the data once the
stream has been restarted is the same. Only top-level columns evolve or are rescued (a nested
field of another type rescues the whole top-level value).
"""

from __future__ import annotations

import base64
import csv
import datetime as _dt
import decimal
import io
import json
import re
from pathlib import Path
from typing import Any, Dict, Iterable, List, Optional, Tuple

RESCUED_DEFAULT = "_rescued_data"
BINARY_FILE_SCHEMA = "path STRING, modificationTime TIMESTAMP, length BIGINT, content BINARY"
SCHEMA_SAMPLE_FILES = 1000
PARSED_FORMATS = ("parquet", "json", "csv")
FIXED_SCHEMA_FORMATS = ("text", "binaryfile")
EVOLUTION_MODES = ("addnewcolumns", "rescue", "failonnewcolumns", "none")
# Options Databricks accepts that change nothing in a local emulation (notifications, listing
# strategy, cloud credentials...). Any other unknown cloudFiles.* option is an error, so that a
# typo in generated code is not silently accepted.
IGNORED_CLOUDFILES_OPTIONS = {
    "cloudfiles.usenotifications", "cloudfiles.validateoptions", "cloudfiles.backfillinterval",
    "cloudfiles.useincrementallisting", "cloudfiles.fetchparallelism", "cloudfiles.allowoverwrites",
    "cloudfiles.connectionstring", "cloudfiles.resourcegroup", "cloudfiles.subscriptionid",
    "cloudfiles.tenantid", "cloudfiles.clientid", "cloudfiles.clientsecret", "cloudfiles.queuename",
    "cloudfiles.region", "cloudfiles.uselegacyfilelisting", "cloudfiles.usestrictglobber",
    "cloudfiles.maxfileage", "cloudfiles.partitioncolumns",
}
KNOWN_CLOUDFILES_OPTIONS = {
    "cloudfiles.format", "cloudfiles.schemalocation", "cloudfiles.schemaevolutionmode",
    "cloudfiles.infercolumntypes", "cloudfiles.schemahints", "cloudfiles.maxfilespertrigger",
    "cloudfiles.maxbytespertrigger", "cloudfiles.includeexistingfiles",
} | IGNORED_CLOUDFILES_OPTIONS
# Options of the underlying format that the parser here honours.
READER_OPTIONS = {"header", "sep", "delimiter", "quote", "escape", "encoding", "charset", "multiline",
                  "nullvalue", "emptyvalue", "comment", "lineSep".lower()}


class UnknownFieldException(RuntimeError):
    """Databricks' ``UNKNOWN_FIELD_EXCEPTION``: new columns stopped the stream; a restart reads them."""

    def __init__(self, fields: List[str], files: List[str], retry: bool = True):
        self.fields, self.files, self.retry = fields, files, retry
        super().__init__(
            f"[UNKNOWN_FIELD_EXCEPTION.NEW_FIELDS_IN_FILE] Encountered unknown fields during parsing: "
            f"{', '.join(fields)}, which can be fixed by an automatic retry: {str(retry).lower()} "
            f"(files: {', '.join(files[:5])}{'…' if len(files) > 5 else ''})")


class AutoLoaderError(ValueError):
    """A configuration Databricks would refuse, or one the emulation does not cover."""


class AutoLoader:
    """One ``spark.readStream.format("cloudFiles")`` source; ``load`` returns the streaming DataFrame."""

    def __init__(self, spark, context, options: Dict[str, str], user_schema=None):
        self.spark = spark
        self.context = context
        self.lake = context.lake
        self.options = {k.lower(): str(v) for k, v in options.items()}
        self.original_keys = {k.lower(): k for k in options}
        self.user_schema = user_schema
        self.ignored_options: List[str] = []
        self.schema = None  # the data schema the stream reads (without the rescued column)
        self.rescued_column: Optional[str] = None
        self.mode: Optional[str] = None
        self.path: Optional[str] = None
        self.schema_location: Optional[str] = None

    # -- options ---------------------------------------------------------------------------------
    def _opt(self, key: str, default: Optional[str] = None) -> Optional[str]:
        return self.options.get(key.lower(), default)

    def _flag(self, key: str, default: bool = False) -> bool:
        value = self._opt(key)
        return default if value is None else value.strip().lower() == "true"

    def _check_options(self) -> None:
        for key in self.options:
            if key.startswith("cloudfiles.") and key not in KNOWN_CLOUDFILES_OPTIONS:
                raise AutoLoaderError(f"Unknown Autoloader option {self.original_keys[key]!r} (the emulation knows "
                                      f"{', '.join(sorted(KNOWN_CLOUDFILES_OPTIONS - IGNORED_CLOUDFILES_OPTIONS))})")
            if key in IGNORED_CLOUDFILES_OPTIONS:
                self.ignored_options.append(self.original_keys[key])
        if not self._flag("cloudFiles.includeExistingFiles", True):
            raise AutoLoaderError("cloudFiles.includeExistingFiles=false is not emulated (Spark's file source reads existing files)")

    # -- load ------------------------------------------------------------------------------------
    def load(self, path: str):
        from pyspark.sql import functions as F

        self._check_options()
        fmt = (self._opt("cloudFiles.format") or "").lower()
        if not fmt:
            raise AutoLoaderError("cloudFiles.format must be set (parquet, json, csv, text, binaryFile)")
        self.path = str(path)
        self.lake.mount_all_in([self.path])
        if fmt in FIXED_SCHEMA_FORMATS:
            return self._fixed_schema_stream(fmt)
        if fmt not in PARSED_FORMATS:
            raise AutoLoaderError(f"cloudFiles.format {fmt!r} is not emulated (parquet, json, csv, text, binaryFile are)")

        mode = (self._opt("cloudFiles.schemaEvolutionMode") or ("none" if self.user_schema is not None else "addNewColumns")).lower()
        if mode not in EVOLUTION_MODES:
            raise AutoLoaderError(f"cloudFiles.schemaEvolutionMode must be one of addNewColumns, rescue, failOnNewColumns, none; not {mode!r}")
        if mode == "addnewcolumns" and self.user_schema is not None:
            raise AutoLoaderError("Schema evolution mode addNewColumns is not supported when the schema is specified "
                                  "(give the schema as cloudFiles.schemaHints instead)")
        self.mode = mode

        files = self.lake.files(self.path)
        if self.user_schema is not None:
            self.schema = self.user_schema
        else:
            self.schema = self._inferred_schema(fmt, files)

        rescued = self.options.get("rescueddatacolumn")
        if rescued is None and (mode == "rescue" or (self.user_schema is None and mode != "none")):
            rescued = RESCUED_DEFAULT
        if rescued and any(f.name.lower() == rescued.lower() for f in self.schema.fields):
            raise AutoLoaderError(f"The rescued data column {rescued!r} is also a column of the schema")
        self.rescued_column = rescued

        plan = {
            "format": fmt,
            "schema": self.schema.json(),
            "rescued": rescued,
            "mode": mode,
            "reader": {k: v for k, v in self.options.items() if k in READER_OPTIONS},
        }
        from pyspark.sql.types import ArrayType, StringType, StructField, StructType

        row_type = StructType(list(self.schema.fields) + ([StructField(rescued, StringType(), True)] if rescued else []))
        parse = F.udf(lambda content, file_path: parse_file(content, file_path, plan), ArrayType(row_type, containsNull=False))

        reader = self.spark.harness_real_session.readStream.format("binaryFile").schema(BINARY_FILE_SCHEMA)
        reader = reader.option("maxFilesPerTrigger", self._opt("cloudFiles.maxFilesPerTrigger", "1000"))
        if self._opt("cloudFiles.maxBytesPerTrigger"):
            reader = reader.option("maxBytesPerTrigger", self._opt("cloudFiles.maxBytesPerTrigger"))
        reader = reader.option("maxFileAge", "36500d")
        if self._opt("pathGlobFilter"):
            reader = reader.option("pathGlobFilter", self._opt("pathGlobFilter"))
        if self._recursive(files):
            reader = reader.option("recursiveFileLookup", "true")
        files_df = reader.load(self.path)
        partition_columns = [c for c in files_df.columns if c not in ("path", "modificationTime", "length", "content")]
        parsed = files_df.select(F.inline(parse(F.col("content"), F.col("path"))), *[F.col(c) for c in partition_columns])
        # The session the notebook sees (the harness's spark), as a DataFrame read through it would have.
        from pyspark.sql import DataFrame

        return DataFrame(parsed._jdf, self.spark)

    def _fixed_schema_stream(self, fmt: str):
        reader = self.spark.harness_real_session.readStream.format("binaryFile" if fmt == "binaryfile" else "text")
        if fmt == "binaryfile":
            reader = reader.schema(BINARY_FILE_SCHEMA)
        for key in ("pathGlobFilter", "wholetext", "lineSep"):
            if self._opt(key):
                reader = reader.option(key, self._opt(key))
        reader = reader.option("maxFilesPerTrigger", self._opt("cloudFiles.maxFilesPerTrigger", "1000")).option("maxFileAge", "36500d")
        from pyspark.sql import DataFrame

        return DataFrame(reader.load(self.path)._jdf, self.spark)

    def _recursive(self, files: List[Path]) -> bool:
        """Autoloader lists sub-folders; Spark does so for Hive-style partition folders only, unless told."""
        base = self.lake.local_path(self.path)
        for f in files:
            rel = f.relative_to(base) if base in f.parents else None
            if rel is not None and any("=" not in part for part in rel.parts[:-1]):
                return True
        return False

    # -- schema location -------------------------------------------------------------------------
    def _schema_dir(self) -> Path:
        location = self._opt("cloudFiles.schemaLocation") or self.context.default_schema_location()
        if not location:
            raise AutoLoaderError("cloudFiles.schemaLocation must be set when the schema is inferred "
                                  "(or give the schema with .schema(...))")
        self.schema_location = location
        return self.lake.local_path(location) / "_schemas"

    def schema_versions(self) -> List[int]:
        folder = self._schema_dir()
        if not folder.is_dir():
            return []
        return sorted(int(p.name) for p in folder.iterdir() if p.name.isdigit())

    def _read_schema(self, version: int):
        from pyspark.sql.types import StructType

        text = (self._schema_dir() / str(version)).read_text(encoding="utf-8")
        header, _, body = text.partition("\n")
        if header.strip() != "v1":
            raise AutoLoaderError(f"unknown schema file format in {self._schema_dir() / str(version)}")
        return StructType.fromJson(json.loads(body))

    def _write_schema(self, schema, version: int) -> None:
        folder = self._schema_dir()
        folder.mkdir(parents=True, exist_ok=True)
        (folder / str(version)).write_text("v1\n" + schema.json(), encoding="utf-8")

    def _inspected_file(self) -> Path:
        return self._schema_dir() / "_harness_inspected_files.json"

    def _inspected(self) -> set:
        marker = self._inspected_file()
        return set(json.loads(marker.read_text(encoding="utf-8"))) if marker.exists() else set()

    def _mark_inspected(self, files: Iterable[Path]) -> None:
        known = self._inspected() | {str(f) for f in files}
        self._inspected_file().write_text(json.dumps(sorted(known)), encoding="utf-8")

    # -- inference -------------------------------------------------------------------------------
    def _spark_paths(self, files: List[Path]) -> List[str]:
        base_local = self.lake.local_path(self.path)
        if self.path.startswith("abfss://"):
            return [self.path.rstrip("/") + "/" + f.relative_to(base_local).as_posix() if f != base_local else self.path for f in files]
        return [str(f) for f in files]

    def infer(self, fmt: str, files: List[Path]):
        """The schema Autoloader infers from these files (Spark's own batch readers do the work)."""
        real = self.spark.harness_real_session
        reader = real.read.format(fmt)
        for key, value in self.options.items():
            if key in READER_OPTIONS:
                reader = reader.option(self.original_keys[key], value)
        infer_types = self._flag("cloudFiles.inferColumnTypes")
        if fmt == "json":
            reader = reader.option("primitivesAsString", str(not infer_types).lower())
        elif fmt == "csv":
            reader = reader.option("inferSchema", str(infer_types).lower())
        elif fmt == "parquet":
            # Autoloader merges the Parquet files' schemas; Spark's mergeSchema would fail on a
            # column whose type differs between files (that is for the rescued data column to
            # handle), so merge by name here: the first file's type of a column wins. Reading one
            # file's schema is a footer read on the driver, not a job.
            from pyspark.sql.types import StructType

            fields, seen = [], set()
            for path in self._spark_paths(files):
                for f in reader.load(path).schema.fields:
                    if f.name.lower() not in seen:
                        seen.add(f.name.lower())
                        fields.append(f)
            return StructType(fields)
        return reader.load(self._spark_paths(files)).schema

    def _apply_hints(self, schema):
        hints = self._opt("cloudFiles.schemaHints")
        if not hints:
            return schema
        from pyspark.sql.types import StructField, StructType, _parse_datatype_string

        hinted = _parse_datatype_string(f"struct<{_ddl_to_struct_fields(hints)}>")
        fields = list(schema.fields)
        for hint in hinted.fields:
            for i, f in enumerate(fields):
                if f.name.lower() == hint.name.lower():
                    fields[i] = StructField(f.name, hint.dataType, True, f.metadata)
                    break
            else:
                fields.append(StructField(hint.name, hint.dataType, True))
        return StructType(fields)

    def _inferred_schema(self, fmt: str, files: List[Path]):
        versions = self.schema_versions()
        if versions:
            schema = self._read_schema(versions[-1])
        else:
            if not files:
                raise AutoLoaderError(f"[CF_EMPTY_DIR_FOR_SCHEMA_INFERENCE] Cannot infer schema when the input path "
                                      f"{self.path} is empty. Try to start the stream when there are files in the input "
                                      f"path, or specify the schema.")
            sample = files[:SCHEMA_SAMPLE_FILES]
            schema = self._apply_hints(self.infer(fmt, sample))
            self._write_schema(schema, 0)
            self._mark_inspected(sample)
            versions = [0]
        if self.mode in ("addnewcolumns", "failonnewcolumns"):
            inspected = self._inspected()
            new_files = [f for f in files if str(f) not in inspected]
            if new_files:
                found = self.infer(fmt, new_files)
                known = {f.name.lower() for f in schema.fields}
                added = [f for f in found.fields if f.name.lower() not in known]
                if added:
                    names = [f.name for f in added]
                    if self.mode == "failonnewcolumns":
                        raise UnknownFieldException(names, self._spark_paths(new_files), retry=False)
                    from pyspark.sql.types import StructField, StructType

                    merged = self._apply_hints(StructType(list(schema.fields) + [StructField(f.name, f.dataType, True) for f in added]))
                    self._write_schema(merged, versions[-1] + 1)
                    self._mark_inspected(new_files)
                    raise UnknownFieldException(names, self._spark_paths(new_files))
                self._mark_inspected(new_files)
        return schema


def _ddl_to_struct_fields(ddl: str) -> str:
    """'a INT, b STRING' -> 'a:INT,b:STRING' (the struct<> form pyspark's parser takes)."""
    parts, depth, current = [], 0, []
    for ch in ddl:
        if ch in "<(":
            depth += 1
        elif ch in ">)":
            depth -= 1
        if ch == "," and depth == 0:
            parts.append("".join(current))
            current = []
        else:
            current.append(ch)
    parts.append("".join(current))
    fields = []
    for part in parts:
        part = part.strip()
        if not part:
            continue
        if part.startswith("`"):
            end = part.index("`", 1)
            name, rest = part[: end + 1], part[end + 1:]
        else:
            name, _, rest = part.partition(" ")
        fields.append(f"{name}:{rest.strip()}")
    return ",".join(fields)


# ---------------------------------------------------------------------------------------------------
# Parsing: runs in Spark's Python workers (this module is on their PYTHONPATH).
# ---------------------------------------------------------------------------------------------------

class RawNumber(str):
    """A JSON number, kept as its text (Spark reads a number into a string column as its text)."""


_INT_TEXT = re.compile(r"^\s*[+-]?\d+\s*$")
_INT_RANGES = {"byte": (-2 ** 7, 2 ** 7 - 1), "short": (-2 ** 15, 2 ** 15 - 1),
               "integer": (-2 ** 31, 2 ** 31 - 1), "long": (-2 ** 63, 2 ** 63 - 1)}
_MISMATCH = object()


def parse_file(content: bytes, file_path: str, plan: Dict[str, Any]) -> List[tuple]:
    from pyspark.sql.types import StructType

    schema = StructType.fromJson(json.loads(plan["schema"]))
    fmt, rescued_col, mode = plan["format"], plan["rescued"], plan["mode"]
    reader = plan["reader"]
    if fmt == "parquet":
        records = _parquet_records(content)
    elif fmt == "json":
        records = _json_records(content, reader)
    else:
        records = _csv_records(content, reader)
    by_lower = {f.name.lower(): f for f in schema.fields}
    rows = []
    for record, kinds in records:
        values: Dict[str, Any] = {}
        rescued: Dict[str, Any] = {}
        for key, raw in record.items():
            field = by_lower.get(key.lower()) if key is not None else None
            if key is None:  # a malformed record: nothing could be read from it
                rescued["_corrupt_record"] = raw
                continue
            if field is None:
                if mode in ("addnewcolumns", "failonnewcolumns"):
                    raise UnknownFieldException([key], [file_path], retry=mode == "addnewcolumns")
                rescued[key] = _json_value(raw)
                continue
            if field.name != key:  # the same name in another case: rescued, as Databricks does
                rescued[key] = _json_value(raw)
                continue
            converted = _conform(raw, field.dataType, fmt, kinds.get(key) if kinds else None)
            if converted is _MISMATCH:
                rescued[key] = _json_value(raw)
            else:
                values[field.name] = converted
        row = [values.get(f.name) for f in schema.fields]
        if rescued_col:
            if rescued:
                rescued["_file_path"] = file_path
                row.append(json.dumps(rescued, separators=(",", ":"), ensure_ascii=False))
            else:
                row.append(None)
        rows.append(tuple(row))
    return rows


def _parquet_records(content: bytes):
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pq.read_table(pa.BufferReader(content))
    kinds = {name: _arrow_kind(table.schema.field(name).type) for name in table.column_names}
    columns = {name: table.column(name).to_pylist() for name in table.column_names}
    for i in range(table.num_rows):
        yield {name: columns[name][i] for name in table.column_names}, kinds


def _arrow_kind(arrow_type) -> str:
    import pyarrow.types as t

    if t.is_boolean(arrow_type):
        return "boolean"
    if t.is_int8(arrow_type):
        return "byte"
    if t.is_int16(arrow_type) or t.is_uint8(arrow_type):
        return "short"
    if t.is_int32(arrow_type) or t.is_uint16(arrow_type):
        return "integer"
    if t.is_int64(arrow_type) or t.is_uint32(arrow_type):
        return "long"
    if t.is_float32(arrow_type):
        return "float"
    if t.is_float64(arrow_type):
        return "double"
    if t.is_decimal(arrow_type):
        return f"decimal({arrow_type.precision},{arrow_type.scale})"
    if t.is_string(arrow_type) or t.is_large_string(arrow_type):
        return "string"
    if t.is_binary(arrow_type) or t.is_large_binary(arrow_type):
        return "binary"
    if t.is_date(arrow_type):
        return "date"
    if t.is_timestamp(arrow_type):
        return "timestamp" if arrow_type.tz else "timestamp_ntz"
    if t.is_list(arrow_type) or t.is_large_list(arrow_type):
        return "array"
    if t.is_struct(arrow_type):
        return "struct"
    if t.is_map(arrow_type):
        return "map"
    return str(arrow_type)


def _json_records(content: bytes, reader: Dict[str, str]):
    text = content.decode(reader.get("encoding") or reader.get("charset") or "utf-8")
    if text.startswith("\ufeff"):
        text = text[1:]
    loads = lambda s: json.loads(s, parse_int=RawNumber, parse_float=RawNumber, parse_constant=RawNumber)  # noqa: E731
    if (reader.get("multiline") or "").lower() == "true":
        try:
            document = loads(text)
        except ValueError:
            yield {None: text}, None
            return
        for item in document if isinstance(document, list) else [document]:
            yield (item, None) if isinstance(item, dict) else ({None: json.dumps(item)}, None)
        return
    for line in text.splitlines():
        if not line.strip():
            continue
        try:
            item = loads(line)
        except ValueError:
            yield {None: line}, None
            continue
        yield (item, None) if isinstance(item, dict) else ({None: line}, None)


def _csv_records(content: bytes, reader: Dict[str, str]):
    text = content.decode(reader.get("encoding") or reader.get("charset") or "utf-8")
    if text.startswith("\ufeff"):
        text = text[1:]
    sep = reader.get("sep") or reader.get("delimiter") or ","
    quote = reader.get("quote", '"') or '"'
    escape = reader.get("escape", "\\")
    null_value = reader.get("nullvalue", "")
    comment = reader.get("comment")
    lines = [ln for ln in text.splitlines(keepends=True) if not (comment and ln.startswith(comment))]
    rows = csv.reader(io.StringIO("".join(lines)), delimiter=sep, quotechar=quote,
                      escapechar=escape if escape and escape != quote else None, doublequote=escape == quote or not escape)
    header = None
    for number, values in enumerate(rows):
        if not values:
            continue
        if (reader.get("header") or "").lower() == "true" and header is None:
            header = values
            continue
        names = header or [f"_c{i}" for i in range(len(values))]
        record = {}
        for i, value in enumerate(values):
            name = names[i] if i < len(names) else f"_c{i}"
            record[name] = None if value == null_value else value
        yield record, None


def _conform(value: Any, data_type, fmt: str, kind: Optional[str]) -> Any:
    """The value as the schema's type, or _MISMATCH (to be rescued)."""
    if value is None:
        return None
    if fmt == "parquet":
        return _conform_parquet(value, data_type, kind)
    return _conform_text(value, data_type, fmt)


_INT_ORDER = ["byte", "short", "integer", "long"]


def _conform_parquet(value: Any, data_type, kind: Optional[str]) -> Any:
    name = data_type.typeName()
    if kind is None:
        return _MISMATCH
    if name in _INT_ORDER:
        if kind in _INT_ORDER and _INT_ORDER.index(kind) <= _INT_ORDER.index(name):
            return int(value)
        return _MISMATCH
    if name in ("float", "double"):
        if kind == name or (name == "double" and kind == "float"):
            return float(value)
        return _MISMATCH
    if name == "decimal":
        if kind.startswith("decimal("):
            precision, scale = (int(x) for x in kind[8:-1].split(","))
            if precision - scale <= data_type.precision - data_type.scale and scale <= data_type.scale:
                return decimal.Decimal(value)
        return _MISMATCH
    if name == "timestamp" or name == "timestamp_ntz":
        if kind in ("timestamp", "timestamp_ntz"):
            if name == "timestamp_ntz" and value.tzinfo is not None:
                return value.replace(tzinfo=None)
            return value
        return _MISMATCH
    if name == "array":
        return [ _nested(v, data_type.elementType) for v in value ] if kind == "array" else _MISMATCH
    if name == "struct":
        return value if kind == "struct" else _MISMATCH
    if name == "map":
        return dict(value) if kind == "map" else _MISMATCH
    return value if kind == name else _MISMATCH


def _nested(value: Any, data_type) -> Any:
    return value


def _conform_text(value: Any, data_type, fmt: str) -> Any:
    """JSON values (RawNumber for numbers) and CSV strings, converted as Spark's JSON/CSV readers do."""
    from pyspark.sql import types as T

    if isinstance(data_type, T.StringType):
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, (dict, list)):
            return json.dumps(value, separators=(",", ":"), ensure_ascii=False)
        return str(value)
    if isinstance(value, (dict, list)) and not isinstance(data_type, (T.StructType, T.ArrayType, T.MapType)):
        return _MISMATCH
    text_number = isinstance(value, RawNumber) or fmt == "csv"
    if isinstance(data_type, (T.ByteType, T.ShortType, T.IntegerType, T.LongType)):
        if isinstance(value, bool) or not text_number or not isinstance(value, str) or not _INT_TEXT.match(value):
            return _MISMATCH
        number = int(value)
        low, high = _INT_RANGES[data_type.typeName()]
        return number if low <= number <= high else _MISMATCH
    if isinstance(data_type, (T.FloatType, T.DoubleType)):
        if isinstance(value, bool) or not text_number:
            return _MISMATCH
        try:
            return float(value)
        except ValueError:
            return _MISMATCH
    if isinstance(data_type, T.DecimalType):
        if isinstance(value, bool) or not text_number:
            return _MISMATCH
        try:
            number = decimal.Decimal(str(value).strip())
        except decimal.InvalidOperation:
            return _MISMATCH
        quantized = number.quantize(decimal.Decimal(1).scaleb(-data_type.scale)) if data_type.scale else number.to_integral_value()
        if quantized != number or len(quantized.as_tuple().digits) > data_type.precision:
            return _MISMATCH
        return quantized
    if isinstance(data_type, T.BooleanType):
        if isinstance(value, bool):
            return value
        if fmt == "csv" and isinstance(value, str) and value.strip().lower() in ("true", "false"):
            return value.strip().lower() == "true"
        return _MISMATCH
    if isinstance(data_type, T.DateType):
        if isinstance(value, str) and not isinstance(value, RawNumber):
            try:
                return _dt.date.fromisoformat(value.strip())
            except ValueError:
                return _MISMATCH
        return _MISMATCH
    if isinstance(data_type, (T.TimestampType, T.TimestampNTZType)):
        if isinstance(value, str) and not isinstance(value, RawNumber):
            try:
                parsed = _dt.datetime.fromisoformat(value.strip().replace(" ", "T", 1) if "T" not in value else value.strip())
            except ValueError:
                return _MISMATCH
            if isinstance(data_type, T.TimestampNTZType):
                return parsed.replace(tzinfo=None)
            if parsed.tzinfo is not None:
                parsed = parsed.astimezone(_dt.timezone.utc).replace(tzinfo=None)
            return parsed
        return _MISMATCH
    if isinstance(data_type, T.BinaryType):
        if isinstance(value, str) and not isinstance(value, RawNumber):
            try:
                return base64.b64decode(value, validate=True)
            except ValueError:
                return _MISMATCH
        return _MISMATCH
    if isinstance(data_type, T.ArrayType):
        if not isinstance(value, list):
            return _MISMATCH
        out = [_conform_text(v, data_type.elementType, fmt) if v is not None else None for v in value]
        return _MISMATCH if any(v is _MISMATCH for v in out) else out
    if isinstance(data_type, T.StructType):
        if not isinstance(value, dict):
            return _MISMATCH
        out = {}
        for field in data_type.fields:
            v = value.get(field.name)
            c = _conform_text(v, field.dataType, fmt) if v is not None else None
            if c is _MISMATCH:
                return _MISMATCH
            out[field.name] = c
        return out
    if isinstance(data_type, T.MapType):
        if not isinstance(value, dict):
            return _MISMATCH
        out = {k: (_conform_text(v, data_type.valueType, fmt) if v is not None else None) for k, v in value.items()}
        return _MISMATCH if any(v is _MISMATCH for v in out.values()) else out
    return _MISMATCH


def _json_value(value: Any) -> Any:
    """A value as it goes into _rescued_data's JSON."""
    if isinstance(value, RawNumber):
        try:
            return json.loads(value)
        except ValueError:
            return str(value)
    if isinstance(value, (_dt.datetime, _dt.date)):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, bytes):
        return base64.b64encode(value).decode("ascii")
    if isinstance(value, dict):
        return {k: _json_value(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_json_value(v) for v in value]
    return value
