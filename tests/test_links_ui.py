"""The "ThoughtSpot" link in Airflow 3's real UI and REST API, after a real run against the stand-in.

Starts `airflow api-server` (simple auth manager, every user an admin), runs the link DAG with
`airflow dags test` in the same Airflow home, then asks the REST API for the task's extra links and
opens the task's page in headless Chromium, where the button must point to the object's page.
"""

from __future__ import annotations

import json
import subprocess
import sys
import urllib.request
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from api_server import AirflowApiServer
from playwright.sync_api import Browser, expect
from test_connection_ui import UI_TIMEOUT_MS, browser  # noqa: F401  (browser: the module-scoped Chromium)

from airflow_provider_tssession.testing import FakeThoughtSpot
from airflow_provider_tssession.testing.pytest_plugin import DEFAULT_PASSWORD, DEFAULT_USER

if TYPE_CHECKING:
    from collections.abc import Iterator

pytestmark = [pytest.mark.browser, pytest.mark.airflow3("Airflow 3's UI and REST API")]

REPO = Path(__file__).resolve().parent.parent
DAG_ID = "ts_object_link"
LIVEBOARD_GUID = "8f3c2a9e-5b1d-4c7e-9a60-2d4b8e1f7c35"
ANSWER_GUID = "1b7d4e2a-9c3f-4a8b-b6e1-5f0c2d9a7e44"


class LinkRun:
    """A finished run of the link DAG, as the api-server serves it."""

    def __init__(self, server: AirflowApiServer, fake: FakeThoughtSpot) -> None:
        self.server, self.fake = server, fake
        env = {
            **server.env,
            "AIRFLOW__CORE__DAGS_FOLDER": str(REPO / "tests" / "dags"),
            "AIRFLOW_CONN_THOUGHTSPOT_DEFAULT": json.dumps(
                {
                    "conn_type": "thoughtspot",
                    "host": fake.url,
                    "login": DEFAULT_USER,
                    "password": DEFAULT_PASSWORD,
                }
            ),
        }
        result = subprocess.run(
            [sys.executable, "-m", "airflow", "dags", "test", DAG_ID],
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
        )
        assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
        self.token = self.get("/auth/token")["access_token"]
        (run,) = self.get(f"/api/v2/dags/{DAG_ID}/dagRuns")["dag_runs"]
        assert run["state"] == "success"
        self.run_id: str = run["dag_run_id"]

    def get(self, path: str) -> Any:
        headers = {"Authorization": f"Bearer {self.token}"} if hasattr(self, "token") else {}
        request = urllib.request.Request(self.server.url + path, headers=headers)
        with urllib.request.urlopen(request, timeout=60) as response:
            return json.load(response)

    def links(self, task_id: str) -> dict[str, str | None]:
        path = f"/api/v2/dags/{DAG_ID}/dagRuns/{self.run_id}/taskInstances/{task_id}/links"
        return dict(self.get(path)["extra_links"])


@pytest.fixture(scope="module")
def link_run(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LinkRun]:
    server = AirflowApiServer(tmp_path_factory.mktemp("airflow-links-home"))
    try:
        server.start()
        with FakeThoughtSpot(users={DEFAULT_USER: DEFAULT_PASSWORD}) as fake:
            yield LinkRun(server, fake)
    finally:
        server.stop()


def test_the_rest_api_serves_each_tasks_link_to_its_object(link_run: LinkRun) -> None:
    base = link_run.fake.url
    assert link_run.links("tag_liveboard") == {"ThoughtSpot": f"{base}/#/pinboard/{LIVEBOARD_GUID}"}
    assert link_run.links("tag_answer") == {"ThoughtSpot": f"{base}/#/saved-answer/{ANSWER_GUID}"}
    assert link_run.links("no_object") == {"ThoughtSpot": None}  # no object recorded: no button


def test_the_task_details_show_the_link_to_the_liveboard(link_run: LinkRun, browser: Browser) -> None:  # noqa: F811
    context = browser.new_context(viewport={"width": 1280, "height": 1000})
    context.set_default_timeout(UI_TIMEOUT_MS)
    try:
        page = context.new_page()
        page.goto(f"{link_run.server.url}/dags/{DAG_ID}/runs/{link_run.run_id}/tasks/tag_liveboard/details")
        button = page.get_by_role("link", name="ThoughtSpot", exact=True)
        expect(button).to_have_attribute("href", f"{link_run.fake.url}/#/pinboard/{LIVEBOARD_GUID}")
        expect(button).to_have_attribute("target", "_blank")
    finally:
        context.close()
