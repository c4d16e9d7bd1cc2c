"""Assets: a ThoughtSpot object as an Airflow asset, so one DAG runs when another has changed the object.

``thoughtspot_refresh_sales`` tags the Sales Liveboard and declares it as its outlet; Airflow then runs
``thoughtspot_after_sales_refresh``, which is scheduled on that asset. (On Airflow 2.11 assets are
datasets: the same code works, and the UI calls them datasets.)
"""

from __future__ import annotations

from datetime import datetime

try:  # Airflow 3
    from airflow.sdk import dag, task
except ImportError:  # Airflow 2.11
    from airflow.decorators import dag, task  # type: ignore[attr-defined,no-redef]

from airflow_provider_tssession.assets import thoughtspot_asset
from airflow_provider_tssession.operators.thoughtspot import ThoughtSpotApiOperator

SALES_LIVEBOARD_GUID = "8f3c2a9e-5b1d-4c7e-9a60-2d4b8e1f7c35"
# thoughtspot://my.thoughtspot.cloud/liveboard/8f3c2a9e-...: the host is your connection's Host.
SALES_LIVEBOARD = thoughtspot_asset("my.thoughtspot.cloud", "liveboard", SALES_LIVEBOARD_GUID)


@dag(schedule=None, start_date=datetime(2026, 1, 1), catchup=False, tags=["thoughtspot", "example"])
def thoughtspot_refresh_sales() -> None:
    """Change the Liveboard (here: tag it) and say so through the asset."""
    ThoughtSpotApiOperator(
        task_id="tag_sales_liveboard",
        method="POST",
        endpoint="/tspublic/v1/metadata/assigntag",
        data={"id": SALES_LIVEBOARD_GUID, "tag": "refreshed"},
        thoughtspot_object={"type": "LIVEBOARD", "guid": SALES_LIVEBOARD_GUID},
        outlets=[SALES_LIVEBOARD],
    )


@dag(
    schedule=[SALES_LIVEBOARD],
    start_date=datetime(2026, 1, 1),
    catchup=False,
    tags=["thoughtspot", "example"],
)
def thoughtspot_after_sales_refresh() -> None:
    """Run whenever the Sales Liveboard has changed."""

    @task
    def announce() -> str:
        return f"{SALES_LIVEBOARD.uri} changed"

    announce()


thoughtspot_refresh_sales()
thoughtspot_after_sales_refresh()
