"""Lakeflow Declarative Pipelines (Delta Live Tables), emulated with Databricks' semantics.

The generated gold notebooks are pipeline source code: they *declare* datasets and flows; a
pipeline *update* runs them. This module provides:

- the API the source code imports, in both spellings — ``from pyspark import pipelines as dp``
  (Databricks' current one, a superset of Apache Spark's) and ``import dlt`` (the legacy names:
  ``dlt.table``, ``dlt.view``, ``dlt.create_streaming_table`` / ``create_target_table``,
  ``dlt.create_auto_cdc_flow`` / ``apply_changes``, ``dlt.expect*``, ``dlt.read`` /
  ``read_stream``). While the harness loads a pipeline's files, both imports are served by the
  harness through the files' own ``__import__`` (nothing in ``sys.modules`` changes);
- ``Pipeline``: the files, the default catalog and schema, the configuration, and a storage
  folder that keeps state between updates (streaming checkpoints per flow, AUTO CDC state,
  Autoloader schema locations); ``Pipeline.update(full_refresh=...)`` runs one update.

Semantics (Databricks): an update re-reads the source files (so the configuration is read
again), resolves the graph, and runs every flow in dependency order: a flow that reads another
dataset of the pipeline (``spark.read.table``, ``spark.readStream.table``, ``spark.table``,
``spark.sql``, ``dlt.read*``) runs after the flows that write it. Materialized views are
recomputed; streaming flows process what is new since the last update (their checkpoint), with
``trigger(availableNow=True)``; temporary views are not stored, they are computed inside each
flow that reads them (with their expectations). ``@dp.table`` makes a streaming table when its
query is a streaming read, a materialized view otherwise. Unqualified names resolve in the
pipeline's catalog and schema; configuration values are Spark confs during the update
(``spark.conf.get``). A full refresh drops the selected tables and forgets their checkpoints
and state first. An update fails at the first failed flow (the rest is not run) and records why.
"""

from __future__ import annotations

import builtins
import contextvars
import json
import re
import shutil
import time
import traceback
import types
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Dict, Iterable, List, Mapping, Optional, Sequence, Union

from pyspark.sql import Column, DataFrame
from pyspark.sql.types import StructType

from .auto_cdc import AutoCdcSpec, AutoCdcWriter, column_names, sequence_column
from .expectations import (FAIL_MARKER, Expectation, ExpectationViolation, QualityRecorder, apply_expectations,
                           expectations_from)
from .spark_proxy import SessionContext, wrap_session

_REGISTRY: contextvars.ContextVar = contextvars.ContextVar("harness_pipeline_registry", default=None)


class PipelineDefinitionError(RuntimeError):
    """The source code declares something Databricks would refuse (or the harness does not emulate)."""


class FlowFailed(RuntimeError):
    def __init__(self, flow: str, cause: BaseException):
        self.flow, self.cause = flow, cause
        super().__init__(f"Flow '{flow}' failed: {type(cause).__name__}: {cause}")


# ---------------------------------------------------------------------------------------------------
# Identifiers
# ---------------------------------------------------------------------------------------------------

def parse_identifier(name: str) -> List[str]:
    """``a.b.c`` / ```a`.`b.c``` -> parts (backticks quote, doubled backticks escape)."""
    parts, current, i, quoted = [], [], 0, False
    text = name.strip()
    while i < len(text):
        ch = text[i]
        if quoted:
            if ch == "`":
                if i + 1 < len(text) and text[i + 1] == "`":
                    current.append("`")
                    i += 1
                else:
                    quoted = False
            else:
                current.append(ch)
        elif ch == "`":
            quoted = True
        elif ch == ".":
            parts.append("".join(current))
            current = []
        else:
            current.append(ch)
        i += 1
    parts.append("".join(current))
    if quoted or any(p == "" for p in parts):
        raise PipelineDefinitionError(f"not a table name: {name!r}")
    return parts


def quote_identifier(parts: Sequence[str]) -> str:
    return ".".join("`" + p.replace("`", "``") + "`" for p in parts)


# ---------------------------------------------------------------------------------------------------
# The graph the source code declares
# ---------------------------------------------------------------------------------------------------

@dataclass
class Dataset:
    name: str
    kind: str  # "table" (@dp.table: decided by its query), "materialized_view", "streaming_table", "temporary_view", "sink"
    comment: Optional[str] = None
    schema: Any = None
    table_properties: Dict[str, str] = field(default_factory=dict)
    partition_cols: Optional[List[str]] = None
    cluster_by: Optional[List[str]] = None
    spark_conf: Dict[str, str] = field(default_factory=dict)
    expectations: List[Expectation] = field(default_factory=list)
    source_file: Optional[str] = None
    sink_format: Optional[str] = None
    sink_options: Dict[str, str] = field(default_factory=dict)
    parts: List[str] = field(default_factory=list)  # the fully qualified name (tables)
    resolved_kind: Optional[str] = None  # for "table": streaming_table or materialized_view, after its flow ran

    @property
    def qualified(self) -> str:
        return quote_identifier(self.parts) if self.parts else self.name

    @property
    def is_view(self) -> bool:
        return self.kind == "temporary_view"


@dataclass
class FlowDef:
    name: str
    target: str
    kind: str  # "query" (the dataset's defining query), "append", "auto_cdc"
    func: Optional[Callable[[], DataFrame]] = None
    once: bool = False
    spark_conf: Dict[str, str] = field(default_factory=dict)
    cdc: Optional[AutoCdcSpec] = None
    source_file: Optional[str] = None


class GraphRegistry:
    def __init__(self, source_file: Optional[str] = None):
        self.datasets: Dict[str, Dataset] = {}
        self.flows: List[FlowDef] = []
        self.source_file = source_file

    def add_dataset(self, dataset: Dataset) -> Dataset:
        key = dataset.name.lower()
        if key in self.datasets:
            raise PipelineDefinitionError(f"Dataset '{dataset.name}' is defined twice")
        dataset.source_file = self.source_file
        self.datasets[key] = dataset
        return dataset

    def add_flow(self, flow: FlowDef) -> None:
        if any(f.name.lower() == flow.name.lower() for f in self.flows):
            raise PipelineDefinitionError(f"Flow '{flow.name}' is defined twice")
        flow.source_file = self.source_file
        self.flows.append(flow)


