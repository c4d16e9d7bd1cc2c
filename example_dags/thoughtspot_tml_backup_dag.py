"""Nightly TML backup: export every Liveboard and Model into a folder named after the run's date.

The output may be a local directory or any Airflow object storage URI (``s3://aws_default@bucket/tml``):
set the DAG param ``output_path`` (or THOUGHTSPOT_EXPORT_PATH). One ``<guid>.<type>.tml`` file per object;
the task fails (after writing every other file) if ThoughtSpot could not export an object.
"""

from __future__ import annotations

import os
from datetime import datetime

try:  # Airflow 3
    from airflow.sdk import dag
except ImportError:  # Airflow 2.11
    from airflow.decorators import dag  # type: ignore[attr-defined,no-redef]

from airflow_provider_tssession.operators.tml import ThoughtSpotTMLExportOperator

OUTPUT = os.environ.get("THOUGHTSPOT_EXPORT_PATH", "/tmp/thoughtspot-exports")


@dag(
    schedule="@daily",
    start_date=datetime(2026, 1, 1),
    catchup=False,
    tags=["thoughtspot", "example"],
    params={"output_path": OUTPUT},
)
def thoughtspot_tml_backup() -> None:
    """Export the TML of every Liveboard and Model to <output_path>/tml-backup/<date>/."""
    ThoughtSpotTMLExportOperator(
        task_id="export_liveboards_and_models",
        metadata=[{"type": "LIVEBOARD"}, {"type": "LOGICAL_TABLE", "subtypes": ["WORKSHEET"]}],
        output_path="{{ params.output_path }}/tml-backup/{{ ds }}",
        edoc_format="YAML",
        max_concurrency=4,
    )


thoughtspot_tml_backup()
