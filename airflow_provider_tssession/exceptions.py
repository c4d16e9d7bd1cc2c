"""Errors the provider raises: each says what happened, where, and what to do, and never carries a secret."""

from __future__ import annotations

from typing import Self

from airflow_provider_tssession._compat import AirflowException


class ThoughtSpotError(AirflowException):
    """Base class of every error this provider raises."""


class ThoughtSpotConfigError(ThoughtSpotError, ValueError):
    """The connection (or an argument) is unusable; the message names the field and the fix."""

    def __init__(self, conn_id: str, field: str, problem: str, fix: str) -> None:
        self.conn_id = conn_id
        self.field = field
        super().__init__(f"ThoughtSpot connection {conn_id!r}, field {field!r}: {problem}. Fix: {fix}.")


class ThoughtSpotArgumentError(ThoughtSpotError, ValueError):
    """An operator argument is unusable; raised in ``execute()``, naming the task, argument and fix."""

    def __init__(self, task_id: str, field: str, problem: str, fix: str) -> None:
        self.task_id = task_id
        self.field = field
        super().__init__(f"Task {task_id!r}, argument {field!r}: {problem}. Fix: {fix}.")


class ThoughtSpotRequestError(ThoughtSpotError, ValueError):
    """A call the hook refuses to send, such as a full URL on another host."""


class ThoughtSpotSessionHandleError(ThoughtSpotError):
    """A session handle that cannot be used: tampered, truncated, or made for another connection."""


class ThoughtSpotTransientError(ThoughtSpotError):
    """An error that may go away on a retry; says whether the server may already have acted."""

    transient: bool = True
    server_may_have_acted: bool = True
    attempts: int = 1
    retry_after: float | None = None

    def with_attempts(self, attempts: int) -> ThoughtSpotTransientError:
        """Return this error, its message saying how many attempts failed (the final error of a retry)."""
        self.attempts = attempts
        if attempts > 1:
            self.args = (
                f"{str(self.args[0]).rstrip('.')}. Gave up after {attempts} attempts.",
                *self.args[1:],
            )
        return self


class ThoughtSpotConnectionError(ThoughtSpotTransientError):
    """ThoughtSpot could not be reached or did not answer in time (refused, dropped, timed out, TLS)."""

    def __init__(self, message: str, *, transient: bool, server_may_have_acted: bool) -> None:
        super().__init__(message)
        self.transient = transient
        self.server_may_have_acted = server_may_have_acted


class ThoughtSpotApiError(ThoughtSpotTransientError):
    """ThoughtSpot answered with an error status; carries its error code, incident id and message."""

    RETRYABLE_STATUSES = frozenset({429, 500, 502, 503, 504})

    def __init__(
        self,
        message: str,
        *,
        status_code: int,
        code: int | None = None,
        incident_id: str | None = None,
        server_message: str | None = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message)
        self.status_code: int = status_code  # type: ignore[assignment]  # AirflowException types it HTTPStatus
        self.code = code
        self.incident_id = incident_id
        self.server_message = server_message
        self.retry_after = retry_after
        self.transient = status_code in self.RETRYABLE_STATUSES
        # A 429 is a refusal before any work; a 5xx may come after the server did part of it.
        self.server_may_have_acted = status_code != 429

    @classmethod
    def explaining(cls, error: ThoughtSpotApiError, message: str) -> Self:
        """Return an error of this type with a better message and the details ThoughtSpot gave `error`."""
        return cls(
            message,
            status_code=error.status_code,
            code=error.code,
            incident_id=error.incident_id,
            server_message=error.server_message,
        )


class ThoughtSpotAuthError(ThoughtSpotApiError):
    """ThoughtSpot rejected the credentials at login; never retried, since retries lock the account."""


class ThoughtSpotMaybeSentError(ThoughtSpotError):
    """A call that changes ThoughtSpot (an import, a deploy) may have been received; it is not sent again."""

    server_may_have_acted = True


class ThoughtSpotJobFailedError(ThoughtSpotError):
    """ThoughtSpot ran the job but reported failure (a FAILED task, per-object errors inside a 200)."""
