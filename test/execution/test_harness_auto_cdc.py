"""AUTO CDC emulation (create_auto_cdc_flow / apply_changes), against Databricks' documented example.

The source data and the expected SCD type 1 and type 2 tables are those of "Example: SCD type 1
and SCD type 2 processing with CDF source data" in
https://docs.databricks.com/aws/en/ldp/cdc (including its out-of-order events: the sequence-6
update of user 125 is listed before the sequence-5 one). The harness additionally delivers one
event late, in a second update, after the delete that follows it.
"""

import pytest

from harness import AutoCdcDuplicateSequence, AutoCdcValidationError

SOURCE_SCHEMA = "userId INT, name STRING, city STRING, operation STRING, sequenceNum BIGINT"
DOCS_EVENTS = [
    (124, "Raul", "Oaxaca", "INSERT", 1),
    (123, "Isabel", "Monterrey", "INSERT", 1),
    (125, "Mercedes", "Tijuana", "INSERT", 2),
    (126, "Lily", "Cancun", "INSERT", 2),
    (123, None, None, "DELETE", 6),
    (125, "Mercedes", "Guadalajara", "UPDATE", 6),
    (125, "Mercedes", "Mexicali", "UPDATE", 5),
    (123, "Isabel", "Chihuahua", "UPDATE", 5),
]
LATE = (123, "Isabel", "Chihuahua", "UPDATE", 5)

# The docs' Python, for the three targets of the docs' examples.
DOCS_PIPELINE = """
from pyspark import pipelines as dp
from pyspark.sql.functions import col, expr

@dp.temporary_view
def users():
    return spark.readStream.table(spark.conf.get("test.source"))

dp.create_streaming_table("target_scd1")
dp.create_auto_cdc_flow(
    target="target_scd1", source="users", keys=["userId"], sequence_by=col("sequenceNum"),
    apply_as_deletes=expr("operation = 'DELETE'"), except_column_list=["operation", "sequenceNum"],
    stored_as_scd_type=1,
)

dp.create_streaming_table("target_scd2")
dp.create_auto_cdc_flow(
    target="target_scd2", source="users", keys=["userId"], sequence_by=col("sequenceNum"),
    apply_as_deletes=expr("operation = 'DELETE'"), except_column_list=["operation", "sequenceNum"],
    stored_as_scd_type="2",
)

dp.create_streaming_table("target_scd2_city_untracked")
dp.create_auto_cdc_flow(
    target="target_scd2_city_untracked", source="users", keys=["userId"], sequence_by=col("sequenceNum"),
    apply_as_deletes=expr("operation = 'DELETE'"), except_column_list=["operation", "sequenceNum"],
    stored_as_scd_type="2", track_history_except_column_list=["city"],
)
"""


def source_table(lakehouse, rows, name="users", schema=SOURCE_SCHEMA, mode="append"):
    lakehouse.create_schema("silver")
    df = lakehouse.spark.createDataFrame(rows, schema)
    df.write.format("delta").mode(mode).saveAsTable(f"spark_catalog.silver.{name}")
    return f"spark_catalog.silver.{name}"


def pipeline(lakehouse, tmp_path, code, source, **kwargs):
    path = tmp_path / "pipeline_source.py"
    path.write_text("# Databricks notebook source\n" + code)
    return lakehouse.pipeline([path], catalog="spark_catalog", schema="gold",
                              configuration={"test.source": source}, **kwargs)


def rows(lakehouse, table, *columns):
    order = [columns[0]] + (["__START_AT"] if "__START_AT" in columns else [])
    return [tuple(r[c] for c in columns) for r in lakehouse.rows(f"spark_catalog.gold.{table}", order_by=order)]


