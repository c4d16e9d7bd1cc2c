"""The stand-in's content model over /metadata/search and /metadata/tml/export, as operators will read it."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import requests
from standin_v2 import V2Client, error_message

from airflow_provider_tssession.testing import FakeThoughtSpot
from airflow_provider_tssession.testing.catalog import (
    DEFAULT_ANSWER_ID,
    DEFAULT_LIVEBOARD_ID,
    DEFAULT_MODEL_ID,
    DEFAULT_TABLE_ID,
    DEFAULT_VIZ_IDS,
    MetadataObject,
)
from airflow_provider_tssession.testing.paths import METADATA_SEARCH_PATH, TML_EXPORT_PATH
from airflow_provider_tssession.testing.tml import parse
from airflow_provider_tssession.testing.yamlish import load

if TYPE_CHECKING:
    pass


def test_search_finds_the_default_catalog_by_type_and_name_pattern(v2_client: V2Client) -> None:
    liveboards = v2_client.ok(METADATA_SEARCH_PATH, {"metadata": [{"type": "LIVEBOARD"}]})
    assert {item["metadata_name"] for item in liveboards} == {"Retail Overview", "Store Performance"}
    assert all(item["metadata_type"] == "LIVEBOARD" for item in liveboards)
    retail = v2_client.ok(METADATA_SEARCH_PATH, {"metadata": [{"name_pattern": "retail%"}]})
    assert {(item["metadata_name"], item["metadata_type"]) for item in retail} == {
        ("Retail Overview", "LIVEBOARD"),
        ("Retail Sales", "LOGICAL_TABLE"),
        ("Retail Snowflake", "CONNECTION"),
    }
    models = v2_client.ok(
        METADATA_SEARCH_PATH, {"metadata": [{"type": "LOGICAL_TABLE", "subtypes": ["WORKSHEET"]}]}
    )
    assert [item["metadata_id"] for item in models] == [DEFAULT_MODEL_ID]
    by_guid = v2_client.ok(METADATA_SEARCH_PATH, {"metadata": [{"identifier": DEFAULT_ANSWER_ID}]})
    assert [item["metadata_name"] for item in by_guid] == ["Sales by Region"]


def test_search_filters_by_author_and_tag_and_excludes(v2_client: V2Client) -> None:
    mine = v2_client.ok(
        METADATA_SEARCH_PATH, {"metadata": [{"type": "ANSWER"}], "created_by_user_identifiers": ["analyst"]}
    )
    assert [item["metadata_name"] for item in mine] == ["Top Products"]
    certified = v2_client.ok(METADATA_SEARCH_PATH, {"tag_identifiers": ["Certified"], "record_size": -1})
    assert {item["metadata_name"] for item in certified} == {"Retail Overview", "Retail Sales"}
    without = v2_client.ok(
        METADATA_SEARCH_PATH,
        {"metadata": [{"type": "LIVEBOARD"}], "exclude_objects": [{"identifier": DEFAULT_LIVEBOARD_ID}]},
    )
    assert [item["metadata_name"] for item in without] == ["Store Performance"]


def test_search_pages_with_record_offset_and_size_until_a_short_page(
    fake_thoughtspot: FakeThoughtSpot, v2_client: V2Client
) -> None:
    for index in range(23):
        fake_thoughtspot.add_object(MetadataObject("ANSWER", f"Paged answer {index:02d}", owner="pager"))
    seen: list[str] = []
    offset = 0
    while True:
        page = v2_client.ok(
            METADATA_SEARCH_PATH,
            {
                "metadata": [{"type": "ANSWER"}],
                "created_by_user_identifiers": ["pager"],
                "record_offset": offset,
                "record_size": 10,
            },
        )
        seen += [item["metadata_name"] for item in page]
        offset += len(page)
        if len(page) < 10:
            break
    assert seen == [f"Paged answer {index:02d}" for index in range(23)]
    default_size = v2_client.ok(METADATA_SEARCH_PATH, {"metadata": [{"type": "ANSWER"}]})
    assert len(default_size) == 10


def test_search_details_headers_and_visualization_headers(v2_client: V2Client) -> None:
    [item] = v2_client.ok(
        METADATA_SEARCH_PATH,
        {
            "metadata": [{"identifier": DEFAULT_LIVEBOARD_ID}],
            "include_details": True,
            "include_visualization_headers": True,
        },
    )
    assert item["metadata_header"]["authorName"] == "tsadmin"
    assert [tag["name"] for tag in item["metadata_header"]["tags"]] == ["Certified"]
    assert [viz["id"] for viz in item["visualization_headers"]] == list(DEFAULT_VIZ_IDS)
    assert item["metadata_detail"]["liveboard"]["name"] == "Retail Overview"


def test_search_rejects_a_bad_field_naming_it(v2_client: V2Client) -> None:
    answer = v2_client.post(METADATA_SEARCH_PATH, {"metadata": [{"type": "DASHBOARD"}]})
    assert answer.status_code == 400 and "metadata[0].type" in error_message(answer)
    unauthenticated = requests.post(v2_client.ts.url + METADATA_SEARCH_PATH, json={}, timeout=5)
    assert unauthenticated.status_code == 401


def test_export_gives_tml_per_object_and_an_error_inside_the_200(v2_client: V2Client) -> None:
    items = v2_client.ok(
        TML_EXPORT_PATH,
        {
            "metadata": [{"identifier": DEFAULT_LIVEBOARD_ID}, {"identifier": "no-such-guid"}],
            "export_fqn": True,
        },
    )
    assert [item["info"]["status"]["status_code"] for item in items] == ["OK", "ERROR"]
    doc = json.loads(items[0]["edoc"])
    assert doc["guid"] == DEFAULT_LIVEBOARD_ID
    assert [viz["answer"]["name"] for viz in doc["liveboard"]["visualizations"]] == [
        "Sales by Region",
        "Monthly Sales",
    ]
    assert doc["liveboard"]["visualizations"][0]["answer"]["tables"][0]["fqn"] == DEFAULT_MODEL_ID
    assert "no-such-guid" in items[1]["info"]["status"]["error_message"] and "edoc" not in items[1]


def test_export_yaml_and_associated_objects(v2_client: V2Client) -> None:
    items = v2_client.ok(
        TML_EXPORT_PATH,
        {"metadata": [{"identifier": DEFAULT_ANSWER_ID}], "edoc_format": "YAML", "export_associated": True},
    )
    names = [item["info"]["name"] for item in items]
    assert names == ["Sales by Region", "Retail Sales", "FACT_SALES", "DIM_STORE", "Retail Snowflake"]
    assert all(item["info"]["status"]["status_code"] == "OK" for item in items)
    table = load(items[2]["edoc"])
    assert isinstance(table, dict) and table["guid"] == DEFAULT_TABLE_ID
    assert parse(items[0]["edoc"]).type == "ANSWER"


def test_export_error_for_an_object_a_test_marks_unexportable(
    fake_thoughtspot: FakeThoughtSpot, v2_client: V2Client
) -> None:
    broken = fake_thoughtspot.add_object(
        MetadataObject("ANSWER", "Broken", export_error="Internal error exporting Broken")
    )
    [item] = v2_client.ok(TML_EXPORT_PATH, {"metadata": [{"identifier": broken.guid}]})
    assert item["info"]["status"] == {
        "status_code": "ERROR",
        "error_message": "Internal error exporting Broken",
    }
    by_name = v2_client.ok(TML_EXPORT_PATH, {"metadata": [{"identifier": "Top Products", "type": "ANSWER"}]})
    assert by_name[0]["info"]["status"]["status_code"] == "OK"
    missing = v2_client.post(TML_EXPORT_PATH, {})
    assert missing.status_code == 400 and "metadata" in error_message(missing)


def test_control_plane_adds_objects_with_data_and_visualizations(
    fake_thoughtspot: FakeThoughtSpot, v2_client: V2Client
) -> None:
    added = requests.post(
        fake_thoughtspot.url + "/_fake/objects",
        json={
            "type": "LIVEBOARD",
            "name": "From another process",
            "visualizations": [{"name": "A", "columns": ["Region", "Sales"], "rows": 3}, {"name": "B"}],
            "tags": ["Certified"],
        },
        timeout=5,
    )
    assert added.status_code == 200
    guid = added.json()["guid"]
    [item] = v2_client.ok(
        METADATA_SEARCH_PATH, {"metadata": [{"identifier": guid}], "include_visualization_headers": True}
    )
    assert [viz["name"] for viz in item["visualization_headers"]] == ["A", "B"]
    assert fake_thoughtspot.catalog.get(guid) is not None
    bad = requests.post(
        fake_thoughtspot.url + "/_fake/objects", json={"type": "DASHBOARD", "name": "x"}, timeout=5
    )
    assert bad.status_code == 400 and "type must be one of" in bad.json()["error"]
