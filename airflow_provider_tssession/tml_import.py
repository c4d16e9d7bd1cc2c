"""A TML import: send it once, read its status, judge it the same way in the worker and the triggerer.

ThoughtSpot reports per-object failures inside HTTP 200 (and `COMPLETED` does not mean every object was
imported), so the verdict reads every object's status. The import POST is never re-sent when ThoughtSpot
may have received it: a second import can duplicate content.
"""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING, Any

from airflow_provider_tssession.changes import send_once
from airflow_provider_tssession.exceptions import ThoughtSpotError, ThoughtSpotJobFailedError

if TYPE_CHECKING:
    from collections.abc import Callable

    from airflow_provider_tssession.hooks.thoughtspot import ThoughtSpotHook
    from airflow_provider_tssession.retry import Log

IMPORT_PATH = "/api/rest/2.0/metadata/tml/import"
ASYNC_IMPORT_PATH = "/api/rest/2.0/metadata/tml/async/import"
ASYNC_STATUS_PATH = "/api/rest/2.0/metadata/tml/async/status"
IMPORT_POLICIES = ("PARTIAL", "ALL_OR_NONE", "VALIDATE_ONLY", "PARTIAL_OBJECT")
TERMINAL = frozenset({"COMPLETED", "FAILED"})
"""Async task states after which nothing changes; IN_QUEUE and IN_PROGRESS are still running."""
HOW_TO_CHECK = (
    f"Check before sending it again: list your recent async imports with POST {ASYNC_STATUS_PATH} "
    '{"author_identifier": "<user>", "include_import_response": true}, or search for the objects '
    "with POST /api/rest/2.0/metadata/search"
)


def submit(
    hook: ThoughtSpotHook, tmls: list[str], *, import_policy: str, create_new: bool, asynchronous: bool
) -> dict[str, Any]:
    """Send the import once and return ThoughtSpot's answer as a result (see `summarize`).

    The POST is re-sent only when ThoughtSpot certainly did not receive it (refused connection, 429);
    after a timeout, a 5xx or a dropped connection the error says it may have been received.
    """
    path = ASYNC_IMPORT_PATH if asynchronous else IMPORT_PATH
    body = {"metadata_tmls": tmls, "import_policy": import_policy, "create_new": create_new}
    what = f"The TML import of {len(tmls)} document(s)"
    answer = send_once(hook, path, body, what=what, how_to_check=HOW_TO_CHECK)
    if asynchronous:
        return summarize(answer)
    return summarize({"task_status": "COMPLETED", "import_response": {"object": answer}})


def fetch_status(hook: ThoughtSpotHook, task_id: str) -> dict[str, Any]:
    """Return the async import task's status with its objects so far (so the last poll has them all)."""
    body = {
        "task_ids": [task_id],
        "include_import_response": True,
        "record_offset": 0,
        "record_size": 1,
    }
    answer = hook.request("POST", ASYNC_STATUS_PATH, idempotent=True, json=body).json()
    for status in (answer or {}).get("status_list") or []:
        if status.get("task_id") == task_id:
            return summarize(status)
    raise ThoughtSpotError(
        f"ThoughtSpot knows no async TML import task {task_id!r} ({ASYNC_STATUS_PATH}): it was made by "
        "another user or org, or is too old to be listed"
    )


def is_done(result: dict[str, Any]) -> bool:
    """Tell whether the task reached a terminal state (COMPLETED or FAILED)."""
    return result.get("task_status") in TERMINAL


def summarize(status: dict[str, Any]) -> dict[str, Any]:
    """Reduce ThoughtSpot's task status (or sync answer) to the XCom result: ids, state, every object."""
    response = status.get("import_response") or {}
    result: dict[str, Any] = {"task_status": status.get("task_status")}
    if status.get("task_id") is not None:
        result["task_id"] = status["task_id"]
    result["objects"] = [_object(item, n) for n, item in enumerate(response.get("object") or [])]
    message = (response.get("status") or {}).get("error_message")
    if message:
        result["message"] = str(message)
    return result


def _object(item: dict[str, Any], position: int) -> dict[str, Any]:
    response = item.get("response") or item
    status = response.get("status") or {}
    header = response.get("header") or {}
    index = item.get("request_index")
    return {
        "index": index
        if isinstance(index, int)
        else position,  # which TML we sent; dropped by `name_objects`
        "name": header.get("name"),
        "guid": header.get("id_guid") or header.get("guid") or header.get("id"),
        "type": header.get("metadata_type") or header.get("type"),
        "status": status.get("status_code"),
        "error": status.get("error_message") or None,
    }


def name_objects(result: dict[str, Any], tmls: Callable[[], list[str]]) -> dict[str, Any]:
    """Name the objects ThoughtSpot left unnamed (a failed one has no header) from the TML sent; drop indexes.

    `tmls` is called only when a name is missing, since after a deferral it reads the files again.
    """
    objects = result["objects"]
    if any(obj.get("name") is None for obj in objects):
        sent = tmls()
        for obj in objects:
            if obj.get("name") is None and 0 <= obj.get("index", -1) < len(sent):
                obj["name"] = tml_name(sent[obj["index"]])
    for obj in objects:
        obj.pop("index", None)
    return result


def tml_name(text: Any) -> str | None:
    """Return the name a TML document gives its object (JSON or YAML), or None; for messages only."""
    try:
        document = json.loads(text) if isinstance(text, str) else text
    except ValueError:
        found = re.search(r"^[ \t]+name:[ \t]*(.+?)[ \t]*$", text, re.MULTILINE)
        return found.group(1).strip("\"'") if found else None
    if isinstance(document, dict):
        for key, value in document.items():
            if key != "guid" and isinstance(value, dict) and isinstance(value.get("name"), str):
                return str(value["name"])
    return None


def judge(result: dict[str, Any], *, fail_on_object_error: bool, log: Log) -> None:
    """Raise when the import failed: a FAILED task, or any object in ERROR (unless told only to warn).

    Objects with a WARNING are logged with ThoughtSpot's message.
    """
    what = f"TML import task {result['task_id']}" if result.get("task_id") else "The TML import"
    failed = [obj for obj in result["objects"] if obj["status"] == "ERROR"]
    listing = "; ".join(f"{_label(obj)}: {obj['error']}" for obj in failed)
    if result.get("task_status") == "FAILED":
        reason = result.get("message") or "no reason given"
        raise ThoughtSpotJobFailedError(
            f"{what} FAILED on ThoughtSpot: {reason}"
            + (f". Failed object(s): {listing}" if failed else "")
            + ". A full queue (100 async imports at once) and a policy-level failure both end this way."
        )
    for obj in result["objects"]:
        if obj["status"] == "WARNING":
            log.warning("%s: %s imported with a warning: %s", what, _label(obj), obj["error"])
    if not failed:
        log.info("%s: %d object(s) imported", what, len(result["objects"]))
        return
    message = f"{what}: {len(failed)} of {len(result['objects'])} object(s) failed: {listing}"
    if fail_on_object_error:
        raise ThoughtSpotJobFailedError(message)
    log.warning("%s (fail_on_object_error=False: not failing the task)", message)


def _label(obj: dict[str, Any]) -> str:
    name = repr(obj["name"]) if obj["name"] else "(unnamed)"
    return f"{obj['type'] or 'object'} {name}" + (f" ({obj['guid']})" if obj["guid"] else "")
