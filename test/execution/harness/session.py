"""The local Spark session the execution tier runs on: Apache Spark with Delta Lake, in local mode.

Everything here is Apache Spark's and Delta Lake's own behaviour; this module only configures it
the way the tests need (see README.md, "The Spark session"):

- ``local[2]`` (the machine has 2 cores), small shuffle / snapshot partition counts so that the
  tiny test data sets do not pay for 200 tasks per stage, UTC session time zone, quiet logging;
- Delta Lake from Maven Central through ``spark.jars.packages``, resolved by Spark's own Ivy into
  ``<clone>/.spark-ivy`` (ignored by git): the first run downloads, later runs reuse the cache.
  The Maven coordinate is derived from the installed ``delta-spark`` Python package, so the jar
  always matches the Python API that drives it;
- the session catalog (``spark_catalog``), in memory: three-part names
  ``spark_catalog.<schema>.<table>`` resolve there (Spark >= 3.4), which is what the generated
  code gets when a test configures ``catalog = spark_catalog``;
- warehouse, Derby home and everything else written under one temporary folder per test session.
"""

from __future__ import annotations

import importlib.metadata
import os
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping, Optional

HARNESS_DIR = Path(__file__).resolve().parent
EXECUTION_DIR = HARNESS_DIR.parent
REPO_ROOT = EXECUTION_DIR.parent.parent
IVY_DIR = REPO_ROOT / ".spark-ivy"

# Jars that Delta's dependency tree (delta-kernel-*, unitycatalog-*) brings again although Spark
# ships its own, newer ones in pyspark/jars: resolving them would download ~80 MB for nothing and
# put two versions of Hadoop, Parquet, Jackson and log4j on one class path.
DELTA_EXCLUDES = (
    "org.apache.hadoop:hadoop-client-api",
    "org.apache.hadoop:hadoop-client-runtime",
    "org.apache.parquet:parquet-column",
    "org.apache.parquet:parquet-common",
    "org.apache.parquet:parquet-encoding",
    "org.apache.parquet:parquet-format-structures",
    "org.apache.parquet:parquet-hadoop",
    "org.apache.parquet:parquet-jackson",
    "org.apache.logging.log4j:log4j-api",
    "org.apache.logging.log4j:log4j-core",
    "org.apache.logging.log4j:log4j-slf4j2-impl",
    "org.slf4j:slf4j-api",
    "com.fasterxml.jackson.core:jackson-core",
    "com.fasterxml.jackson.core:jackson-databind",
    "com.fasterxml.jackson.core:jackson-annotations",
    "com.github.luben:zstd-jni",
    "org.xerial.snappy:snappy-java",
    "io.airlift:aircompressor",
    "org.roaringbitmap:RoaringBitmap",
    "org.roaringbitmap:shims",
    "org.locationtech.jts:jts-core",
    "com.google.code.findbugs:jsr305",
    "commons-logging:commons-logging",
    "commons-pool:commons-pool",
)

LOG4J2_PROPERTIES = """\
# Written by the execution-test harness: errors only, on stderr.
rootLogger.level = error
rootLogger.appenderRef.stderr.ref = stderr
appender.stderr.type = Console
appender.stderr.name = stderr
appender.stderr.target = SYSTEM_ERR
appender.stderr.layout.type = PatternLayout
appender.stderr.layout.pattern = %d{HH:mm:ss} %p %c{1}: %m%n
# Spark logs a stream's failure at ERROR before the query's exception reaches the caller, which
# reports it anyway.
logger.microbatch.name = org.apache.spark.sql.execution.streaming
logger.microbatch.level = fatal
logger.python.name = org.apache.spark.api.python
logger.python.level = fatal
logger.executor.name = org.apache.spark.executor.Executor
logger.executor.level = fatal
logger.tasks.name = org.apache.spark.scheduler.TaskSetManager
logger.tasks.level = fatal
"""


def delta_maven_coordinate() -> str:
    """``io.delta:delta-spark_<spark major.minor>_2.13:<installed delta-spark version>``."""
    import pyspark

    version = importlib.metadata.version("delta-spark")
    spark_major_minor = ".".join(pyspark.__version__.split(".")[:2])
    return f"io.delta:delta-spark_{spark_major_minor}_2.13:{version}"


def find_java_home() -> Optional[str]:
    """JAVA_HOME when set, else the JDK 17 of Debian's openjdk-17 packages, else None (java on PATH)."""
    if os.environ.get("JAVA_HOME"):
        return os.environ["JAVA_HOME"]
    for candidate in sorted(Path("/usr/lib/jvm").glob("java-17-openjdk*")):
        if (candidate / "bin" / "java").exists():
            return str(candidate)
    return None


@dataclass
class SparkEnvironment:
    """A running local session and the folder it writes to."""

    spark: "object"  # pyspark.sql.SparkSession (imported lazily so that this module imports without a JVM)
    workdir: Path
    warehouse: Path
    startup_seconds: float
    conf: Mapping[str, str] = field(default_factory=dict)

    def stop(self) -> None:
        self.spark.stop()


