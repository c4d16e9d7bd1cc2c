"""Bad arguments: constructors only store them; execute() names the task, the argument and the fix."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from airflow_provider_tssession._compat import AirflowException
from airflow_provider_tssession.exceptions import ThoughtSpotArgumentError
from airflow_provider_tssession.hooks.thoughtspot import ThoughtSpotHook
from airflow_provider_tssession.operators.data import ThoughtSpotDataExportOperator
from airflow_provider_tssession.operators.metadata import ThoughtSpotMetadataSearchOperator
from airflow_provider_tssession.operators.report import ThoughtSpotReportOperator
from airflow_provider_tssession.operators.users import (
    ThoughtSpotGroupsImportOperator,
    ThoughtSpotUsersImportOperator,
)

GOOD_USER = {"user_identifier": "ann", "display_name": "Ann"}
CASES: list[tuple[Any, dict[str, Any], str]] = [
    (ThoughtSpotReportOperator, {"metadata_type": "WORKSHEET"}, "metadata_type"),
    (ThoughtSpotReportOperator, {"metadata_identifier": ""}, "metadata_identifier"),
    (ThoughtSpotReportOperator, {"file_format": "DOCX"}, "file_format"),
    (
        ThoughtSpotReportOperator,
        {"metadata_type": "ANSWER", "pdf_options": {"page_size": "A4"}},
        "pdf_options",
    ),
    (ThoughtSpotReportOperator, {"file_name": "../up"}, "file_name"),
    (ThoughtSpotReportOperator, {"request_options": {"file_format": "PNG"}}, "request_options"),
    (ThoughtSpotDataExportOperator, {}, "query_string"),
    (ThoughtSpotDataExportOperator, {"query_string": "[sales]", "metadata_identifier": "a"}, "query_string"),
    (ThoughtSpotDataExportOperator, {"query_string": "[sales]"}, "logical_table_identifier"),
    (ThoughtSpotDataExportOperator, {"metadata_identifier": "a", "metadata_type": "TABLE"}, "metadata_type"),
    (
        ThoughtSpotDataExportOperator,
        {"metadata_identifier": "a", "metadata_type": "LIVEBOARD"},
        "visualization_identifier",
    ),
    (
        ThoughtSpotDataExportOperator,
        {"metadata_identifier": "a", "visualization_identifier": "v"},
        "visualization_identifier",
    ),
    (ThoughtSpotDataExportOperator, {"metadata_identifier": "a", "file_format": "xml"}, "file_format"),
    (ThoughtSpotDataExportOperator, {"metadata_identifier": "a", "page_size": -1}, "page_size"),
    (
        ThoughtSpotDataExportOperator,
        {"metadata_identifier": "a", "max_rows_per_file": 0},
        "max_rows_per_file",
    ),
    (
        ThoughtSpotDataExportOperator,
        {"metadata_identifier": "a", "request_options": {"record_size": -1}},
        "request_options",
    ),
    (ThoughtSpotMetadataSearchOperator, {"metadata": "LIVEBOARD"}, "metadata"),
    (ThoughtSpotMetadataSearchOperator, {"metadata": [], "page_size": 0}, "page_size"),
    (
        ThoughtSpotMetadataSearchOperator,
        {"metadata": [], "request_options": {"record_offset": 5}},
        "request_options",
    ),
    (ThoughtSpotUsersImportOperator, {"dry_run": "no"}, "dry_run"),
    (ThoughtSpotUsersImportOperator, {"users": []}, "users"),
    (ThoughtSpotUsersImportOperator, {"users": [{"user_identifier": "bob"}]}, "users"),
    (ThoughtSpotUsersImportOperator, {"max_deletions": -1}, "max_deletions"),
    (ThoughtSpotGroupsImportOperator, {"groups": [{"display_name": "Sales"}]}, "groups"),
]
DEFAULTS: dict[Any, dict[str, Any]] = {
    ThoughtSpotReportOperator: {"metadata_identifier": "lb-1"},
    ThoughtSpotDataExportOperator: {},
    ThoughtSpotMetadataSearchOperator: {},
    ThoughtSpotUsersImportOperator: {"users": [GOOD_USER], "dry_run": True},
    ThoughtSpotGroupsImportOperator: {
        "groups": [{"group_identifier": "g", "display_name": "G"}],
        "dry_run": True,
    },
}


@pytest.mark.parametrize(("operator", "arguments", "field"), CASES)
def test_a_bad_argument_fails_in_execute_naming_the_field_and_the_fix(
    operator: Any, arguments: dict[str, Any], field: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_connection(*args: object, **kwargs: object) -> None:
        raise AssertionError("a connection was read before the arguments were checked")

    monkeypatch.setattr(ThoughtSpotHook, "get_connection", classmethod(no_connection))
    if operator in (ThoughtSpotReportOperator, ThoughtSpotDataExportOperator):
        arguments = {"output_path": str(tmp_path), **arguments}
    task = operator(task_id="bad", **{**DEFAULTS[operator], **arguments})  # constructing never checks
    with pytest.raises(ThoughtSpotArgumentError) as caught:
        task.execute({})
    assert caught.value.field == field
    assert f"Task 'bad', argument '{field}'" in str(caught.value)
    assert "Fix: " in str(caught.value)


def test_parquet_without_pyarrow_names_the_extra(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(__import__("sys").modules, "pyarrow", None)
    task = ThoughtSpotDataExportOperator(
        task_id="pq", output_path=str(tmp_path), metadata_identifier="a", file_format="parquet"
    )
    with pytest.raises(ThoughtSpotArgumentError, match=r"airflow-provider-thoughtspot\[parquet\]"):
        task.execute({})


def test_dry_run_has_no_default() -> None:
    missing = (TypeError, AirflowException)  # Airflow 2.11 reports a missing argument as AirflowException
    with pytest.raises(missing, match="dry_run"):
        ThoughtSpotUsersImportOperator(task_id="sync", users=[GOOD_USER])  # type: ignore[call-arg]
    with pytest.raises(missing, match="dry_run"):
        ThoughtSpotGroupsImportOperator(task_id="sync", groups=[])  # type: ignore[call-arg]


def test_arguments_are_keyword_only() -> None:
    with pytest.raises((TypeError, AirflowException)):
        ThoughtSpotReportOperator("lb-1", "/tmp")  # type: ignore[misc]
