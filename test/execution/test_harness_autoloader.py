"""Autoloader emulation on Spark's file streaming source, through real notebooks.

Databricks: Auto Loader "processes each file exactly once"; ``_metadata`` is the file metadata
column (https://docs.databricks.com/aws/en/ingestion/file-metadata-column); schema inference,
evolution modes and the rescued data column as documented in
https://docs.databricks.com/aws/en/ingestion/cloud-object-storage/auto-loader/schema.
"""

import json

import pytest

from harness import UnknownFieldException

ACCOUNT = "stspotifydev"
BRONZE = f"abfss://bronze@{ACCOUNT}.dfs.core.windows.net"
SILVER = f"abfss://silver@{ACCOUNT}.dfs.core.windows.net"

# A silver notebook of the shape the templates generate: Autoloader from bronze, foreachBatch into
# a Delta table, availableNow, widgets for the lake and the catalog.
SILVER_NOTEBOOK = (
    """
    from pyspark.sql import functions as F
    dbutils.widgets.text("bronze_root", "")
    dbutils.widgets.text("silver_root", "")
    dbutils.widgets.text("catalog", "")
    dbutils.widgets.text("format", "parquet")
    dbutils.widgets.text("options", "{}")
    import json
    source = dbutils.widgets.get("bronze_root") + "/users"
    state = dbutils.widgets.get("silver_root") + "/users"
    target = dbutils.widgets.get("catalog") + ".silver.users"
    """,
    """
    reader = spark.readStream.format("cloudFiles").option("cloudFiles.format", dbutils.widgets.get("format"))
    for key, value in json.loads(dbutils.widgets.get("options")).items():
        reader = reader.option(key, value)
    changes = (reader.option("cloudFiles.schemaLocation", state + "/_schema").load(source)
               .withColumn("_source_file", F.col("_metadata.file_path"))
               .withColumn("_source_name", F.col("_metadata.file_name")))
    COLUMNS = changes.columns

    def append(batch, batch_id):
        batch.write.format("delta").mode("append").option("mergeSchema", "true").saveAsTable(target)

    (changes.writeStream.foreachBatch(append).option("checkpointLocation", state + "/_checkpoint")
        .trigger(availableNow=True).start().awaitTermination())
    """,
)
WIDGETS = {"bronze_root": BRONZE, "silver_root": SILVER, "catalog": "spark_catalog"}


def run_silver(lakehouse, notebook, **widgets):
    path = notebook("silver_users.py", *SILVER_NOTEBOOK)
    return lakehouse.run_notebook(path, {**WIDGETS, **widgets})


def test_parquet_files_are_read_once_across_runs_with_metadata_and_rescue(lakehouse, notebook):
    lakehouse.create_schema("silver")
    schema = "user_id INT, user_name STRING, updated_at TIMESTAMP"
    lakehouse.write_parquet(f"{BRONZE}/users/2024/01/users_1.parquet", [(1, "ann", "2024-01-01 00:00:00"), (2, "bob", "2024-01-01 00:00:00")], schema)
    lakehouse.write_parquet(f"{BRONZE}/users/2024/01/users_2.parquet", [(3, "cy", "2024-01-02 00:00:00")], schema)

    first = run_silver(lakehouse, notebook)
    assert first.ok, first.error_traceback
    columns = first.globals["COLUMNS"]
    # The inferred schema gets the rescued data column; _metadata stays hidden unless selected.
    assert columns == ["user_id", "user_name", "updated_at", "_rescued_data", "_source_file", "_source_name"]
    rows = lakehouse.rows("spark_catalog.silver.users", order_by=["user_id"])
    assert [r["user_id"] for r in rows] == [1, 2, 3]
    assert rows[0]["_source_file"] == f"{BRONZE}/users/2024/01/users_1.parquet" and rows[0]["_source_name"] == "users_1.parquet"
    schema_files = sorted(p.name for p in (lakehouse.lake.local_path(f"{SILVER}/users/_schema") / "_schemas").iterdir())
    assert "0" in schema_files and "1" not in schema_files

    # A second run: only the new file, once; a value of another type is rescued, with the file's path.
    lakehouse.write_parquet(f"{BRONZE}/users/2024/02/users_3.parquet", [(4, "di", "2024-02-01 00:00:00")], schema)
    lakehouse.write_parquet(f"{BRONZE}/users/2024/02/users_4.parquet", [("x5", "ed", "2024-02-02 00:00:00")],
                            "user_id STRING, user_name STRING, updated_at TIMESTAMP")
    second = run_silver(lakehouse, notebook)
    assert second.ok, second.error_traceback
    rows = lakehouse.rows("spark_catalog.silver.users", order_by=["user_name"])
    assert [r["user_name"] for r in rows] == ["ann", "bob", "cy", "di", "ed"]
    rescued = rows[-1]
    assert rescued["user_id"] is None
    assert json.loads(rescued["_rescued_data"]) == {"user_id": "x5", "_file_path": f"{BRONZE}/users/2024/02/users_4.parquet"}

    # A third run with nothing new adds nothing.
    third = run_silver(lakehouse, notebook)
    assert third.ok and lakehouse.table("spark_catalog.silver.users").count() == 5


