"""thoughtspot-rest-api's TSRestApiV2, a real-world client, does the data-ops jobs against the stand-in."""

from __future__ import annotations

import io
import json
import time
import zipfile
from typing import TYPE_CHECKING, Any

import pytest

from airflow_provider_tssession.testing import FakeThoughtSpot
from airflow_provider_tssession.testing.catalog import (
    DEFAULT_ANSWER_ID,
    DEFAULT_LIVEBOARD_ID,
    DEFAULT_TABLE_ID,
)
from airflow_provider_tssession.testing.pytest_plugin import DEFAULT_PASSWORD, DEFAULT_USER

if TYPE_CHECKING:
    pass


@pytest.fixture
def client(fake_thoughtspot: FakeThoughtSpot) -> Any:
    from thoughtspot_rest_api import TSRestApiV2

    api: Any = TSRestApiV2(server_url=fake_thoughtspot.url)
    api.bearer_token = api.auth_token_full(username=DEFAULT_USER, password=DEFAULT_PASSWORD)["token"]
    return api


@pytest.fixture(autouse=True)
def quick_async_imports(fake_thoughtspot: FakeThoughtSpot) -> None:
    fake_thoughtspot.async_import_seconds = 0.2


def test_export_edit_and_import_sync_and_async(client: Any, fake_thoughtspot: FakeThoughtSpot) -> None:
    [exported] = client.metadata_tml_export(metadata_ids=[DEFAULT_LIVEBOARD_ID], export_fqn=True)
    assert exported["info"]["status"]["status_code"] == "OK"
    doc = json.loads(exported["edoc"])
    doc["liveboard"]["name"] = "Renamed by TSRestApiV2"
    [imported] = client.metadata_tml_import(metadata_tmls=[json.dumps(doc)], import_policy="ALL_OR_NONE")
    assert imported["response"]["status"]["status_code"] == "OK"
    [found] = client.metadata_search({"metadata": [{"identifier": DEFAULT_LIVEBOARD_ID}]})
    assert found["metadata_name"] == "Renamed by TSRestApiV2"

    doc["liveboard"]["name"] = "Renamed asynchronously"
    task = client.metadata_tml_async_import(metadata_tmls=[json.dumps(doc)], import_policy="PARTIAL")
    request = {"task_ids": [task["task_id"]], "include_import_response": True}
    status = client.metadata_tml_async_status(request)["status_list"][0]
    deadline = time.monotonic() + 30
    while status["task_status"] in ("IN_QUEUE", "IN_PROGRESS") and time.monotonic() < deadline:
        time.sleep(0.05)
        status = client.metadata_tml_async_status(request)["status_list"][0]
    assert status["task_status"] == "COMPLETED"
    assert status["import_response"]["object"][0]["response"]["status"]["status_code"] == "OK"
    renamed = fake_thoughtspot.catalog.get(DEFAULT_LIVEBOARD_ID)
    assert renamed is not None and renamed.name == "Renamed asynchronously"


def test_reports_and_data(client: Any) -> None:
    pdf = client.report_liveboard({"metadata_identifier": DEFAULT_LIVEBOARD_ID, "file_format": "PDF"})
    assert pdf.startswith(b"%PDF-")
    packed = client.report_liveboard({"metadata_identifier": DEFAULT_LIVEBOARD_ID, "file_format": "CSV"})
    assert len(zipfile.ZipFile(io.BytesIO(packed)).namelist()) == 2
    assert client.report_answer({"metadata_identifier": DEFAULT_ANSWER_ID}).startswith(b"Region,Sales")
    answer = client.metadata_answer_data({"metadata_identifier": DEFAULT_ANSWER_ID, "record_size": 10000})
    assert answer["contents"][0]["returned_data_row_count"] == 5
    liveboard = client.metadata_liveboard_data({"metadata_identifier": DEFAULT_LIVEBOARD_ID})
    assert len(liveboard["contents"]) == 2
    searched = client.searchdata(
        {"query_string": "[Store] [Sales]", "logical_table_identifier": DEFAULT_TABLE_ID}
    )
    assert searched["contents"][0]["column_names"] == ["Store", "Sales"]


def test_users_and_groups_import_and_search(client: Any) -> None:
    groups = client.groups_import(
        {"groups": [{"group_identifier": "Ops", "display_name": "Ops"}], "dry_run": False}
    )
    assert [g["name"] for g in groups["groups_added"]] == ["Ops"]
    users = client.users_import(
        {
            "users": [{"user_identifier": "ops1", "display_name": "Ops One", "group_identifiers": ["Ops"]}],
            "dry_run": False,
        }
    )
    assert [u["name"] for u in users["users_added"]] == ["ops1"]
    [ops1] = client.users_search({"user_identifier": "ops1"})
    assert [g["name"] for g in ops1["user_groups"]] == ["Ops"]