def _registry() -> GraphRegistry:
    registry = _REGISTRY.get()
    if registry is None:
        raise PipelineDefinitionError("[GRAPH_ELEMENT_DEFINED_OUTSIDE_OF_DECLARATIVE_PIPELINE] Pipeline datasets and flows "
                                      "can only be defined in a pipeline's source code (harness: Lakehouse.pipeline(...).update())")
    return registry


# ---------------------------------------------------------------------------------------------------
# The API: pyspark.pipelines as Databricks has it, and the legacy dlt module
# ---------------------------------------------------------------------------------------------------

def _name_of(fn: Callable, name: Optional[str]) -> str:
    if name is not None and not isinstance(name, str):
        raise TypeError(f"name must be a str, not {type(name).__name__}")
    return name or fn.__name__


def _pending_expectations(fn: Callable) -> List[Expectation]:
    return list(getattr(fn, "__harness_expectations__", []))


def _dataset_decorator(kind: str, query_function: Optional[Callable], *, name: Optional[str] = None,
                       comment: Optional[str] = None, spark_conf: Optional[Dict[str, str]] = None,
                       table_properties: Optional[Dict[str, str]] = None, partition_cols: Optional[List[str]] = None,
                       cluster_by: Optional[List[str]] = None, schema: Any = None, **ignored: Any):
    def outer(fn: Callable) -> Callable:
        if not callable(fn):
            raise TypeError(f"@{kind} decorates a function returning a DataFrame")
        dataset_name = _name_of(fn, name)
        registry = _registry()
        dataset = registry.add_dataset(Dataset(
            name=dataset_name, kind=kind, comment=comment, schema=schema, table_properties=dict(table_properties or {}),
            partition_cols=partition_cols, cluster_by=cluster_by, spark_conf=dict(spark_conf or {}),
            expectations=_pending_expectations(fn)))
        registry.add_flow(FlowDef(name=dataset_name, target=dataset_name, kind="query", func=fn, spark_conf=dict(spark_conf or {})))
        try:
            fn.__harness_dataset__ = dataset
        except (AttributeError, TypeError):
            pass
        return fn

    return outer(query_function) if query_function is not None else outer


def table(query_function: Optional[Callable] = None, *, name: Optional[str] = None, comment: Optional[str] = None,
          spark_conf: Optional[Dict[str, str]] = None, table_properties: Optional[Dict[str, str]] = None,
          path: Optional[str] = None, partition_cols: Optional[List[str]] = None, cluster_by_auto: Optional[bool] = None,
          cluster_by: Optional[List[str]] = None, schema: Any = None, row_filter: Optional[str] = None,
          temporary: bool = False, private: bool = False, format: Optional[str] = None):
    """A streaming table when the query is a streaming read, else a materialized view."""
    if path is not None or row_filter is not None:
        raise PipelineDefinitionError("table(path=..., row_filter=...) is not emulated")
    return _dataset_decorator("table", query_function, name=name, comment=comment, spark_conf=spark_conf,
                              table_properties=table_properties, partition_cols=partition_cols, cluster_by=cluster_by,
                              schema=schema)


def materialized_view(query_function: Optional[Callable] = None, *, name: Optional[str] = None, comment: Optional[str] = None,
                      spark_conf: Optional[Dict[str, str]] = None, table_properties: Optional[Dict[str, str]] = None,
                      path: Optional[str] = None, partition_cols: Optional[List[str]] = None,
                      cluster_by_auto: Optional[bool] = None, cluster_by: Optional[List[str]] = None, schema: Any = None,
                      row_filter: Optional[str] = None, private: bool = False, format: Optional[str] = None):
    if path is not None or row_filter is not None:
        raise PipelineDefinitionError("materialized_view(path=..., row_filter=...) is not emulated")
    return _dataset_decorator("materialized_view", query_function, name=name, comment=comment, spark_conf=spark_conf,
                              table_properties=table_properties, partition_cols=partition_cols, cluster_by=cluster_by,
                              schema=schema)


def temporary_view(query_function: Optional[Callable] = None, *, name: Optional[str] = None, comment: Optional[str] = None,
                   spark_conf: Optional[Dict[str, str]] = None):
    return _dataset_decorator("temporary_view", query_function, name=name, comment=comment, spark_conf=spark_conf)


def create_streaming_table(name: str, *, comment: Optional[str] = None, spark_conf: Optional[Dict[str, str]] = None,
                           table_properties: Optional[Dict[str, str]] = None, path: Optional[str] = None,
                           partition_cols: Optional[List[str]] = None, cluster_by_auto: Optional[bool] = None,
                           cluster_by: Optional[List[str]] = None, schema: Any = None,
                           expect_all: Optional[Dict[str, str]] = None, expect_all_or_drop: Optional[Dict[str, str]] = None,
                           expect_all_or_fail: Optional[Dict[str, str]] = None, row_filter: Optional[str] = None,
                           format: Optional[str] = None) -> None:
    if not isinstance(name, str):
        raise TypeError(f"name must be a str, not {type(name).__name__}")
    if path is not None or row_filter is not None:
        raise PipelineDefinitionError("create_streaming_table(path=..., row_filter=...) is not emulated")
    expectations = (expectations_from(expect_all or {}, "warn") + expectations_from(expect_all_or_drop or {}, "drop")
                    + expectations_from(expect_all_or_fail or {}, "fail"))
    _registry().add_dataset(Dataset(name=name, kind="streaming_table", comment=comment, schema=schema,
                                    table_properties=dict(table_properties or {}), partition_cols=partition_cols,
                                    cluster_by=cluster_by, spark_conf=dict(spark_conf or {}), expectations=expectations))


