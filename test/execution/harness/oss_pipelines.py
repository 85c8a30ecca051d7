"""Running pipeline source files on Apache Spark's own engine: the ``spark-pipelines`` CLI of pyspark.

``spark-pipelines run`` (pyspark >= 4.1) loads the files named by a spec (``spark-pipeline.yml``),
registers their datasets and flows with a Spark Connect server it starts locally, and runs an
update. What it needs here, found by running it (README.md, "Apache Spark's spark-pipelines"):

- the Connect client extras (``pyspark[pipelines]``: pandas, pyarrow, grpcio, protobuf, zstandard,
  pyyaml), pinned in test/python/requirements.txt;
- Delta Lake on the server: the server runs inside the JVM that ``spark-pipelines`` starts through
  ``spark-class``, which neither reads ``--packages`` into its class path nor passes ``--conf`` to
  the session it creates. So the Delta jars the harness session resolved (``spark.jars``) go on
  the class path through ``SPARK_DIST_CLASSPATH``, and the configuration through a
  ``spark-defaults.conf`` in ``SPARK_CONF_DIR`` (which also carries a quiet log4j2.properties);
- ``spark.sql.sources.default=delta`` (pipeline tables are otherwise Parquet);
- a persistent catalog for incremental runs: Hive's metastore in an embedded Derby database in
  the project folder (each run is a new process);
- the spec's catalog and schema must exist beforehand (the CLI does not create them), so the
  default ``spark_catalog.default`` is used here; libraries must be inside the spec's folder.

Limits of Apache Spark 4.2.0 that the harness reports rather than hides: no expectations, no
Autoloader, AUTO CDC SCD type 1 only, and AUTO CDC needs a target table format implementing
Spark's ``SupportsRowLevelOperations``, which Delta Lake 4.4 does not:
``AUTOCDC_TARGET_DOES_NOT_SUPPORT_MERGE``.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Mapping, Optional, Sequence

from .session import LOG4J2_PROPERTIES, find_java_home

FLOW_LINE = re.compile(r"Flow '?([^' ]+?)'? (?:is|has) ([A-Z_]+)")
RUN_LINE = re.compile(r"Run is ([A-Z_]+)")
ERROR_CLASS = re.compile(r"\[([A-Z_]+(?:\.[A-Z_]+)?)\]")


@dataclass
class OssRunResult:
    returncode: int
    seconds: float
    output: str
    flows: Dict[str, str] = field(default_factory=dict)  # flow name (as the CLI prints it) -> last status
    run_state: Optional[str] = None
    error_classes: List[str] = field(default_factory=list)
    warehouse: Optional[Path] = None

    @property
    def ok(self) -> bool:
        return self.returncode == 0 and self.run_state == "COMPLETED"

    def flow_status(self, name: str) -> Optional[str]:
        for flow, status in self.flows.items():
            if flow.split(".")[-1].strip("`").lower() == name.lower():
                return status
        return None

    def table_path(self, name: str, database: str = "default") -> Path:
        """Where a managed table of the run's warehouse lives (``default`` tables are directly in it)."""
        base = self.warehouse if database == "default" else self.warehouse / f"{database}.db"
        return base / name.lower()


def delta_jars(spark) -> List[str]:
    """The local jar files of the Delta packages the harness session resolved."""
    jars = spark.sparkContext.getConf().get("spark.jars", "")
    return [j.replace("file://", "").replace("file:", "") for j in jars.split(",") if j]


def spark_pipelines_executable() -> Path:
    candidate = Path(sys.executable).parent / "spark-pipelines"
    if not candidate.exists():
        raise FileNotFoundError(f"{candidate} not found: pyspark (>= 4.1) provides it")
    return candidate


