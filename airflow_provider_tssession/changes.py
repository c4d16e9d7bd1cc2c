"""Send a call that changes ThoughtSpot (an import, a commit, a deploy) at most once.

The hook re-sends such a call only when ThoughtSpot certainly did not receive it (a refused connection,
a 429). After a timeout, a 5xx or a dropped connection it may have acted: the error says so, and how to
check, instead of sending it again (a second import can duplicate content).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from airflow_provider_tssession.exceptions import ThoughtSpotMaybeSentError, ThoughtSpotTransientError

if TYPE_CHECKING:
    from airflow_provider_tssession.hooks.thoughtspot import ThoughtSpotHook


def send_once(hook: ThoughtSpotHook, path: str, body: dict[str, Any], *, what: str, how_to_check: str) -> Any:
    """POST `body` to `path` and return the JSON answer; never re-sent once ThoughtSpot may have acted."""
    try:
        return hook.request("POST", path, idempotent=False, json=body).json()
    except ThoughtSpotTransientError as error:
        if not error.server_may_have_acted:
            raise
        raise ThoughtSpotMaybeSentError(
            f"{what} (POST {path}) failed: {error}. ThoughtSpot may have received it, so it was not sent "
            f"again (twice can duplicate content). {how_to_check}."
        ) from error
