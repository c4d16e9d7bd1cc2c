"""ThoughtSpot objects as Airflow assets (datasets on 2.11): one URI form, normalised by Airflow, events on runs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from airflow.utils.session import create_session
from airflow.utils.state import DagRunState
from conftest import AIRFLOW_2
from test_operators_dag import FOLDERS, run_dag

from airflow_provider_tssession._compat import Asset, DagBag
from airflow_provider_tssession.assets import thoughtspot_asset
from airflow_provider_tssession.testing import FakeThoughtSpot

try:  # Airflow 3
    from airflow.models.asset import AssetEvent as Event
    from airflow.models.asset import AssetModel as Model
except ImportError:  # Airflow 2.11: the same tables under their older names
    from airflow.models.dataset import DatasetEvent as Event
    from airflow.models.dataset import DatasetModel as Model

GUID = "8f3c2a9e-5b1d-4c7e-9a60-2d4b8e1f7c35"
URI = f"thoughtspot://my.thoughtspot.cloud/liveboard/{GUID}"


def test_the_helper_builds_one_uri_however_the_object_is_spelled() -> None:
    spellings = [
        thoughtspot_asset("my.thoughtspot.cloud", "liveboard", GUID),
        thoughtspot_asset("https://My.ThoughtSpot.cloud:443/", "LIVEBOARD", GUID.upper()),
        thoughtspot_asset("my.thoughtspot.cloud", "PINBOARD_ANSWER_BOOK", f" {GUID} "),
    ]
    assert {asset.uri for asset in spellings} == {URI}
    model = thoughtspot_asset("10.0.0.5:8443", "model", GUID)
    assert model.uri == f"thoughtspot://10.0.0.5:8443/logical_table/{GUID}"


def test_airflow_normalises_a_hand_written_uri_with_the_registered_scheme() -> None:
    assert Asset(f"thoughtspot://My.ThoughtSpot.Cloud:443/Liveboard/{GUID.upper()}").uri == URI


@pytest.mark.parametrize(
    ("uri", "problem"),
    [
        ("thoughtspot://my.thoughtspot.cloud/liveboard", "thoughtspot://<host>/<type>/<guid>"),
        (f"thoughtspot://my.thoughtspot.cloud/dashboard/{GUID}", "not a ThoughtSpot object type"),
        ("thoughtspot://my.thoughtspot.cloud/answer/Sales%20answer", "not a ThoughtSpot GUID"),
    ],
)
def test_a_malformed_uri_fails_when_the_dag_is_parsed(uri: str, problem: str) -> None:
    """Airflow 3 refuses it; Airflow 2.11 warns (unless ``[core] strict_dataset_uri_validation``)."""
    with pytest.warns(UserWarning, match=problem) if AIRFLOW_2 else pytest.raises(ValueError, match=problem):
        Asset(uri)


def test_a_bad_helper_argument_names_what_thoughtspot_accepts() -> None:
    with pytest.raises(ValueError, match="use one of LIVEBOARD, ANSWER, LOGICAL_TABLE"):
        thoughtspot_asset("my.thoughtspot.cloud", "dashboard", GUID)
    with pytest.raises(ValueError, match="not a ThoughtSpot host"):
        thoughtspot_asset("user@my.thoughtspot.cloud", "answer", GUID)


def test_the_example_consumer_is_scheduled_on_what_the_producer_changes(
    airflow_db: Path, ts: FakeThoughtSpot
) -> None:
    bag = DagBag(str(FOLDERS["examples"]))
    producer = bag.dags["thoughtspot_refresh_sales"].get_task("tag_sales_liveboard")
    assert [outlet.uri for outlet in producer.outlets] == [URI]
    consumer: Any = bag.dags["thoughtspot_after_sales_refresh"]
    schedule = getattr(consumer, "timetable", None)
    assert URI in str(
        getattr(schedule, "asset_condition", None) or getattr(schedule, "dataset_condition", "")
    )

    if AIRFLOW_2:  # Airflow 2.11's dag.test() records events only for datasets the DB already knows
        type(consumer).bulk_write_to_db(bag.dags.values())
    run = run_dag("thoughtspot_refresh_sales", "examples")
    assert run.state == DagRunState.SUCCESS
    with create_session() as session:
        (model_id,) = session.query(Model.id).filter(Model.uri == URI).one()
        events = (
            session.query(Event)
            .filter(getattr(Event, "asset_id", getattr(Event, "dataset_id", None)) == model_id)
            .all()
        )
    assert len(events) == 1  # what schedules the consumer
    assert ts.count("/callosum/v1/tspublic/v1/metadata/assigntag") == 1
