"""Every authentication method in a real DAG run (dag.test(), SQLite metadata DB): one login per run."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from airflow.dag_processing.dagbag import DagBag
from airflow.models.xcom import XComModel
from airflow.utils.session import create_session
from airflow.utils.state import DagRunState
from auth_methods import LOGIN_PATHS, LOGOUT_PATHS, secrets_seen, with_extra
from test_operators_dag import stored_values

from airflow_provider_tssession.testing import FakeThoughtSpot
from airflow_provider_tssession.testing.pytest_plugin import DEFAULT_USER

DAGS = Path(__file__).resolve().parent / "dags"


@pytest.fixture(scope="module")
def bag() -> DagBag:
    dags = DagBag(str(DAGS))
    assert not dags.import_errors
    return dags


@pytest.mark.parametrize("method", ["v1_session", "v2_session", "token", "token_secret", "trusted"])
def test_one_login_per_dag_run_for_every_method(
    method: str,
    bag: DagBag,
    airflow_db: Path,
    cluster: FakeThoughtSpot,
    use_connection: Callable[..., str],
    secret_free: Callable[..., None],
) -> None:
    org = {"org_identifier": "sales"} if method == "v2_session" else {"org_id": 7}
    use_connection(cluster, conn_id=f"ts_{method}", **with_extra(method, **org))
    run = bag.dags[f"ts_auth_{method}"].test()
    assert run.state == DagRunState.SUCCESS
    assert (cluster.logins, cluster.logouts, cluster.active_sessions) == (1, 1, 0)
    assert cluster.count(LOGIN_PATHS[method]) == 1 and cluster.count(LOGOUT_PATHS[method]) == 1
    assert list(cluster.calls_per_session().values()) == [3]  # three tasks, one session or token
    with create_session() as session:
        values = {
            x.task_id: x.value
            for x in session.query(XComModel).filter(
                XComModel.run_id == run.run_id, XComModel.key == "return_value"
            )
        }
    assert (values["v1_call"], values["v2_call"], values["whoami"]) == (3, "sales", DEFAULT_USER)
    secrets = secrets_seen(cluster)
    stored = stored_values(run)
    for secret in secrets:
        assert secret not in stored
    secret_free(*secrets)
