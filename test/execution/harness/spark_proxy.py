"""The ``spark`` object a notebook sees: the real SparkSession, with a few entry points routed
through the harness.

It *is* a ``pyspark.sql.SparkSession`` (a subclass instance sharing the real session's state), so
``isinstance`` checks, ``DeltaTable.forName(spark, ...)`` and every other API behave as with the
real session. Only these members differ:

- ``spark.readStream.format("cloudFiles")...load(path)``: Autoloader, emulated by
  ``harness.autoloader`` (every other format is Spark's own streaming source);
- in a pipeline's source code, ``spark.read.table`` / ``spark.readStream.table`` /
  ``spark.table`` / ``spark.sql`` resolve the pipeline's own datasets (and update them first when
  the current flow depends on them), see ``harness.pipelines``;
- ``dbfs:/`` paths given to ``load`` / ``save`` are mapped to the test's folder.
"""

from __future__ import annotations

from typing import Any, Dict, Optional

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql.readwriter import DataFrameReader
from pyspark.sql.streaming.readwriter import DataStreamReader
from pyspark.sql.types import StructType


class SessionContext:
    """What a proxied session delegates to; the notebook runner's default (no pipeline)."""

    def __init__(self, lake, *, autoloader_options: Optional[Dict[str, str]] = None):
        self.lake = lake
        self.autoloader_options = dict(autoloader_options or {})
        self.autoloader_sources: list = []

    # Pipelines override these three.
    def resolve_table(self, spark: SparkSession, name: str, streaming: bool) -> Optional[DataFrame]:
        return None

    def sql(self, spark: SparkSession, run, query: Optional[str] = None):
        return run()

    def default_schema_location(self) -> Optional[str]:
        return None

    def map_path(self, path: Any) -> Any:
        if isinstance(path, str) and path.startswith("dbfs:/"):
            return self.lake.spark_path(path)
        if isinstance(path, str):
            self.lake.mount_all_in([path])
        return path


class HarnessStreamReader(DataStreamReader):
    def __init__(self, spark: "HarnessSparkSession", context: SessionContext):
        super().__init__(spark)
        self._harness_context = context
        self._harness_format: Optional[str] = None
        self._harness_options: Dict[str, str] = {}
        self._harness_schema: Optional[StructType] = None

    def format(self, source: str) -> "HarnessStreamReader":
        self._harness_format = source
        if source.lower() != "cloudfiles":
            super().format(source)
        return self

    def option(self, key: str, value: Any) -> "HarnessStreamReader":
        self._harness_options[key] = _option_value(value)
        super().option(key, value)
        return self

    def options(self, **options: Any) -> "HarnessStreamReader":
        for key, value in options.items():
            self.option(key, value)
        return self

    def schema(self, schema) -> "HarnessStreamReader":
        if isinstance(schema, str):
            schema = _parse_ddl(self._spark, schema)
        self._harness_schema = schema
        super().schema(schema)
        return self

    def load(self, path: Optional[str] = None, format: Optional[str] = None, schema=None, **options: Any) -> DataFrame:
        if format is not None:
            self.format(format)
        if schema is not None:
            self.schema(schema)
        for key, value in options.items():
            self.option(key, value)
        if (self._harness_format or "").lower() == "cloudfiles":
            from .autoloader import AutoLoader

            if path is None:
                raise ValueError("Autoloader (cloudFiles) needs a path to load")
            loader = AutoLoader(self._spark, self._harness_context, dict(self._harness_options), self._harness_schema)
            self._harness_context.autoloader_sources.append(loader)
            return loader.load(path)
        if path is not None:
            path = self._harness_context.map_path(path)
        return super().load(path) if path is not None else super().load()

    def table(self, tableName: str) -> DataFrame:
        resolved = self._harness_context.resolve_table(self._spark, tableName, True)
        return resolved if resolved is not None else super().table(tableName)


class HarnessReader(DataFrameReader):
    def __init__(self, spark: "HarnessSparkSession", context: SessionContext):
        super().__init__(spark)
        self._harness_context = context

    def format(self, source: str) -> "HarnessReader":
        if source.lower() == "cloudfiles":
            raise ValueError("cloudFiles (Autoloader) is a streaming source: use spark.readStream")
        return super().format(source)

    def load(self, path=None, format=None, schema=None, **options):
        if isinstance(path, (list, tuple)):
            path = [self._harness_context.map_path(p) for p in path]
        elif path is not None:
            path = self._harness_context.map_path(path)
        return super().load(path, format, schema, **options)

    def table(self, tableName: str) -> DataFrame:
        resolved = self._harness_context.resolve_table(self._spark, tableName, False)
        return resolved if resolved is not None else super().table(tableName)


class HarnessSparkSession(SparkSession):
    """Never constructed directly: see ``wrap_session``."""

    _harness_context: SessionContext
    _harness_real: SparkSession

    @property
    def readStream(self) -> DataStreamReader:  # type: ignore[override]
        return HarnessStreamReader(self, self._harness_context)

    @property
    def read(self) -> DataFrameReader:  # type: ignore[override]
        return HarnessReader(self, self._harness_context)

    def table(self, tableName: str) -> DataFrame:
        resolved = self._harness_context.resolve_table(self, tableName, False)
        return resolved if resolved is not None else SparkSession.table(self, tableName)

    def sql(self, sqlQuery: str, args=None, **kwargs: Any) -> DataFrame:
        return self._harness_context.sql(self, lambda: SparkSession.sql(self, sqlQuery, args, **kwargs), sqlQuery)

    @property
    def harness_real_session(self) -> SparkSession:
        return self._harness_real

    def __repr__(self) -> str:
        return f"<harness SparkSession over {SparkSession.__repr__(self._harness_real)}>"


def wrap_session(spark: SparkSession, context: SessionContext) -> HarnessSparkSession:
    if isinstance(spark, HarnessSparkSession):
        spark = spark._harness_real
    proxy = object.__new__(HarnessSparkSession)
    proxy.__dict__.update(spark.__dict__)
    proxy.__dict__.pop("_catalog", None)
    proxy._harness_context = context
    proxy._harness_real = spark
    return proxy


def _option_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _parse_ddl(spark: SparkSession, ddl: str) -> StructType:
    from pyspark.sql.types import _parse_datatype_string

    parsed = _parse_datatype_string(ddl)
    if not isinstance(parsed, StructType):
        raise ValueError(f"not a schema: {ddl!r}")
    return parsed