def append_flow(*, target: str, name: Optional[str] = None, spark_conf: Optional[Dict[str, str]] = None,
                comment: Optional[str] = None, once: bool = False):
    def outer(fn: Callable) -> Callable:
        _registry().add_flow(FlowDef(name=_name_of(fn, name), target=target, kind="append", func=fn, once=bool(once),
                                     spark_conf=dict(spark_conf or {})))
        return fn

    return outer


def create_auto_cdc_flow(target: str, source: str, keys: Union[List[str], List[Column]], sequence_by: Union[str, Column],
                         ignore_null_updates: bool = False, apply_as_deletes: Union[str, Column, None] = None,
                         apply_as_truncates: Union[str, Column, None] = None,
                         column_list: Union[List[str], List[Column], None] = None,
                         except_column_list: Union[List[str], List[Column], None] = None,
                         stored_as_scd_type: Union[int, str] = 1,
                         track_history_column_list: Union[List[str], List[Column], None] = None,
                         track_history_except_column_list: Union[List[str], List[Column], None] = None,
                         name: Optional[str] = None, once: bool = False, **unsupported: Any) -> None:
    if unsupported:
        raise PipelineDefinitionError(f"create_auto_cdc_flow({', '.join(unsupported)}=...) is not emulated")
    if not isinstance(target, str) or not isinstance(source, str):
        raise TypeError("target and source are dataset names (str)")
    if apply_as_truncates is not None:
        raise PipelineDefinitionError("apply_as_truncates is not emulated by the harness")
    if once:
        raise PipelineDefinitionError("create_auto_cdc_flow(once=True) is not emulated by the harness")
    scd = str(stored_as_scd_type)
    if scd not in ("1", "2"):
        raise PipelineDefinitionError(f"stored_as_scd_type is 1 or 2, not {stored_as_scd_type!r}")
    if column_list is not None and except_column_list is not None:
        raise PipelineDefinitionError("Only one of column_list and except_column_list can be specified")
    if track_history_column_list is not None and track_history_except_column_list is not None:
        raise PipelineDefinitionError("Only one of track_history_column_list and track_history_except_column_list can be specified")
    if scd == "1" and (track_history_column_list is not None or track_history_except_column_list is not None):
        raise PipelineDefinitionError("track_history_column_list / track_history_except_column_list need stored_as_scd_type=2")
    key_names = column_names("keys", keys)
    if not key_names:
        raise PipelineDefinitionError("create_auto_cdc_flow needs at least one key")
    sequence, sequence_text = sequence_column(sequence_by)
    deletes = None
    if apply_as_deletes is not None:
        from pyspark.sql import functions as F

        deletes = F.expr(apply_as_deletes) if isinstance(apply_as_deletes, str) else apply_as_deletes
    spec = AutoCdcSpec(
        target=target, source=source, keys=key_names, sequence_by=sequence, sequence_text=sequence_text,
        stored_as_scd_type=int(scd), apply_as_deletes=deletes,
        column_list=column_names("column_list", column_list),
        except_column_list=column_names("except_column_list", except_column_list),
        track_history_column_list=column_names("track_history_column_list", track_history_column_list),
        track_history_except_column_list=column_names("track_history_except_column_list", track_history_except_column_list),
        ignore_null_updates=bool(ignore_null_updates), name=name)
    _registry().add_flow(FlowDef(name=name or target, target=target, kind="auto_cdc", cdc=spec))


def create_auto_cdc_from_snapshot_flow(*args: Any, **kwargs: Any) -> None:
    raise PipelineDefinitionError("AUTO CDC FROM SNAPSHOT (create_auto_cdc_from_snapshot_flow) is not emulated by the harness")


def create_sink(name: str, format: str, options: Optional[Dict[str, str]] = None) -> None:
    if format.lower() != "delta":
        raise PipelineDefinitionError(f"create_sink(format={format!r}): the harness emulates delta sinks only")
    _registry().add_dataset(Dataset(name=name, kind="sink", sink_format=format, sink_options=dict(options or {})))


def _expectation_decorator(expectations: List[Expectation]):
    def outer(target: Callable) -> Callable:
        dataset = getattr(target, "__harness_dataset__", None)
        if dataset is not None:  # applied above the dataset's decorator
            dataset.expectations.extend(expectations)
        else:
            pending = list(getattr(target, "__harness_expectations__", []))
            target.__harness_expectations__ = pending + expectations
        return target

    return outer


def expect(name: str, constraint: str):
    return _expectation_decorator([Expectation(name, constraint, "warn")])


def expect_or_drop(name: str, constraint: str):
    return _expectation_decorator([Expectation(name, constraint, "drop")])


def expect_or_fail(name: str, constraint: str):
    return _expectation_decorator([Expectation(name, constraint, "fail")])


def expect_all(expectations: Dict[str, str]):
    return _expectation_decorator(expectations_from(expectations, "warn"))


def expect_all_or_drop(expectations: Dict[str, str]):
    return _expectation_decorator(expectations_from(expectations, "drop"))


def expect_all_or_fail(expectations: Dict[str, str]):
    return _expectation_decorator(expectations_from(expectations, "fail"))


def _current_context() -> "PipelineContext":
    context = _CONTEXT.get()
    if context is None:
        raise PipelineDefinitionError("dlt.read / dlt.read_stream can only be used in a pipeline's query functions")
    return context


def read(name: str) -> DataFrame:
    context = _current_context()
    return context.resolve_table(context.spark, name, False, require_dataset=True)


def read_stream(name: str) -> DataFrame:
    context = _current_context()
    return context.resolve_table(context.spark, name, True, require_dataset=True)


