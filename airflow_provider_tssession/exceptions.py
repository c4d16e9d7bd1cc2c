"""Errors the provider raises: each says what happened, where, and what to do, and never carries a secret."""

from __future__ import annotations

from typing import Any, ClassVar, Self

from airflow_provider_tssession._compat import AirflowException, AirflowFailException


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
    """An error status with ThoughtSpot's code, incident id and message; retry.py judged `transient`."""

    _FACTS: ClassVar[tuple[str, ...]] = ("status_code", "code", "incident_id", "server_message")
    _FACTS += ("retry_after", "transient", "server_may_have_acted")

    def __init__(
        self,
        message: str,
        *,
        status_code: int,
        code: int | None = None,
        incident_id: str | None = None,
        server_message: str | None = None,
        retry_after: float | None = None,
        transient: bool = False,
        server_may_have_acted: bool = True,
    ) -> None:
        super().__init__(message)
        self.status_code: int = status_code  # type: ignore[assignment]  # AirflowException types it HTTPStatus
        self.code = code
        self.incident_id = incident_id
        self.server_message = server_message
        self.retry_after = retry_after
        self.transient = transient
        self.server_may_have_acted = server_may_have_acted

    @classmethod
    def explaining(cls, error: ThoughtSpotApiError, message: str) -> Self:
        """Return an error of this type with a better message and the facts ThoughtSpot gave `error`."""
        return cls(message, **{name: getattr(error, name) for name in cls._FACTS})


class ThoughtSpotAuthError(ThoughtSpotApiError, AirflowFailException):
    """ThoughtSpot rejected the credentials at login; never retried, since retries lock the account.

    Also an `AirflowFailException`: the task fails at once, without its Airflow retries. Each try runs in
    a new process that remembers nothing, so `retries=3` would otherwise send the rejected password four
    times and lock the account.
    """

    def __init__(self, message: str, **details: Any) -> None:
        super().__init__(message, **details)
        self.transient = False  # whatever the status (trusted authentication refuses with a 500)


class ThoughtSpotMaybeSentError(ThoughtSpotError):
    """A call that changes ThoughtSpot (an import, a deploy) may have been received; it is not sent again."""

    server_may_have_acted = True


class ThoughtSpotJobFailedError(ThoughtSpotError):
    """ThoughtSpot ran the job but reported failure (a FAILED task, per-object errors inside a 200)."""
