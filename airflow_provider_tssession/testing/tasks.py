"""Asynchronous TML import tasks: a queue of at most 100 active tasks, each IN_QUEUE -> IN_PROGRESS -> done.

A task spends ``queued_for`` seconds IN_QUEUE, then ``running_for`` IN_PROGRESS; then its import runs
(the catalog changes) and it is COMPLETED, with per-object results that may hold errors, or FAILED: the queue
was full (at submission), or ``ALL_OR_NONE`` found an error [I: the docs name "a policy-level failure"].
Tasks settle when any request arrives, so the catalog changes even if nobody polls the status.
"""

from __future__ import annotations

import math
import threading
import time
import uuid
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from .catalog import user_guid
from .tml_import import ObjectResult, run_import

if TYPE_CHECKING:
    from collections.abc import Sequence

    from .catalog import Catalog

MAX_ACTIVE_TASKS = 100
DEFAULT_ASYNC_IMPORT_SECONDS = 1.0
TASK_STATUSES = ("COMPLETED", "IN_QUEUE", "IN_PROGRESS", "FAILED")


@dataclass
class _Task:
    task_id: str
    task_name: str
    author: str
    org_id: int
    policy: str
    tmls: Sequence[str]
    create_new: bool
    created: float  # time.time()
    queued_for: float
    running_for: float
    status: str = "IN_QUEUE"
    results: list[ObjectResult] = field(default_factory=list)
    failure: str = ""
    completed: float | None = None

    def view(self, include_response: bool) -> dict[str, object]:
        """Write the task as ``ImportEPackAsyncTaskStatus``."""
        queued = self.status == "IN_QUEUE" or (self.status == "FAILED" and not self.results)
        in_progress = None if queued else self.created + self.queued_for
        total = len(self.tmls)
        done = self.status in ("COMPLETED", "FAILED")
        processed = total if done else (total // 2 if self.status == "IN_PROGRESS" else 0)
        return {
            "tenant_id": "stand-in-tenant",
            "org_id": self.org_id,
            "task_id": self.task_id,
            "task_name": self.task_name,
            "import_response": self.response() if include_response and done else None,
            "task_status": self.status,
            "author_id": user_guid(self.author),
            "author_display_name": self.author.title(),
            "import_policy": self.policy,
            "created_at": self.created * 1000,
            "in_progress_at": _ms(in_progress),
            "completed_at": _ms(self.completed),
            "modified_at": (self.completed or (in_progress or self.created)) * 1000,
            "total_object_count": total,
            "object_processed_count": processed,
        }

    def response(self) -> dict[str, object]:
        """Write ``import_response``: per-object results, then the task's overall status."""
        objects = [
            {
                "filename": f"tml_{r.index}",
                "zip_filename": "",
                "response": r.response()["response"],
                "request_index": r.index,
            }
            for r in self.results
        ]
        code = "ERROR" if self.status == "FAILED" else "OK"
        status = {
            "status_code": code,
            "error_code": 0 if code == "OK" else 10002,
            "error_message": self.failure,
        }
        return {"object": objects, "status": status}


def _ms(seconds: float | None) -> float | None:
    return None if seconds is None else seconds * 1000


class AsyncImports:
    """Thread-safe task book; tests set ``queued_for``/``running_for`` (``FakeThoughtSpot`` knobs)."""

    def __init__(self, catalog: Catalog) -> None:
        self._lock = threading.Lock()
        self._catalog = catalog
        self._tasks: dict[str, _Task] = {}
        self._next_due: float | None = None
        self.queued_for = self.running_for = DEFAULT_ASYNC_IMPORT_SECONDS / 2
        self.polls: dict[str, int] = {}

    def set_phases(self, queued: float, running: float) -> None:
        """Make new tasks spend ``queued`` seconds IN_QUEUE, then ``running`` IN_PROGRESS."""
        if not all(math.isfinite(value) and value >= 0 for value in (queued, running)):
            raise ValueError(f"phase lengths must be finite numbers of seconds >= 0, got {queued}, {running}")
        self.queued_for, self.running_for = float(queued), float(running)

    def submit(
        self, tmls: Sequence[str], *, policy: str, create_new: bool, author: str, org_id: int
    ) -> dict[str, object]:
        """Queue an import (FAILED at once when MAX_ACTIVE_TASKS are active); return its status."""
        self.settle()
        now = time.time()
        stamp = time.strftime("%d:%b:%Y-%H:%M:%S", time.gmtime(now))
        with self._lock:
            task = _Task(
                str(uuid.uuid4()),
                f"ASYNC_TML_{stamp}",
                author,
                org_id,
                policy,
                list(tmls),
                create_new,
                now,
                self.queued_for,
                self.running_for,
            )
            active = sum(1 for t in self._tasks.values() if t.status in ("IN_QUEUE", "IN_PROGRESS"))
            if active >= MAX_ACTIVE_TASKS:
                task.status, task.failure, task.completed = (
                    "FAILED",
                    f"The import queue is full ({MAX_ACTIVE_TASKS} active tasks)",
                    now,
                )
            else:
                self._due(now + task.queued_for + task.running_for)
            self._tasks[task.task_id] = task
            return task.view(False)

    def _due(self, when: float) -> None:
        # caller holds the lock
        if self._next_due is None or when < self._next_due:
            self._next_due = when

    def settle(self) -> None:
        """Move every task along the clock; run the imports whose time has come, oldest first."""
        if self._next_due is None:  # nothing active: the common case costs one attribute read
            return
        now = time.time()
        with self._lock:
            ready: list[_Task] = []
            self._next_due = None
            for task in self._tasks.values():
                end = task.created + task.queued_for + task.running_for
                if task.status == "IN_QUEUE" and now >= task.created + task.queued_for:
                    task.status = "IN_PROGRESS"
                if task.status in ("IN_QUEUE", "IN_PROGRESS"):
                    if now >= end:
                        ready.append(task)
                    else:
                        self._due(end)
            for task in ready:  # under the lock: one import at a time, in submission order
                task.results = run_import(
                    self._catalog,
                    task.tmls,
                    policy=task.policy,
                    create_new=task.create_new,
                    owner=task.author,
                )
                failed = task.policy == "ALL_OR_NONE" and any(r.status_code == "ERROR" for r in task.results)
                task.status = "FAILED" if failed else "COMPLETED"
                task.failure = (
                    "An object failed and import_policy is ALL_OR_NONE: nothing was imported"
                    if failed
                    else ""
                )
                task.completed = max(now, task.created + task.queued_for + task.running_for)

    def statuses(
        self,
        *,
        task_ids: Sequence[str],
        statuses: Sequence[str],
        author: str,
        offset: int,
        size: int,
        include_response: bool,
    ) -> tuple[list[dict[str, object]], bool]:
        """Page the matching tasks (newest first) and count a poll of each task answered."""
        self.settle()
        with self._lock:
            found = [
                t
                for t in reversed(self._tasks.values())
                if (not task_ids or t.task_id in task_ids)
                and (not statuses or t.status in statuses)
                and (not author or author in (t.author, user_guid(t.author)))
            ]
            page = found[offset : offset + size]
            for task in page:
                self.polls[task.task_id] = self.polls.get(task.task_id, 0) + 1
            return [t.view(include_response) for t in page], offset + size >= len(found)

    def reset(self) -> None:
        """Forget every task and counter."""
        with self._lock:
            self._tasks.clear()
            self.polls.clear()
            self._next_due = None
