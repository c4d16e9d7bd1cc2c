"""Test harness: a private AIRFLOW_HOME with a real SQLite metadata DB, and connections to the stand-in."""

from __future__ import annotations

import json
import os
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

from airflow_provider_tssession.testing.airflow_home import airflow_home_env, migrate

# Airflow reads its configuration at import time: point it at a private home before anything imports it.
_HOME = Path(tempfile.mkdtemp(prefix="ts-airflow-home-"))
REPO = Path(__file__).resolve().parent.parent
# dag.test() runs only DAGs that a bundle holds: the examples, and the DAGs our tests need.
_ENV = airflow_home_env(_HOME, {"examples": REPO / "example_dags", "test-dags": REPO / "tests" / "dags"})
for _name in set(os.environ) - set(_ENV):
    del os.environ[_name]
os.environ.update(_ENV)
os.environ["THOUGHTSPOT_EXPORT_PATH"] = str(_HOME / "exports")  # where the example DAGs write their files

import pytest  # noqa: E402
from airflow import __version__ as AIRFLOW_VERSION  # noqa: E402
from hypothesis import settings as hypothesis_settings  # noqa: E402

from airflow_provider_tssession.auth import lockout  # noqa: E402
from airflow_provider_tssession.testing.pytest_plugin import DEFAULT_PASSWORD, DEFAULT_USER  # noqa: E402

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    from standin_v2 import V2Client

    from airflow_provider_tssession.testing import FakeThoughtSpot

# Property tests give the same result on every run of a commit (`make test`, CI with CI=true); `make hunt`
# (HYPOTHESIS_PROFILE=hunt) draws new random examples, 20 times as many, to find cases worth pinning.
hypothesis_settings.register_profile("ci", derandomize=True, database=None, deadline=None, print_blob=True)
hypothesis_settings.register_profile("hunt", max_examples=2000, deadline=None, print_blob=True)
hypothesis_settings.load_profile(
    "ci" if os.environ.get("CI") == "true" else os.environ.get("HYPOTHESIS_PROFILE", "ci")
)

CONN_ID = "thoughtspot_default"
FAST = {"retry_delay": 0, "timeout": 5}
AIRFLOW_2 = int(AIRFLOW_VERSION.split(".")[0]) < 3


def pytest_report_header() -> str:
    """Name the Airflow under test: `make test` runs the suite once per Airflow line."""
    return f"apache-airflow {AIRFLOW_VERSION}"


# Tests with these markers start Airflow 3 services (api-server, scheduler, the React UI in a browser).
AIRFLOW3_SERVICES = ("e2e", "browser")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """On Airflow 2, skip the tests marked ``airflow3`` (with the marker's reason) and the end-to-end ones."""
    if not AIRFLOW_2:
        return
    for item in items:
        if marker := item.get_closest_marker("airflow3"):
            item.add_marker(pytest.mark.skip(reason=f"Airflow 3 only: {', '.join(marker.args)}"))
        elif any(item.get_closest_marker(name) for name in AIRFLOW3_SERVICES):
            item.add_marker(
                pytest.mark.skip(reason="starts Airflow 3 services: runs on the newest Airflow 3 only")
            )


@pytest.fixture(autouse=True)
def restore_secrets_masker() -> Iterator[None]:
    """Give each test the masker as it was: Airflow 2.11's Connection registers every password it is given,
    single characters too, and left there they would mask pieces of every later test's output."""
    from airflow_provider_tssession._compat import redact

    masker = sys.modules[redact.__module__]._secrets_masker()
    patterns, replacer = set(masker.patterns), masker.replacer
    yield
    masker.patterns, masker.replacer = patterns, replacer


@pytest.fixture(autouse=True)
def forget_rejected_credentials() -> Iterator[None]:
    """Start each test with no remembered rejection: they are kept per URL, and ports get reused."""
    yield
    lockout._rejected.clear()


@pytest.fixture(scope="session")
def airflow_db() -> Path:
    """Create the metadata DB once per test session (``airflow db migrate`` on SQLite)."""
    migrate(os.environ)
    return _HOME


