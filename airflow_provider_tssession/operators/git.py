"""ThoughtSpot's Git integration as tasks: commit objects to a branch, deploy a commit to this cluster."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from airflow_provider_tssession.exceptions import ThoughtSpotJobFailedError
from airflow_provider_tssession.operators.base import ThoughtSpotBaseOperator

if TYPE_CHECKING:
    from collections.abc import Sequence

    from airflow_provider_tssession._compat import Context
    from airflow_provider_tssession.retry import Log

COMMIT_PATH = "/api/rest/2.0/vcs/git/branches/commit"
DEPLOY_PATH = "/api/rest/2.0/vcs/git/commits/deploy"
COMMIT_SEARCH_PATH = "/api/rest/2.0/vcs/git/commits/search"
COMMIT_TYPES = ("LIVEBOARD", "ANSWER", "LOGICAL_TABLE", "CUSTOM_ACTION")
DEPLOY_TYPES = ("DELTA", "FULL")
DEPLOY_POLICIES = ("ALL_OR_NONE", "PARTIAL", "VALIDATE_ONLY")
ERROR_STATUSES = frozenset({"ERROR", "FAILED", "FAILURE"})


class ThoughtSpotGitCommitOperator(ThoughtSpotBaseOperator):
    """Commit ThoughtSpot objects' TML to the Git branch configured for this cluster or org.

    Fails when any file's status is an error, naming each file and ThoughtSpot's message. The commit is
    sent once: after a timeout or a 5xx the error says it may have happened and how to check.
    Returns ``{"commit_id", "branch", "files": [{"file_name", "status_code", "status_message"}]}``.

    :param metadata: The objects, e.g. ``[{"identifier": "<guid>", "type": "LIVEBOARD"}]`` (type optional).
    :param comment: The commit message.
    :param branch_name: The branch to commit to; None uses the configuration's commit branch.
    :param session_handle: A ``ThoughtSpotLoginOperator`` output, to reuse its session.
    :param thoughtspot_conn_id: The Airflow connection of type ``thoughtspot`` to use.
    """

    template_fields: Sequence[str] = (
        *ThoughtSpotBaseOperator.template_fields,
        "metadata",
        "comment",
        "branch_name",
    )
    template_fields_renderers: ClassVar[dict[str, str]] = {"metadata": "json"}

    def __init__(
        self,
        *,
        metadata: list[dict[str, str]],
        comment: str,
        branch_name: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.metadata = metadata
        self.comment = comment
        self.branch_name = branch_name

    def execute(self, context: Context) -> dict[str, Any]:
        """Commit, then judge every committed file."""
        from airflow_provider_tssession.changes import send_once

        body: dict[str, Any] = {"metadata": self._checked_metadata(), "comment": self.comment}
        if not isinstance(self.comment, str) or not self.comment.strip():
            raise self.bad_argument("comment", "empty", "give a commit message")
        if self.branch_name:
            body["branch_name"] = self.branch_name
        with self.hook() as hook:
            answer = send_once(
                hook,
                COMMIT_PATH,
                body,
                what=f"The Git commit of {len(body['metadata'])} object(s)",
                how_to_check=f"Check the branch's history (POST {COMMIT_SEARCH_PATH} with an object's GUID)",
            )
        answer = answer if isinstance(answer, dict) else {}
        files = [_file(item) for item in answer.get("committed_files") or []]
        judge_files(files, what=f"Git commit {answer.get('commit_id')}", log=self.log)
        return {"commit_id": answer.get("commit_id"), "branch": answer.get("branch"), "files": files}

    def _checked_metadata(self) -> list[dict[str, str]]:
        fix = 'give a list like [{"identifier": "<guid>", "type": "LIVEBOARD"}]'
        if not isinstance(self.metadata, list | tuple) or not self.metadata:
            raise self.bad_argument("metadata", "no objects to commit", fix)
        for item in self.metadata:
            if not isinstance(item, dict) or not item.get("identifier"):
                raise self.bad_argument("metadata", f"{item!r} has no identifier", fix)
            if item.get("type") not in (None, *COMMIT_TYPES):
                raise self.bad_argument(
                    "metadata",
                    f"type {item['type']!r}",
                    "use one of " + ", ".join(COMMIT_TYPES),
                )
        return [dict(item) for item in self.metadata]


class ThoughtSpotGitDeployOperator(ThoughtSpotBaseOperator):
    """Deploy a commit of a Git branch into this cluster or org (``deploy_policy="VALIDATE_ONLY"``: dry run).

    Fails when any file's status is an error, naming each file and ThoughtSpot's message. The deploy is
    sent once: after a timeout or a 5xx the error says it may have happened and how to check. Returns
    ``{"branch_name", "commit_id", "files": [{"file_name", "metadata_name", "metadata_type",
    "status_code", "status_message"}]}``.

    :param branch_name: The branch to deploy from.
    :param commit_id: The commit to deploy; None deploys the branch's head.
    :param deploy_type: ``DELTA`` (files changed since the last deploy) or ``FULL`` (every file).
    :param deploy_policy: ``ALL_OR_NONE``, ``PARTIAL`` or ``VALIDATE_ONLY``.
    :param session_handle: A ``ThoughtSpotLoginOperator`` output, to reuse its session.
    :param thoughtspot_conn_id: The Airflow connection of type ``thoughtspot`` to use.
    """

    template_fields: Sequence[str] = (*ThoughtSpotBaseOperator.template_fields, "branch_name", "commit_id")

    def __init__(
        self,
        *,
        branch_name: str,
        commit_id: str | None = None,
        deploy_type: str = "DELTA",
        deploy_policy: str = "ALL_OR_NONE",
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.branch_name = branch_name
        self.commit_id = commit_id
        self.deploy_type = deploy_type
        self.deploy_policy = deploy_policy

    def execute(self, context: Context) -> dict[str, Any]:
        """Deploy, then judge every deployed file."""
        from airflow_provider_tssession.changes import send_once

        for name, allowed in (("deploy_type", DEPLOY_TYPES), ("deploy_policy", DEPLOY_POLICIES)):
            if getattr(self, name) not in allowed:
                raise self.bad_argument(name, repr(getattr(self, name)), "use one of " + ", ".join(allowed))
        if not isinstance(self.branch_name, str) or not self.branch_name:
            raise self.bad_argument("branch_name", "empty", "name the branch to deploy")
        body = {
            "branch_name": self.branch_name,
            "deploy_type": self.deploy_type,
            "deploy_policy": self.deploy_policy,
        }
        if self.commit_id:
            body["commit_id"] = self.commit_id
        what = f"The deploy of {self.commit_id or 'the head'} of branch {self.branch_name!r}"
        with self.hook() as hook:
            answer = send_once(
                hook,
                DEPLOY_PATH,
                body,
                what=what,
                how_to_check="Check the deployed objects in ThoughtSpot before deploying again",
            )
        files = [_file(item) for item in answer if isinstance(item, dict)] if isinstance(answer, list) else []
        dry = " (VALIDATE_ONLY: nothing was changed)" if self.deploy_policy == "VALIDATE_ONLY" else ""
        judge_files(files, what=what + dry, log=self.log)
        return {"branch_name": self.branch_name, "commit_id": self.commit_id, "files": files}


def _file(item: dict[str, Any]) -> dict[str, Any]:
    keys = ("file_name", "metadata_name", "metadata_type", "status_code", "status_message")
    return {key: item[key] for key in keys if key in item}


def judge_files(files: list[dict[str, Any]], *, what: str, log: Log) -> None:
    """Raise naming every file whose status is an error; log the warnings."""
    for item in files:
        if str(item.get("status_code", "")).upper() == "WARNING":
            log.warning("%s: %s: %s", what, item.get("file_name"), item.get("status_message"))
    failed = [item for item in files if str(item.get("status_code", "")).upper() in ERROR_STATUSES]
    if failed:
        listing = "; ".join(f"{item.get('file_name')}: {item.get('status_message')}" for item in failed)
        raise ThoughtSpotJobFailedError(f"{what}: {len(failed)} of {len(files)} file(s) failed: {listing}")
    log.info("%s: %d file(s), none failed", what, len(files))