_API = dict(table=table, materialized_view=materialized_view, temporary_view=temporary_view,
            create_streaming_table=create_streaming_table, append_flow=append_flow,
            create_auto_cdc_flow=create_auto_cdc_flow, create_auto_cdc_from_snapshot_flow=create_auto_cdc_from_snapshot_flow,
            create_sink=create_sink, expect=expect, expect_or_drop=expect_or_drop, expect_or_fail=expect_or_fail,
            expect_all=expect_all, expect_all_or_drop=expect_all_or_drop, expect_all_or_fail=expect_all_or_fail)


def _module(name: str, members: Mapping[str, Any], doc: str) -> types.ModuleType:
    module = types.ModuleType(name, doc)
    module.__dict__.update(members)
    module.__harness__ = True
    module.__all__ = sorted(members)
    return module


#: ``from pyspark import pipelines as dp`` in a pipeline's source code, as Databricks provides it.
dp_module = _module("pyspark.pipelines", _API, "Databricks' pyspark.pipelines, emulated by the execution-test harness")
#: ``import dlt`` in a pipeline's source code (the legacy names).
dlt_module = _module("dlt", {**_API, "view": temporary_view, "create_target_table": create_streaming_table,
                             "apply_changes": create_auto_cdc_flow,
                             "apply_changes_from_snapshot": create_auto_cdc_from_snapshot_flow,
                             "read": read, "read_stream": read_stream},
                     "Databricks' legacy dlt module, emulated by the execution-test harness")
IMPORT_OVERRIDES = {"dlt": dlt_module, "pyspark.pipelines": dp_module}


# ---------------------------------------------------------------------------------------------------
# Update execution
# ---------------------------------------------------------------------------------------------------

_CONTEXT: contextvars.ContextVar = contextvars.ContextVar("harness_pipeline_context", default=None)


@dataclass
class UpdateResult:
    """One update: its state, error, and the event log entries it wrote (``events``)."""

    pipeline: str
    update_id: str
    state: str = "RUNNING"  # COMPLETED | FAILED
    error: Optional[BaseException] = None
    error_traceback: str = ""
    events: List[Dict[str, Any]] = field(default_factory=list)
    seconds: float = 0.0
    full_refresh: Any = False

    @property
    def ok(self) -> bool:
        return self.state == "COMPLETED"

    def raise_for_error(self) -> "UpdateResult":
        if not self.ok:
            raise AssertionError(f"pipeline {self.pipeline} update {self.update_id} {self.state}: {self.error}\n{self.error_traceback}") from self.error
        return self

    def flow_progress(self, flow: Optional[str] = None, status: Optional[str] = None) -> List[Dict[str, Any]]:
        return [e for e in self.events if e["event_type"] == "flow_progress"
                and (flow is None or e["origin"]["flow_name"].lower() == flow.lower())
                and (status is None or e["details"]["flow_progress"]["status"] == status)]

    def flow_status(self, flow: str) -> Optional[str]:
        progress = self.flow_progress(flow)
        return progress[-1]["details"]["flow_progress"]["status"] if progress else None

    def metrics(self, flow: str) -> Dict[str, int]:
        for event in reversed(self.flow_progress(flow, "COMPLETED")):
            return dict(event["details"]["flow_progress"].get("metrics", {}))
        return {}

    def expectations(self, dataset: Optional[str] = None) -> List[Dict[str, Any]]:
        """Summed over the update: [{dataset, name, passed_records, failed_records}] as the event log reports them."""
        totals: Dict[tuple, Dict[str, Any]] = {}
        for event in self.flow_progress(status="COMPLETED") + self.flow_progress(status="FAILED"):
            quality = event["details"]["flow_progress"].get("data_quality") or {}
            for e in quality.get("expectations", []):
                if dataset is not None and e["dataset"].lower() != dataset.lower():
                    continue
                entry = totals.setdefault((e["dataset"], e["name"]), {"dataset": e["dataset"], "name": e["name"],
                                                                        "passed_records": 0, "failed_records": 0})
                entry["passed_records"] += e["passed_records"]
                entry["failed_records"] += e["failed_records"]
        return list(totals.values())

    def dropped_records(self, flow: Optional[str] = None) -> int:
        return sum((e["details"]["flow_progress"].get("data_quality") or {}).get("dropped_records", 0)
                   for e in self.flow_progress(flow, "COMPLETED"))

    def __str__(self) -> str:
        return f"{self.pipeline} {self.update_id}: {self.state}" + (f" ({self.error})" if self.error else "")