def connection_json(
    server: FakeThoughtSpot,
    *,
    login: str = DEFAULT_USER,
    password: str | None = DEFAULT_PASSWORD,
    extra: dict[str, Any] | None = None,
    **fields: Any,
) -> str:
    """The ``AIRFLOW_CONN_*`` JSON of a connection to the stand-in."""
    document: dict[str, Any] = {
        "conn_type": "thoughtspot",
        "host": server.url,
        "login": login,
        "password": password,
        "extra": {**FAST, **(extra or {})},
    }
    document.update(fields)
    return json.dumps(document)


@pytest.fixture
def use_connection(monkeypatch: pytest.MonkeyPatch) -> Callable[..., str]:
    """Define a connection through its environment variable; returns the connection id."""

    def define(server: FakeThoughtSpot, conn_id: str = CONN_ID, **kwargs: Any) -> str:
        monkeypatch.setenv(f"AIRFLOW_CONN_{conn_id.upper()}", connection_json(server, **kwargs))
        return conn_id

    return define


@pytest.fixture
def ts(fake_thoughtspot: FakeThoughtSpot, use_connection: Callable[..., str]) -> Iterator[FakeThoughtSpot]:
    """A running stand-in with ``thoughtspot_default`` pointing at it (no retry delay, 5 s timeout)."""
    use_connection(fake_thoughtspot)
    yield fake_thoughtspot


@pytest.fixture
def v2_client(fake_thoughtspot: FakeThoughtSpot) -> Iterator[V2Client]:
    """Give a REST v2 client logged in to ``fake_thoughtspot`` (the data-ops stand-in tests use it)."""
    from standin_v2 import V2Client

    client = V2Client(fake_thoughtspot)
    yield client
    client.close()


@pytest.fixture
def secret_free(capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture) -> Callable[..., None]:
    """Assert that nothing captured so far (stdout, stderr, log records) contains any of the values."""

    def check(*secrets: str) -> None:
        out, err = capsys.readouterr()
        text = "\n".join([out, err, caplog.text, *(str(r.args) for r in caplog.records)])
        for secret in secrets:
            assert secret and secret not in text

    return check


@pytest.fixture
def cluster(make_fake_thoughtspot: Callable[..., FakeThoughtSpot]) -> FakeThoughtSpot:
    """A stand-in with trusted authentication on (auth_methods.SECRET_KEY) and a second org, 7 "sales"."""
    from auth_methods import ORGS, SECRET_KEY

    return make_fake_thoughtspot(secret_key=SECRET_KEY, orgs=ORGS)


@pytest.fixture(params=["v1_session", "v2_session", "token", "token_secret", "trusted"])
def auth_method(
    request: pytest.FixtureRequest, cluster: FakeThoughtSpot, use_connection: Callable[..., str]
) -> str:
    """Each authentication method in turn, as ``thoughtspot_default`` pointing at ``cluster``."""
    from auth_methods import METHODS

    use_connection(cluster, **METHODS[request.param])
    return str(request.param)


@pytest.fixture(scope="module")
def stand_in() -> Iterator[FakeThoughtSpot]:
    """One stand-in for a module's tests: the end-to-end tests start services pointing at it once."""
    from airflow_provider_tssession.testing import FakeThoughtSpot

    with FakeThoughtSpot(users={DEFAULT_USER: DEFAULT_PASSWORD}) as server:
        yield server


@pytest.fixture
def thoughtspot(stand_in: FakeThoughtSpot) -> FakeThoughtSpot:
    """The module's stand-in with nothing counted yet."""
    stand_in.reset()
    return stand_in


@pytest.fixture
def task_errors(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """A file where the TML test DAGs' failure callback writes each failed task's exception, one a line.

    Tests read failures here rather than from the task log, whose destination moves with pytest's capture.
    """
    target = tmp_path / "task-errors.txt"
    target.touch()
    monkeypatch.setenv("TS_TASK_ERRORS", str(target))
    return target
