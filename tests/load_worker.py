"""One hook's life for the load tests: log in, call, log out; also the body of each worker process."""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from typing import Any

INFO = "/tspublic/v1/session/info"


def hook_life(conn_id: str, calls: int) -> dict[str, Any]:
    """Log in, make `calls` calls, log out; report the session and who the server said we were."""
    from airflow_provider_tssession.hooks.thoughtspot import ThoughtSpotHook

    try:
        with ThoughtSpotHook(conn_id) as hook:
            session = hook.get_conn().cookies["JSESSIONID"]
            names = [hook.request("GET", INFO).json()["userName"] for _ in range(calls)]
    except Exception as error:  # reported to the test, which fails with it
        return {"conn_id": conn_id, "error": repr(error)}
    return {"conn_id": conn_id, "session": session, "names": names, "pid": os.getpid()}


def process_main(connections: dict[str, str], calls: int, barrier: Any, results: Any) -> None:
    """Define the connections, wait for every process, then run one hook per connection in threads."""
    for conn_id, document in connections.items():
        os.environ[f"AIRFLOW_CONN_{conn_id.upper()}"] = document
    barrier.wait(timeout=120)
    with ThreadPoolExecutor(len(connections)) as pool:
        results.put(list(pool.map(lambda conn_id: hook_life(conn_id, calls), connections)))
