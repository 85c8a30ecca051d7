"""Running a Databricks notebook source file (``# Databricks notebook source``) as a job would.

The file is split into cells at ``# COMMAND ----------``; a cell whose lines all start with
``# MAGIC`` is a magic cell: ``%md`` is skipped, ``%sql`` runs its statements with ``spark.sql``,
``%python`` runs, ``%run ./other`` runs another notebook in the same globals (as Databricks
does); ``%pip``, ``%sh``, ``%fs`` and others are refused. Python cells run in one globals dict,
in order, compiled with the notebook's path and line numbers (tracebacks point at the file).

The globals are those of a Databricks notebook: ``spark`` (harness.spark_proxy), ``sc``,
``dbutils`` (harness.dbutils, with the given widget values), ``display``, ``displayHTML``,
``getArgument``. Streaming queries a notebook starts and does not wait for are awaited at the
end, as a job run waits for them; a failed one fails the run.
"""

from __future__ import annotations

import re
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Dict, List, Mapping, Optional, Tuple

NOTEBOOK_HEADER = "# Databricks notebook source"
CELL_SEPARATOR = re.compile(r"^# COMMAND -{10}\s*$")
MAGIC_PREFIX = re.compile(r"^# MAGIC ?")


@dataclass
class Cell:
    index: int
    first_line: int  # 1-based line of the cell's first line in the file
    kind: str  # python | md | sql | run | <other magic>
    source: str


def parse_notebook(text: str) -> List[Cell]:
    """Cells of a notebook source file (a plain .py file is one Python cell)."""
    lines = text.splitlines()
    start = 0
    if lines and lines[0].strip() == NOTEBOOK_HEADER:
        start = 1
    cells: List[Cell] = []
    current: List[Tuple[int, str]] = []

    def flush() -> None:
        body = [(n, line) for n, line in current]
        while body and not body[0][1].strip():
            body.pop(0)
        while body and not body[-1][1].strip():
            body.pop()
        if not body:
            return
        first_line = body[0][0]
        if MAGIC_PREFIX.match(body[0][1]) and all(MAGIC_PREFIX.match(line) or not line.strip() for _, line in body):
            stripped = [MAGIC_PREFIX.sub("", line, count=1) for _, line in body]
            head = stripped[0].strip()
            if head.startswith("%"):
                magic, _, remainder = head.partition(" ")
                content = ([remainder] if remainder.strip() else []) + stripped[1:]
                offset = 0 if remainder.strip() else 1
                cells.append(Cell(len(cells), first_line + offset, magic[1:], "\n".join(content)))
            else:  # a "# MAGIC" cell without a magic command: the notebook's default language, Python
                cells.append(Cell(len(cells), first_line, "python", "\n".join(stripped)))
        else:
            cells.append(Cell(len(cells), first_line, "python", "\n".join(line for _, line in body)))

    for number, line in enumerate(lines[start:], start=start + 1):
        if CELL_SEPARATOR.match(line):
            flush()
            current = []
        else:
            current.append((number, line))
    flush()
    return cells


@dataclass
class NotebookResult:
    """What a run ended with. ``ok``: it completed or exited; ``error`` the exception otherwise."""

    path: str
    status: str  # "succeeded" | "exited" | "failed"
    exit_value: Optional[str] = None
    error: Optional[BaseException] = None
    error_traceback: str = ""
    failed_cell: Optional[int] = None
    cells_run: int = 0
    displayed: list = field(default_factory=list)
    streams: List[Dict[str, Any]] = field(default_factory=list)
    seconds: float = 0.0
    globals: Dict[str, Any] = field(default_factory=dict, repr=False)

    @property
    def ok(self) -> bool:
        return self.status in ("succeeded", "exited")

    def raise_for_error(self) -> "NotebookResult":
        if self.error is not None:
            raise NotebookFailed(self) from self.error
        return self

    def __str__(self) -> str:
        if self.ok:
            return f"{self.path}: {self.status}" + (f" with {self.exit_value!r}" if self.status == "exited" else "")
        return f"{self.path}: failed in cell {self.failed_cell}: {self.error_traceback.strip().splitlines()[-1] if self.error_traceback else self.error}"


class NotebookFailed(AssertionError):
    def __init__(self, result: NotebookResult):
        super().__init__(f"{result}\n{result.error_traceback}")
        self.result = result


def sql_statements(text: str) -> List[str]:
    """Split a %sql cell on semicolons outside quotes and comments."""
    statements, current, quote, i = [], [], None, 0
    while i < len(text):
        ch = text[i]
        if quote:
            current.append(ch)
            if ch == "\\" and quote != "`" and i + 1 < len(text):
                current.append(text[i + 1])
                i += 1
            elif ch == quote:
                quote = None
        elif ch in "'\"`":
            quote = ch
            current.append(ch)
        elif text.startswith("--", i):
            end = text.find("\n", i)
            i = len(text) if end < 0 else end
            continue
        elif ch == ";":
            statements.append("".join(current))
            current = []
        else:
            current.append(ch)
        i += 1
    statements.append("".join(current))
    return [s.strip() for s in statements if s.strip()]


