"""The Spotify sample's generated lakehouse, run: the committed silver notebooks and gold pipeline
of samples/spotify/databricks, on local Spark with Delta Lake, over several ingestion runs.

Each run does what the generated Data Factory pipeline does on Databricks (its order is proven by
the dry run, test/unit/adf/run): the copy writes one Parquet file per table into bronze, with the
rows its watermark window selects (both bounds inclusive, re-reading an overlap); every table's
silver notebook runs, whether or not the copy brought rows; the gold pipeline updates only when
every silver notebook succeeded. Then the star query is run as a user would.

What is asserted is business data: each bronze row reaches silver exactly once, rows with a NULL
key are quarantined with their reason, the SCD Type 2 dimensions keep every version with
``__START_AT``/``__END_AT``, each stream joins the user and track versions valid at its
``stream_timestamp``, and a run with nothing new changes nothing.

The checks are also run against a wrong star query (the current version, ``__END_AT IS NULL``)
and a silver notebook that appends instead of merging: they must fail there.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
from pathlib import Path

import pytest

SAMPLE = Path(__file__).resolve().parents[2] / "samples" / "spotify" / "databricks"
ACCOUNT = "stspotifydev"
CATALOG = "spark_catalog"

# The bronze files' schemas: the columns of lakehouse.yaml as Data Factory's copy writes them to Parquet.
SCHEMAS = {
    "DimUser": "user_id INT, user_name STRING, country STRING, subscription_type STRING, start_date DATE, "
               "end_date DATE, updated_at TIMESTAMP",
    "DimArtist": "artist_id INT, artist_name STRING, genre STRING, country STRING, updated_at TIMESTAMP",
    "DimTrack": "track_id INT, track_name STRING, artist_id INT, album_name STRING, duration_sec INT, "
                "release_date DATE, updated_at TIMESTAMP",
    "DimDate": "date_key INT, date DATE, day INT, month INT, year INT, weekday STRING",
    "FactStream": "stream_id BIGINT, user_id INT, track_id INT, date_key INT, listen_duration INT, "
                  "device_type STRING, stream_timestamp TIMESTAMP",
}
KEYS = {"DimUser": ["user_id"], "DimArtist": ["artist_id"], "DimTrack": ["track_id"], "DimDate": ["date_key"],
        "FactStream": ["stream_id"]}
SEQUENCE = {"DimUser": "updated_at", "DimArtist": "updated_at", "DimTrack": "updated_at", "DimDate": "date",
            "FactStream": "stream_timestamp"}


def ts(text: str) -> str:
    return text  # ISO strings: the harness turns them into UTC timestamps


def user(uid, name, country, plan, updated):
    return {"user_id": uid, "user_name": name, "country": country, "subscription_type": plan,
            "start_date": "2025-01-01", "end_date": None, "updated_at": ts(updated)}


def track(tid, name, album, seconds, updated, artist=100):
    return {"track_id": tid, "track_name": name, "artist_id": artist, "album_name": album, "duration_sec": seconds,
            "release_date": "2024-05-01", "updated_at": ts(updated)}


def artist(aid, name, genre, updated):
    return {"artist_id": aid, "artist_name": name, "genre": genre, "country": "SE", "updated_at": ts(updated)}


def stream(sid, uid, tid, seconds, at, device="mobile"):
    day = None if at is None else int(at[:10].replace("-", ""))
    return {"stream_id": sid, "user_id": uid, "track_id": tid, "date_key": day, "listen_duration": seconds,
            "device_type": device, "stream_timestamp": None if at is None else ts(at)}


def day_row(date):
    d = dt.date.fromisoformat(date)
    return {"date_key": int(date.replace("-", "")), "date": date, "day": d.day, "month": d.month, "year": d.year,
            "weekday": d.strftime("%A")}


# Five ingestion runs of the sample's source database, as the copy selects them. Run 2 re-reads the
# overlap of run 1 (user 2, stream 2), brings user 1's upgrade, a row without a key and one without
# a sequence (CDC) value; run 3 is a backfill window; run 4 brings a stream that arrived late (older
# than the watermark, inside the overlap) and user 2's move, which happened before streams that run 2
# already copied; run 5's copy brings nothing.
RUNS = [
    {
        "DimUser": [user(1, "Ana", "ES", "free", "2026-12-01T10:00:00"),
                    user(2, "Ben", "FR", "premium", "2026-12-01T11:00:00")],
        "DimArtist": [artist(100, "Ludwig", "classical", "2026-12-01T09:00:00")],
        "DimTrack": [track(10, "Ode", "Nine", 240, "2026-12-01T09:00:00"),
                     track(11, "Fugue", "Bach", 180, "2026-12-01T09:00:00")],
        "DimDate": [day_row("2026-12-02"), day_row("2026-12-03")],
        "FactStream": [stream(1, 1, 10, 200, "2026-12-02T09:00:00"),
                       stream(2, 2, 11, 100, "2026-12-02T10:00:00")],
    },
    {
        "DimUser": [user(2, "Ben", "FR", "premium", "2026-12-01T11:00:00"),      # the overlap, again
                    user(1, "Ana", "ES", "premium", "2026-12-03T08:00:00"),     # upgraded
                    user(None, "Nobody", "XX", "free", "2026-12-03T08:30:00")],  # no key: quarantined
        "DimArtist": [],
        "DimTrack": [track(10, "Ode to Joy", "Nine", 240, "2026-12-03T07:00:00"),  # renamed
                     track(12, "Untimed", "Nine", 90, None)],                    # no sequence: quarantined
        "DimDate": [],
        "FactStream": [stream(2, 2, 11, 100, "2026-12-02T10:00:00"),            # the overlap, again
                       stream(3, 1, 10, 240, "2026-12-03T12:00:00"),
                       stream(None, 1, 10, 5, "2026-12-03T12:30:00")],          # no key: quarantined
    },
    # A backfill window: the tables with a backfillFrom (FactStream) copy history from before the
    # schedule's start, older than every dimension version.
    {"FactStream": [stream(6, 1, 11, 30, "2026-11-20T08:00:00")]},
    {
        "DimUser": [user(2, "Ben", "DE", "premium", "2026-12-02T12:00:00")],   # moved, before streams copied in run 2
        "DimArtist": [],
        "DimTrack": [],
        "DimDate": [],
        "FactStream": [stream(4, 2, 11, 50, "2026-12-02T13:00:00"),            # late: older than the watermark
                       stream(5, 2, 10, 60, "2026-12-03T13:00:00")],
    },
    {"DimUser": [], "DimArtist": [], "DimTrack": [], "DimDate": [], "FactStream": []},
]

# What the star query must give after the runs: per stream, the user's plan and country and the
# track's name valid at the stream's time (not today's), and its calendar day.
EXPECTED_STAR = {
    1: ("free", "ES", "Ode", "Wednesday"),
    2: ("premium", "FR", "Fugue", "Wednesday"),
    3: ("premium", "ES", "Ode to Joy", "Thursday"),
    4: ("premium", "DE", "Fugue", "Wednesday"),
    5: ("premium", "DE", "Ode to Joy", "Thursday"),
    6: ("free", "ES", "Fugue", "Friday"),  # before every version: the first one, open back in time
}


class SampleLakehouse:
    """The sample's notebooks and pipeline on one test's lakehouse, driven run by run."""

    def __init__(self, lakehouse, sources: Path):
        self.lakehouse = lakehouse
        self.sources = sources
        self.bronze = f"abfss://bronze@{ACCOUNT}.dfs.core.windows.net"
        self.silver = f"abfss://silver@{ACCOUNT}.dfs.core.windows.net"
        lakehouse.create_schema("silver")
        lakehouse.create_schema("gold")
        gold = sorted((sources / "src" / "gold").glob("*.py"))
        assert [p.stem for p in gold] == ["dim_artist", "dim_date", "dim_track", "dim_user", "fact_stream"]
        self.gold = lakehouse.pipeline(gold, name="spotify_lakehouse_gold", catalog=CATALOG, schema="gold",
                                       configuration={"lakehouse.catalog": CATALOG, "lakehouse.silver_schema": "silver"})
        self.copied = {table: [] for table in SCHEMAS}
        self.run_number = 0

    def copy(self, rows_by_table):
        """The copy activity: one Parquet file per table and run (the pipeline deletes a file the
        copy left empty, so there is none then)."""
        self.run_number += 1
        for table, rows in rows_by_table.items():
            if not rows:
                continue
            name = f"{table}_20261207{self.run_number:06d}_run-{self.run_number}.parquet"
            self.lakehouse.write_parquet(f"{self.bronze}/{table}/{name}", rows, SCHEMAS[table])
            self.copied[table].extend(rows)

    def silver_notebook(self, table, schema="silver"):
        return self.lakehouse.run_notebook(self.sources / "src" / "silver" / f"{table}.py", {
            "bronze_root": self.bronze, "silver_root": self.silver, "catalog": CATALOG, "silver_schema": schema,
        })

    def run(self, rows_by_table=None, *, failing_silver=None):
        """One pipeline run; returns the tables whose silver failed, with the error (gold does not run then)."""
        if rows_by_table is not None:
            self.copy(rows_by_table)
        failed = {}
        for table in SCHEMAS:
            # A silver notebook that fails: its schema is missing (a grant revoked, a schema dropped...).
            result = self.silver_notebook(table, schema="missing_schema" if table == failing_silver else "silver")
            if not result.ok:
                failed[table] = error_summary(result.error)
        if not failed:
            update = self.gold.update()
            assert update.ok, update.error_traceback
        return failed

    def star(self, notebook=None):
        result = self.lakehouse.run_notebook(notebook or self.sources / "src" / "queries" / "fact_stream_star.py",
                                             {"catalog": CATALOG, "schema": "gold"})
        result.raise_for_error()
        return [dict(zip(result.displayed[-1].columns, row)) for row in result.displayed[-1].rows]

    def rows(self, table, order_by=None):
        return self.lakehouse.rows(f"{CATALOG}.{table}", order_by=order_by)


def error_summary(error) -> str:
    """The lines of an error (a Java stack with a Python traceback inside) that say what went wrong."""
    lines = [line.strip() for line in str(error).splitlines()]
    said = [line for line in lines if re.search(r"(Error|Exception)\b.*:", line) and not line.startswith("at ")]
    return f"{type(error).__name__}: " + " | ".join(dict.fromkeys(said or lines[:3]))[:1500]


def bronze_rows_with_keys(rows, table):
    return [r for r in rows if all(r[k] is not None for k in KEYS[table]) and r[SEQUENCE[table]] is not None]


def check_silver_once(house, tables=tuple(SCHEMAS)):
    """Each bronze row with a key reaches silver exactly once (by key and sequence), whatever the reruns."""
    for table in tables:
        copied = bronze_rows_with_keys(house.copied[table], table)
        expected = {tuple(str(r[c]) for c in KEYS[table] + [SEQUENCE[table]]) for r in copied}
        silver = house.rows(f"silver.{table}")
        got = [tuple(str(r[c]).replace(" ", "T") if r[c] is not None else "None" for c in KEYS[table] + [SEQUENCE[table]])
               for r in silver]
        normalized = sorted(tuple(v.replace("T00:00:00", "") if table == "DimDate" else v for v in key) for key in got)
        assert len(got) == len(set(got)), f"silver.{table} holds a row twice: {sorted(got)}"
        expected = sorted(tuple(v.replace(" ", "T") for v in key) for key in expected)
        assert normalized == expected, f"silver.{table}: {normalized} != {expected}"


def check_star(rows):
    by_stream = {r["stream_id"]: r for r in rows}
    assert sorted(by_stream) == sorted(EXPECTED_STAR), f"streams in the star query: {sorted(by_stream)}"
    assert len(rows) == len(by_stream), "a stream joined more than one version of a dimension"
    for stream_id, (plan, country, track_name, weekday) in EXPECTED_STAR.items():
        row = by_stream[stream_id]
        got = (row["dim_user_subscription_type"], row["dim_user_country"], row["dim_track_track_name"], row["dim_date_weekday"])
        assert got == (plan, country, track_name, weekday), f"stream {stream_id}: {got} != {(plan, country, track_name, weekday)}"


def versions(house, dimension, key):
    return [(r[key], r["__START_AT"], r["__END_AT"]) for r in house.rows(f"gold.{dimension}", order_by=[key, "__START_AT"])]


def at(text):
    return dt.datetime.fromisoformat(text)


@pytest.fixture
def sample(lakehouse):
    return SampleLakehouse(lakehouse, SAMPLE)


def test_the_sample_lakehouse_over_five_runs_gives_the_right_data(sample):
    assert sample.run(RUNS[0]) == {}
    assert [(r["user_id"], r["subscription_type"]) for r in sample.rows("gold.dim_user", order_by=["user_id"])] == [(1, "free"), (2, "premium")]

    assert sample.run(RUNS[1]) == {}
    # The overlap re-read user 2 and stream 2: once each in silver. The rows without a key are kept aside.
    check_silver_once(sample)
    quarantined = sample.rows("silver.DimUser_quarantine")
    assert [(r["user_name"], r["_quarantine_reason"]) for r in quarantined] == [("Nobody", "user_id is NULL")]
    assert [r["_quarantine_reason"] for r in sample.rows("silver.FactStream_quarantine")] == ["stream_id is NULL"]

    assert [r["_quarantine_reason"] for r in sample.rows("silver.DimTrack_quarantine")] == ["updated_at is NULL"]

    # Run 3, a backfill window: its history goes to silver and gold like any other run's.
    assert sample.run(RUNS[2]) == {}
    assert sorted(r["stream_id"] for r in sample.rows("gold.fact_stream")) == [1, 2, 3, 6]

    # Run 4: FactStream's silver fails. Gold does not update (Data Factory's gold step depends on
    # every silver), so the late stream is not in gold yet, and nothing is lost.
    assert list(sample.run(RUNS[3], failing_silver="FactStream")) == ["FactStream"]
    assert sorted(r["stream_id"] for r in sample.rows("gold.fact_stream")) == [1, 2, 3, 6]

    # Run 5 copies nothing; silver runs anyway and picks up run 4's file; gold follows.
    assert sample.run(RUNS[4]) == {}
    check_silver_once(sample)
    assert sorted(r["stream_id"] for r in sample.rows("gold.fact_stream")) == [1, 2, 3, 4, 5, 6]

    # SCD Type 2: every version, each closed where the next began (user 2's move arrived after
    # later streams but is placed by its updated_at).
    assert versions(sample, "dim_user", "user_id") == [
        (1, at("2026-12-01T10:00:00"), at("2026-12-03T08:00:00")),
        (1, at("2026-12-03T08:00:00"), None),
        (2, at("2026-12-01T11:00:00"), at("2026-12-02T12:00:00")),
        (2, at("2026-12-02T12:00:00"), None),
    ]
    assert versions(sample, "dim_track", "track_id") == [
        (10, at("2026-12-01T09:00:00"), at("2026-12-03T07:00:00")),
        (10, at("2026-12-03T07:00:00"), None),
        (11, at("2026-12-01T09:00:00"), None),
    ]
    # SCD Type 1: one row per key.
    assert [r["artist_id"] for r in sample.rows("gold.dim_artist")] == [100]
    # The generated calendar, with the business day's name.
    days = {r["date_key"]: r for r in sample.rows("gold.dim_date")}
    assert len(days) == (dt.date(2030, 12, 31) - dt.date(2024, 1, 1)).days + 1
    assert days[20261205]["is_weekend"] is True and days[20261207]["is_weekend"] is False

    # Each stream with the versions valid when it happened.
    star = sample.star()
    check_star(star)
    measures = {(r["user_id"], r["track_id"], r["date_key"]): (r["sum_listen_duration"], r["stream_count"])
                for r in sample.rows("gold.fact_stream_measures")}
    assert measures == {(1, 10, 20261202): (200, 1), (2, 11, 20261202): (150, 2), (1, 10, 20261203): (240, 1),
                        (2, 10, 20261203): (60, 1), (1, 11, 20261120): (30, 1)}

    # A rerun with nothing new changes nothing: silver, the dimensions' versions, the facts.
    before = {t: sample.rows(t) for t in ["silver.DimUser", "silver.FactStream", "gold.dim_user", "gold.dim_track",
                                         "gold.fact_stream"]}
    assert sample.run(RUNS[4]) == {}
    assert {t: sample.rows(t) for t in before} == before
    check_star(sample.star())

    # The check can fail: the query that joins today's versions gives stream 1 Ana's upgrade.
    with pytest.raises(AssertionError, match="stream 1"):
        check_star(sample.star(as_is_star_query(sample.lakehouse.root)))


def as_is_star_query(folder: Path) -> Path:
    """The star query joining each dimension's current version (``__END_AT IS NULL``): the bug
    this issue fixed, kept here to prove that ``check_star`` catches it."""
    lines = (SAMPLE / "src" / "queries" / "fact_stream_star.py").read_text(encoding="utf-8").split("\n")
    out, replaced = [], 0
    for line in lines:
        valid_from = re.search(r">= `(dim_\w+)`\.__VALID_FROM", line)
        if valid_from:
            out.append(f"    '    AND `{valid_from.group(1)}`.__END_AT IS NULL\\n'")
            replaced += 1
        elif "__VALID_TO\\n'" in line and "`fact_stream`" in line:
            continue
        else:
            out.append(line)
    assert replaced == 2, "the star query's as-of joins were not found: update this mutation"
    path = folder / "fact_stream_star_as_is.py"
    path.write_text("\n".join(out), encoding="utf-8")
    return path


def test_the_silver_check_fails_on_a_notebook_that_appends(lakehouse, tmp_path):
    """``check_silver_once`` can fail: a silver notebook that appends what the copy's overlap
    re-reads instead of merging by key and sequence is caught."""
    wrong = tmp_path / "wrong"
    shutil.copytree(SAMPLE / "src", wrong / "src")
    silver = wrong / "src" / "silver" / "FactStream.py"
    text = silver.read_text(encoding="utf-8")
    appending = (text.replace("    rows = rows.dropDuplicates(KEYS + [SEQUENCE])\n", "")
                 .replace("    if not spark.catalog.tableExists(target_table):", "    if True:")
                 .replace('rows.write.format("delta").saveAsTable(target_table)',
                          'rows.write.format("delta").mode("append").saveAsTable(target_table)'))
    assert appending.count("mode(\"append\").saveAsTable(target_table)") == 1 and "if True:" in appending, \
        "the silver merge was not found: update this mutation"
    silver.write_text(appending, encoding="utf-8")
    house = SampleLakehouse(lakehouse, wrong)
    for run in RUNS[:2]:
        house.copy({"FactStream": run["FactStream"]})
        house.silver_notebook("FactStream").raise_for_error()
    with pytest.raises(AssertionError, match="silver.FactStream holds a row twice"):
        check_silver_once(house, ["FactStream"])
