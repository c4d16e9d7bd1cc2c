"""TML import on the stand-in: policies change the catalog as ThoughtSpot documents; async tasks move on."""

from __future__ import annotations

import json
import time
from typing import TYPE_CHECKING, Any

import pytest
from standin_v2 import V2Client, error_message

from airflow_provider_tssession.testing import FakeThoughtSpot
from airflow_provider_tssession.testing.catalog import (
    DEFAULT_ANSWER_ID,
    DEFAULT_LIVEBOARD_ID,
    DEFAULT_MODEL_ID,
    MetadataObject,
)
from airflow_provider_tssession.testing.paths import (
    METADATA_SEARCH_PATH,
    TML_ASYNC_IMPORT_PATH,
    TML_ASYNC_STATUS_PATH,
    TML_EXPORT_PATH,
    TML_IMPORT_PATH,
)
from airflow_provider_tssession.testing.tasks import MAX_ACTIVE_TASKS

if TYPE_CHECKING:
    pass


@pytest.fixture(autouse=True)
def quick_async_imports(fake_thoughtspot: FakeThoughtSpot) -> None:
    fake_thoughtspot.async_import_seconds = 0


def exported(v2_client: V2Client, guid: str, edoc_format: str = "JSON") -> str:
    [item] = v2_client.ok(TML_EXPORT_PATH, {"metadata": [{"identifier": guid}], "edoc_format": edoc_format})
    return str(item["edoc"])


def answer_tml(name: str, table: dict[str, str], guid: str | None = None) -> str:
    doc: dict[str, Any] = {"answer": {"name": name, "tables": [table], "search_query": "[Region] [Sales]"}}
    if guid:
        doc["guid"] = guid
    return json.dumps(doc)


def liveboard_with_a_broken_viz(name: str) -> str:
    good = {
        "id": "Viz_1",
        "answer": {"name": "Good", "tables": [{"fqn": DEFAULT_MODEL_ID}], "search_query": "[Sales]"},
    }
    bad = {"id": "Viz_2", "answer": {"name": "Bad", "tables": [{"name": "NO_SUCH_TABLE"}]}}
    return json.dumps({"liveboard": {"name": name, "visualizations": [good, bad]}})


def statuses(results: list[dict[str, Any]]) -> list[str]:
    return [item["response"]["status"]["status_code"] for item in results]


def names(v2_client: V2Client, type_: str) -> set[str]:
    return {
        item["metadata_name"]
        for item in v2_client.ok(METADATA_SEARCH_PATH, {"metadata": [{"type": type_}], "record_size": -1})
    }


def test_exported_tml_imports_back_and_changes_the_catalog(
    v2_client: V2Client, fake_thoughtspot: FakeThoughtSpot
) -> None:
    doc = json.loads(exported(v2_client, DEFAULT_LIVEBOARD_ID))
    doc["liveboard"]["name"] = "Retail Overview v2"
    results = v2_client.ok(TML_IMPORT_PATH, {"metadata_tmls": [json.dumps(doc)]})
    assert statuses(results) == ["OK"]
    header = results[0]["response"]["header"]
    assert (header["id_guid"], header["name"], header["metadata_type"]) == (
        DEFAULT_LIVEBOARD_ID,
        "Retail Overview v2",
        "PINBOARD_ANSWER_BOOK",
    )
    assert "Retail Overview v2" in names(v2_client, "LIVEBOARD") and "Retail Overview" not in names(
        v2_client, "LIVEBOARD"
    )
    assert fake_thoughtspot.imports_submitted == 1


def test_yaml_tml_without_a_guid_creates_a_new_object(
    v2_client: V2Client, fake_thoughtspot: FakeThoughtSpot
) -> None:
    yaml_text = exported(v2_client, DEFAULT_ANSWER_ID, "YAML").replace(
        "Sales by Region", "Sales by Region (copy)"
    )
    yaml_text = "\n".join(line for line in yaml_text.splitlines() if not line.startswith("guid:"))
    results = v2_client.ok(TML_IMPORT_PATH, {"metadata_tmls": [yaml_text], "import_policy": "ALL_OR_NONE"})
    assert statuses(results) == ["OK"]
    new_guid = results[0]["response"]["header"]["id_guid"]
    assert new_guid != DEFAULT_ANSWER_ID
    copy = fake_thoughtspot.catalog.get(new_guid)
    assert copy is not None and copy.name == "Sales by Region (copy)" and copy.columns == ("Region", "Sales")


