"""The notebook runner and dbutils: parsing, widgets, the import interception, running notebooks."""

import sys

import pytest

from harness import InputWidgetNotDefined, NotebookExit, Widgets, parse_notebook
from harness.notebook import make_importer, sql_statements
from harness.pipelines import dlt_module, dp_module


# -- without Spark -------------------------------------------------------------------------------

def test_cells_magics_and_line_numbers():
    text = "\n".join([
        "# Databricks notebook source",          # 1
        "x = 1",                                  # 2
        "",                                       # 3
        "# COMMAND ----------",                   # 4
        "# MAGIC %md",                            # 5
        "# MAGIC # Title",                        # 6
        "",                                       # 7
        "# COMMAND ----------",                   # 8
        "# MAGIC %sql",                           # 9
        "# MAGIC SELECT 1; SELECT ';' AS s",      # 10
        "# COMMAND ----------",                   # 11
        "# MAGIC %run ./other",                   # 12
        "# COMMAND ----------",                   # 13
        "",                                       # 14
        "y = x + 1",                              # 15
    ])
    cells = parse_notebook(text)
    assert [(c.kind, c.first_line) for c in cells] == [("python", 2), ("md", 6), ("sql", 10), ("run", 12), ("python", 15)]
    assert cells[2].source == "SELECT 1; SELECT ';' AS s"
    assert sql_statements(cells[2].source) == ["SELECT 1", "SELECT ';' AS s"]
    assert cells[3].source == "./other"


def test_widgets_follow_databricks():
    widgets = Widgets({"env": "prod", "full_refresh": True})
    widgets.text("env", "dev")
    widgets.text("pipeline_name", "gold")
    widgets.dropdown("mode", "a", ["a", "b"])
    assert widgets.get("env") == "prod"            # the run's value (ADF baseParameters) wins
    assert widgets.get("pipeline_name") == "gold"  # else the default
    assert widgets.get("full_refresh") == "true"   # given but never defined: still readable, as a string
    assert widgets.getAll() == {"env": "prod", "pipeline_name": "gold", "mode": "a", "full_refresh": "true"}
    with pytest.raises(InputWidgetNotDefined):
        widgets.get("missing")
    with pytest.raises(ValueError):
        widgets.dropdown("bad", "c", ["a", "b"])
    widgets.removeAll()
    assert widgets.get("env") == "prod" and widgets.getArgument("pipeline_name", "x") == "x"
    with pytest.raises(RuntimeError, match="spark.conf.get"):
        Widgets({}, in_pipeline=True).get("x")


def test_import_interception_is_scoped_to_the_notebook():
    importer = make_importer({"dlt": dlt_module, "pyspark.pipelines": dp_module})
    g = {"__builtins__": dict(__builtins__ if isinstance(__builtins__, dict) else __builtins__.__dict__, __import__=importer)}
    exec("from pyspark import pipelines as dp\nimport dlt\nimport pyspark.pipelines as p2\n"
         "from pyspark.pipelines import create_auto_cdc_flow\nimport pyspark\nfrom pyspark.sql import functions as F", g)
    assert g["dp"] is dp_module and g["p2"] is dp_module and g["dlt"] is dlt_module
    assert g["create_auto_cdc_flow"] is dp_module.create_auto_cdc_flow
    assert g["pyspark"].pipelines is dp_module and g["pyspark"].__version__.startswith("4.")
    assert g["F"].__name__ == "pyspark.sql.functions"
    # Nothing changed for the rest of the process.
    import pyspark.pipelines
    assert pyspark.pipelines is not dp_module and "dlt" not in sys.modules
    assert dlt_module.apply_changes is dlt_module.create_auto_cdc_flow and dlt_module.view is dp_module.temporary_view


# -- with Spark ----------------------------------------------------------------------------------

def test_notebook_widgets_tables_display_fs_and_exit(lakehouse, notebook):
    child = notebook("child.py", """
        dbutils.widgets.text("n", "0")
        dbutils.notebook.exit(str(int(dbutils.widgets.get("n")) * 2))
    """)
    path = notebook("main.py", """
        dbutils.widgets.text("catalog", "")
        dbutils.widgets.text("schema", "silver")
        catalog, schema = dbutils.widgets.get("catalog"), dbutils.widgets.get("schema")
        target = f"{catalog}.{schema}.numbers"
    """, """
        # MAGIC %sql
        # MAGIC CREATE TABLE spark_catalog.silver.numbers (n INT) USING DELTA;
        # MAGIC INSERT INTO spark_catalog.silver.numbers VALUES (1), (2)
    """, """
        spark.createDataFrame([(3,)], "n INT").write.mode("append").saveAsTable(target)
        display(spark.table(target).orderBy("n"))
        dbutils.fs.put("abfss://raw@stlake.dfs.core.windows.net/in/note.txt", "hello", True)
        dbutils.fs.mkdirs("dbfs:/tmp/x")
        listing = [f.name for f in dbutils.fs.ls("abfss://raw@stlake.dfs.core.windows.net/in")]
        doubled = dbutils.notebook.run("./child", 60, {"n": "21"})
    """, """
        dbutils.notebook.exit(f"{listing}|{doubled}|{spark.table(target).count()}")
    """, """
        raise AssertionError("never reached: the notebook exited")
    """)
    lakehouse.create_schema("spark_catalog.silver")
    result = lakehouse.run_notebook(path, {"catalog": "spark_catalog"})
    assert result.ok, result.error_traceback
    assert result.status == "exited" and result.exit_value == "['note.txt']|42|3"
    assert [r["n"] for r in result.displayed[0].rows] == [1, 2, 3]
    assert (lakehouse.lake.root / "stlake" / "raw" / "in" / "note.txt").read_text() == "hello"
    assert child.exists()


def test_notebook_failure_points_at_the_line(lakehouse, notebook):
    path = notebook("broken.py", """
        x = 1
    """, """
        y = x +
    """.replace("+\n", "+ undefined_name\n"))
    result = lakehouse.run_notebook(path)
    assert not result.ok and result.failed_cell == 2
    assert isinstance(result.error, NameError)
    assert f'File "{path}", line 6' in result.error_traceback
    assert "harness" not in result.error_traceback.splitlines()[1]


def test_a_stream_the_notebook_did_not_wait_for_fails_the_run(lakehouse, notebook):
    path = notebook("stream.py", """
        from pyspark.sql import functions as F
        spark.range(3).write.format("delta").saveAsTable("spark_catalog.default.numbers")
        (spark.readStream.table("spark_catalog.default.numbers")
            .select(F.raise_error(F.lit("boom in the stream")).alias("x"))
            .writeStream.format("memory").queryName("harness_failing").trigger(availableNow=True).start())
    """)
    result = lakehouse.run_notebook(path)
    assert not result.ok
    assert "boom in the stream" in str(result.error)
