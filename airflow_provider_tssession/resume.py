"""Remember a job sent to ThoughtSpot across task tries, so a retry resumes it instead of sending it again.

On Airflow 3.3+ the job's id goes to the task's `task_state_store` (the store `ResumableJobMixin` uses),
and a marker is written *before* the POST: a try that died, timed out or lost its connection while
sending leaves "sending" behind, and the next try refuses to guess. `ResumableJobMixin` itself would
resubmit in that window (its documented limitation) and does not cover the deferred path, hence this
small class. Airflow below 3.3 has no such store: a retry (try 2 and later) refuses to send unless the
operator was told `resubmit_on_retry=True`, because an earlier try may have sent the job. A task that
succeeds forgets its job, so clearing it later sends a new one.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from airflow_provider_tssession.exceptions import ThoughtSpotMaybeSentError

if TYPE_CHECKING:
    from airflow_provider_tssession._compat import Context

SENDING: dict[str, Any] = {"state": "sending"}


class JobMemory:
    """What this task instance sent to ThoughtSpot in earlier tries (one job, under one key).

    :param context: The task's context (its ``task_state_store`` and ``ti``).
    :param key: The state store key, e.g. ``"thoughtspot_tml_import"``; renaming it breaks resumption.
    :param what: Names the job in errors, e.g. ``"TML import"``.
    :param how_to_check: Tells the user how to find out whether ThoughtSpot received it.
    :param resubmit_on_retry: Send again on a retry even when an earlier try may have sent the job.
    """

    def __init__(
        self, context: Context, *, key: str, what: str, how_to_check: str, resubmit_on_retry: bool
    ) -> None:
        self.store: Any = context.get("task_state_store")
        ti = context.get("ti")
        self.try_number = int(getattr(ti, "try_number", 1) or 1)
        self.key = key
        self.what = what
        self.how_to_check = how_to_check
        self.resubmit_on_retry = resubmit_on_retry

    @property
    def durable(self) -> bool:
        """True when the job id survives a crash of this try (Airflow 3.3+)."""
        return self.store is not None

    def recall(self) -> str | None:
        """Return the id of the job an earlier try sent, None when sending is safe; raise when unsure."""
        if self.store is None:
            if self.try_number > 1 and not self.resubmit_on_retry:
                raise ThoughtSpotMaybeSentError(
                    f"Not sending the {self.what} again: this is try {self.try_number}, an earlier try may "
                    "have sent it, and this Airflow (before 3.3) has no task state store to tell. "
                    f"{self.how_to_check}. To send it anyway, set resubmit_on_retry=True."
                )
            return None
        stored = self.store.get(self.key)
        if not stored:
            return None
        if isinstance(stored, dict) and stored.get("job_id"):
            return str(stored["job_id"])
        if self.resubmit_on_retry:
            return None
        raise ThoughtSpotMaybeSentError(
            f"Not sending the {self.what} again: an earlier try started sending it and did not learn "
            f"whether ThoughtSpot received it. {self.how_to_check}. To send it anyway, set "
            "resubmit_on_retry=True (or clear this task's state)."
        )

    def sending(self) -> None:
        """Mark that the job is about to be sent (before the POST, so a crash mid-send is remembered)."""
        if self.store is not None:
            self.store.set(self.key, SENDING)

    def sent(self, job_id: str) -> None:
        """Remember the id ThoughtSpot gave the job."""
        if self.store is not None:
            self.store.set(self.key, {"state": "sent", "job_id": job_id})

    def forget(self) -> None:
        """Forget the job: it was certainly not received, or it ended and may be sent anew."""
        if self.store is not None:
            self.store.delete(self.key)
