"""AUTO CDC (``create_auto_cdc_flow`` / ``apply_changes``), emulated with Delta Lake MERGE.

Databricks semantics followed (https://docs.databricks.com/aws/en/ldp/cdc and
https://docs.databricks.com/aws/en/ldp/developer/ldp-python-ref-apply-changes):

- Events are matched by ``keys`` and ordered by ``sequence_by`` (a column name, a SQL expression
  string, or a Column, ``struct(...)`` included); out-of-order events are handled: the result is
  the one of applying the events in sequence order, whatever order they arrive in, within a
  micro-batch or across updates.
- Every micro-batch is validated as Databricks' ``AUTOCDC_MICROBATCH_VALIDATION`` error class
  documents: a NULL key (``NULL_KEY``) or a NULL sequence (``NULL_SEQUENCE``) fails the update.
- "Each sequencing value should have one distinct update per key": identical duplicates (same
  key, sequence and values) count once; *distinct* events with one key and one sequence have no
  defined result on Databricks, so the harness fails the update with ``AutoCdcDuplicateSequence``
  by default (``duplicate_sequence="any"`` keeps one of them, as Databricks and Spark do,
  arbitrarily). An event whose key and sequence equal those of an event of an *earlier* update
  replaces it.
- ``apply_as_deletes``: events for which the expression is true are deletes.
- ``column_list`` / ``except_column_list``: the target's columns (keys are always kept).
- ``ignore_null_updates``: a NULL in an update keeps the target's value (per column).
- SCD type 1 (``stored_as_scd_type=1``, the default): one row per key, the latest by sequence;
  a delete removes the row and is remembered (a tombstone in the flow's state), so a late update
  older than the delete does not bring the row back; an update older than the row is ignored.
- SCD type 2: one row per version with ``__START_AT`` (the sequence value that began it) and
  ``__END_AT`` (the sequence value of the next version or of the delete; NULL for the current
  version), both of the sequence expression's type. A new version begins only when a *tracked*
  column changes (``track_history_column_list``, or every column but those of
  ``track_history_except_column_list``; by default every non-key column); a change of an
  untracked column updates the version in place. A late event is inserted where its sequence
  puts it: the version it falls into is split (or its untracked values updated), and the
  neighbours' ``__START_AT`` / ``__END_AT`` are adjusted. A delete closes the current version.

Implementation: each micro-batch (``foreachBatch``) recomputes the history of the keys it touches
from their existing rows and the new events, and writes the difference with one Delta MERGE.
Not emulated: ``apply_as_truncates``, ``once=True``, AUTO CDC FROM SNAPSHOT (they raise).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, List, Optional, Sequence, Union

from pyspark.sql import Column, DataFrame, SparkSession, Window
from pyspark.sql import functions as F
from pyspark.sql.types import StructField, StructType

START_AT = "__START_AT"
END_AT = "__END_AT"
SEQ = "__harness_seq"
IS_DELETE = "__harness_is_delete"
PRIO = "__harness_prio"


class AutoCdcValidationError(RuntimeError):
    """Databricks' ``AUTOCDC_MICROBATCH_VALIDATION`` (NULL_KEY, NULL_SEQUENCE, NON_ORDERABLE_SEQUENCE)."""


class AutoCdcDuplicateSequence(RuntimeError):
    """Distinct events share a key and a sequence value: Databricks documents no result for that."""


@dataclass
class AutoCdcSpec:
    target: str
    source: str
    keys: List[str]
    sequence_by: Column
    sequence_text: str
    stored_as_scd_type: int = 1
    apply_as_deletes: Optional[Column] = None
    column_list: Optional[List[str]] = None
    except_column_list: Optional[List[str]] = None
    track_history_column_list: Optional[List[str]] = None
    track_history_except_column_list: Optional[List[str]] = None
    ignore_null_updates: bool = False
    name: Optional[str] = None
    extra: dict = field(default_factory=dict)

    def target_columns(self, source_columns: Sequence[str]) -> List[str]:
        lower = {c.lower(): c for c in source_columns}
        for key in self.keys:
            if key.lower() not in lower:
                raise ValueError(f"AUTO CDC key {key!r} is not a column of the source {self.source!r} ({', '.join(source_columns)})")
        if self.column_list is not None:
            wanted = {c.lower() for c in self.column_list} | {k.lower() for k in self.keys}
            missing = [c for c in self.column_list if c.lower() not in lower]
            if missing:
                raise ValueError(f"column_list names columns the source does not have: {missing}")
            return [c for c in source_columns if c.lower() in wanted]
        excluded = {c.lower() for c in (self.except_column_list or [])} - {k.lower() for k in self.keys}
        return [c for c in source_columns if c.lower() not in excluded]

    def tracked_columns(self, value_columns: Sequence[str]) -> List[str]:
        if self.track_history_column_list is not None:
            tracked = {c.lower() for c in self.track_history_column_list}
            missing = [c for c in self.track_history_column_list if c.lower() not in {v.lower() for v in value_columns}]
            if missing:
                raise ValueError(f"track_history_column_list names columns the target does not have: {missing}")
            return [c for c in value_columns if c.lower() in tracked]
        if self.track_history_except_column_list is not None:
            untracked = {c.lower() for c in self.track_history_except_column_list}
            return [c for c in value_columns if c.lower() not in untracked]
        return list(value_columns)