class PipelineContext(SessionContext):
    """What the pipeline's ``spark`` delegates to during definitions loading and during the update."""

    def __init__(self, pipeline: "Pipeline"):
        super().__init__(pipeline.lakehouse.lake)
        self.pipeline = pipeline
        self.graph: Optional[GraphRegistry] = None
        self.executor: Optional["UpdateExecutor"] = None
        self.spark = None  # the proxy session, set by the pipeline

    def default_schema_location(self) -> Optional[str]:
        flow = self.executor.current_flow if self.executor else None
        if flow is None:
            return None
        index = self.executor.autoloader_count.get(flow.name, 0)
        self.executor.autoloader_count[flow.name] = index + 1
        return str(self.pipeline.storage / "autoloader" / _safe(flow.name) / str(index))

    # -- name resolution -----------------------------------------------------------------------------
    def lookup(self, name: str) -> Optional[Dataset]:
        if self.graph is None:
            return None
        parts = parse_identifier(name)
        if len(parts) > 1 and parts[0].lower() == "live":
            parts = parts[1:]
        if len(parts) == 1 and parts[0].lower() in self.graph.datasets:
            return self.graph.datasets[parts[0].lower()]
        qualified = [p.lower() for p in self.pipeline.qualify(parts)]
        for dataset in self.graph.datasets.values():
            if dataset.parts and [p.lower() for p in dataset.parts] == qualified:
                return dataset
        return None

    def resolve_table(self, spark, name: str, streaming: bool, require_dataset: bool = False) -> Optional[DataFrame]:
        dataset = self.lookup(name)
        real = self.pipeline.lakehouse.spark
        if dataset is None:
            if require_dataset:
                raise PipelineDefinitionError(f"'{name}' is not a dataset of pipeline {self.pipeline.name}")
            qualified = quote_identifier(self.pipeline.qualify(parse_identifier(name)))
            df = real.readStream.table(qualified) if streaming else real.read.table(qualified)
            return DataFrame(df._jdf, spark)
        if dataset.is_view:
            return self.executor.view_dataframe(dataset, streaming) if self.executor else self._view_outside_update(dataset)
        if dataset.kind == "sink":
            raise PipelineDefinitionError(f"sink '{dataset.name}' cannot be read")
        if self.executor is not None:
            self.executor.ensure_updated(dataset)
        df = real.readStream.table(dataset.qualified) if streaming else real.read.table(dataset.qualified)
        return DataFrame(df._jdf, spark)

    def _view_outside_update(self, dataset: Dataset):
        raise PipelineDefinitionError(f"view '{dataset.name}' is read outside of a flow")

    def sql(self, spark, run, query: Optional[str] = None):
        """spark.sql in a query function: a pipeline dataset it names is updated (or, a view, registered) first."""
        from pyspark.errors import AnalysisException

        if self.executor is not None and query is not None:
            for name in relations_in(self.pipeline.lakehouse.spark, query):
                dataset = self.lookup(name)
                if dataset is None or dataset.kind == "sink":
                    continue
                if dataset.is_view:
                    view = self.executor.view_dataframe(dataset, False)
                    view.createOrReplaceTempView(dataset.name)
                    self.executor.temp_views.add(dataset.name)
                else:
                    self.executor.ensure_updated(dataset)
        attempted = set()
        while True:
            try:
                return run()
            except AnalysisException as error:
                if self.executor is None:
                    raise
                params = error.getMessageParameters() or {}
                relation = params.get("relationName") or params.get("objectName")
                if error.getCondition() != "TABLE_OR_VIEW_NOT_FOUND" or not relation:
                    raise
                dataset = self.lookup(relation)
                if dataset is None or dataset.name in attempted:
                    raise
                attempted.add(dataset.name)
                if dataset.is_view:
                    view = self.executor.view_dataframe(dataset, False)
                    view.createOrReplaceTempView(dataset.name)
                    self.executor.temp_views.add(dataset.name)
                else:
                    self.executor.ensure_updated(dataset)


_RELATION = re.compile(r"'UnresolvedRelation \[(.*?)\], \[")


def relations_in(spark, query: str) -> List[str]:
    """The table names a SQL query reads, from Spark's own parser (before analysis)."""
    try:
        plan = spark._jsparkSession.sessionState().sqlParser().parsePlan(query)
    except Exception:  # noqa: BLE001 - the query's own error is reported when it runs
        return []
    names = []
    for match in _RELATION.finditer(plan.treeString()):
        parts = [p.strip() for p in match.group(1).split(",")]
        names.append(quote_identifier(parts))
    return names