def test_add_new_columns_stops_the_stream_once_then_reads_the_column(lakehouse, notebook):
    lakehouse.create_schema("silver")
    lakehouse.write_parquet(f"{BRONZE}/users/a.parquet", [(1, "ann")], "user_id INT, user_name STRING")
    assert run_silver(lakehouse, notebook).ok

    lakehouse.write_parquet(f"{BRONZE}/users/b.parquet", [(2, "bob", "b@x")], "user_id INT, user_name STRING, email STRING")
    stopped = run_silver(lakehouse, notebook)
    assert not stopped.ok and isinstance(stopped.error, UnknownFieldException)
    assert "email" in str(stopped.error) and "UNKNOWN_FIELD_EXCEPTION" in str(stopped.error)
    schemas = lakehouse.lake.local_path(f"{SILVER}/users/_schema") / "_schemas"
    assert "email" in (schemas / "1").read_text()

    restarted = run_silver(lakehouse, notebook)
    assert restarted.ok, restarted.error_traceback
    assert lakehouse.rows("spark_catalog.silver.users", columns=["user_id", "user_name", "email"]) == [
        {"user_id": 1, "user_name": "ann", "email": None}, {"user_id": 2, "user_name": "bob", "email": "b@x"}]


def test_json_rescue_mode_types_and_unknown_columns(lakehouse, notebook):
    lakehouse.create_schema("silver")
    lakehouse.write_json(f"{BRONZE}/users/u1.json", [{"user_id": 1, "score": 1.5}, {"user_id": 2, "score": 2}])
    options = json.dumps({"cloudFiles.inferColumnTypes": "true", "cloudFiles.schemaEvolutionMode": "rescue"})
    assert run_silver(lakehouse, notebook, format="json", options=options).ok
    lakehouse.write_json(f"{BRONZE}/users/u2.json", [{"user_id": "three", "score": 3.0, "team": "red"}])
    result = run_silver(lakehouse, notebook, format="json", options=options)
    assert result.ok, result.error_traceback
    rows = lakehouse.rows("spark_catalog.silver.users", order_by=["score"], columns=["user_id", "score", "_rescued_data"])
    assert [(r["user_id"], r["score"]) for r in rows] == [(1, 1.5), (2, 2.0), (None, 3.0)]
    assert json.loads(rows[2]["_rescued_data"]) == {"user_id": "three", "team": "red", "_file_path": f"{BRONZE}/users/u2.json"}
    # Types inferred by Spark's JSON reader (cloudFiles.inferColumnTypes): integers are BIGINT.
    assert dict(lakehouse.table("spark_catalog.silver.users").dtypes)["user_id"] == "bigint"


@pytest.mark.parametrize("options,error", [
    ({"cloudFiles.schemaEvolutionMode": "sometimes"}, "schemaEvolutionMode"),
    ({"cloudFiles.formatt": "json"}, "Unknown Autoloader option"),
])
def test_options_databricks_would_refuse_are_refused(lakehouse, notebook, options, error):
    lakehouse.create_schema("silver")
    lakehouse.write_parquet(f"{BRONZE}/users/a.parquet", [(1, "ann")], "user_id INT, user_name STRING")
    result = run_silver(lakehouse, notebook, options=json.dumps(options))
    assert not result.ok and error in str(result.error)