@pytest.mark.parametrize(
    ("policy", "expected", "written"),
    [
        ("PARTIAL", ["ERROR", "OK"], {"New answer"}),
        ("PARTIAL_OBJECT", ["WARNING", "OK"], {"New answer", "Half broken"}),
        ("ALL_OR_NONE", ["ERROR", "ERROR"], set()),
        ("VALIDATE_ONLY", ["ERROR", "OK"], set()),
    ],
)
def test_import_policies(
    v2_client: V2Client,
    fake_thoughtspot: FakeThoughtSpot,
    policy: str,
    expected: list[str],
    written: set[str],
) -> None:
    tmls = [liveboard_with_a_broken_viz("Half broken"), answer_tml("New answer", {"fqn": DEFAULT_MODEL_ID})]
    results = v2_client.ok(TML_IMPORT_PATH, {"metadata_tmls": tmls, "import_policy": policy})
    assert statuses(results) == expected
    assert "NO_SUCH_TABLE" in results[0]["response"]["status"]["error_message"]
    assert {obj.name for obj in fake_thoughtspot.catalog.objects()} & {"Half broken", "New answer"} == written
    if policy == "PARTIAL_OBJECT":
        liveboard = fake_thoughtspot.catalog.get("Half broken", "LIVEBOARD")
        assert liveboard is not None and [v.name for v in liveboard.visualizations] == ["Good"]


def test_unreadable_tml_and_ambiguous_names_are_per_object_errors(
    v2_client: V2Client, fake_thoughtspot: FakeThoughtSpot
) -> None:
    fake_thoughtspot.add_object(
        MetadataObject("LOGICAL_TABLE", "TWIN", guid="11111111-0000-0000-0000-000000000001")
    )
    fake_thoughtspot.add_object(
        MetadataObject("LOGICAL_TABLE", "TWIN", guid="11111111-0000-0000-0000-000000000002")
    )
    tmls = ["{not json", "just: [yaml", answer_tml("Reads a twin", {"name": "TWIN"}), "{}"]
    results = v2_client.ok(TML_IMPORT_PATH, {"metadata_tmls": tmls})
    assert statuses(results) == ["ERROR", "ERROR", "ERROR", "ERROR"]
    messages = [item["response"]["status"]["error_message"] for item in results]
    assert "not valid JSON" in messages[0] and "fqn" in messages[2] and "unsupported TML" in messages[3]
    fixed = answer_tml("Reads a twin", {"name": "TWIN", "fqn": "11111111-0000-0000-0000-000000000002"})
    assert statuses(v2_client.ok(TML_IMPORT_PATH, {"metadata_tmls": [fixed]})) == ["OK"]


def test_objects_of_one_import_can_reference_each_other(
    v2_client: V2Client, fake_thoughtspot: FakeThoughtSpot
) -> None:
    table = json.dumps(
        {
            "table": {
                "name": "NEW_FACTS",
                "connection": {"name": "Retail Snowflake"},
                "columns": [{"name": "Amount"}],
            }
        }
    )
    answer = answer_tml("On new facts", {"name": "NEW_FACTS"})
    assert statuses(v2_client.ok(TML_IMPORT_PATH, {"metadata_tmls": [answer, table]})) == ["OK", "OK"]
    broken_table = json.dumps(
        {"table": {"name": "BROKEN", "connection": {"name": "Nowhere"}, "columns": [{"name": "A"}]}}
    )
    results = v2_client.ok(
        TML_IMPORT_PATH, {"metadata_tmls": [broken_table, answer_tml("On broken", {"name": "BROKEN"})]}
    )
    assert statuses(results) == ["ERROR", "ERROR"]
    assert (
        "Depends on an object of this import that failed" in results[1]["response"]["status"]["error_message"]
    )


def test_import_rejects_a_bad_request(v2_client: V2Client) -> None:
    missing = v2_client.post(TML_IMPORT_PATH, {"import_policy": "PARTIAL"})
    assert missing.status_code == 400 and "metadata_tmls" in error_message(missing)
    bad_policy = v2_client.post(TML_IMPORT_PATH, {"metadata_tmls": ["{}"], "import_policy": "SOME"})
    assert bad_policy.status_code == 400 and "import_policy" in error_message(bad_policy)


# async -------------------------------------------------------------------------------------------------
def poll(v2_client: V2Client, task_id: str, **extra: Any) -> dict[str, Any]:
    answer = v2_client.ok(TML_ASYNC_STATUS_PATH, {"task_ids": [task_id], **extra})
    [status] = answer["status_list"]
    return dict(status)


def test_async_task_moves_through_its_lifecycle_in_order(
    v2_client: V2Client, fake_thoughtspot: FakeThoughtSpot
) -> None:
    fake_thoughtspot.set_async_import_phases(0.4, 0.4)
    doc = json.loads(exported(v2_client, DEFAULT_ANSWER_ID))
    doc["answer"]["name"] = "Renamed asynchronously"
    task = v2_client.ok(TML_ASYNC_IMPORT_PATH, {"metadata_tmls": [json.dumps(doc)]})
    assert task["task_status"] == "IN_QUEUE" and task["import_policy"] == "PARTIAL_OBJECT"
    seen = [task["task_status"]]
    deadline = time.monotonic() + 30
    while seen[-1] not in ("COMPLETED", "FAILED") and time.monotonic() < deadline:
        time.sleep(0.05)
        seen.append(poll(v2_client, task["task_id"])["task_status"])
    lifecycle = ["IN_QUEUE", "IN_PROGRESS", "COMPLETED"]
    assert seen[-1] == "COMPLETED" and [lifecycle.index(s) for s in seen] == sorted(
        lifecycle.index(s) for s in seen
    )
    final = poll(v2_client, task["task_id"], include_import_response=True)
    objects = final["import_response"]["object"]
    assert [o["response"]["status"]["status_code"] for o in objects] == ["OK"] and objects[0][
        "request_index"
    ] == 0
    assert final["object_processed_count"] == final["total_object_count"] == 1
    assert final["completed_at"] >= final["in_progress_at"] >= final["created_at"]
    renamed = fake_thoughtspot.catalog.get(DEFAULT_ANSWER_ID)
    assert renamed is not None and renamed.name == "Renamed asynchronously"
    assert fake_thoughtspot.status_polls()[task["task_id"]] == len(
        seen
    )  # every poll but the submission, plus the last one