class UpdateExecutor:
    def __init__(self, pipeline: "Pipeline", graph: GraphRegistry, result: UpdateResult):
        self.pipeline = pipeline
        self.graph = graph
        self.result = result
        self.spark = pipeline.lakehouse.spark
        self.done: set = set()
        self.running: List[str] = []
        self.current_flow: Optional[FlowDef] = None
        self.recorder: Optional[QualityRecorder] = None
        self.autoloader_count: Dict[str, int] = {}
        self.temp_views: set = set()

    # -- events -----------------------------------------------------------------------------------
    def event(self, event_type: str, details: Dict[str, Any], flow: Optional[str] = None, dataset: Optional[str] = None,
              level: str = "INFO", message: str = "") -> None:
        entry = {"timestamp": time.time(), "event_type": event_type, "level": level, "message": message,
                 "origin": {"pipeline_name": self.pipeline.name, "update_id": self.result.update_id,
                            "flow_name": flow, "dataset_name": dataset},
                 "details": {event_type: details}}
        self.result.events.append(entry)
        self.pipeline.event_log.append(entry)

    # -- ordering ---------------------------------------------------------------------------------
    def run(self) -> None:
        for dataset in list(self.graph.datasets.values()):
            if not dataset.is_view and dataset.kind != "sink":
                self.ensure_updated(dataset)
        for flow in self.graph.flows:  # flows into sinks
            target = self.graph.datasets.get(flow.target.lower())
            if target is not None and target.kind == "sink" and flow.name not in self.done:
                self.run_flow(flow, target)

    def ensure_updated(self, dataset: Dataset) -> None:
        key = dataset.name.lower()
        if key in self.done:
            return
        if key in self.running:
            if self.current_flow is not None and self.current_flow.target.lower() == key:
                return  # a flow reading its own target (an append flow's own table)
            cycle = " -> ".join(self.running[self.running.index(key):] + [key])
            raise PipelineDefinitionError(f"The pipeline's datasets depend on each other in a cycle: {cycle}")
        self.running.append(key)
        try:
            flows = [f for f in self.graph.flows if f.target.lower() == key]
            if not flows:
                raise PipelineDefinitionError(f"Dataset '{dataset.name}' has no flow writing to it")
            for flow in flows:
                self.run_flow(flow, dataset)
        finally:
            self.running.remove(key)
        self.done.add(key)

    # -- views -------------------------------------------------------------------------------------
    def view_dataframe(self, dataset: Dataset, streaming: bool) -> DataFrame:
        flow = next(f for f in self.graph.flows if f.target.lower() == dataset.name.lower())
        df = self._call(flow)
        if streaming and not df.isStreaming:
            raise PipelineDefinitionError(f"View '{dataset.name}' is read as a stream, but its query is a batch query")
        if not streaming and df.isStreaming:
            raise PipelineDefinitionError(f"View '{dataset.name}' is read as a batch, but its query is a streaming query "
                                          f"(use spark.readStream.table / dlt.read_stream)")
        return apply_expectations(df, dataset.expectations, dataset=dataset.name, flow=self.current_flow.name,
                                  recorder=self.recorder)

    def _call(self, flow: FlowDef) -> DataFrame:
        df = flow.func()
        if not isinstance(df, DataFrame):
            raise PipelineDefinitionError(f"The query function of '{flow.name}' returned {type(df).__name__}, not a DataFrame")
        return df

    # -- flows -------------------------------------------------------------------------------------
    def run_flow(self, flow: FlowDef, dataset: Dataset, *, retried: bool = False) -> None:
        from .autoloader import UnknownFieldException

        outer_flow, outer_recorder = self.current_flow, self.recorder
        self.current_flow, self.recorder = flow, QualityRecorder(flow.name)
        started = time.monotonic()
        self.event("flow_progress", {"status": "RUNNING"}, flow=flow.name, dataset=dataset.name)
        conf_before = self._set_conf({**dataset.spark_conf, **flow.spark_conf})
        try:
            if flow.kind == "auto_cdc":
                metrics = self._run_auto_cdc(flow, dataset)
            else:
                metrics = self._run_query_flow(flow, dataset)
        except UnknownFieldException as error:
            # Databricks restarts a pipeline flow whose Autoloader source found new columns.
            self._restore_conf(conf_before)
            self.event("flow_progress", {"status": "RESTARTING", "reason": str(error)}, flow=flow.name,
                       dataset=dataset.name, level="WARN")
            self.current_flow, self.recorder = outer_flow, outer_recorder
            if retried or not error.retry:
                raise FlowFailed(flow.name, error) from error
            return self.run_flow(flow, dataset, retried=True)
        except FlowFailed as upstream:
            self._restore_conf(conf_before)
            self.event("flow_progress", {"status": "SKIPPED", "reason": f"upstream flow '{upstream.flow}' failed"},
                       flow=flow.name, dataset=dataset.name, level="WARN")
            self.current_flow, self.recorder = outer_flow, outer_recorder
            raise
        except Exception as error:  # noqa: BLE001
            self._restore_conf(conf_before)
            cause = _translate(error, flow.name)
            self.event("flow_progress", {"status": "FAILED", "data_quality": self.recorder.data_quality(),
                                         "error": f"{type(cause).__name__}: {cause}"},
                       flow=flow.name, dataset=dataset.name, level="ERROR", message=str(cause))
            self.current_flow, self.recorder = outer_flow, outer_recorder
            raise FlowFailed(flow.name, cause) from cause
        self._restore_conf(conf_before)
        self.event("flow_progress", {"status": "COMPLETED", "metrics": metrics, "data_quality": self.recorder.data_quality(),
                                     "seconds": round(time.monotonic() - started, 2)},
                   flow=flow.name, dataset=dataset.name)
        if dataset.kind == "sink":
            self.done.add(flow.name)
        self.current_flow, self.recorder = outer_flow, outer_recorder

    def _set_conf(self, conf: Mapping[str, str]) -> Dict[str, Optional[str]]:
        before = {}
        for key, value in conf.items():
            before[key] = self.spark.conf.get(key, None)
            self.spark.conf.set(key, value)
        return before

    def _restore_conf(self, before: Mapping[str, Optional[str]]) -> None:
        for key, value in before.items():
            if value is None:
                self.spark.conf.unset(key)
            else:
                self.spark.conf.set(key, value)

    def _checkpoint(self, flow: FlowDef) -> str:
        return str(self.pipeline.storage / "checkpoints" / _safe(flow.name))

    def _run_query_flow(self, flow: FlowDef, dataset: Dataset) -> Dict[str, int]:
        df = self._call(flow)
        kind = dataset.kind
        if kind == "table":
            kind = "streaming_table" if df.isStreaming else "materialized_view"
            dataset.resolved_kind = kind
        df = apply_expectations(df, dataset.expectations, dataset=dataset.name, flow=flow.name, recorder=self.recorder)
        if kind == "materialized_view":
            if df.isStreaming:
                raise PipelineDefinitionError(f"Materialized view '{dataset.name}' has a streaming query: use a streaming table")
            return self._write_materialized_view(df, dataset)
        if kind in ("streaming_table", "sink"):
            if not df.isStreaming:
                if flow.once:
                    return self._append_once(df, flow, dataset)
                raise PipelineDefinitionError(f"Flow '{flow.name}' into streaming table '{dataset.name}' must be a streaming "
                                              f"query (spark.readStream...), or an append_flow(once=True)")
            return self._append_stream(df, flow, dataset)
        raise PipelineDefinitionError(f"'{dataset.name}' ({dataset.kind}) cannot be the target of flow '{flow.name}'")

    def _write_materialized_view(self, df: DataFrame, dataset: Dataset) -> Dict[str, int]:
        writer = df.write.format("delta").mode("overwrite").option("overwriteSchema", "true")
        if dataset.partition_cols:
            writer = writer.partitionBy(*dataset.partition_cols)
        writer.saveAsTable(dataset.qualified)
        return {"num_output_rows": self.spark.read.table(dataset.qualified).count()}

    def _ensure_table(self, dataset: Dataset, schema: StructType) -> None:
        if self.spark.catalog.tableExists(dataset.qualified):
            return
        declared = _schema(dataset.schema) or schema
        writer = self.spark.createDataFrame([], declared).write.format("delta")
        if dataset.partition_cols:
            writer = writer.partitionBy(*dataset.partition_cols)
        if dataset.table_properties:
            for key, value in dataset.table_properties.items():
                writer = writer.option(key, value)
        writer.saveAsTable(dataset.qualified)

    def _append_once(self, df: DataFrame, flow: FlowDef, dataset: Dataset) -> Dict[str, int]:
        marker = Path(self._checkpoint(flow)) / "_once_done"
        if marker.exists():
            return {"num_output_rows": 0}
        self._ensure_table(dataset, df.schema)
        rows = df.count()
        df.write.format("delta").mode("append").option("mergeSchema", "true").saveAsTable(dataset.qualified)
        marker.parent.mkdir(parents=True, exist_ok=True)
        marker.write_text("done")
        return {"num_output_rows": rows}

    def _append_stream(self, df: DataFrame, flow: FlowDef, dataset: Dataset) -> Dict[str, int]:
        if dataset.kind == "sink":
            options = dict(dataset.sink_options)
            target = options.pop("tableName", None) or options.pop("path", None)
            if target is None:
                raise PipelineDefinitionError(f"sink '{dataset.name}' needs a tableName or path option")
        else:
            self._ensure_table(dataset, df.schema)
        table_name = dataset.qualified
        app_id = f"{self.pipeline.name}:{flow.name}"
        written = {"rows": 0}

        def append(batch: DataFrame, batch_id: int) -> None:
            batch = batch.persist()
            try:
                written["rows"] += batch.count()
                writer = (batch.write.format("delta").mode("append").option("mergeSchema", "true")
                          .option("txnAppId", app_id).option("txnVersion", batch_id))
                if dataset.kind == "sink":
                    sink = dataset.sink_options
                    if "tableName" in sink:
                        writer.saveAsTable(sink["tableName"])
                    else:
                        writer.save(sink["path"])
                else:
                    writer.saveAsTable(table_name)
            finally:
                batch.unpersist()

        self._stream(df, flow, append)
        return {"num_output_rows": written["rows"]}

    def _run_auto_cdc(self, flow: FlowDef, dataset: Dataset) -> Dict[str, int]:
        spec = flow.cdc
        if dataset.kind != "streaming_table":
            raise PipelineDefinitionError(f"The target of AUTO CDC flow '{flow.name}' must be a streaming table "
                                          f"(dp.create_streaming_table('{spec.target}')), not a {dataset.kind}")
        others = [f for f in self.graph.flows if f.target.lower() == dataset.name.lower() and f is not flow]
        if others:
            raise PipelineDefinitionError(f"Streaming table '{dataset.name}' has an AUTO CDC flow and other flows "
                                          f"({', '.join(f.name for f in others)})")
        source = self.pipeline.context.resolve_table(self.pipeline.session, spec.source, True)
        if not source.isStreaming:
            raise PipelineDefinitionError(f"The source of AUTO CDC flow '{flow.name}' must be a streaming query")
        source = apply_expectations(source, dataset.expectations, dataset=dataset.name, flow=flow.name, recorder=self.recorder)
        writer = AutoCdcWriter(self.spark, spec, dataset.qualified,
                               str(self.pipeline.storage / "autocdc" / _safe(flow.name) / "state"),
                               duplicate_sequence=self.pipeline.duplicate_sequence)
        writer.ensure_target(source, _schema(dataset.schema))
        totals = {"num_upserted_rows": 0, "num_deleted_rows": 0}

        def apply(batch: DataFrame, batch_id: int) -> None:
            batch = batch.persist()
            try:
                for key, value in writer.process(batch, batch_id).items():
                    totals[key] += value
            finally:
                batch.unpersist()

        self._stream(source, flow, apply)
        totals["num_output_rows"] = totals["num_upserted_rows"] + totals["num_deleted_rows"]
        return totals

    def _stream(self, df: DataFrame, flow: FlowDef, handler: Callable[[DataFrame, int], None]) -> None:
        from pyspark.errors import StreamingQueryException

        failure: Dict[str, BaseException] = {}

        def guarded(batch: DataFrame, batch_id: int) -> None:
            try:
                handler(batch, batch_id)
            except BaseException as error:  # noqa: BLE001 - re-raised after the query stops
                failure.setdefault("error", error)
                raise

        query = (df.writeStream.foreachBatch(guarded).option("checkpointLocation", self._checkpoint(flow))
                 .trigger(availableNow=True).queryName(_safe(f"{self.pipeline.name}_{flow.name}_{self.result.update_id}"))
                 .start())
        try:
            query.awaitTermination()
        except StreamingQueryException as error:
            if "error" in failure:
                raise failure["error"] from None
            raise
        finally:
            self.recorder.collect_streaming(query.recentProgress)


