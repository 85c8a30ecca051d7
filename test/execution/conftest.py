"""Fixtures of the execution tier: one local Spark session per test run, one Lakehouse per test."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import Lakehouse, create_spark  # noqa: E402

_timings = {}


@pytest.fixture(scope="session")
def spark_env(tmp_path_factory):
    """The shared local Spark session (Delta Lake configured); its start time is reported at the end."""
    env = create_spark(tmp_path_factory.mktemp("spark"))
    _timings["spark_start"] = env.startup_seconds
    yield env
    env.stop()


@pytest.fixture(scope="session")
def spark(spark_env):
    return spark_env.spark


@pytest.hookimpl(trylast=True)  # after -k / -m deselection: only the tests that will run count
def pytest_collection_modifyitems(session, config, items):
    config._spark_pipelines_wanted = any(item.get_closest_marker("spark_pipelines") for item in items)


@pytest.fixture(scope="session", autouse=True)
def spark_pipelines_run(request, tmp_path_factory):
    """Apache Spark's spark-pipelines is a separate process of about a minute: when a test of the
    run needs it, it starts with the session and runs while the other tests do."""
    if not getattr(request.config, "_spark_pipelines_wanted", False):
        yield None
        return
    import test_harness_spark_pipelines

    spark = request.getfixturevalue("spark")
    yield test_harness_spark_pipelines.start(spark, tmp_path_factory.mktemp("spark_pipelines"))


@pytest.fixture
def lakehouse(spark, tmp_path):
    """A fresh lake, schemas and pipeline state for one test, on the shared session."""
    house = Lakehouse(spark, tmp_path / "lakehouse")
    yield house
    house.close()


@pytest.fixture(scope="session")
def repo_root():
    return Path(__file__).resolve().parents[2]


def pytest_terminal_summary(terminalreporter):
    if "spark_start" in _timings:
        terminalreporter.write_line(f"execution tier: Spark session started in {_timings['spark_start']:.1f} s "
                                    f"(load average {os.getloadavg()[0]:.1f} at the end)")


def write_notebook(folder: Path, name: str, *cells: str) -> Path:
    """A Databricks notebook source file made of these cells (dedented), in ``folder``."""
    import textwrap

    path = Path(folder) / name
    path.parent.mkdir(parents=True, exist_ok=True)
    body = "\n\n# COMMAND ----------\n\n".join(textwrap.dedent(cell).strip("\n") for cell in cells)
    path.write_text("# Databricks notebook source\n" + body + "\n", encoding="utf-8")
    return path


@pytest.fixture
def notebook(tmp_path):
    """``notebook("name.py", cell, cell, ...)`` writes a notebook source file and returns its path."""
    return lambda name, *cells: write_notebook(tmp_path / "notebooks", name, *cells)
