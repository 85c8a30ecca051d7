"""Apache Spark's own Declarative Pipelines engine (``spark-pipelines``, pyspark 4.2.0) on this machine.

One pipeline of the parts Apache Spark covers — a temporary view, a streaming table, a
materialized view, an AUTO CDC (SCD type 1) flow — written once with ``from pyspark import
pipelines as dp``, run unchanged by the real engine (a separate process: Spark Connect server,
Hive metastore in Derby, Delta Lake) and by the harness's emulation; their tables must agree.
The real engine refuses the AUTO CDC flow on a Delta target (Spark 4.2 requires a table format
with SupportsRowLevelOperations; Delta Lake 4.4 has none): the test asserts that refusal, so that
it fails, and says so, on the day an upgrade lifts it.
"""

import textwrap

import pytest

from harness.oss_pipelines import run_spark_pipelines

PORTABLE = textwrap.dedent('''
    # Databricks notebook source
    from pyspark import pipelines as dp
    from pyspark.sql import functions as F

    # COMMAND ----------

    @dp.temporary_view(name="orders_valid")
    def orders_valid():
        return (spark.readStream.format("delta").load(spark.conf.get("test.source_path"))
                .where("customer IS NOT NULL AND order_id IS NOT NULL"))


    @dp.table(name="orders_clean")
    def orders_clean():
        return spark.readStream.table("orders_valid").withColumn("channel", F.lit(spark.conf.get("test.channel")))


    @dp.materialized_view(name="order_totals")
    def order_totals():
        return spark.read.table("orders_clean").groupBy("customer").agg(F.sum("amount").alias("total"), F.count("*").alias("orders"))
''')

CDC = textwrap.dedent('''
    # Databricks notebook source
    from pyspark import pipelines as dp

    dp.create_streaming_table("latest_order")
    dp.create_auto_cdc_flow(target="latest_order", source="orders_valid", keys=["customer"], sequence_by="order_id",
                            stored_as_scd_type=1)
''')

ROWS = [(1, "a", 10), (2, "a", 20), (3, None, 7), (4, "b", 3)]


def start(spark, folder):
    """Write the source and the files, and start the real engine's run (conftest.py calls this at session start)."""
    from harness.oss_pipelines import BackgroundRun

    source_path = str(folder / "source_orders")
    spark.createDataFrame(ROWS, "order_id INT, customer STRING, amount INT").write.format("delta").save(source_path)
    files = []
    for name, text in (("orders.py", PORTABLE), ("latest_order.py", CDC)):
        files.append(folder / "src" / name)
        files[-1].parent.mkdir(parents=True, exist_ok=True)
        files[-1].write_text(text)
    configuration = {"test.source_path": source_path, "test.channel": "web"}
    return BackgroundRun(folder / "oss", files, spark=spark, configuration=configuration), files, configuration


@pytest.mark.spark_pipelines
def test_spark_pipelines_runs_the_portable_parts_and_agrees_with_the_emulation(lakehouse, spark, spark_pipelines_run):
    background, files, configuration = spark_pipelines_run
    emulated = lakehouse.pipeline(files, catalog="spark_catalog", schema="gold", configuration=configuration).update()
    assert emulated.ok, emulated.error_traceback

    oss = background.result()
    print(f"spark-pipelines run: {oss.seconds:.1f} s, flows {oss.flows}")
    assert oss.flow_status("orders_clean") == "COMPLETED", oss.output[-3000:]
    assert oss.flow_status("order_totals") == "COMPLETED", oss.output[-3000:]
    assert oss.flow_status("latest_order") == "FAILED"
    assert "AUTOCDC_TARGET_DOES_NOT_SUPPORT_MERGE" in oss.error_classes

    def read(table, real):
        df = spark.read.format("delta").load(str(oss.table_path(table))) if real else spark.read.table(f"spark_catalog.gold.{table}")
        return sorted(tuple(r) for r in df.select(*sorted(df.columns)).collect())

    for table in ("orders_clean", "order_totals"):
        assert read(table, real=True) == read(table, real=False), table
    assert read("order_totals", real=False) == [("a", 2, 30), ("b", 1, 3)]
    # What the real engine would have written, had Delta supported its MERGE contract.
    assert lakehouse.rows("spark_catalog.gold.latest_order") == [
        {"order_id": 2, "customer": "a", "amount": 20}, {"order_id": 4, "customer": "b", "amount": 3}]
