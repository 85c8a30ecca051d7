"""``dbutils`` and ``display``: the notebook globals Databricks provides, emulated.

Follows the Databricks Utilities reference (https://docs.databricks.com/aws/en/dev-tools/databricks-utils):

- ``dbutils.widgets``: ``text``, ``dropdown``, ``combobox``, ``multiselect`` define a widget with
  a default; ``get`` returns the value the run was given (a job's or Data Factory's
  ``baseParameters``, passed to the harness's runner as ``widgets={...}``), else the default;
  a name that is neither defined nor given fails as on Databricks (``InputWidgetNotDefined``).
  Given values are strings, as ADF passes them. ``getAll`` returns every current value,
  ``remove`` / ``removeAll`` forget definitions. In a pipeline's source files widgets do not
  exist (Databricks: use the pipeline's configuration with ``spark.conf.get``).
- ``dbutils.notebook.exit(value)`` ends the notebook with that value (the runner reports it);
  ``dbutils.notebook.run(path, timeout, arguments)`` runs another notebook with the harness.
- ``dbutils.fs``: ``ls``, ``mkdirs``, ``rm``, ``put``, ``head``, ``cp``, ``mv`` on local folders,
  ``abfss://`` URLs (through the harness's lake mapping) and ``dbfs:/`` (a folder of the test).
- ``dbutils.secrets.get(scope, key)``: from the ``secrets`` the test gives the harness.
- ``display(df)`` collects the rows of a batch DataFrame (``Displayed``), for assertions.
"""

from __future__ import annotations

import shutil
from collections import namedtuple
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Dict, List, Mapping, Optional


class InputWidgetNotDefined(Exception):
    """As Databricks' com.databricks.dbutils_v1.InputWidgetNotDefined."""


class NotebookExit(BaseException):
    """Raised by dbutils.notebook.exit; BaseException so that a notebook's ``except Exception`` does not swallow it."""

    def __init__(self, value: str):
        super().__init__(value)
        self.value = value


class Widgets:
    def __init__(self, values: Optional[Mapping[str, Any]] = None, *, in_pipeline: bool = False):
        # Values given to the run, as strings (Data Factory's baseParameters are strings).
        self._given: Dict[str, str] = {str(k): _as_widget_value(v) for k, v in (values or {}).items()}
        self._defined: Dict[str, Dict[str, Any]] = {}
        self._in_pipeline = in_pipeline

    def _check(self) -> None:
        if self._in_pipeline:
            raise RuntimeError("dbutils.widgets is not available in a pipeline's source code: "
                               "read the pipeline's configuration with spark.conf.get(key)")

    def _define(self, kind: str, name: str, defaultValue: str, label: Optional[str], **extra) -> None:
        self._check()
        self._defined[name] = {"kind": kind, "default": _as_widget_value(defaultValue), "label": label, **extra}

    def text(self, name: str, defaultValue: str = "", label: Optional[str] = None) -> None:
        self._define("text", name, defaultValue, label)

    def dropdown(self, name: str, defaultValue: str, choices: List[str], label: Optional[str] = None) -> None:
        choices = [_as_widget_value(c) for c in choices]
        if _as_widget_value(defaultValue) not in choices:
            raise ValueError(f"Default value {defaultValue!r} of dropdown widget {name!r} is not one of its choices {choices}")
        self._define("dropdown", name, defaultValue, label, choices=choices)

    def combobox(self, name: str, defaultValue: str, choices: List[str], label: Optional[str] = None) -> None:
        self._define("combobox", name, defaultValue, label, choices=[_as_widget_value(c) for c in choices])

    def multiselect(self, name: str, defaultValue: str, choices: List[str], label: Optional[str] = None) -> None:
        self._define("multiselect", name, defaultValue, label, choices=[_as_widget_value(c) for c in choices])

    def get(self, name: str) -> str:
        self._check()
        if name in self._given:
            return self._given[name]
        if name in self._defined:
            return self._defined[name]["default"]
        raise InputWidgetNotDefined(f"No input widget named {name} is defined")

    def getArgument(self, name: str, defaultValue: Optional[str] = None) -> Optional[str]:
        try:
            return self.get(name)
        except InputWidgetNotDefined:
            return defaultValue

    def getAll(self) -> Dict[str, str]:
        self._check()
        values = {name: spec["default"] for name, spec in self._defined.items()}
        values.update(self._given)
        return values

    def remove(self, name: str) -> None:
        self._check()
        self._defined.pop(name, None)

    def removeAll(self) -> None:
        self._check()
        self._defined.clear()

    @property
    def defined(self) -> Dict[str, Dict[str, Any]]:
        return dict(self._defined)


