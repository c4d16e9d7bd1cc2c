"""After the warehouse loads: a Liveboard as a PDF, an Answer's rows as CSV, and every Answer as JSON Lines.

The files go to ``output_path``: a local directory, or any Airflow object storage URI such as
``s3://aws_default@bucket/thoughtspot`` (set the DAG param, or THOUGHTSPOT_EXPORT_PATH). One login serves
every task; the logout is a teardown, so it runs even when an export fails.
"""

from __future__ import annotations

import os
from datetime import datetime

try:  # Airflow 3
    from airflow.sdk import DAG, task
except ImportError:  # Airflow 2.11
    from airflow.decorators import task  # type: ignore[attr-defined,no-redef]
    from airflow.models.dag import DAG  # type: ignore[no-redef]

from airflow_provider_tssession.operators.data import ThoughtSpotDataExportOperator
from airflow_provider_tssession.operators.metadata import ThoughtSpotMetadataSearchOperator
from airflow_provider_tssession.operators.report import ThoughtSpotReportOperator
from airflow_provider_tssession.operators.thoughtspot import (
    ThoughtSpotLoginOperator,
    ThoughtSpotLogoutOperator,
)

OUTPUT = os.environ.get("THOUGHTSPOT_EXPORT_PATH", "/tmp/thoughtspot-exports")


@task
def warehouse_loaded() -> str:
    """Stands for the upstream load (dbt, a COPY INTO...) the exports wait for."""
    return "loaded"


with DAG(
    "thoughtspot_reports",
    schedule=None,
    start_date=datetime(2026, 1, 1),
    catchup=False,
    tags=["thoughtspot", "example"],
    params={"output_path": OUTPUT, "liveboard": "Retail Overview", "answer": "Sales by Region"},
):
    login = ThoughtSpotLoginOperator(task_id="login")
    liveboard_pdf = ThoughtSpotReportOperator(
        task_id="liveboard_pdf",
        metadata_identifier="{{ params.liveboard }}",
        output_path="{{ params.output_path }}/reports",
        file_format="PDF",
        pdf_options={"page_orientation": "LANDSCAPE", "include_page_number": True},
        session_handle=login.output,
    )
    answer_csv = ThoughtSpotDataExportOperator(
        task_id="answer_csv",
        metadata_identifier="{{ params.answer }}",
        output_path="{{ params.output_path }}/data",
        file_format="csv",
        session_handle=login.output,
    )
    answers = ThoughtSpotMetadataSearchOperator(
        task_id="find_answers", metadata=[{"type": "ANSWER"}], session_handle=login.output
    )
    every_answer = ThoughtSpotDataExportOperator.partial(
        task_id="every_answer_jsonl",
        output_path="{{ params.output_path }}/answers",
        file_format="jsonl",
        session_handle=login.output,
    ).expand(metadata_identifier=answers.output.map(lambda found: found["id"]))
    logout = ThoughtSpotLogoutOperator(task_id="logout", session_handle=login.output)

    login >> warehouse_loaded() >> [liveboard_pdf, answer_csv, answers]
    [liveboard_pdf, answer_csv, every_answer] >> logout.as_teardown(setups=login)