def make_importer(overrides: Mapping[str, Any]) -> Callable:
    """An ``__import__`` that serves ``overrides`` (module name -> module object) and imports the rest.

    ``from pyspark import pipelines`` asks for ``pyspark`` with ``pipelines`` in the from-list; the
    importer then returns a stand-in for ``pyspark`` whose ``pipelines`` attribute is the override.
    It is installed in the notebook's own ``__builtins__`` only: nothing in ``sys.modules`` changes.
    """
    import builtins
    import types

    real_import = builtins.__import__
    parents: Dict[str, types.ModuleType] = {}

    def parent_with(name: str) -> Any:
        real = real_import(name)
        children = {k.split(".")[-1]: v for k, v in overrides.items() if k.rsplit(".", 1)[0] == name}
        if not children:
            return real
        if name not in parents:
            stand_in = types.ModuleType(name)
            stand_in.__dict__.update(real.__dict__)
            stand_in.__dict__.update(children)
            parents[name] = stand_in
        return parents[name]

    def harness_import(name, globals=None, locals=None, fromlist=(), level=0):
        if level == 0:
            if name in overrides:
                if fromlist or "." not in name:
                    return overrides[name]
                return parent_with(name.split(".")[0])
            if fromlist and any(f"{name}.{item}" in overrides for item in fromlist):
                return parent_with(name)
            if not fromlist and any(k.startswith(name + ".") for k in overrides) and "." not in name:
                return parent_with(name)
        return real_import(name, globals, locals, fromlist, level)

    return harness_import


class NotebookRunner:
    """Runs notebook source files; built by ``harness.Lakehouse`` (which supplies spark and dbutils)."""

    def __init__(self, make_globals: Callable[[Path, Mapping[str, Any]], Dict[str, Any]], await_streams: Callable):
        self._make_globals = make_globals
        self._await_streams = await_streams

    def run(self, path, widgets: Optional[Mapping[str, Any]] = None, *, globals_: Optional[Dict[str, Any]] = None,
            await_streams: bool = True) -> NotebookResult:
        path = Path(path)
        started = time.monotonic()
        text = path.read_text(encoding="utf-8")
        g = globals_ if globals_ is not None else self._make_globals(path, widgets or {})
        result = NotebookResult(path=str(path), status="succeeded", displayed=g.get("display").displayed if g.get("display") else [])
        spark = g["spark"]
        before = {q.runId for q in spark.streams.active}
        try:
            self.exec_cells(path, text, g)
            result.cells_run = len(parse_notebook(text))
        except _CellError as failure:
            result.cells_run = failure.cell
            exc = failure.error
            if _is_exit(exc):
                result.status, result.exit_value = "exited", exc.value
            else:
                result.status, result.error, result.failed_cell = "failed", exc, failure.cell
                result.error_traceback = format_error(exc)
        if await_streams:
            stream_error, result.streams = self._await_streams(spark, before, stop=not result.ok)
            if stream_error is not None and result.ok:
                result.status, result.error = "failed", stream_error
                result.error_traceback = format_error(stream_error)
        result.seconds = time.monotonic() - started
        result.globals = g
        return result

    def exec_cells(self, path: Path, text: str, g: Dict[str, Any]) -> None:
        for cell in parse_notebook(text):
            try:
                self._exec_cell(path, cell, g)
            except BaseException as exc:  # noqa: BLE001 - reported in the result
                if isinstance(exc, (KeyboardInterrupt, SystemExit)):
                    raise
                raise _CellError(cell.index + 1, exc) from None

    def _exec_cell(self, path: Path, cell: Cell, g: Dict[str, Any]) -> None:
        if cell.kind == "python":
            code = compile("\n" * (cell.first_line - 1) + cell.source, str(path), "exec")
            exec(code, g)  # noqa: S102 - running the notebook is the point
        elif cell.kind == "md":
            return
        elif cell.kind == "sql":
            for statement in sql_statements(cell.source):
                g["spark"].sql(statement).collect()
        elif cell.kind == "run":
            target = cell.source.strip().split()[0].strip("\"'")
            other = (path.parent / target).resolve()
            if other.suffix != ".py":
                other = other.with_suffix(".py")
            try:
                self.exec_cells(other, other.read_text(encoding="utf-8"), g)
            except _CellError as failure:
                raise failure.error
        else:
            raise NotImplementedError(f"%{cell.kind} cells are not run by the harness (cell {cell.index + 1} of {path})")


def format_error(exc: BaseException) -> str:
    """The traceback without the harness's own frames above the notebook's."""
    harness_dir = str(Path(__file__).resolve().parent)
    tb = exc.__traceback__
    while tb is not None and tb.tb_frame.f_code.co_filename.startswith(harness_dir):
        tb = tb.tb_next
    return "".join(traceback.format_exception(type(exc), exc, tb if tb is not None else exc.__traceback__))


class _CellError(Exception):
    def __init__(self, cell: int, error: BaseException):
        super().__init__(str(error))
        self.cell = cell
        self.error = error


def _is_exit(exc: BaseException) -> bool:
    from .dbutils import NotebookExit

    return isinstance(exc, NotebookExit)
