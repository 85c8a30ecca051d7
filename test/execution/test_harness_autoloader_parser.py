"""Autoloader's value-by-value parsing (harness.autoloader.parse_file), without Spark.

Databricks: "The rescued data column contains any data that wasn't parsed, either because it
was missing from the given schema, or because there was a type mismatch, or because the casing
of the column in the record or file didn't match with that in the schema", as JSON with the
source file's path (https://docs.databricks.com/aws/en/ingestion/cloud-object-storage/auto-loader/schema).
"""

import io
import json

from pyspark.sql.types import (ArrayType, DateType, DecimalType, DoubleType, IntegerType, LongType, StringType,
                               StructField, StructType, TimestampType)

from harness.autoloader import parse_file


def plan(fmt, schema, rescued="_rescued_data", mode="rescue", **reader):
    return {"format": fmt, "schema": schema.json(), "rescued": rescued, "mode": mode, "reader": reader}


SCHEMA = StructType([StructField("id", IntegerType()), StructField("name", StringType()), StructField("amount", DoubleType())])


def test_json_values_that_do_not_fit_are_rescued_with_the_file_path():
    content = "\n".join([
        json.dumps({"id": 1, "name": "ann", "amount": 2.5}),
        json.dumps({"id": "abc", "name": 7, "amount": 3}),          # id of another type; a number into a string column
        json.dumps({"id": 3, "Name": "bob", "extra": [1, 2]}),      # a case mismatch and an unknown column
        json.dumps({"id": 2147483648}),                              # out of INT's range
        "{not json",
    ]).encode()
    rows = parse_file(content, "abfss://bronze@acct.dfs.core.windows.net/t/f.json", plan("json", SCHEMA))
    assert rows[0] == (1, "ann", 2.5, None)
    assert rows[1][:3] == (None, "7", 3.0)
    assert json.loads(rows[1][3]) == {"id": "abc", "_file_path": "abfss://bronze@acct.dfs.core.windows.net/t/f.json"}
    assert rows[2][:3] == (3, None, None)
    assert json.loads(rows[2][3]) == {"Name": "bob", "extra": [1, 2], "_file_path": "abfss://bronze@acct.dfs.core.windows.net/t/f.json"}
    assert rows[3][0] is None and json.loads(rows[3][3])["id"] == 2147483648
    assert rows[4][:3] == (None, None, None) and json.loads(rows[4][3])["_corrupt_record"] == "{not json"


def test_json_without_a_rescued_column_keeps_nulls_and_new_columns_fail_add_new_columns():
    content = json.dumps({"id": "x", "name": "a"}).encode()
    assert parse_file(content, "f", plan("json", SCHEMA, rescued=None, mode="none")) == [(None, "a", None)]
    try:
        parse_file(json.dumps({"id": 1, "email": "e"}).encode(), "f", plan("json", SCHEMA, mode="addnewcolumns"))
    except Exception as error:  # noqa: BLE001
        assert "UNKNOWN_FIELD_EXCEPTION" in str(error) and "email" in str(error)
    else:
        raise AssertionError("a new column must stop an addNewColumns stream")


def test_csv_strings_are_typed_as_spark_reads_them():
    schema = StructType([StructField("id", LongType()), StructField("day", DateType()), StructField("price", DecimalType(5, 2)),
                         StructField("at", TimestampType()), StructField("note", StringType())])
    content = "id,day,price,at,note\n1,2024-01-31,12.50,2024-01-31 10:00:00,\"a, b\"\nx,2024-02-30,1.234,,\n".encode()
    rows = parse_file(content, "f.csv", plan("csv", schema, header="true"))
    assert [str(v) for v in rows[0][:4]] == ["1", "2024-01-31", "12.50", "2024-01-31 10:00:00"] and rows[0][4] == "a, b"
    assert rows[1][:5] == (None, None, None, None, None)
    assert json.loads(rows[1][5]) == {"id": "x", "day": "2024-02-30", "price": "1.234", "_file_path": "f.csv"}


def test_parquet_columns_of_another_type_are_rescued_and_integers_widen():
    import pyarrow as pa
    import pyarrow.parquet as pq

    buffer = io.BytesIO()
    pq.write_table(pa.table({"id": pa.array([1, 2], pa.int16()), "name": pa.array(["a", "b"]),
                             "amount": pa.array(["1.5", None]), "tags": pa.array([["x"], []])}), buffer)
    schema = StructType(SCHEMA.fields + [StructField("tags", ArrayType(StringType()))])
    rows = parse_file(buffer.getvalue(), "p.parquet", plan("parquet", schema))
    assert rows[0][:4] == (1, "a", None, ["x"])          # int16 read as INT; amount is a string in this file
    assert json.loads(rows[0][4]) == {"amount": "1.5", "_file_path": "p.parquet"}
    assert rows[1] == (2, "b", None, [], None)           # a NULL of another type is not rescued