def _translate(error: BaseException, flow: str) -> BaseException:
    """Expectation failures raised inside Spark (raise_error) as ExpectationViolation."""
    text = str(error)
    if FAIL_MARKER in text and not isinstance(error, ExpectationViolation):
        start = text.index(FAIL_MARKER)
        message = text[start:].split("\n")[0]
        match = re.search(r"expectation '([^']*)' \((.*)\) of dataset '([^']*)'\. Record: (.*?)(?: SQLSTATE.*)?$", message)
        if match:
            violation = ExpectationViolation(flow, match.group(3), match.group(1), match.group(2), match.group(4).strip())
            violation.__cause__ = error
            return violation
    return error


def _schema(schema: Any) -> Optional[StructType]:
    if schema is None or isinstance(schema, StructType):
        return schema
    from pyspark.sql.types import _parse_datatype_string

    from .autoloader import _ddl_to_struct_fields

    return _parse_datatype_string(f"struct<{_ddl_to_struct_fields(schema)}>")


def _safe(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", name)


class Pipeline:
    """A pipeline: its source files, default catalog and schema, configuration and state.

    Create it with ``Lakehouse.pipeline(...)``; call ``update()`` as often as the test needs. The
    state (checkpoints, AUTO CDC state, Autoloader schemas) is in ``storage`` and the tables in the
    catalog, so a second ``update()`` (or a new ``Pipeline`` over the same storage) is incremental.
    """

    def __init__(self, lakehouse, libraries: Sequence[Union[str, Path]], *, name: str = "pipeline",
                 catalog: str = "spark_catalog", schema: str = "default", configuration: Optional[Mapping[str, Any]] = None,
                 storage: Optional[Union[str, Path]] = None, duplicate_sequence: str = "error"):
        self.lakehouse = lakehouse
        self.libraries = [Path(p) for p in libraries]
        for library in self.libraries:
            if not library.is_file():
                raise FileNotFoundError(f"pipeline source file not found: {library}")
        self.name = name
        self.catalog = catalog
        self.schema = schema
        self.configuration = {str(k): str(v) for k, v in (configuration or {}).items()}
        self.storage = Path(storage) if storage else lakehouse.root / "pipelines" / _safe(name)
        self.storage.mkdir(parents=True, exist_ok=True)
        self.duplicate_sequence = duplicate_sequence
        self.event_log: List[Dict[str, Any]] = []
        self.updates: List[UpdateResult] = []
        self.context = PipelineContext(self)
        self.session = wrap_session(lakehouse.spark, self.context)
        self.context.spark = self.session
        self.graph: Optional[GraphRegistry] = None

    def qualify(self, parts: Sequence[str]) -> List[str]:
        if len(parts) == 1:
            return [self.catalog, self.schema, parts[0]]
        if len(parts) == 2:
            return [self.catalog, parts[0], parts[1]]
        return list(parts)

    # -- definitions ------------------------------------------------------------------------------
    def load(self) -> GraphRegistry:
        """Run the source files and return the graph they declare (what an update does first)."""
        from .notebook import NotebookRunner, make_importer

        graph = GraphRegistry()
        self.context.graph = graph
        importer = make_importer(IMPORT_OVERRIDES)
        for library in self.libraries:
            graph.source_file = str(library)
            g = self.lakehouse.notebook_globals(library, {}, session=self.session, in_pipeline=True)
            g["__builtins__"] = dict(builtins.__dict__, __import__=importer)
            token = _REGISTRY.set(graph)
            try:
                NotebookRunner(lambda p, w: g, lambda *a, **k: (None, [])).exec_cells(library, library.read_text(encoding="utf-8"), g)
            except Exception as failure:  # _CellError: unwrap to the notebook's own exception
                raise getattr(failure, "error", failure) from None
            finally:
                _REGISTRY.reset(token)
        for dataset in graph.datasets.values():
            if not dataset.is_view and dataset.kind != "sink":
                dataset.parts = self.qualify(parse_identifier(dataset.name))
        self._validate(graph)
        self.graph = graph
        return graph

    def _validate(self, graph: GraphRegistry) -> None:
        for flow in graph.flows:
            if flow.target.lower() not in graph.datasets:
                raise PipelineDefinitionError(f"Flow '{flow.name}' writes to '{flow.target}', which the pipeline does not define "
                                              f"(dp.create_streaming_table('{flow.target}') first)")
        for dataset in graph.datasets.values():
            if dataset.kind != "sink" and not any(f.target.lower() == dataset.name.lower() for f in graph.flows):
                raise PipelineDefinitionError(f"Dataset '{dataset.name}' has no flow writing to it")

    # -- updates ----------------------------------------------------------------------------------
    def update(self, full_refresh: Union[bool, Iterable[str]] = False) -> UpdateResult:
        """One update. ``full_refresh=True`` (every table) or a list of dataset names."""
        result = UpdateResult(pipeline=self.name, update_id=f"update-{len(self.updates) + 1}", full_refresh=full_refresh)
        self.updates.append(result)
        started = time.monotonic()
        spark = self.lakehouse.spark
        conf_before = {key: spark.conf.get(key, None) for key in self.configuration}
        catalog_before, schema_before = spark.catalog.currentCatalog(), spark.catalog.currentDatabase()
        executor = None
        try:
            self.lakehouse.lake.mount_all_in(self.configuration.values())
            for key, value in self.configuration.items():
                spark.conf.set(key, value)
            self.lakehouse.create_schema(f"{quote_identifier([self.catalog])}.{quote_identifier([self.schema])}")
            spark.catalog.setCurrentCatalog(self.catalog)
            spark.catalog.setCurrentDatabase(self.schema)
            graph = self.load()
            if full_refresh:
                self._reset(graph, full_refresh)
            executor = UpdateExecutor(self, graph, result)
            self.context.executor = executor
            token = _CONTEXT.set(self.context)
            try:
                executor.event("update_progress", {"state": "RUNNING"})
                executor.run()
            finally:
                _CONTEXT.reset(token)
            result.state = "COMPLETED"
        except BaseException as error:  # noqa: BLE001 - the update's outcome
            if isinstance(error, KeyboardInterrupt):
                raise
            result.state = "FAILED"
            result.error = error.cause if isinstance(error, FlowFailed) else error
            result.error_traceback = "".join(traceback.format_exception(type(error), error, error.__traceback__))
        finally:
            if executor is not None:
                for view in executor.temp_views:
                    spark.catalog.dropTempView(view)
                executor.event("update_progress", {"state": result.state}, level="INFO" if result.ok else "ERROR",
                               message=str(result.error or ""))
            self.context.executor = None
            for key, value in conf_before.items():
                if value is None:
                    spark.conf.unset(key)
                else:
                    spark.conf.set(key, value)
            try:
                spark.catalog.setCurrentCatalog(catalog_before)
                spark.catalog.setCurrentDatabase(schema_before)
            except Exception:  # noqa: BLE001
                pass
            result.seconds = time.monotonic() - started
        return result

    def _reset(self, graph: GraphRegistry, selection: Union[bool, Iterable[str]]) -> None:
        spark = self.lakehouse.spark
        names = None if selection is True else {n.lower() for n in selection}
        for dataset in graph.datasets.values():
            if dataset.is_view or dataset.kind == "sink" or (names is not None and dataset.name.lower() not in names):
                continue
            spark.sql(f"DROP TABLE IF EXISTS {dataset.qualified}")
            for flow in graph.flows:
                if flow.target.lower() == dataset.name.lower():
                    for folder in ("checkpoints", "autocdc", "autoloader"):
                        shutil.rmtree(self.storage / folder / _safe(flow.name), ignore_errors=True)
        from .session import clear_caches

        clear_caches(spark)

    def table(self, name: str) -> DataFrame:
        """A dataset of this pipeline, read from the catalog."""
        return self.lakehouse.spark.read.table(quote_identifier(self.qualify(parse_identifier(name))))
