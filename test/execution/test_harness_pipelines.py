"""The pipeline emulation: the graph, dependency order, expectations, state across updates,
full refresh, configuration, the legacy dlt names, and what Databricks would refuse.

Databricks semantics followed: https://docs.databricks.com/aws/en/ldp/ (datasets, flows,
updates, full refresh), https://docs.databricks.com/aws/en/ldp/expectations (expectations and
their event-log metrics), https://docs.databricks.com/aws/en/ldp/developer/python-ref (the API).
"""

import pytest

from harness import ExpectationViolation, PipelineDefinitionError

ORDERS = "order_id INT, customer STRING, amount INT"

# Declared in an order Databricks does not care about: the materialized view first, the view last.
ORDERS_PIPELINE = """
from pyspark import pipelines as dp
from pyspark.sql import functions as F

@dp.materialized_view(comment="Reads orders_clean through SQL, unqualified: the pipeline's schema.")
def order_totals():
    return spark.sql("SELECT customer, sum(amount) AS total, count(*) AS orders FROM orders_clean GROUP BY customer")

@dp.table
@dp.expect("positive_amount", "amount > 0")
def orders_clean():
    return spark.readStream.table("orders_valid").withColumn("channel", F.lit(spark.conf.get("test.channel")))

@dp.temporary_view
@dp.expect_all_or_drop({"has_customer": "customer IS NOT NULL", "has_id": "order_id IS NOT NULL"})
def orders_valid():
    return spark.readStream.table(spark.conf.get("test.source"))
"""


def write_source(lakehouse, rows, mode="append"):
    lakehouse.create_schema("silver")
    lakehouse.spark.createDataFrame(rows, ORDERS).write.format("delta").mode(mode).saveAsTable("spark_catalog.silver.orders")
    return "spark_catalog.silver.orders"


def make_pipeline(lakehouse, tmp_path, code, name="pipeline", **configuration):
    path = tmp_path / f"{name}.py"
    path.write_text("# Databricks notebook source\n" + code)
    return lakehouse.pipeline([path], name=name, catalog="spark_catalog", schema="gold", configuration=configuration)


def totals(lakehouse):
    return {r["customer"]: (r["total"], r["orders"]) for r in lakehouse.rows("spark_catalog.gold.order_totals")}


def test_order_expectations_state_across_updates_and_full_refresh(lakehouse, tmp_path):
    source = write_source(lakehouse, [(1, "a", 10), (2, "a", -5), (3, None, 7), (None, "b", 1), (4, "b", 3)])
    p = make_pipeline(lakehouse, tmp_path, ORDERS_PIPELINE, **{"test.source": source, "test.channel": "web"})

    first = p.update()
    assert first.ok, first.error_traceback
    # Dependency order, not declaration order: the view is computed inside orders_clean's flow,
    # and the materialized view runs after the table it reads.
    completed = [e["origin"]["flow_name"] for e in first.flow_progress(status="COMPLETED")]
    assert completed == ["orders_clean", "order_totals"]
    assert totals(lakehouse) == {"a": (5, 2), "b": (3, 1)}
    assert {r["channel"] for r in lakehouse.rows("spark_catalog.gold.orders_clean")} == {"web"}
    # Expectations as the event log reports them: every expectation counts every record; drop drops, expect keeps.
    assert sorted((e["dataset"], e["name"], e["passed_records"], e["failed_records"]) for e in first.expectations()) == [
        ("orders_clean", "positive_amount", 2, 1),
        ("orders_valid", "has_customer", 4, 1),
        ("orders_valid", "has_id", 4, 1),
    ]
    assert first.dropped_records("orders_clean") == 2
    assert first.metrics("orders_clean") == {"num_output_rows": 3}

    # Incremental: the streaming table reads only the new row; the materialized view is recomputed.
    write_source(lakehouse, [(5, "b", 4)])
    second = p.update()
    assert second.ok, second.error_traceback
    assert second.metrics("orders_clean") == {"num_output_rows": 1}
    assert totals(lakehouse) == {"a": (5, 2), "b": (7, 2)}
    assert [(e["name"], e["passed_records"]) for e in second.expectations("orders_valid")] == [("has_customer", 1), ("has_id", 1)]

    # A full refresh forgets the checkpoints and rebuilds every table from the source.
    third = p.update(full_refresh=True)
    assert third.ok, third.error_traceback
    assert third.metrics("orders_clean") == {"num_output_rows": 4}
    assert lakehouse.table("spark_catalog.gold.orders_clean").count() == 4
    assert totals(lakehouse) == {"a": (5, 2), "b": (7, 2)}


