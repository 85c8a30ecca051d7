"""Pipeline expectations (``@dp.expect*`` / ``@dlt.expect*``), emulated.

Databricks semantics (https://docs.databricks.com/aws/en/ldp/expectations):

- ``expect`` (warn): invalid records are kept; they are counted.
- ``expect_or_drop``: invalid records are dropped before the data is written; counted.
- ``expect_or_fail``: an invalid record fails the update (nothing of that micro-batch is written).
- ``expect_all*``: the same for a dict ``{name: constraint}``.
- Every expectation of a dataset is evaluated on every record the flow reads (the counts of one
  do not depend on another dropping the record); the pipeline's event log reports, per flow
  progress, ``data_quality.expectations = [{name, dataset, passed_records, failed_records}]`` and
  ``data_quality.dropped_records``. The harness records the same shape (``UpdateResult``).

A constraint is a SQL boolean expression. A record passes when it evaluates to TRUE; FALSE and
NULL fail (the constraint "must evaluate to true or false for each record", and a drop is a
filter, which does not keep NULL). On a streaming flow the counts come from Spark's own
``DataFrame.observe`` (reported per micro-batch in the query's progress); on a batch flow from one
aggregation before the write.
"""

from __future__ import annotations

import itertools
import json
from dataclasses import dataclass
from typing import Dict, List, Mapping, Optional

from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F

ACTIONS = ("warn", "drop", "fail")
_observation_ids = itertools.count(1)


@dataclass(frozen=True)
class Expectation:
    name: str
    constraint: str
    action: str  # warn | drop | fail

    def passed(self) -> Column:
        return F.coalesce(F.expr(self.constraint).cast("boolean"), F.lit(False))


class ExpectationViolation(RuntimeError):
    """An ``expect_or_fail`` expectation was not met: the update fails."""

    def __init__(self, flow: str, dataset: str, expectation: str, constraint: str, record: Optional[str]):
        self.flow, self.dataset, self.expectation, self.record = flow, dataset, expectation, record
        super().__init__(
            f"[EXPECTATION_VIOLATION] Flow '{flow}' failed to meet the expectation '{expectation}' "
            f"({constraint}) of dataset '{dataset}'" + (f". Record: {record}" if record else ""))


FAIL_MARKER = "[EXPECTATION_VIOLATION]"


def expectations_from(mapping: Mapping[str, str], action: str) -> List[Expectation]:
    if not isinstance(mapping, Mapping):
        raise TypeError(f"expect_all* takes a dict of expectation name to constraint, not {type(mapping).__name__}")
    return [Expectation(str(name), str(constraint), action) for name, constraint in mapping.items()]


class QualityRecorder:
    """Collects the counts of one flow run, as the event log's ``data_quality`` would report them."""

    def __init__(self, flow: str):
        self.flow = flow
        self.counts: Dict[tuple, Dict[str, int]] = {}
        self.dropped = 0
        self._observations: Dict[str, tuple] = {}

    def add(self, dataset: str, expectation: str, passed: int, failed: int) -> None:
        entry = self.counts.setdefault((dataset, expectation), {"passed_records": 0, "failed_records": 0})
        entry["passed_records"] += int(passed)
        entry["failed_records"] += int(failed)

    def observation(self, dataset: str, expectations: List[Expectation]) -> str:
        name = f"harness_expectations_{next(_observation_ids)}"
        self._observations[name] = (dataset, expectations)
        for e in expectations:
            self.counts.setdefault((dataset, e.name), {"passed_records": 0, "failed_records": 0})
        return name

    def collect_streaming(self, progresses) -> None:
        """Add the observed metrics of every micro-batch of a finished query."""
        for progress in progresses:
            observed = getattr(progress, "observedMetrics", None)
            if observed is None and isinstance(progress, dict):
                observed = progress.get("observedMetrics")
            for name, row in (observed or {}).items():
                if name not in self._observations:
                    continue
                dataset, expectations = self._observations[name]
                values = row.asDict() if hasattr(row, "asDict") else dict(row)
                total = int(values.get("n") or 0)
                for i, e in enumerate(expectations):
                    passed = int(values.get(f"p{i}") or 0)
                    self.add(dataset, e.name, passed, total - passed)
                self.dropped += int(values.get("dropped") or 0)

    def data_quality(self) -> dict:
        return {
            "dropped_records": self.dropped,
            "expectations": [
                {"name": name, "dataset": dataset, **counts}
                for (dataset, name), counts in self.counts.items()
            ],
        }


def apply_expectations(df: DataFrame, expectations: List[Expectation], *, dataset: str, flow: str,
                       recorder: QualityRecorder) -> DataFrame:
    """The DataFrame with the expectations enforced, their counts going to ``recorder``."""
    if not expectations:
        return df
    names = [e.name for e in expectations]
    if len(set(names)) != len(names):
        raise ValueError(f"Expectation names must be unique for a dataset: {dataset} has {names}")
    passed = [e.passed() for e in expectations]
    drop = [p for e, p in zip(expectations, passed) if e.action == "drop"]
    all_drop_pass = _all(drop) if drop else None
    if df.isStreaming:
        aggs = [F.count(F.lit(1)).alias("n")] + [F.sum(F.when(p, 1).otherwise(0)).alias(f"p{i}") for i, p in enumerate(passed)]
        if drop:
            aggs.append(F.sum(F.when(all_drop_pass, 0).otherwise(1)).alias("dropped"))
        df = df.observe(recorder.observation(dataset, expectations), *aggs)
        for e, p in zip(expectations, passed):
            if e.action == "fail":
                message = F.concat(F.lit(f"{FAIL_MARKER} Flow '{flow}' failed to meet the expectation '{e.name}' "
                                         f"({e.constraint}) of dataset '{dataset}'. Record: "),
                                   F.to_json(F.struct(*[F.col(_quote(c)) for c in df.columns])))
                df = df.where(F.when(p, F.lit(True)).otherwise(F.raise_error(message)))
    else:
        aggs = [F.count(F.lit(1)).alias("n")] + [F.sum(F.when(p, 1).otherwise(0)).alias(f"p{i}") for i, p in enumerate(passed)]
        if drop:
            aggs.append(F.sum(F.when(all_drop_pass, 0).otherwise(1)).alias("dropped"))
        row = df.agg(*aggs).first()
        total = int(row["n"] or 0)
        for i, e in enumerate(expectations):
            ok = int(row[f"p{i}"] or 0)
            recorder.add(dataset, e.name, ok, total - ok)
            if e.action == "fail" and ok < total:
                sample = df.where(~passed[i]).limit(1).collect()
                record = json.dumps(sample[0].asDict(recursive=True), default=str) if sample else None
                raise ExpectationViolation(flow, dataset, e.name, e.constraint, record)
        if drop:
            recorder.dropped += int(row["dropped"] or 0)
    if drop:
        df = df.where(all_drop_pass)
    return df


def _all(columns: List[Column]) -> Column:
    result = columns[0]
    for c in columns[1:]:
        result = result & c
    return result


def _quote(name: str) -> str:
    return "`" + name.replace("`", "``") + "`"
