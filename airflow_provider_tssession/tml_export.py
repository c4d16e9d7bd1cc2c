"""Export objects' TML to files, a few at a time, each written as soon as ThoughtSpot sends it.

ThoughtSpot reports a failed object inside HTTP 200 (``info.status.status_code == "ERROR"``), so every
object's status is read; one failed object does not stop the others.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any

from airflow_provider_tssession.exceptions import ThoughtSpotApiError, ThoughtSpotTransientError
from airflow_provider_tssession.rate_limit import RateLimiter

if TYPE_CHECKING:
    from airflow_provider_tssession.hooks.thoughtspot import ThoughtSpotHook
    from airflow_provider_tssession.retry import Log
    from airflow_provider_tssession.storage import Location

SEARCH_PATH = "/api/rest/2.0/metadata/search"
EXPORT_PATH = "/api/rest/2.0/metadata/tml/export"
SEARCH_PAGE_SIZE = 100
"""Objects per /metadata/search page (ThoughtSpot's default is 10; -1, everything at once, is discouraged)."""
EXPORT_BURST = 50
"""Exports that may go at once: half of ThoughtSpot's bucket (100 + 10), the rest left for the calls made
just before it that the pacing does not see (the login, the search pages)."""


class TMLExport:
    """One export run: finds the objects, then exports and writes them with a bounded thread pool.

    :param hook: A logged-in hook; threads share it (it is thread-safe).
    :param output_path: The directory or URI the files go to.
    :param edoc_format: ``YAML`` or ``JSON``.
    :param export_fqn: Add referenced objects' fully qualified names.
    """

    def __init__(
        self, hook: ThoughtSpotHook, *, output_path: Location, edoc_format: str, export_fqn: bool, log: Log
    ) -> None:
        self.hook = hook
        self.output_path = output_path
        self.edoc_format = edoc_format
        self.export_fqn = export_fqn
        self.log = log
        self.limiter = RateLimiter(burst=EXPORT_BURST)
        """Paces the exports under ThoughtSpot's 100 requests/s: eight in flight would overrun it."""

    def find(
        self, *, identifiers: list[str] | None, metadata: list[dict[str, Any]] | None
    ) -> list[dict[str, Any]]:
        """Return the objects to export as ``{"identifier", "name", "type"}``, each GUID once."""
        if identifiers is not None:
            found = [{"identifier": guid, "name": None, "type": None} for guid in identifiers]
        else:
            found = [
                {
                    "identifier": row.get("metadata_id"),
                    "name": row.get("metadata_name"),
                    "type": row.get("metadata_type"),
                }
                for row in self.hook.paginate(SEARCH_PATH, {"metadata": metadata}, page_size=SEARCH_PAGE_SIZE)
                if isinstance(row, dict) and row.get("metadata_id")
            ]
            self.log.info("/metadata/search found %d object(s) for %s", len(found), metadata)
        unique = {obj["identifier"]: obj for obj in reversed(found)}
        return [unique[guid] for guid in dict.fromkeys(obj["identifier"] for obj in found)]

    def run(
        self, objects: list[dict[str, Any]], *, max_concurrency: int
    ) -> tuple[list[str], list[dict[str, Any]]]:
        """Export every object, at most `max_concurrency` at once; return the files and the failures."""
        files: list[str] = []
        failed: list[dict[str, Any]] = []
        with ThreadPoolExecutor(max_workers=max_concurrency, thread_name_prefix="tml-export") as pool:
            for written, errors in pool.map(self._export_one, objects):
                files += written
                failed += errors
        return files, failed

    def _export_one(self, obj: dict[str, Any]) -> tuple[list[str], list[dict[str, Any]]]:
        """Export one object and write its file; an error becomes a failure record, not an exception."""
        from airflow_provider_tssession import storage

        body = {
            "metadata": [{"identifier": obj["identifier"]}],
            "edoc_format": self.edoc_format,
            "export_fqn": self.export_fqn,
            "export_associated": False,
        }
        try:
            self.limiter.acquire()
            answer = self.hook.request("POST", EXPORT_PATH, idempotent=True, json=body).json()
        except ThoughtSpotTransientError as error:
            if isinstance(error, ThoughtSpotApiError) and error.status_code == 401:
                raise  # the session could not be renewed: every other object would fail the same way
            return [], [_failure(obj, str(error))]
        written: list[str] = []
        failed: list[dict[str, Any]] = []
        for item in answer if isinstance(answer, list) else []:
            info = item.get("info") or {}
            status = info.get("status") or {}
            guid = info.get("id") or obj["identifier"]
            if status.get("status_code") == "ERROR" or not isinstance(item.get("edoc"), str):
                message = status.get("error_message") or "no TML in the answer"
                failed.append({"identifier": guid, "name": info.get("name") or obj["name"], "error": message})
                continue
            if status.get("status_code") == "WARNING":
                self.log.warning(
                    "TML export of %s (%s): %s", info.get("name"), guid, status.get("error_message")
                )
            path = storage.child(self.output_path, file_name(guid, info.get("type") or obj["type"]))
            written.append(storage.write_chunks(path, [item["edoc"].encode("utf-8")]).uri)
        if not written and not failed:
            failed.append(_failure(obj, "ThoughtSpot returned no object for this identifier"))
        return written, failed


def file_name(guid: str, kind: str | None) -> str:
    """Name an object's file ``<guid>.<type>.tml`` (as ThoughtSpot's Git integration and cs_tools do)."""
    safe = "".join(ch for ch in str(guid) if ch.isalnum() or ch in "-_")
    return f"{safe}.{str(kind).lower()}.tml" if kind else f"{safe}.tml"


def _failure(obj: dict[str, Any], error: str) -> dict[str, Any]:
    return {"identifier": obj["identifier"], "name": obj["name"], "error": error}
