"""Where the operators' files go: a local path, or any Airflow ``ObjectStoragePath`` URI, written streaming.

A location with ``://`` (``file://``, ``s3://``, ``gs://``, ``memory://``...) goes through Airflow's object
storage, so its connection (``s3://aws_default@bucket/...``) and filesystem come from Airflow; anything else
is a local path. Object storage imports fsspec, so it is imported here only when a task writes, never when a
DAG is parsed. Files are written as their bytes arrive: nothing here holds a whole file in memory.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, NamedTuple, cast

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator

    from airflow_provider_tssession._compat import ObjectStoragePath

    StoragePath = Path | ObjectStoragePath
    Location = str | os.PathLike[str] | ObjectStoragePath
    """What users pass: a local path (str or Path), a URI string, or an ``ObjectStoragePath``."""


class Written(NamedTuple):
    """A file written: its URI (``file:///...`` for a local path) and its size in bytes."""

    uri: str
    bytes: int


def resolve(location: Location) -> StoragePath:
    """Return ``location`` as a path object: a ``pathlib.Path`` if local, else an ``ObjectStoragePath``."""
    if hasattr(location, "protocol") and hasattr(location, "fs"):
        return cast("ObjectStoragePath", location)  # already one; told by duck type to spare fsspec
    if not isinstance(location, str | os.PathLike) or not str(location):
        raise ValueError(f"an output location must be a non-empty path or URI, got {location!r}")
    if isinstance(location, Path):
        return location.absolute()
    text = os.fspath(location)
    if "://" not in text:
        return Path(text).expanduser().absolute()
    # Imported here: object storage pulls in fsspec, which DAG parsing must not pay for.
    from airflow_provider_tssession._compat import ObjectStoragePath

    return ObjectStoragePath(text)


def uri_of(path: StoragePath) -> str:
    """Return the URI naming ``path``: ``file:///...`` for a local file, ``s3://bucket/key`` and so on."""
    if isinstance(path, Path):
        return path.absolute().as_uri()
    return str(path)


def child(location: Location, name: str) -> StoragePath:
    """Return the file ``name`` inside the directory or prefix ``location``; ``name`` may not climb out."""
    if not name or name in (".", "..") or "/" in name or "\\" in name:
        raise ValueError(f"a file name must be one path segment, got {name!r}")
    return resolve(location) / name


@contextlib.contextmanager
def open_writer(path: StoragePath, *, binary: bool = True) -> Iterator[IO[Any]]:
    r"""Open ``path`` for writing from its start (creating its directory): for files written piece by piece.

    Text mode writes UTF-8 with ``\\n`` line ends on every platform.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    if binary:
        with path.open("wb") as stream:
            yield stream
    else:
        with path.open("w", encoding="utf-8", newline="") as stream:
            yield stream


def write_chunks(path: StoragePath, chunks: Iterable[bytes]) -> Written:
    """Write ``chunks`` to ``path`` as they arrive, replacing any earlier content; return URI and size.

    Starting over (mode ``wb``) is what makes a retried download safe: a second attempt never appends to
    the bytes of a first one that was cut off.
    """
    size = 0
    with open_writer(path) as stream:
        for chunk in chunks:
            stream.write(chunk)
            size += len(chunk)
    return Written(uri_of(path), size)


def list_files(location: Location, pattern: str) -> list[StoragePath]:
    """Return the files under ``location`` matching the glob ``pattern`` (``*.tml``, ``**/*.tml``), sorted."""
    base = resolve(location)
    if not base.is_dir():
        raise FileNotFoundError(f"{uri_of(base)} is not a directory (or prefix) holding any file")
    return sorted((path for path in base.glob(pattern) if path.is_file()), key=str)


def read_text(path: StoragePath) -> str:
    """Return the whole text of a (small) file, read as UTF-8."""
    with path.open("r", encoding="utf-8") as stream:
        text: str = stream.read()
    return text
