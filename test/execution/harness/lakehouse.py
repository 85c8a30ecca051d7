"""``Lakehouse``: one test's lake, catalog schemas, notebooks and pipelines, on the shared session.

A test gets one from the ``lakehouse`` fixture (conftest.py): a fresh folder for the lake
(``abfss://`` containers, ``dbfs:/``) and the pipelines' state, schemas whose tables live in that
folder, and on ``close()`` the schemas dropped, the streams stopped and Delta's caches cleared, so
the next test starts from nothing while the Spark session (15-30 s to start) is shared.
"""

from __future__ import annotations

import builtins
import json
import os
import threading
import time
from pathlib import Path
from typing import Any, Dict, Iterable, List, Mapping, Optional, Sequence, Union

from .dbutils import DBUtils, Display, FsUtils, NotebookUtils, SecretsUtils, Widgets
from .lake import Lake
from .notebook import NotebookResult, NotebookRunner
from .session import clear_caches
from .spark_proxy import SessionContext, wrap_session


class _StreamTracker:
    """Remembers how each streaming query ended (a query that fails before the notebook ends is no
    longer in ``spark.streams.active``, and its exception would otherwise be lost). By run id: a
    query restarted from its checkpoint keeps its id, and must not inherit the last run's failure."""

    def __init__(self, spark):
        from pyspark.sql.streaming import StreamingQueryListener

        tracker = self
        self.started: List[str] = []
        self.terminated: Dict[str, Optional[str]] = {}
        self.lock = threading.Lock()

        class Listener(StreamingQueryListener):
            def onQueryStarted(self, event):
                with tracker.lock:
                    tracker.started.append(str(event.runId))

            def onQueryProgress(self, event):
                pass

            def onQueryIdle(self, event):
                pass

            def onQueryTerminated(self, event):
                with tracker.lock:
                    tracker.terminated[str(event.runId)] = event.exception

        self.listener = Listener()
        spark.streams.addListener(self.listener)


_trackers: Dict[int, _StreamTracker] = {}


def _tracker(spark) -> _StreamTracker:
    key = id(spark._jsparkSession)
    if key not in _trackers:
        _trackers[key] = _StreamTracker(spark)
    return _trackers[key]


def _coerce(record: Dict[str, Any], schema) -> Dict[str, Any]:
    """ISO strings for DATE / TIMESTAMP columns as dates and UTC datetimes (test data is easier to write)."""
    import datetime as dt

    from pyspark.sql.types import DateType, TimestampNTZType, TimestampType

    for field in schema.fields:
        value = record.get(field.name)
        if isinstance(value, str) and isinstance(field.dataType, DateType):
            record[field.name] = dt.date.fromisoformat(value)
        elif isinstance(value, str) and isinstance(field.dataType, (TimestampType, TimestampNTZType)):
            parsed = dt.datetime.fromisoformat(value)
            if isinstance(field.dataType, TimestampType) and parsed.tzinfo is None:
                parsed = parsed.replace(tzinfo=dt.timezone.utc)
            record[field.name] = parsed
    return record


class StreamFailed(RuntimeError):
    """A streaming query a notebook started ended with an error."""