def test_async_phases_are_controllable(v2_client: V2Client, fake_thoughtspot: FakeThoughtSpot) -> None:
    fake_thoughtspot.set_async_import_phases(0, 600)
    running = v2_client.ok(
        TML_ASYNC_IMPORT_PATH, {"metadata_tmls": [answer_tml("Slow", {"fqn": DEFAULT_MODEL_ID})]}
    )
    assert poll(v2_client, running["task_id"])["task_status"] == "IN_PROGRESS"
    assert fake_thoughtspot.catalog.get("Slow", "ANSWER") is None
    fake_thoughtspot.async_import_seconds = 0
    done = v2_client.ok(
        TML_ASYNC_IMPORT_PATH, {"metadata_tmls": [answer_tml("Quick", {"fqn": DEFAULT_MODEL_ID})]}
    )
    assert poll(v2_client, done["task_id"])["task_status"] == "COMPLETED"
    assert fake_thoughtspot.catalog.get("Quick", "ANSWER") is not None


def test_completed_may_hold_errors_and_all_or_none_fails_the_task(v2_client: V2Client) -> None:
    tmls = [liveboard_with_a_broken_viz("Half broken"), answer_tml("Fine", {"fqn": DEFAULT_MODEL_ID})]
    partial = v2_client.ok(TML_ASYNC_IMPORT_PATH, {"metadata_tmls": tmls, "import_policy": "PARTIAL"})
    status = poll(v2_client, partial["task_id"], include_import_response=True)
    assert status["task_status"] == "COMPLETED"
    codes = [o["response"]["status"]["status_code"] for o in status["import_response"]["object"]]
    assert codes == ["ERROR", "OK"]
    strict = v2_client.ok(TML_ASYNC_IMPORT_PATH, {"metadata_tmls": tmls, "import_policy": "ALL_OR_NONE"})
    status = poll(v2_client, strict["task_id"], include_import_response=True)
    assert status["task_status"] == "FAILED" and status["import_response"]["status"]["status_code"] == "ERROR"


def test_queue_holds_at_most_100_active_tasks(v2_client: V2Client, fake_thoughtspot: FakeThoughtSpot) -> None:
    fake_thoughtspot.async_import_seconds = 600
    tml = answer_tml("Queued", {"fqn": DEFAULT_MODEL_ID})
    for _ in range(MAX_ACTIVE_TASKS):
        assert v2_client.ok(TML_ASYNC_IMPORT_PATH, {"metadata_tmls": [tml]})["task_status"] == "IN_QUEUE"
    rejected = v2_client.ok(TML_ASYNC_IMPORT_PATH, {"metadata_tmls": [tml]})
    assert rejected["task_status"] == "FAILED"
    status = poll(v2_client, rejected["task_id"], include_import_response=True)
    assert "queue is full" in status["import_response"]["status"]["error_message"]
    assert fake_thoughtspot.imports_submitted == MAX_ACTIVE_TASKS + 1


def test_status_pages_five_by_default_and_at_most_50(
    v2_client: V2Client, fake_thoughtspot: FakeThoughtSpot
) -> None:
    fake_thoughtspot.async_import_seconds = 600
    ids = [v2_client.ok(TML_ASYNC_IMPORT_PATH, {"metadata_tmls": ["{}"]})["task_id"] for _ in range(7)]
    first = v2_client.ok(TML_ASYNC_STATUS_PATH, {})
    assert [s["task_id"] for s in first["status_list"]] == ids[::-1][:5] and first["last_batch"] is False
    rest = v2_client.ok(TML_ASYNC_STATUS_PATH, {"record_offset": 5})
    assert [s["task_id"] for s in rest["status_list"]] == ids[::-1][5:] and rest["last_batch"] is True
    too_many = v2_client.post(TML_ASYNC_STATUS_PATH, {"record_size": 51})
    assert too_many.status_code == 400 and "record_size" in error_message(too_many)
    queued = v2_client.ok(TML_ASYNC_STATUS_PATH, {"task_status": ["IN_QUEUE"], "record_size": 50})
    assert len(queued["status_list"]) == 7