def q(name: str) -> str:
    return "`" + name.replace("`", "``") + "`"


def c(name: str) -> Column:
    return F.col(q(name))


class AutoCdcWriter:
    """Applies micro-batches of CDC events to the target table (``process``)."""

    def __init__(self, spark: SparkSession, spec: AutoCdcSpec, target_table: str, state_path: str, *,
                 duplicate_sequence: str = "error"):
        if duplicate_sequence not in ("error", "any"):
            raise ValueError("duplicate_sequence is 'error' or 'any'")
        self.spark = spark
        self.spec = spec
        self.target_table = target_table
        self.state_path = state_path
        self.duplicate_sequence = duplicate_sequence
        self.columns: List[str] = []
        self.value_columns: List[str] = []
        self.tracked: List[str] = []

    # -- the target --------------------------------------------------------------------------------
    def target_schema(self, source: DataFrame) -> StructType:
        self.columns = self.spec.target_columns(source.columns)
        keys_lower = {k.lower() for k in self.spec.keys}
        self.value_columns = [col for col in self.columns if col.lower() not in keys_lower]
        self.tracked = self.spec.tracked_columns(self.value_columns) if self.spec.stored_as_scd_type == 2 else []
        projected = source.select(*[c(col) for col in self.columns], self.spec.sequence_by.alias(SEQ))
        seq_type = projected.schema[SEQ].dataType
        _check_orderable(seq_type, self.spec)
        fields = [StructField(f.name, f.dataType, True, f.metadata) for f in projected.schema.fields if f.name != SEQ]
        if self.spec.stored_as_scd_type == 2:
            fields += [StructField(START_AT, seq_type, True), StructField(END_AT, seq_type, True)]
        return StructType(fields)

    def ensure_target(self, source: DataFrame, declared_schema: Optional[StructType] = None) -> None:
        schema = self.target_schema(source)
        if declared_schema is not None:
            missing = [f.name for f in schema.fields if f.name.lower() not in {d.name.lower() for d in declared_schema.fields}]
            if missing:
                raise ValueError(f"The declared schema of {self.spec.target} lacks {missing} (with SCD type 2, "
                                 f"__START_AT and __END_AT of the sequence's type must be declared too)")
            schema = declared_schema
        if not self.spark.catalog.tableExists(self.target_table):
            self.spark.createDataFrame([], schema).write.format("delta").saveAsTable(self.target_table)
            return
        existing = {f.name.lower() for f in self.spark.table(self.target_table).schema.fields}
        added = [f for f in schema.fields if f.name.lower() not in existing]
        if added:
            ddl = ", ".join(f"{q(f.name)} {f.dataType.simpleString()}" for f in added)
            self.spark.sql(f"ALTER TABLE {self.target_table} ADD COLUMNS ({ddl})")

    # -- events ------------------------------------------------------------------------------------
    def events(self, batch: DataFrame) -> DataFrame:
        deletes = self.spec.apply_as_deletes
        is_delete = F.coalesce(deletes.cast("boolean"), F.lit(False)) if deletes is not None else F.lit(False)
        return batch.select(*[c(col).alias(col) for col in self.columns], self.spec.sequence_by.alias(SEQ),
                            is_delete.alias(IS_DELETE))

    def _inspect(self, ev: DataFrame, batch_id: int) -> dict:
        """One aggregation: the micro-batch validation, the event counts and whether distinct events share a key and sequence."""
        everything = F.struct(*[F.col(q(x)) for x in ev.columns])
        key_and_sequence = F.struct(*[c(k) for k in self.spec.keys], F.col(SEQ))
        aggs = [F.count(F.lit(1)).alias("n"), F.sum(F.col(IS_DELETE).cast("int")).alias("deletes"),
                F.count_distinct(everything).alias("distinct_events"), F.count_distinct(key_and_sequence).alias("distinct_keys"),
                F.sum(F.when(F.col(SEQ).isNull(), 1).otherwise(0)).alias("null_seq")]
        aggs += [F.sum(F.when(c(k).isNull(), 1).otherwise(0)).alias(f"k{i}") for i, k in enumerate(self.spec.keys)]
        row = ev.agg(*aggs).first()
        prefix = (f"[AUTOCDC_MICROBATCH_VALIDATION] AutoCDC flow on table {self.spec.target} in batch {batch_id} "
                  f"failed microbatch validation.")
        null_keys = {k: int(row[f"k{i}"] or 0) for i, k in enumerate(self.spec.keys) if row[f"k{i}"]}
        if null_keys:
            counts = ", ".join(f"{k}: {n}" for k, n in null_keys.items())
            raise AutoCdcValidationError(f"{prefix} [NULL_KEY] The microbatch contains rows with null values in the "
                                         f"following key column(s): {counts}. All rows must have non-null values for every key column.")
        if row["null_seq"]:
            raise AutoCdcValidationError(f"{prefix} [NULL_SEQUENCE] The microbatch contains {int(row['null_seq'])} row(s) with a "
                                         f"null sequencing value. All rows must have a non-null sequencing value.")
        return {"events": int(row["n"]), "deletes": int(row["deletes"] or 0),
                "duplicates": int(row["distinct_events"]) > int(row["distinct_keys"])}

    def _deduplicated(self, ev: DataFrame, duplicates: bool, batch_id: int) -> DataFrame:
        ev = ev.dropDuplicates()
        if not duplicates:
            return ev
        keys = [c(k) for k in self.spec.keys] + [F.col(SEQ)]
        if self.duplicate_sequence == "error":
            found = ev.groupBy(*keys).count().where("count > 1").limit(5).collect()
            shown = "; ".join(", ".join(f"{k}={row[k]!r}" for k in self.spec.keys) + f", sequence={row[SEQ]!r}" for row in found)
            raise AutoCdcDuplicateSequence(
                f"AutoCDC flow on table {self.spec.target} in batch {batch_id}: distinct events share a key and a "
                f"sequence value ({shown}). Databricks requires one distinct update per key at each sequencing "
                f"value and defines no result otherwise; order them (sequence_by=struct(...)) or deduplicate them. "
                f"Pipeline(..., duplicate_sequence='any') keeps one of them.")
        w = Window.partitionBy(*keys).orderBy(F.to_json(F.struct(*[F.col(q(x)) for x in ev.columns])))
        return ev.withColumn("__harness_rn", F.row_number().over(w)).where("__harness_rn = 1").drop("__harness_rn")

    # -- apply -------------------------------------------------------------------------------------
    def process(self, batch: DataFrame, batch_id: int) -> dict:
        ev = self.events(batch)
        found = self._inspect(ev, batch_id)
        if not found["events"]:
            return {"num_upserted_rows": 0, "num_deleted_rows": 0}
        ev = self._deduplicated(ev, found["duplicates"], batch_id)
        # Our MERGE sources are checkpointed (deterministic): Delta need not materialize them again.
        before = self.spark.conf.get("spark.databricks.delta.merge.materializeSource", None)
        self.spark.conf.set("spark.databricks.delta.merge.materializeSource", "none")
        try:
            if self.spec.stored_as_scd_type == 2:
                self._scd2(ev)
            else:
                self._scd1(ev)
        finally:
            if before is None:
                self.spark.conf.unset("spark.databricks.delta.merge.materializeSource")
            else:
                self.spark.conf.set("spark.databricks.delta.merge.materializeSource", before)
        return {"num_upserted_rows": found["events"] - found["deletes"], "num_deleted_rows": found["deletes"]}

    def _key_condition(self, left: str = "t", right: str = "s") -> str:
        return " AND ".join(f"{left}.{q(k)} = {right}.{q(k)}" for k in self.spec.keys)

    def _fill_nulls(self, events: DataFrame) -> DataFrame:
        """ignore_null_updates: a NULL in an update takes the value of the key's previous event (until a delete)."""
        keys = [c(k) for k in self.spec.keys]
        running = Window.partitionBy(*keys).orderBy(F.col(SEQ)).rowsBetween(Window.unboundedPreceding, Window.currentRow)
        events = events.withColumn("__harness_segment", F.sum(F.col(IS_DELETE).cast("int")).over(running))
        filled = Window.partitionBy(*keys, F.col("__harness_segment")).orderBy(F.col(SEQ)) \
            .rowsBetween(Window.unboundedPreceding, Window.currentRow)
        for v in self.value_columns:
            events = events.withColumn(v, F.when(F.col(IS_DELETE), F.lit(None)).otherwise(F.last(c(v), ignorenulls=True).over(filled)))
        return events.drop("__harness_segment")

    def _scd1(self, ev: DataFrame) -> None:
        from delta.tables import DeltaTable

        spark = self.spark
        keys = list(self.spec.keys)
        if self.spec.ignore_null_updates:
            ev = self._fill_nulls(ev)
        latest = (ev.groupBy(*[c(k) for k in keys])
                  .agg(F.max_by(F.struct(*[F.col(q(x)) for x in ev.columns]), F.col(SEQ)).alias("__w"))
                  .select("__w.*"))
        # The flow's state: the sequence (and whether a delete) last applied per key, tombstones
        # included. Append-only; the latest entry per key counts.
        if DeltaTable.isDeltaTable(spark, self.state_path):
            state = (spark.read.format("delta").load(self.state_path)
                     .groupBy(*[c(k).alias(f"__state_{i}") for i, k in enumerate(keys)])
                     .agg(F.max(SEQ).alias("__state_seq")))
            join = [latest[q(k)] == state[f"__state_{i}"] for i, k in enumerate(keys)]
            latest = (latest.join(state, join, "left")
                      .where(F.col("__state_seq").isNull() | (F.col(SEQ) >= F.col("__state_seq")))
                      .select(*[F.col(q(x)) for x in latest.columns]))
        applicable = latest.localCheckpoint(eager=True)
        if applicable.isEmpty():
            return
        update_set = {q(v): (f"coalesce(s.{q(v)}, t.{q(v)})" if self.spec.ignore_null_updates else f"s.{q(v)}")
                      for v in self.value_columns}
        insert_values = {q(x): f"s.{q(x)}" for x in self.columns}
        merge = (DeltaTable.forName(spark, self.target_table).alias("t")
                 .merge(applicable.alias("s"), self._key_condition())
                 .whenMatchedDelete(condition=f"s.{IS_DELETE}"))
        if update_set:
            merge = merge.whenMatchedUpdate(condition=f"NOT s.{IS_DELETE}", set=update_set)
        merge.whenNotMatchedInsert(condition=f"NOT s.{IS_DELETE}", values=insert_values).execute()
        (applicable.select(*[c(k) for k in keys], F.col(SEQ), F.col(IS_DELETE))
         .write.format("delta").mode("append").save(self.state_path))

    def _scd2(self, ev: DataFrame) -> None:
        from delta.tables import DeltaTable

        spark = self.spark
        keys = list(self.spec.keys)
        values = list(self.value_columns)
        affected = ev.select(*[c(k) for k in keys]).distinct()
        history = (spark.read.table(self.target_table).join(affected, keys, "left_semi")
                   .select(*[c(x) for x in keys + values], c(START_AT), c(END_AT))
                   .localCheckpoint(eager=True))

        # The existing history as events: each version began with an upsert at __START_AT; a version
        # that ended without a next one beginning there ended with a delete at __END_AT.
        as_upserts = history.select(*[c(x) for x in keys + values], c(START_AT).alias(SEQ),
                                    F.lit(False).alias(IS_DELETE), F.lit(0).alias(PRIO))
        starts = history.select(*[c(k).alias(f"__n_{i}") for i, k in enumerate(keys)], c(START_AT).alias("__n_start"))
        ended = history.where(c(END_AT).isNotNull())
        cond = [ended[q(k)] == starts[f"__n_{i}"] for i, k in enumerate(keys)] + [ended[q(END_AT)] == starts["__n_start"]]
        as_deletes = (ended.join(starts, cond, "left_anti")
                      .select(*[c(k) for k in keys], *[F.lit(None).cast(history.schema[v].dataType).alias(v) for v in values],
                              c(END_AT).alias(SEQ), F.lit(True).alias(IS_DELETE), F.lit(0).alias(PRIO)))
        incoming = ev.select(*[c(x) for x in keys + values], F.col(SEQ), F.col(IS_DELETE), F.lit(1).alias(PRIO))
        events = as_upserts.unionByName(as_deletes).unionByName(incoming)
        # One event per key and sequence: an incoming one replaces a recorded one.
        w_dup = Window.partitionBy(*[c(k) for k in keys], F.col(SEQ)).orderBy(F.col(PRIO).desc())
        events = events.withColumn("__harness_rn", F.row_number().over(w_dup)).where("__harness_rn = 1").drop("__harness_rn", PRIO)

        by_key = Window.partitionBy(*[c(k) for k in keys]).orderBy(F.col(SEQ))
        running = by_key.rowsBetween(Window.unboundedPreceding, Window.currentRow)
        if self.spec.ignore_null_updates:
            events = self._fill_nulls(events)

        previous_delete = F.lag(F.col(IS_DELETE)).over(by_key)
        changed = F.lit(False)
        for t in self.tracked:
            changed = changed | ~c(t).eqNullSafe(F.lag(c(t)).over(by_key))
        boundary = F.col(IS_DELETE) | previous_delete.isNull() | previous_delete | changed
        events = events.withColumn("__harness_boundary", boundary.cast("int"))
        events = events.withColumn("__harness_group", F.sum("__harness_boundary").over(running))
        groups = (events.groupBy(*[c(k) for k in keys], F.col("__harness_group"))
                  .agg(F.min(SEQ).alias(START_AT),
                       F.min_by(F.col(IS_DELETE), F.col(SEQ)).alias("__harness_deleted"),
                       F.max_by(F.struct(*[c(v) for v in values] or [F.lit(0).alias("__none")]), F.col(SEQ)).alias("__harness_last")))
        by_start = Window.partitionBy(*[c(k) for k in keys]).orderBy(F.col(START_AT))
        groups = groups.withColumn(END_AT, F.lead(F.col(START_AT)).over(by_start))
        versions = groups.where(~F.col("__harness_deleted")).select(
            *[c(k) for k in keys], *[F.col(f"__harness_last.{q(v)}").alias(v) for v in values], F.col(START_AT), F.col(END_AT))

        stale = history.join(versions.select(*[c(k) for k in keys], c(START_AT)), keys + [START_AT], "left_anti")
        changes = (versions.withColumn("__harness_op", F.lit("upsert"))
                   .unionByName(stale.withColumn("__harness_op", F.lit("delete")))
                   .localCheckpoint(eager=True))
        columns = keys + values + [START_AT, END_AT]
        (DeltaTable.forName(spark, self.target_table).alias("t")
         .merge(changes.alias("s"), self._key_condition() + f" AND t.{q(START_AT)} = s.{q(START_AT)}")
         .whenMatchedDelete(condition="s.__harness_op = 'delete'")
         .whenMatchedUpdate(condition="s.__harness_op = 'upsert'", set={q(x): f"s.{q(x)}" for x in columns})
         .whenNotMatchedInsert(condition="s.__harness_op = 'upsert'", values={q(x): f"s.{q(x)}" for x in columns})
         .execute())


