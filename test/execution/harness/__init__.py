"""Execution-test harness: run Lakehouse Workbench's generated Databricks notebooks and pipelines
on a local Apache Spark with Delta Lake, with Databricks-only features emulated.

See ../README.md for what is Apache Spark's own behaviour and what is emulated (with the
Databricks documentation each emulation follows). The API a test uses:

    lakehouse.run_notebook(path, widgets={...})           -> NotebookResult
    pipeline = lakehouse.pipeline([files], catalog=..., schema=..., configuration={...})
    pipeline.update(full_refresh=False)                   -> UpdateResult
    lakehouse.rows("spark_catalog.gold.dim_user")         -> [dict, ...]
"""

from .auto_cdc import AutoCdcDuplicateSequence, AutoCdcSpec, AutoCdcValidationError, AutoCdcWriter
from .autoloader import AutoLoader, AutoLoaderError, UnknownFieldException
from .dbutils import DBUtils, Display, Displayed, InputWidgetNotDefined, NotebookExit, Widgets
from .expectations import Expectation, ExpectationViolation
from .lake import Lake
from .lakehouse import Lakehouse, StreamFailed
from .notebook import NotebookFailed, NotebookResult, parse_notebook
from .pipelines import Pipeline, PipelineDefinitionError, UpdateResult, dlt_module, dp_module
from .session import SparkEnvironment, create_spark, delta_maven_coordinate, spark_conf

__all__ = [
    "AutoCdcDuplicateSequence", "AutoCdcSpec", "AutoCdcValidationError", "AutoCdcWriter", "AutoLoader",
    "AutoLoaderError", "DBUtils", "Display", "Displayed", "Expectation", "ExpectationViolation",
    "InputWidgetNotDefined", "Lake", "Lakehouse", "NotebookExit", "NotebookFailed", "NotebookResult", "Pipeline",
    "PipelineDefinitionError", "SparkEnvironment", "StreamFailed", "UnknownFieldException", "UpdateResult",
    "Widgets", "create_spark", "delta_maven_coordinate", "dlt_module", "dp_module", "parse_notebook", "spark_conf",
]
