"""ADLS Gen2 (``abfss://``) paths on local folders.

The generated notebooks address the lake as ``abfss://<container>@<account>.dfs.core.windows.net/<path>``.
Here each container of each storage account is a local folder, ``<root>/<account>/<container>``,
and Spark reads and writes those URLs unchanged: the harness configures Hadoop's own
``ViewFileSystemOverloadScheme`` for the ``abfss`` scheme, with one mount table per
``container@account`` authority whose fallback link is the local folder. What Spark reports
(``_metadata.file_path``, ``input_file_name()``, Delta's table paths) therefore keeps the
``abfss://`` URL, as on Databricks.

Mount tables are Hadoop configuration, which a Spark job copies when it starts: mount a container
before the job that uses it. The harness mounts every ``abfss://`` URL it sees in a notebook's
source, its widget values and a pipeline's configuration; ``Lake.mount`` does it explicitly.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Iterable, Optional, Union
from urllib.parse import urlsplit

ABFSS_URL = re.compile(r"abfss://([A-Za-z0-9][A-Za-z0-9_.\-]*)@([A-Za-z0-9]+)\.dfs\.core\.windows\.net(/[^\s'\"`,)]*)?")


class Lake:
    def __init__(self, spark, root: Union[str, Path]):
        self.spark = spark
        self.root = Path(root)
        self.root.mkdir(parents=True, exist_ok=True)
        self.mounted: set = set()
        conf = spark.sparkContext._jsc.hadoopConfiguration()
        conf.set("fs.abfss.impl", "org.apache.hadoop.fs.viewfs.ViewFileSystemOverloadScheme")
        conf.set("fs.viewfs.overload.scheme.target.abfss.impl", "org.apache.hadoop.fs.RawLocalFileSystem")
        # A new root per test: never hand out a file system instance configured for the previous one.
        conf.set("fs.abfss.impl.disable.cache", "true")

    # -- mapping -------------------------------------------------------------------------------
    @staticmethod
    def url(container: str, account: str, path: str = "") -> str:
        path = path.lstrip("/")
        return f"abfss://{container}@{account}.dfs.core.windows.net" + (f"/{path}" if path else "")

    def container_dir(self, container: str, account: str) -> Path:
        return self.root / account / container

    def mount(self, container_or_url: str, account: Optional[str] = None) -> Path:
        """Mount a container (``mount("bronze", "stspotifydev")`` or any URL inside it); returns its folder."""
        if account is None:
            match = ABFSS_URL.match(container_or_url)
            if not match:
                raise ValueError(f"not an abfss:// URL: {container_or_url!r}")
            container, account = match.group(1), match.group(2)
        else:
            container = container_or_url
        folder = self.container_dir(container, account)
        folder.mkdir(parents=True, exist_ok=True)
        authority = f"{container}@{account}.dfs.core.windows.net"
        conf = self.spark.sparkContext._jsc.hadoopConfiguration()
        conf.set(f"fs.viewfs.mounttable.{authority}.linkFallback", folder.as_uri())
        self.mounted.add(authority)
        return folder

    def mount_all_in(self, texts: Iterable[str]) -> None:
        """Mount every container named by an abfss:// URL in these strings."""
        for text in texts:
            for match in ABFSS_URL.finditer(str(text)):
                self.mount(match.group(0))

    def local_path(self, path: Union[str, Path]) -> Path:
        """The local path of an abfss:// URL, a file: URI or a local path (mounting the container)."""
        text = str(path)
        match = ABFSS_URL.match(text)
        if match:
            folder = self.mount(text)
            rest = (match.group(3) or "").lstrip("/")
            return folder / rest if rest else folder
        if text.startswith("file:"):
            return Path(urlsplit(text).path)
        if text.startswith("dbfs:/"):
            return self.root / "dbfs" / text[len("dbfs:/"):].lstrip("/")
        if "://" in text:
            raise ValueError(f"the harness maps abfss://, file: and dbfs:/ paths, not {text!r}")
        return Path(text)

    def spark_path(self, path: Union[str, Path]) -> str:
        """A path Spark can read: abfss:// URLs as they are (after mounting), dbfs:/ on its local folder."""
        text = str(path)
        if ABFSS_URL.match(text):
            self.mount(text)
            return text
        if text.startswith("dbfs:/"):
            return str(self.local_path(text))
        return text

    def files(self, path: Union[str, Path]) -> list:
        """Every data file under a folder, as Spark's file sources list them (hidden names skipped)."""
        base = self.local_path(path)
        if base.is_file():
            return [base]
        found = []
        for folder, dirs, names in os.walk(base):
            dirs[:] = sorted(d for d in dirs if not _hidden(d))
            found.extend(Path(folder) / n for n in sorted(names) if not _hidden(n))
        return found


def _hidden(name: str) -> bool:
    # Spark's InMemoryFileIndex: names starting with "_" or "." are not data (partition folders
    # "_x=1" aside), nor files still being copied.
    if name.endswith("._COPYING_"):
        return True
    return (name.startswith("_") and "=" not in name) or name.startswith(".")