class Lakehouse:
    def __init__(self, spark, root: Union[str, Path], *, secrets: Optional[Mapping[str, Mapping[str, str]]] = None):
        if hasattr(spark, "harness_real_session"):
            spark = spark.harness_real_session
        self.spark = spark
        self.root = Path(root)
        self.root.mkdir(parents=True, exist_ok=True)
        self.lake = Lake(spark, self.root / "lake")
        self.secrets = dict(secrets or {})
        self.schemas_created: List[str] = []
        self.pipelines: list = []
        self._tracker = _tracker(spark)
        self._schemas_before = {r[0] for r in spark.sql("SHOW SCHEMAS IN spark_catalog").collect()}
        clear_caches(spark)

    # -- catalog -----------------------------------------------------------------------------------
    def create_schema(self, name: str) -> str:
        """``CREATE SCHEMA IF NOT EXISTS`` with its tables in this test's folder; ``silver`` or ``spark_catalog.silver``."""
        from .pipelines import parse_identifier, quote_identifier

        parts = parse_identifier(name)
        if len(parts) == 1:
            parts = ["spark_catalog"] + parts
        if len(parts) != 2:
            raise ValueError(f"a schema is <catalog>.<schema>: {name!r}")
        if parts[0].lower() != "spark_catalog":
            raise ValueError(f"the harness has one catalog, spark_catalog (configure the code under test with it), not {parts[0]!r}")
        qualified = quote_identifier(parts)
        location = self.root / "warehouse" / f"{parts[1].lower()}.db"
        if not self.spark.catalog.databaseExists(qualified):
            self.spark.sql(f"CREATE SCHEMA IF NOT EXISTS {qualified} LOCATION '{location.as_uri()}'")
            self.schemas_created.append(qualified)
        return qualified

    def table(self, name: str):
        return self.spark.read.table(name)

    def rows(self, name: str, order_by: Optional[Sequence[str]] = None, columns: Optional[Sequence[str]] = None) -> List[Dict[str, Any]]:
        """A table's rows as dicts (``order_by`` columns, else every column, for a stable order)."""
        df = self.spark.read.table(name)
        if columns:
            df = df.select(*columns)
        df = df.orderBy(*(order_by or df.columns))
        return [r.asDict(recursive=True) for r in df.collect()]

    # -- notebooks ---------------------------------------------------------------------------------
    def notebook_globals(self, path: Path, widgets: Mapping[str, Any], *, session=None, in_pipeline: bool = False) -> Dict[str, Any]:
        text = Path(path).read_text(encoding="utf-8")
        self.lake.mount_all_in([text, *[str(v) for v in widgets.values()]])
        spark = session if session is not None else wrap_session(self.spark, SessionContext(self.lake))
        display = Display()
        dbutils = DBUtils(
            widgets=Widgets(widgets, in_pipeline=in_pipeline),
            fs=FsUtils(self.lake.local_path),
            secrets=SecretsUtils(self.secrets),
            notebook=NotebookUtils(lambda child, timeout, args: self._run_child(Path(path), child, args)),
        )
        return {
            "__name__": "__main__", "__file__": str(path), "__builtins__": builtins,
            "spark": spark, "sc": spark.sparkContext, "dbutils": dbutils,
            "display": display, "displayHTML": display.html_, "getArgument": dbutils.widgets.getArgument,
        }

    def run_notebook(self, path: Union[str, Path], widgets: Optional[Mapping[str, Any]] = None, *,
                     await_streams: bool = True) -> NotebookResult:
        """Run a notebook as a job would, with these widget values (Data Factory's baseParameters)."""
        mark = len(self._tracker.started)
        runner = NotebookRunner(lambda p, w: self.notebook_globals(p, w),
                                lambda spark, before, stop=False: self._await_streams(spark, before, mark, stop))
        return runner.run(Path(path), widgets or {}, await_streams=await_streams)

    def _run_child(self, parent: Path, child: str, args: Mapping[str, Any]) -> Optional[str]:
        target = (parent.parent / child).resolve()
        if target.suffix != ".py":
            target = target.with_suffix(".py")
        result = self.run_notebook(target, args)
        if not result.ok:
            raise RuntimeError(f"dbutils.notebook.run({child!r}) failed: {result}") from result.error
        return result.exit_value

    def _await_streams(self, spark, before: set, mark: int, stop: bool = False):
        """Wait for the streams started since ``before`` (a job waits for them), or stop them."""
        from pyspark.errors import StreamingQueryException

        error = None
        summaries = []
        for query in list(spark.streams.active):
            if query.runId in before:
                continue
            if stop:
                query.stop()
                continue
            try:
                query.awaitTermination()
            except StreamingQueryException as failure:
                error = error or failure
            summaries.append({"id": query.id, "name": query.name, "progress": len(query.recentProgress)})
        if error is None and not stop:
            # A query that failed before the notebook ended is no longer active: ask the listener.
            deadline = time.monotonic() + 5
            with self._tracker.lock:
                started = [q for q in self._tracker.started[mark:] if q not in before]
            for query_id in started:
                while query_id not in self._tracker.terminated and time.monotonic() < deadline:
                    time.sleep(0.05)
                message = self._tracker.terminated.get(query_id)
                if message:
                    error = StreamFailed(message)
                    break
        return error, summaries

    # -- pipelines ---------------------------------------------------------------------------------
    def pipeline(self, libraries: Sequence[Union[str, Path]], *, name: str = "pipeline", catalog: str = "spark_catalog",
                 schema: str = "default", configuration: Optional[Mapping[str, Any]] = None,
                 storage: Optional[Union[str, Path]] = None, duplicate_sequence: str = "error"):
        """A pipeline over these source files (the bundle's ``libraries``); ``.update()`` runs it."""
        from .pipelines import Pipeline

        pipeline = Pipeline(self, libraries, name=name, catalog=catalog, schema=schema, configuration=configuration,
                            storage=storage, duplicate_sequence=duplicate_sequence)
        self.pipelines.append(pipeline)
        return pipeline

    # -- test data ---------------------------------------------------------------------------------
    def _target_file(self, path: Union[str, Path], suffix: str) -> Path:
        local = self.lake.local_path(path)
        if local.suffix.lower() != suffix:
            local.mkdir(parents=True, exist_ok=True)
            existing = len([p for p in local.iterdir() if p.is_file()])
            local = local / f"part-{existing:05d}{suffix}"
        local.parent.mkdir(parents=True, exist_ok=True)
        return local

    @staticmethod
    def _touch(file: Path, mtime: Optional[float]) -> None:
        if mtime is not None:
            os.utime(file, (mtime, mtime))

    def write_parquet(self, path: Union[str, Path], rows: Iterable[Union[Mapping[str, Any], Sequence[Any]]], schema,
                      *, mtime: Optional[float] = None) -> Path:
        """A Parquet file (as Data Factory's copy writes into bronze): ``path`` is a file ``*.parquet`` or a folder."""
        import pyarrow as pa
        import pyarrow.parquet as pq
        from pyspark.sql.pandas.types import to_arrow_schema
        from pyspark.sql.types import StructType, _parse_datatype_string

        if isinstance(schema, str):
            from .autoloader import _ddl_to_struct_fields

            schema = _parse_datatype_string(f"struct<{_ddl_to_struct_fields(schema)}>")
        assert isinstance(schema, StructType)
        names = [f.name for f in schema.fields]
        records = [_coerce(dict(r) if isinstance(r, Mapping) else dict(zip(names, r)), schema) for r in rows]
        table = pa.Table.from_pylist(records, schema=to_arrow_schema(schema, timezone="UTC"))
        file = self._target_file(path, ".parquet")
        pq.write_table(table, file)
        self._touch(file, mtime)
        return file

    def write_json(self, path: Union[str, Path], records: Iterable[Union[Mapping[str, Any], str]], *,
                   mtime: Optional[float] = None) -> Path:
        """JSON lines; a record given as a string is written as it is (for malformed lines)."""
        file = self._target_file(path, ".json")
        with open(file, "w", encoding="utf-8") as out:
            for record in records:
                out.write((record if isinstance(record, str) else json.dumps(record, default=str)) + "\n")
        self._touch(file, mtime)
        return file

    def write_csv(self, path: Union[str, Path], header: Optional[Sequence[str]], rows: Iterable[Sequence[Any]], *,
                  mtime: Optional[float] = None) -> Path:
        import csv

        file = self._target_file(path, ".csv")
        with open(file, "w", encoding="utf-8", newline="") as out:
            writer = csv.writer(out)
            if header:
                writer.writerow(header)
            for row in rows:
                writer.writerow(["" if v is None else v for v in row])
        self._touch(file, mtime)
        return file

    # -- teardown ----------------------------------------------------------------------------------
    def close(self) -> None:
        for query in list(self.spark.streams.active):
            try:
                query.stop()
            except Exception:  # noqa: BLE001
                pass
        # A notebook may have moved the session into a schema dropped below (USE gold).
        self.spark.catalog.setCurrentCatalog("spark_catalog")
        self.spark.catalog.setCurrentDatabase("default")
        for schema in reversed(self.schemas_created):
            self.spark.sql(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
        for row in self.spark.sql("SHOW SCHEMAS IN spark_catalog").collect():
            if row[0] not in self._schemas_before:
                self.spark.sql(f"DROP SCHEMA IF EXISTS spark_catalog.`{row[0]}` CASCADE")
        for view in self.spark.catalog.listTables():
            if view.isTemporary:
                self.spark.catalog.dropTempView(view.name)
        self.spark.catalog.setCurrentCatalog("spark_catalog")
        self.spark.catalog.setCurrentDatabase("default")
        for table in self.spark.catalog.listTables("spark_catalog.default"):
            if not table.isTemporary:
                self.spark.sql(f"DROP TABLE IF EXISTS spark_catalog.default.`{table.name}`")
        clear_caches(self.spark)
