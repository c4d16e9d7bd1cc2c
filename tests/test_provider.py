"""Registration with Airflow, cheap imports for DAG parsing, parse-time safety of the examples, the demo."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from airflow_provider_tssession import __version__
from airflow_provider_tssession._compat import DagBag
from airflow_provider_tssession.connection_fields import EXTRA_FIELDS
from airflow_provider_tssession.get_provider_info import get_provider_info
from airflow_provider_tssession.hooks.thoughtspot import ThoughtSpotHook

REPO = Path(__file__).resolve().parent.parent


def airflow_cli(*args: str) -> str:
    result = subprocess.run(
        [sys.executable, "-m", "airflow", *args],
        capture_output=True,
        text=True,
        check=True,
        env=os.environ.copy(),
    )
    return result.stdout


def test_provider_info_registers_the_decorator_link_and_asset_scheme() -> None:
    info = get_provider_info()
    assert info["task-decorators"] == [
        {
            "name": "thoughtspot",
            "class-name": "airflow_provider_tssession.decorators.thoughtspot.thoughtspot_task",
        }
    ]
    assert info["extra-links"] == ["airflow_provider_tssession.links.ThoughtSpotObjectLink"]
    for key in ("asset-uris", "dataset-uris"):  # Airflow 3 | 2.11
        (uris,) = info[key]
        assert uris["schemes"] == ["thoughtspot"]
        assert uris["handler"] == "airflow_provider_tssession.assets.sanitize_uri"


def test_provider_info_names_the_hook_and_connection_type() -> None:
    info = get_provider_info()
    assert info["package-name"] == "airflow-provider-thoughtspot"
    assert info["versions"] == [__version__]
    (conn_type,) = info["connection-types"]
    assert conn_type["connection-type"] == ThoughtSpotHook.conn_type == "thoughtspot"
    assert conn_type["hook-class-name"] == "airflow_provider_tssession.hooks.thoughtspot.ThoughtSpotHook"
    assert (
        ThoughtSpotHook.hook_name == "ThoughtSpot"
        and ThoughtSpotHook.default_conn_name == "thoughtspot_default"
    )
    assert ThoughtSpotHook.conn_name_attr == "thoughtspot_conn_id"


def test_airflow_lists_the_provider_and_its_hook() -> None:
    assert "airflow-provider-thoughtspot" in airflow_cli("providers", "list", "--output", "plain")
    hooks = airflow_cli("providers", "hooks", "--output", "plain")
    assert "thoughtspot" in hooks and "ThoughtSpotHook" in hooks


def test_airflow_lists_the_connection_form_fields() -> None:
    widgets = airflow_cli("providers", "widgets", "--output", "plain")
    listed = {line.split()[0] for line in widgets.splitlines() if line.startswith("extra__thoughtspot__")}
    assert listed == {f"extra__thoughtspot__{field.name}" for field in EXTRA_FIELDS}
    behaviours = airflow_cli("providers", "behaviours", "--output", "plain")
    assert "thoughtspot" in behaviours.split()


CHEAP_MODULES = [
    "airflow_provider_tssession.storage",
    "airflow_provider_tssession.paging",
    "airflow_provider_tssession.decorators.thoughtspot",  # what `task.thoughtspot` imports
    "airflow_provider_tssession.links",
    "airflow_provider_tssession.lineage",
    "airflow_provider_tssession.assets",  # Airflow imports it to normalise thoughtspot:// URIs
    "airflow_provider_tssession.settings",
    "airflow_provider_tssession.retry",
    "airflow_provider_tssession.routing",
    "airflow_provider_tssession.secret_text",
    "airflow_provider_tssession.deadline",
    "airflow_provider_tssession.auth.lockout",
    "airflow_provider_tssession.exceptions",
    "airflow_provider_tssession.polling",
    "airflow_provider_tssession.resume",
    "airflow_provider_tssession.changes",
    "airflow_provider_tssession.tml_import",
    "airflow_provider_tssession.tml_export",
]
"""Modules beside the registered hooks and operators that tasks import at DAG parse time."""


def test_importing_hook_and_operators_adds_no_requests_fsspec_or_pyarrow() -> None:
    """Whatever Airflow itself imports (3.3's airflow.sdk loads fsspec, 2.11 loads requests) is not ours."""
    info = get_provider_info()
    modules = [
        m
        for kind in ("hooks", "operators", "triggers")
        for entry in info[kind]
        for m in entry["python-modules"]
    ]
    code = (
        "import importlib, sys\n"
        "import airflow_provider_tssession._compat\n"
        "heavy = ('requests', 'urllib3', 'fsspec', 'pyarrow', 'openlineage')\n"
        "before = {m for m in heavy if m in sys.modules}\n"
        f"for name in {[*modules, *CHEAP_MODULES, 'airflow_provider_tssession.get_provider_info']!r}:\n"
        "    importlib.import_module(name)\n"
        "print(sorted(m for m in heavy if m in sys.modules and m not in before))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_example_dags_parse_without_touching_a_connection(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_connection(*args: object, **kwargs: object) -> None:
        raise AssertionError("a connection was read while parsing a DAG")

    monkeypatch.setattr(ThoughtSpotHook, "get_connection", classmethod(no_connection))
    bag = DagBag(str(REPO / "example_dags"))
    assert bag.import_errors == {}
    assert {
        "thoughtspot_session",
        "thoughtspot_hook",
        "thoughtspot_reports",
        "thoughtspot_users_sync",
        "thoughtspot_taskflow",
        "thoughtspot_refresh_sales",
        "thoughtspot_after_sales_refresh",
    } <= set(bag.dag_ids)


def test_make_demo_script_runs_both_examples_against_the_stand_in() -> None:
    result = subprocess.run(
        [sys.executable, str(REPO / "scripts" / "demo.py")], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert (
        "DAG thoughtspot_session: succeeded; ThoughtSpot saw 1 login(s), 1 logout(s), 1 session(s) with [3]"
        in result.stdout
    )
    assert "DAG thoughtspot_hook: succeeded; ThoughtSpot saw 1 login(s), 1 logout(s)" in result.stdout
    # The TaskFlow example: the login task's session (shared by 4 calls) and one task's own session.
    assert "DAG thoughtspot_taskflow: succeeded; ThoughtSpot saw 2 login(s), 2 logout(s)" in result.stdout
    assert "DAG thoughtspot_reports: succeeded" in result.stdout
    assert (
        "liveboard_pdf: wrote file://" in result.stdout and "answer_csv: exported 5 row(s)" in result.stdout
    )
    assert "DAG thoughtspot_users_sync: succeeded" in result.stdout
    assert "users_apply: added 3 ['maria', 'kenji', 'ola']" in result.stdout
    assert "deleted 1 ['leaver']" in result.stdout
    assert "DAG thoughtspot_tml_backup: succeeded" in result.stdout
    assert "export_liveboards_and_models: exported 3 object(s)" in result.stdout
    # The promotion: dev exports, prod gets one import (deferred, polled on the operator's session).
    assert (
        "DAG thoughtspot_tml_promotion (prod): succeeded; ThoughtSpot saw 1 login(s), 1 logout(s)"
        in result.stdout
    )
    assert "1 TML import(s)" in result.stdout and "import_into_prod: TML import, async task" in result.stdout
    assert "Demo-Pass-4821" not in (REPO / ".demo" / "airflow-home" / "thoughtspot_session.log").read_text()
