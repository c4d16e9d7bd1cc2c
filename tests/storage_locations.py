"""Output locations for tests: a local directory, the same as a ``file://`` URI, and fsspec's ``memory://``."""

from __future__ import annotations

import uuid
from pathlib import Path


def attach_memory_filesystem() -> None:
    """Let Airflow's object storage open ``memory://`` (no provider registers that scheme)."""
    from fsspec.implementations.memory import MemoryFileSystem

    try:  # Airflow 3
        from airflow.sdk.io import attach
    except ImportError:  # Airflow 2.11
        from airflow.io.store import attach
    attach("memory", fs=MemoryFileSystem())


def location(kind: str, tmp_path: Path) -> str:
    """A fresh, empty output directory of the given kind: ``local``, ``file`` or ``memory``."""
    if kind == "local":
        return str(tmp_path / "out")
    if kind == "file":
        return (tmp_path / "out").as_uri()
    attach_memory_filesystem()
    return f"memory://tests-{uuid.uuid4().hex}/out"


def read_bytes(uri: str) -> bytes:
    """The bytes of the file at ``uri``, read through Airflow's object storage (any scheme)."""
    from airflow_provider_tssession._compat import ObjectStoragePath

    data: bytes = ObjectStoragePath(uri).read_bytes()
    return data


KINDS = ["local", "file", "memory"]
