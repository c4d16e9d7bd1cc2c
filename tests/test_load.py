"""Many hooks at once against one stand-in: 50 in threads, 8 processes, and one hook shared by 50 threads.

What must hold: no session is used by the wrong hook, every login has its logout, no request is lost or
duplicated, and the stand-in's counters agree with what the clients did.
"""

from __future__ import annotations

import copy
import multiprocessing
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from conftest import connection_json
from load_worker import hook_life, process_main

from airflow_provider_tssession.hooks.thoughtspot import ThoughtSpotHook
from airflow_provider_tssession.testing import INFO_PATH, LOGIN_PATH, LOGOUT_PATH, FakeThoughtSpot

CALLS = 4
INFO = "/tspublic/v1/session/info"


def users(count: int) -> dict[str, str]:
    return {f"user{i:02d}": f"Pw-{i:02d}-load-9c1d" for i in range(count)}


def check(server: FakeThoughtSpot, results: list[dict[str, Any]], user_of: dict[str, str]) -> None:
    errors = [r for r in results if "error" in r]
    assert not errors
    hooks = len(results)
    sessions = [r["session"] for r in results]
    assert len(set(sessions)) == hooks  # one session per hook, none shared
    for r in results:  # every call was answered as this hook's own user
        assert r["names"] == [user_of[r["conn_id"]]] * CALLS
    assert server.calls_per_session() == {session: CALLS for session in sessions}
    records = server.requests
    assert len(records) == hooks * (CALLS + 2)  # nothing lost, nothing sent twice
    assert all(r.status in (200, 204) for r in records)
    assert server.count(LOGIN_PATH) == server.count(LOGOUT_PATH) == hooks
    assert {r.session_id for r in records if r.path == LOGOUT_PATH} == set(sessions)  # each login, its logout
    stats = server.stats()
    assert (stats["logins"], stats["logouts"], stats["failed_logins"]) == (hooks, hooks, 0)
    assert (stats["active_sessions"], stats["requests"]) == (0, len(records))


def define(server: FakeThoughtSpot, accounts: dict[str, str]) -> dict[str, str]:
    """conn_id -> AIRFLOW_CONN_* JSON, one connection per account."""
    for name, password in accounts.items():
        server.add_user(name, password)
    return {
        f"ts_{name}": connection_json(server, login=name, password=password)
        for name, password in accounts.items()
    }


def test_fifty_hooks_in_threads(fake_thoughtspot: FakeThoughtSpot, monkeypatch: pytest.MonkeyPatch) -> None:
    accounts = users(50)
    connections = define(fake_thoughtspot, accounts)
    for conn_id, document in connections.items():
        monkeypatch.setenv(f"AIRFLOW_CONN_{conn_id.upper()}", document)
    start = threading.Barrier(len(connections))

    def life(conn_id: str) -> dict[str, Any]:
        start.wait(timeout=60)
        return hook_life(conn_id, CALLS)

    with ThreadPoolExecutor(len(connections)) as pool:
        results = list(pool.map(life, connections))
    check(fake_thoughtspot, results, {f"ts_{name}": name for name in accounts})


def test_eight_processes_with_four_hooks_each(fake_thoughtspot: FakeThoughtSpot) -> None:
    accounts = users(32)
    connections = define(fake_thoughtspot, accounts)
    # forkserver: fresh processes, started from one that imported the hook once (a spawn each costs seconds).
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["airflow_provider_tssession.hooks.thoughtspot", "load_worker"])
    barrier, queue = context.Barrier(8), context.Queue()
    items = list(connections.items())
    processes = [
        context.Process(target=process_main, args=(dict(items[i::8]), CALLS, barrier, queue))
        for i in range(8)
    ]
    for process in processes:
        process.start()
    try:
        results = [result for _ in processes for result in queue.get(timeout=120)]
    finally:
        for process in processes:
            process.join(timeout=30)
    assert all(process.exitcode == 0 for process in processes)
    assert len({r["pid"] for r in results}) == 8
    check(fake_thoughtspot, results, {f"ts_{name}": name for name in accounts})


def test_one_hook_shared_by_fifty_threads_logs_in_again_once_after_expiry(
    ts: FakeThoughtSpot, caplog: pytest.LogCaptureFixture
) -> None:
    threads = 50
    gate = threading.Barrier(threads + 1)
    names: list[str] = []
    lock = threading.Lock()

    def work(hook: ThoughtSpotHook) -> None:
        for phase in range(2):
            gate.wait(timeout=60)  # phase 1; then the main thread ends every session; phase 2
            for _ in range(CALLS // 2):
                name = hook.request("GET", INFO).json()["userName"]
                with lock:
                    names.append(name)
            if phase == 0:
                gate.wait(timeout=60)

    with ThoughtSpotHook() as hook, ThreadPoolExecutor(threads) as pool:
        futures = [pool.submit(work, hook) for _ in range(threads)]
        gate.wait(timeout=60)  # start phase 1
        gate.wait(timeout=60)  # phase 1 done
        ts.expire_all_sessions()
        gate.wait(timeout=60)  # start phase 2
        for future in futures:
            future.result(timeout=120)
    assert len(names) == threads * CALLS
    assert (ts.logins, ts.logouts, ts.active_sessions) == (2, 1, 0)  # one re-login for all 50 threads
    assert sorted(ts.calls_per_session().values()) == [threads * CALLS // 2] * 2
    answered_401 = [r for r in ts.requests if r.path == INFO_PATH and r.status == 401]
    assert ts.count(INFO_PATH) == threads * CALLS + len(answered_401)
    assert len(answered_401) <= threads  # at most one 401 per thread, then the shared new session
    assert "Connection pool is full" not in caplog.text  # threads beyond the pool wait for a connection


def test_a_shared_hook_can_be_copied_without_its_session(ts: FakeThoughtSpot) -> None:
    with ThoughtSpotHook() as hook:
        hook.request("GET", INFO)
        twin = copy.deepcopy(hook)
        assert not twin.owns_session
        with twin:
            twin.request("GET", INFO)
    assert (ts.logins, ts.logouts, ts.active_sessions) == (2, 2, 0)