def test_docs_example_scd1_scd2_and_a_late_event(lakehouse, tmp_path):
    source = source_table(lakehouse, [e for e in DOCS_EVENTS if e != LATE])
    p = pipeline(lakehouse, tmp_path, DOCS_PIPELINE, source)
    first = p.update()
    assert first.ok, first.error_traceback
    assert rows(lakehouse, "target_scd2", "userId", "name", "city", "__START_AT", "__END_AT") == [
        (123, "Isabel", "Monterrey", 1, 6),
        (124, "Raul", "Oaxaca", 1, None),
        (125, "Mercedes", "Tijuana", 2, 5),
        (125, "Mercedes", "Mexicali", 5, 6),
        (125, "Mercedes", "Guadalajara", 6, None),
        (126, "Lily", "Cancun", 2, None),
    ]
    assert first.metrics("target_scd2") == {"num_upserted_rows": 6, "num_deleted_rows": 1, "num_output_rows": 7}

    # The sequence-5 update of user 123 arrives after its sequence-6 delete was applied.
    source_table(lakehouse, [LATE])
    second = p.update()
    assert second.ok, second.error_traceback
    assert second.metrics("target_scd1")["num_upserted_rows"] == 1  # read once, incrementally

    # The docs' results.
    assert rows(lakehouse, "target_scd1", "userId", "name", "city") == [
        (124, "Raul", "Oaxaca"),
        (125, "Mercedes", "Guadalajara"),
        (126, "Lily", "Cancun"),
    ]
    assert rows(lakehouse, "target_scd2", "userId", "name", "city", "__START_AT", "__END_AT") == [
        (123, "Isabel", "Monterrey", 1, 5),
        (123, "Isabel", "Chihuahua", 5, 6),
        (124, "Raul", "Oaxaca", 1, None),
        (125, "Mercedes", "Tijuana", 2, 5),
        (125, "Mercedes", "Mexicali", 5, 6),
        (125, "Mercedes", "Guadalajara", 6, None),
        (126, "Lily", "Cancun", 2, None),
    ]
    assert rows(lakehouse, "target_scd2_city_untracked", "userId", "name", "city", "__START_AT", "__END_AT") == [
        (123, "Isabel", "Chihuahua", 1, 6),
        (124, "Raul", "Oaxaca", 1, None),
        (125, "Mercedes", "Guadalajara", 2, None),
        (126, "Lily", "Cancun", 2, None),
    ]
    # __START_AT / __END_AT have the sequence column's type; the target has the selected columns.
    assert lakehouse.table("spark_catalog.gold.target_scd2").dtypes == [
        ("userId", "int"), ("name", "string"), ("city", "string"), ("__START_AT", "bigint"), ("__END_AT", "bigint")]


def test_ignore_null_updates_column_list_and_a_struct_sequence(lakehouse, tmp_path):
    schema = "id INT, name STRING, tier STRING, note STRING, day STRING, n INT"
    source = source_table(lakehouse, [
        (1, "ann", "free", "x", "2024-01-01", 1),
        (1, None, "gold", None, "2024-01-01", 2),   # same day, later n: the struct orders it after the first
        (1, "anne", None, None, "2024-01-02", 1),
        (2, "bob", "free", "y", "2024-01-01", 1),
    ], schema=schema)
    code = """
from pyspark import pipelines as dp

@dp.temporary_view
def changes():
    return spark.readStream.table(spark.conf.get("test.source")).selectExpr("*", "to_date(day) AS d")

dp.create_streaming_table("latest")
dp.create_auto_cdc_flow(target="latest", source="changes", keys=["id"], sequence_by="struct(d, n)",
                        ignore_null_updates=True, column_list=["id", "name", "tier"])

dp.create_streaming_table("history")
dp.create_auto_cdc_flow(target="history", source="changes", keys=["id"], sequence_by="struct(d, n)",
                        ignore_null_updates=True, column_list=["id", "name", "tier"], stored_as_scd_type=2,
                        track_history_column_list=["tier"])
"""
    p = pipeline(lakehouse, tmp_path, code, source)
    result = p.update()
    assert result.ok, result.error_traceback
    assert rows(lakehouse, "latest", "id", "name", "tier") == [(1, "anne", "gold"), (2, "bob", "free")]
    history = lakehouse.rows("spark_catalog.gold.history", order_by=["id", "__START_AT"])
    assert [(r["id"], r["name"], r["tier"], r["__START_AT"]["n"]) for r in history] == [
        (1, "ann", "free", 1), (1, "anne", "gold", 2), (2, "bob", "free", 1)]
    assert [h["__END_AT"] is None for h in history] == [False, True, True]


def test_distinct_events_with_one_key_and_sequence(lakehouse, tmp_path):
    source = source_table(lakehouse, [
        (1, "a", "X", "INSERT", 1), (1, "a", "X", "INSERT", 1),   # identical: one event
        (2, "b", "X", "INSERT", 1), (2, "b", "Y", "UPDATE", 1),   # distinct, same key and sequence
    ])
    code = DOCS_PIPELINE.split('dp.create_streaming_table("target_scd2")')[0]
    strict = pipeline(lakehouse, tmp_path, code, source)
    failed = strict.update()
    assert not failed.ok and isinstance(failed.error, AutoCdcDuplicateSequence)
    assert "userId=2" in str(failed.error)

    lenient = pipeline(lakehouse, tmp_path, code, source, name="lenient", duplicate_sequence="any")
    result = lenient.update()
    assert result.ok, result.error_traceback
    assert [r[0] for r in rows(lakehouse, "target_scd1", "userId", "city")] == [1, 2]


def test_null_keys_fail_the_microbatch_validation(lakehouse, tmp_path):
    source = source_table(lakehouse, [(None, "a", "X", "INSERT", 1), (1, "b", "X", "INSERT", 2)])
    code = DOCS_PIPELINE.split('dp.create_streaming_table("target_scd2")')[0]
    result = pipeline(lakehouse, tmp_path, code, source).update()
    assert not result.ok and isinstance(result.error, AutoCdcValidationError)
    assert "NULL_KEY" in str(result.error) and "userId: 1" in str(result.error)
    assert result.flow_status("target_scd1") == "FAILED"
