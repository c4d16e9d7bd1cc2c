"""The triggerer's side of a deferred TML import: poll its status without holding a worker slot."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

from airflow_provider_tssession._compat import resolve
from airflow_provider_tssession.hooks.thoughtspot import ThoughtSpotHook
from airflow_provider_tssession.polling import Poller, ThoughtSpotPollTimeout
from airflow_provider_tssession.tml_import import fetch_status, is_done

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

    from airflow.triggers.base import BaseTrigger, TriggerEvent
else:
    BaseTrigger = resolve("BaseTrigger")
    TriggerEvent = resolve("TriggerEvent")


class ThoughtSpotTMLImportTrigger(BaseTrigger):
    """Poll an async TML import until it is COMPLETED or FAILED, then fire one event with every object.

    Everything it needs is in ``serialize()``, so a restarted triggerer picks up where it was; nothing
    secret is: the session travels as the sealed handle (useless without the connection's password), and a
    session that expired meanwhile is replaced by a login from the connection. Every blocking call runs in
    a thread, so the triggerer's event loop never waits on ThoughtSpot. The verdict (failed task, failed
    objects) is the operator's, in ``execute_complete``, with the same rules as the worker's wait.

    :param thoughtspot_conn_id: The connection the import was sent with.
    :param import_task_id: The id ThoughtSpot gave the async import.
    :param session_handle: A sealed session handle to poll with (or None: log in from the connection).
    :param owns_session: Log the handle's session out when done (the operator handed it over for this).
    :param poll_interval: Seconds between polls; never below ``polling.MIN_INTERVAL`` (the route's limit).
    :param deadline: Wall-clock time (epoch seconds) after which the wait is a timeout; None waits forever.
    """

    def __init__(
        self,
        *,
        thoughtspot_conn_id: str,
        import_task_id: str,
        session_handle: dict[str, Any] | None,
        owns_session: bool,
        poll_interval: float,
        deadline: float | None,
    ) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self.thoughtspot_conn_id = thoughtspot_conn_id
        self.import_task_id = import_task_id
        self.session_handle = session_handle
        self.owns_session = owns_session
        self.poll_interval = poll_interval
        self.deadline = deadline

    def serialize(self) -> tuple[str, dict[str, Any]]:
        """Return the class path and the arguments to rebuild this trigger (JSON values only, no secret)."""
        return (
            f"{type(self).__module__}.{type(self).__qualname__}",
            {
                "thoughtspot_conn_id": self.thoughtspot_conn_id,
                "import_task_id": self.import_task_id,
                "session_handle": self.session_handle,
                "owns_session": self.owns_session,
                "poll_interval": self.poll_interval,
                "deadline": self.deadline,
            },
        )

    async def run(self) -> AsyncIterator[TriggerEvent]:
        """Poll, then release the session, then fire ``{"status": "done"|"timeout"|"error", ...}``."""
        hook = ThoughtSpotHook(self.thoughtspot_conn_id, session_handle=self.session_handle)
        event = await self._wait(hook)
        # Not in `finally`: a cancelled trigger may be a restarting triggerer; its heir needs the session.
        await asyncio.to_thread(self._release, hook)
        yield TriggerEvent(event)  # type: ignore[no-untyped-call]

    async def _wait(self, hook: ThoughtSpotHook) -> dict[str, Any]:
        poller: Poller[dict[str, Any]] = Poller(
            done=is_done,
            interval=self.poll_interval,
            deadline=self.deadline,
            what=f"TML import task {self.import_task_id}",
            log=self.log,
        )
        base = {"import_task_id": self.import_task_id}
        try:
            result = await poller.run_async(lambda: fetch_status(hook, self.import_task_id))
        except ThoughtSpotPollTimeout as error:
            return {**base, "status": "timeout", "message": str(error), "polls": poller.polls}
        except Exception as error:
            return {
                **base,
                "status": "error",
                "message": f"{type(error).__name__}: {error}",
                "polls": poller.polls,
            }
        return {**base, "status": "done", "result": result, "polls": poller.polls}

    def _release(self, hook: ThoughtSpotHook) -> None:
        """Log out what this trigger must: the handed-over session, and any session it had to open itself."""
        if self.owns_session:
            hook.logout()
        hook.__exit__(None, None, None)