def run_spark_pipelines(project: Path, libraries: Sequence[Path], *, spark, name: str = "oss",
                        configuration: Optional[Mapping[str, str]] = None, full_refresh_all: bool = False,
                        timeout: float = 600, extra_conf: Optional[Mapping[str, str]] = None) -> OssRunResult:
    """Copy ``libraries`` into ``project/transformations`` and run ``spark-pipelines run`` there.

    The project folder keeps the warehouse, the Derby metastore and the pipeline storage, so a
    second call on the same folder is an incremental update. ``spark`` is the harness session
    (for the Delta jars it resolved).
    """
    project = Path(project)
    transformations = project / "transformations"
    transformations.mkdir(parents=True, exist_ok=True)
    for library in libraries:
        shutil.copy2(library, transformations / Path(library).name)
    warehouse = project / "warehouse"
    conf_dir = project / "conf"
    conf_dir.mkdir(exist_ok=True)
    defaults = {
        "spark.sql.extensions": "io.delta.sql.DeltaSparkSessionExtension",
        "spark.sql.catalog.spark_catalog": "org.apache.spark.sql.delta.catalog.DeltaCatalog",
        "spark.sql.sources.default": "delta",
        "spark.sql.catalogImplementation": "hive",
        "spark.sql.warehouse.dir": str(warehouse),
        "spark.hadoop.javax.jdo.option.ConnectionURL": f"jdbc:derby:;databaseName={project / 'metastore_db'};create=true",
        "spark.sql.shuffle.partitions": "2",
        "spark.default.parallelism": "2",
        "spark.databricks.delta.snapshotPartitions": "2",
        "spark.sql.session.timeZone": "UTC",
        "spark.ui.enabled": "false",
        "spark.ui.showConsoleProgress": "false",
        # Report a failed flow once instead of retrying it (the default retries twice).
        "spark.sql.pipelines.maxFlowRetryAttempts": "0",
    }
    defaults.update(extra_conf or {})
    (conf_dir / "spark-defaults.conf").write_text("".join(f"{k} {v}\n" for k, v in defaults.items()))
    (conf_dir / "log4j2.properties").write_text(LOG4J2_PROPERTIES)
    spec = {
        "name": name,
        "storage": (project / "storage").as_uri(),
        "configuration": {str(k): str(v) for k, v in (configuration or {}).items()},
        "libraries": [{"glob": {"include": "transformations/**"}}],
    }
    (project / "spark-pipeline.yml").write_text(json.dumps(spec, indent=2))  # JSON is YAML

    env = dict(os.environ)
    env["SPARK_CONF_DIR"] = str(conf_dir)
    env["SPARK_DIST_CLASSPATH"] = os.pathsep.join(delta_jars(spark))
    env["PYSPARK_PYTHON"] = sys.executable
    env["PYSPARK_DRIVER_PYTHON"] = sys.executable
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    env["TZ"] = "UTC"
    env.pop("SPARK_HOME", None)
    java_home = find_java_home()
    if java_home:
        env["JAVA_HOME"] = java_home
    command = [str(spark_pipelines_executable()), "--remote", "local[2]", "run", "--spec", str(project / "spark-pipeline.yml")]
    if full_refresh_all:
        command.append("--full-refresh-all")
    started = time.monotonic()
    completed = subprocess.run(command, cwd=project, env=env, capture_output=True, text=True, timeout=timeout)
    output = completed.stdout + completed.stderr
    (project / "spark-pipelines.log").write_text(output)
    result = OssRunResult(returncode=completed.returncode, seconds=time.monotonic() - started, output=output,
                          warehouse=warehouse)
    for match in FLOW_LINE.finditer(output):
        result.flows[match.group(1)] = match.group(2)
    runs = RUN_LINE.findall(output)
    result.run_state = runs[-1] if runs else None
    result.error_classes = sorted(set(ERROR_CLASS.findall(output)))
    return result


class BackgroundRun:
    """``run_spark_pipelines`` in a thread (it is a separate process): start it early, ``result()`` later."""

    def __init__(self, *args, **kwargs):
        import threading

        self._result: Optional[OssRunResult] = None
        self._error: Optional[BaseException] = None
        self.started = time.monotonic()

        def work() -> None:
            try:
                self._result = run_spark_pipelines(*args, **kwargs)
            except BaseException as error:  # noqa: BLE001 - reported by result()
                self._error = error

        self._thread = threading.Thread(target=work, name="spark-pipelines", daemon=True)
        self._thread.start()

    def result(self, timeout: float = 900) -> OssRunResult:
        self._thread.join(timeout)
        if self._thread.is_alive():
            raise TimeoutError(f"spark-pipelines still running after {timeout:.0f} s")
        if self._error is not None:
            raise self._error
        return self._result