def _check_orderable(data_type, spec: AutoCdcSpec) -> None:
    from pyspark.sql.types import MapType

    name = data_type.typeName()
    if isinstance(data_type, MapType) or name in ("variant", "map"):
        raise AutoCdcValidationError(f"[AUTOCDC_MICROBATCH_VALIDATION] [NON_ORDERABLE_SEQUENCE] The sequencing column of "
                                     f"{spec.target} has non-orderable type {data_type.simpleString()}. The sequencing "
                                     f"column must be of a type that supports ordering.")


def column_names(arg_name: str, columns: Optional[Union[List[str], List[Column]]]) -> Optional[List[str]]:
    """Names from a list of strings or unqualified Columns (``col("a")``, ``col("`a`")``)."""
    if columns is None:
        return None
    if not isinstance(columns, (list, tuple)):
        raise TypeError(f"{arg_name} must be a list of column names or Columns, not {type(columns).__name__}")
    names = []
    for item in columns:
        if isinstance(item, str):
            names.append(_unquote(item))
        elif isinstance(item, Column):
            text = item._jc.toString()
            if "." in text.replace("`", "") and not text.startswith("`"):
                raise ValueError(f"{arg_name}: a column must be unqualified (col('a'), not col('t.a')): {text}")
            names.append(_unquote(text))
        else:
            raise TypeError(f"{arg_name} must be a list of column names or Columns, not {type(item).__name__}")
    return names


def _unquote(name: str) -> str:
    name = name.strip()
    if len(name) >= 2 and name[0] == "`" and name[-1] == "`":
        return name[1:-1].replace("``", "`")
    return name


def sequence_column(sequence_by: Any) -> tuple:
    if isinstance(sequence_by, str):
        return F.expr(sequence_by), sequence_by
    if isinstance(sequence_by, Column):
        return sequence_by, sequence_by._jc.toString()
    raise TypeError(f"sequence_by must be a column name, a SQL expression or a Column, not {type(sequence_by).__name__}")
