"""The Git repository behind ThoughtSpot version control, in memory: branches of commits of TML files.

A commit holds the whole tree (file name -> TML text) and the files it changed. Tests can push commits as a
developer would (``FakeThoughtSpot.git.push``), then deploy them through ``/vcs/git/commits/deploy``.
"""

from __future__ import annotations

import hashlib
import threading
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Mapping

DEFAULT_BRANCH = "main"
"""The branch commits go to when ``branch_name`` is absent (the configured commit branch) [I]."""
GIT_USER = "ts-git-bot"


@dataclass(frozen=True)
class Commit:
    """One commit: its whole tree, the files it changed (or deleted) and who made it."""

    commit_id: str
    branch: str
    comment: str
    author: str
    time: str  # ISO 8601, UTC
    tree: Mapping[str, str]
    changed: tuple[str, ...]
    number: int  # order of all commits, so history sorts newest first even within one second

    def history(self) -> dict[str, object]:
        """Write the commit as ``CommitHistoryResponse``."""
        return {
            "committer": {"email": f"{GIT_USER}@example.com", "username": GIT_USER},
            "author": {"email": f"{self.author}@example.com", "username": self.author},
            "comment": self.comment,
            "commit_time": self.time,
            "commit_id": self.commit_id,
            "branch": self.branch,
        }


class GitRepo:
    """Thread-safe branches -> commits (oldest first), and what each branch last deployed."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._branches: dict[str, list[Commit]] = {DEFAULT_BRANCH: []}
        self._deployed: dict[str, str] = {}
        self._counter = 0

    def push(
        self, branch: str, files: Mapping[str, str | None], comment: str, author: str = GIT_USER
    ) -> Commit:
        """Commit ``files`` (name -> TML text, None deletes) on top of ``branch`` (created if new)."""
        with self._lock:
            commits = self._branches.setdefault(branch, [])
            tree = dict(commits[-1].tree) if commits else {}
            for name, text in files.items():
                if text is None:
                    tree.pop(name, None)
                else:
                    tree[name] = text
            self._counter += 1
            digest = hashlib.sha1(f"{branch}\0{self._counter}\0{comment}\0{sorted(tree.items())}".encode())
            stamp = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
            changed = tuple(sorted(files))
            commit = Commit(digest.hexdigest(), branch, comment, author, stamp, tree, changed, self._counter)
            commits.append(commit)
            return commit

    def branch(self, name: str) -> list[Commit] | None:
        """Copy a branch's commits, oldest first (None: no such branch)."""
        with self._lock:
            commits = self._branches.get(name)
            return None if commits is None else list(commits)

    def branches(self) -> list[str]:
        """Name every branch."""
        with self._lock:
            return sorted(self._branches)

    def deployed(self, branch: str) -> Commit | None:
        """Return the commit of ``branch`` last deployed (None: never)."""
        with self._lock:
            commit_id = self._deployed.get(branch)
            return next((c for c in self._branches.get(branch, []) if c.commit_id == commit_id), None)

    def mark_deployed(self, commit: Commit) -> None:
        """Remember ``commit`` as its branch's last deployed one (what DELTA deploys compare to)."""
        with self._lock:
            self._deployed[commit.branch] = commit.commit_id