def test_expect_or_fail_fails_the_update_and_writes_nothing(lakehouse, tmp_path):
    source = write_source(lakehouse, [(1, "a", 10), (2, "b", -1)])
    code = ORDERS_PIPELINE.replace('@dp.expect("positive_amount", "amount > 0")',
                                   '@dp.expect_or_fail("positive_amount", "amount > 0")')
    p = make_pipeline(lakehouse, tmp_path, code, **{"test.source": source, "test.channel": "web"})
    result = p.update()
    assert not result.ok and isinstance(result.error, ExpectationViolation)
    assert result.error.expectation == "positive_amount" and '"order_id":2' in result.error.record
    assert result.flow_status("orders_clean") == "FAILED" and result.flow_status("order_totals") == "SKIPPED"
    assert lakehouse.table("spark_catalog.gold.orders_clean").count() == 0


LEGACY = """
import dlt
from pyspark.sql import functions as F

@dlt.view
def raw():
    return spark.read.table(spark.conf.get("test.source"))

@dlt.expect_or_drop("known_customer", "customer IS NOT NULL")
@dlt.table(name="per_customer")
def per_customer_query():
    return dlt.read("raw").groupBy("customer").agg(F.sum("amount").alias("total"))

@dlt.table
def orders_stream():
    return dlt.read_stream("LIVE.orders_source")

@dlt.table
def orders_source():
    return spark.readStream.table(spark.conf.get("test.source"))

dlt.create_target_table("latest_order")
dlt.apply_changes(target="latest_order", source="orders_stream", keys=["customer"], sequence_by="order_id",
                  column_list=["customer", "order_id", "amount"])
"""


def test_legacy_dlt_names(lakehouse, tmp_path):
    source = write_source(lakehouse, [(1, "a", 10), (2, "a", 20), (3, None, 7), (4, "b", 3)])
    p = make_pipeline(lakehouse, tmp_path, LEGACY.replace('keys=["customer"]', 'keys=["customer"]'), **{"test.source": source})
    # customer NULL would fail AUTO CDC's validation: the source keeps it, so drop it in the stream.
    p.libraries[0].write_text(p.libraries[0].read_text().replace(
        'return dlt.read_stream("LIVE.orders_source")', 'return dlt.read_stream("LIVE.orders_source").where("customer IS NOT NULL")'))
    result = p.update()
    assert result.ok, result.error_traceback
    # @dlt.table over a batch read is a materialized view; expectation decorators work above the table's too.
    assert p.graph.datasets["per_customer"].resolved_kind == "materialized_view"
    assert {r["customer"]: r["total"] for r in lakehouse.rows("spark_catalog.gold.per_customer")} == {"a": 30, "b": 3}
    assert result.expectations("per_customer")[0]["failed_records"] == 1
    assert p.graph.datasets["orders_stream"].resolved_kind == "streaming_table"
    assert lakehouse.rows("spark_catalog.gold.latest_order") == [
        {"customer": "a", "order_id": 2, "amount": 20}, {"customer": "b", "order_id": 4, "amount": 3}]


@pytest.mark.parametrize("code,message", [
    ("dp.create_auto_cdc_flow(target='nowhere', source='v', keys=['k'], sequence_by='s')", "does not define"),
    ("dp.create_streaming_table('orphan')", "has no flow"),
    ("@dp.materialized_view\ndef a():\n    return spark.read.table('b')\n\n@dp.materialized_view\ndef b():\n    return spark.read.table('a')", "cycle"),
    ("dp.create_streaming_table('t')\ndp.create_auto_cdc_flow(target='t', source='v', keys=['k'], sequence_by='s', stored_as_scd_type=3)", "stored_as_scd_type"),
])
def test_what_databricks_refuses_fails_the_update(lakehouse, tmp_path, code, message):
    p = make_pipeline(lakehouse, tmp_path, "from pyspark import pipelines as dp\n" + code)
    result = p.update()
    assert not result.ok and isinstance(result.error, PipelineDefinitionError), result.error_traceback
    assert message in str(result.error)


def test_definitions_outside_a_pipeline_are_refused():
    from harness import dp_module

    with pytest.raises(PipelineDefinitionError, match="GRAPH_ELEMENT_DEFINED_OUTSIDE_OF_DECLARATIVE_PIPELINE"):
        dp_module.create_streaming_table("t")