def spark_conf(workdir: Path, *, cores: int = 2, extra: Optional[Mapping[str, str]] = None) -> dict:
    """The configuration create_spark uses, as a dict (also written into the README's table)."""
    log4j = workdir / "log4j2.properties"
    conf = {
        "spark.master": f"local[{cores}]",
        "spark.app.name": "lakehouse-execution-tests",
        # Delta Lake, from Maven Central into the clone's Ivy cache.
        "spark.jars.packages": delta_maven_coordinate(),
        "spark.jars.excludes": ",".join(DELTA_EXCLUDES),
        "spark.jars.ivy": str(IVY_DIR),
        "spark.sql.extensions": "io.delta.sql.DeltaSparkSessionExtension",
        "spark.sql.catalog.spark_catalog": "org.apache.spark.sql.delta.catalog.DeltaCatalog",
        # The session catalog in memory; tables are Delta (as on Databricks) unless a writer says otherwise.
        "spark.sql.catalogImplementation": "in-memory",
        "spark.sql.sources.default": "delta",
        "spark.sql.warehouse.dir": str(workdir / "warehouse"),
        # Small data, 2 cores: a handful of partitions instead of 200 (shuffles) and 50 (Delta log replay).
        "spark.sql.shuffle.partitions": str(cores),
        "spark.default.parallelism": str(cores),
        "spark.databricks.delta.snapshotPartitions": str(cores),
        "spark.sql.session.timeZone": "UTC",
        "spark.driver.memory": "2g",
        "spark.driver.extraJavaOptions": f"-Duser.timezone=UTC -Dlog4j2.configurationFile=file:{log4j} "
        f"-Dderby.system.home={workdir / 'derby'}",
        "spark.ui.enabled": "false",
        "spark.ui.showConsoleProgress": "false",
        # Streaming: the harness reads every micro-batch's progress (expectation counts) after an
        # availableNow query; keep them all.
        "spark.sql.streaming.numRecentProgressUpdates": "1000",
        # abfss:// paths are mapped onto local folders through Hadoop's ViewFileSystemOverloadScheme
        # (harness.lake); that file system has no FileContext implementation, so checkpoints use the
        # FileSystem API (on local folders as well: same rename-based semantics).
        "spark.sql.streaming.checkpointFileManagerClass": (
            "org.apache.spark.sql.execution.streaming.checkpointing.FileSystemBasedCheckpointFileManager"
        ),
    }
    if extra:
        conf.update(extra)
    return conf


def create_spark(workdir: Optional[Path] = None, *, cores: int = 2, extra_conf: Optional[Mapping[str, str]] = None,
                 quiet: bool = True) -> SparkEnvironment:
    """Start (or return the running) local Spark session with Delta Lake.

    ``workdir`` (default: a new temporary folder) receives the warehouse, Derby's home and the
    log4j configuration. Raises RuntimeError with what to do when Java is missing.
    """
    os.environ.setdefault("TZ", "UTC")
    if hasattr(time, "tzset"):
        time.tzset()
    java_home = find_java_home()
    if java_home:
        os.environ["JAVA_HOME"] = java_home
    elif not shutil.which("java"):
        raise RuntimeError("Java was not found: install a JDK 17 (Debian: apt-get install openjdk-17-jdk-headless) or set JAVA_HOME")
    # Python workers (UDFs: the Autoloader emulation's file reader) run this interpreter and import the harness.
    os.environ["PYSPARK_PYTHON"] = sys.executable
    os.environ["PYSPARK_DRIVER_PYTHON"] = sys.executable
    pythonpath = os.environ.get("PYTHONPATH", "")
    if str(EXECUTION_DIR) not in pythonpath.split(os.pathsep):
        os.environ["PYTHONPATH"] = os.pathsep.join(p for p in (str(EXECUTION_DIR), pythonpath) if p)

    workdir = Path(workdir) if workdir else Path(tempfile.mkdtemp(prefix="lakehouse-spark-"))
    workdir.mkdir(parents=True, exist_ok=True)
    (workdir / "log4j2.properties").write_text(LOG4J2_PROPERTIES if quiet else LOG4J2_PROPERTIES.replace("= error", "= warn", 1))
    IVY_DIR.mkdir(exist_ok=True)
    conf = spark_conf(workdir, cores=cores, extra=extra_conf)

    from pyspark.sql import SparkSession

    started = time.monotonic()
    builder = SparkSession.builder
    for key, value in conf.items():
        builder = builder.config(key, value)
    spark = builder.getOrCreate()
    if quiet:
        spark.sparkContext.setLogLevel("ERROR")
        import logging

        # pyspark logs every AnalysisException and every exception of a foreachBatch function
        # before raising it; the caller reports them anyway.
        for name in ("SQLQueryContextLogger", "py4j.clientserver", "py4j.java_gateway"):
            logging.getLogger(name).setLevel(logging.CRITICAL)
    return SparkEnvironment(spark=spark, workdir=workdir, warehouse=workdir / "warehouse",
                            startup_seconds=time.monotonic() - started, conf=conf)


def clear_caches(spark) -> None:
    """Forget cached Delta logs and cached tables (between tests that reuse table paths)."""
    spark.catalog.clearCache()
    spark._jvm.org.apache.spark.sql.delta.DeltaLog.clearCache()