class NotebookUtils:
    def __init__(self, run_child: Optional[Callable[[str, int, Mapping[str, Any]], Optional[str]]] = None):
        self._run_child = run_child

    def exit(self, value: Any = "") -> None:
        raise NotebookExit("" if value is None else str(value))

    def run(self, path: str, timeout_seconds: int = 0, arguments: Optional[Mapping[str, Any]] = None) -> Optional[str]:
        if self._run_child is None:
            raise NotImplementedError("dbutils.notebook.run needs a notebook runner")
        return self._run_child(path, timeout_seconds, arguments or {})


FileInfo = namedtuple("FileInfo", ["path", "name", "size", "modificationTime"])


class FsUtils:
    def __init__(self, to_local: Callable[[str], Path]):
        self._to_local = to_local

    def ls(self, path: str) -> List[FileInfo]:
        local = self._to_local(path)
        if not local.exists():
            raise FileNotFoundError(f"java.io.FileNotFoundException: {path} does not exist")
        entries = [local] if local.is_file() else sorted(local.iterdir())
        base = str(path).rstrip("/")
        out = []
        for entry in entries:
            is_dir = entry.is_dir()
            name = entry.name + ("/" if is_dir else "")
            shown = base if local.is_file() else f"{base}/{name}"
            stat = entry.stat()
            out.append(FileInfo(shown, name, 0 if is_dir else stat.st_size, int(stat.st_mtime * 1000)))
        return out

    def mkdirs(self, path: str) -> bool:
        self._to_local(path).mkdir(parents=True, exist_ok=True)
        return True

    def rm(self, path: str, recurse: bool = False) -> bool:
        local = self._to_local(path)
        if not local.exists():
            return False
        if local.is_dir():
            if not recurse and any(local.iterdir()):
                raise IOError(f"{path} is a non-empty directory: use recurse=True")
            shutil.rmtree(local)
        else:
            local.unlink()
        return True

    def put(self, path: str, contents: str, overwrite: bool = False) -> bool:
        local = self._to_local(path)
        if local.exists() and not overwrite:
            raise FileExistsError(f"{path} already exists")
        local.parent.mkdir(parents=True, exist_ok=True)
        local.write_text(contents)
        return True

    def head(self, path: str, maxBytes: int = 65536) -> str:
        with open(self._to_local(path), "rb") as f:
            return f.read(maxBytes).decode("utf-8", errors="replace")

    def cp(self, source: str, destination: str, recurse: bool = False) -> bool:
        src, dst = self._to_local(source), self._to_local(destination)
        dst.parent.mkdir(parents=True, exist_ok=True)
        if src.is_dir():
            if not recurse:
                raise IOError(f"{source} is a directory: use recurse=True")
            shutil.copytree(src, dst, dirs_exist_ok=True)
        else:
            shutil.copy2(src, dst)
        return True

    def mv(self, source: str, destination: str, recurse: bool = False) -> bool:
        src, dst = self._to_local(source), self._to_local(destination)
        dst.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(str(src), str(dst))
        return True


class SecretsUtils:
    def __init__(self, secrets: Optional[Mapping[str, Mapping[str, str]]] = None):
        self._secrets = {scope: dict(keys) for scope, keys in (secrets or {}).items()}

    def get(self, scope: str, key: str) -> str:
        try:
            return self._secrets[scope][key]
        except KeyError:
            raise KeyError(f"Secret does not exist with scope: {scope} and key: {key}") from None

    def listScopes(self):
        return sorted(self._secrets)

    def list(self, scope: str):
        return sorted(self._secrets.get(scope, {}))


class DBUtils:
    """The ``dbutils`` object a notebook sees."""

    def __init__(self, *, widgets: Widgets, fs: FsUtils, secrets: SecretsUtils, notebook: NotebookUtils):
        self.widgets = widgets
        self.fs = fs
        self.secrets = secrets
        self.notebook = notebook

    def help(self) -> None:
        print("dbutils emulated by the Lakehouse Workbench execution-test harness: widgets, notebook, fs, secrets")


@dataclass
class Displayed:
    """One call of ``display``: the DataFrame and the rows it showed (at most ``limit``)."""

    df: Any
    rows: List[Any]
    columns: List[str]


class Display:
    """The ``display`` function; ``displayed`` keeps every call, in order."""

    def __init__(self, limit: int = 10000):
        self.limit = limit
        self.displayed: List[Displayed] = []
        self.html: List[str] = []

    def __call__(self, obj: Any = None, *args: Any, **kwargs: Any) -> None:
        if hasattr(obj, "isStreaming") and hasattr(obj, "collect"):
            if obj.isStreaming:
                raise NotImplementedError("display() of a streaming DataFrame starts a Databricks display query; "
                                          "the harness does not emulate it: write the stream to a table instead")
            rows = obj.limit(self.limit).collect()
            self.displayed.append(Displayed(obj, rows, list(obj.columns)))
        else:
            self.displayed.append(Displayed(obj, [obj], []))

    def html_(self, html: str) -> None:
        self.html.append(html)


def _as_widget_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)
