"""``/vcs/git/branches/commit``, ``/vcs/git/commits/deploy`` and ``/vcs/git/commits/search``.

Commit writes the TML of each object to ``<guid>.<type>.tml`` on the branch (default ``main``).
Deploy imports a commit's files (FULL: every file; DELTA, the default: files that differ from the branch's
last deployed commit) with ``deploy_policy`` (default ALL_OR_NONE) through the same import engine as TML
import, synchronously, one DeployResponse per file. Search lists the commits that touched an object,
newest first (all of them when ``record_size`` is unset, as the spec says).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from . import tml
from .paths import GIT_COMMIT_PATH, GIT_DEPLOY_PATH, GIT_SEARCH_PATH
from .registry import Route, add_routes, authenticate, fail
from .tml_import import run_import
from .v2body import Body
from .vcs import DEFAULT_BRANCH
from .wire import CODE_BAD_REQUEST, json_response

if TYPE_CHECKING:
    from .state import FakeState
    from .wire import Request, Response

COMMIT_TYPES = ("LIVEBOARD", "ANSWER", "LOGICAL_TABLE", "CUSTOM_ACTION")


def git_file_name(guid: str, type_key: str) -> str:
    """Name the file an object is committed to."""
    return f"{guid}.{type_key}.tml"


def _commit(state: FakeState, request: Request) -> Response:
    session = authenticate(state, request, v2=True)
    body = Body.of(state, request, optional=False)
    items = body.objects("metadata", required=True)
    comment = body.text("comment", required=True)
    branch = body.text("branch_name") or DEFAULT_BRANCH
    body.flag("delete_aware", True)
    files: dict[str, str] = {}
    for item in items:
        identifier = item.text("identifier", required=True)
        obj = state.catalog.get(identifier, item.choice("type", COMMIT_TYPES, None))
        if obj is None:
            raise fail(
                state, 400, CODE_BAD_REQUEST, f"Metadata object {identifier} not found or not accessible"
            )
        key = tml.type_key(obj) or obj.type.lower()
        files[git_file_name(obj.guid, key)] = tml.render(tml.document(obj, state.catalog), "YAML")
    commit = state.git.push(branch, files, comment, author=session.user)
    answer = commit.history()
    answer["committed_files"] = [
        {"file_name": name, "status_code": "OK", "status_message": None} for name in commit.changed
    ]
    return json_response(200, answer)


def _deploy(state: FakeState, request: Request) -> Response:
    session = authenticate(state, request, v2=True)
    body = Body.of(state, request, optional=False)
    branch = body.text("branch_name", required=True)
    commit_id = body.text("commit_id")
    deploy_type = body.choice("deploy_type", ("FULL", "DELTA"), "DELTA")
    policy = body.choice("deploy_policy", ("ALL_OR_NONE", "PARTIAL", "VALIDATE_ONLY"), "ALL_OR_NONE")
    commits = state.git.branch(branch)
    if not commits:
        raise fail(state, 400, CODE_BAD_REQUEST, f"Branch {branch} does not exist or has no commits")
    commit = next((c for c in commits if c.commit_id == commit_id), None) if commit_id else commits[-1]
    if commit is None:
        raise fail(state, 400, CODE_BAD_REQUEST, f"Commit {commit_id} not found on branch {branch}")
    previous = state.git.deployed(branch)
    names = sorted(commit.tree)
    if deploy_type == "DELTA" and previous is not None:
        names = [n for n in names if previous.tree.get(n) != commit.tree[n]]
    results = run_import(state.catalog, [commit.tree[n] for n in names], policy=policy, owner=session.user)
    if policy != "VALIDATE_ONLY" and not (
        policy == "ALL_OR_NONE" and any(r.status_code == "ERROR" for r in results)
    ):
        state.git.mark_deployed(commit)
    answer = []
    for name, result in zip(names, results, strict=True):
        obj = result.obj
        answer.append(
            {
                "file_name": name,
                "metadata_name": obj.name if obj else None,
                "metadata_type": obj.type if obj else None,
                "status_code": result.status_code,
                "status_message": result.error_message or None,
            }
        )
    return json_response(200, answer)


def _search(state: FakeState, request: Request) -> Response:
    authenticate(state, request, v2=True)
    body = Body.of(state, request, optional=False)
    identifier = body.text("metadata_identifier", required=True)
    obj = state.catalog.get(identifier, body.choice("metadata_type", COMMIT_TYPES, None))
    guid = obj.guid if obj is not None else identifier
    wanted = body.text("branch_name")
    offset = body.integer("record_offset", 0)
    size = body.integer("record_size", -1, minimum=-1)
    found = []
    for branch in [wanted] if wanted else state.git.branches():
        for commit in state.git.branch(branch) or []:
            if any(name.startswith(f"{guid}.") for name in commit.changed):
                found.append(commit)
    found.sort(key=lambda c: c.number, reverse=True)
    page = found[offset:] if size == -1 else found[offset : offset + size]
    return json_response(200, [c.history() for c in page])


add_routes(
    {
        GIT_COMMIT_PATH: Route({"POST": _commit}, v2=True),
        GIT_DEPLOY_PATH: Route({"POST": _deploy}, v2=True),
        GIT_SEARCH_PATH: Route({"POST": _search}, v2=True),
    }
)
