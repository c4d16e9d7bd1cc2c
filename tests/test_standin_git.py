"""Git version control on the stand-in: commit objects' TML, deploy commits into the catalog, search history."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from standin_v2 import V2Client, error_message

from airflow_provider_tssession.testing import FakeThoughtSpot
from airflow_provider_tssession.testing.catalog import (
    DEFAULT_ANSWER_ID,
    DEFAULT_LIVEBOARD_ID,
    DEFAULT_MODEL_ID,
)
from airflow_provider_tssession.testing.paths import GIT_COMMIT_PATH, GIT_DEPLOY_PATH, GIT_SEARCH_PATH
from airflow_provider_tssession.testing.pytest_plugin import DEFAULT_USER
from airflow_provider_tssession.testing.routes_vcs import git_file_name

if TYPE_CHECKING:
    pass


def test_commit_then_search_the_history_of_an_object(v2_client: V2Client) -> None:
    first = v2_client.ok(
        GIT_COMMIT_PATH,
        {"metadata": [{"identifier": DEFAULT_LIVEBOARD_ID, "type": "LIVEBOARD"}], "comment": "First"},
    )
    assert first["branch"] == "main" and first["author"]["username"] == DEFAULT_USER
    assert first["committed_files"] == [
        {
            "file_name": git_file_name(DEFAULT_LIVEBOARD_ID, "liveboard"),
            "status_code": "OK",
            "status_message": None,
        }
    ]
    second = v2_client.ok(
        GIT_COMMIT_PATH,
        {
            "metadata": [{"identifier": DEFAULT_LIVEBOARD_ID}, {"identifier": DEFAULT_ANSWER_ID}],
            "comment": "Second",
        },
    )
    history = v2_client.ok(GIT_SEARCH_PATH, {"metadata_identifier": DEFAULT_LIVEBOARD_ID})
    assert [c["commit_id"] for c in history] == [second["commit_id"], first["commit_id"]]
    assert [
        c["comment"] for c in v2_client.ok(GIT_SEARCH_PATH, {"metadata_identifier": "Sales by Region"})
    ] == ["Second"]
    paged = v2_client.ok(
        GIT_SEARCH_PATH, {"metadata_identifier": DEFAULT_LIVEBOARD_ID, "record_offset": 1, "record_size": 1}
    )
    assert [c["comment"] for c in paged] == ["First"]


def test_deploy_imports_a_pushed_commit_delta_then_nothing(
    v2_client: V2Client, fake_thoughtspot: FakeThoughtSpot
) -> None:
    tml = {
        "guid": DEFAULT_ANSWER_ID,
        "answer": {"name": "Renamed in Git", "tables": [{"fqn": DEFAULT_MODEL_ID}]},
    }
    name = git_file_name(DEFAULT_ANSWER_ID, "answer")
    commit = fake_thoughtspot.git.push("release", {name: json.dumps(tml)}, "rename")
    deployed = v2_client.ok(GIT_DEPLOY_PATH, {"branch_name": "release"})
    assert deployed == [
        {
            "file_name": name,
            "metadata_name": "Renamed in Git",
            "metadata_type": "ANSWER",
            "status_code": "OK",
            "status_message": None,
        }
    ]
    renamed = fake_thoughtspot.catalog.get(DEFAULT_ANSWER_ID)
    assert renamed is not None and renamed.name == "Renamed in Git"
    assert v2_client.ok(GIT_DEPLOY_PATH, {"branch_name": "release", "commit_id": commit.commit_id}) == []
    full = v2_client.ok(GIT_DEPLOY_PATH, {"branch_name": "release", "deploy_type": "FULL"})
    assert [item["file_name"] for item in full] == [name]


def test_deploy_all_or_none_with_a_broken_file_changes_nothing(
    v2_client: V2Client, fake_thoughtspot: FakeThoughtSpot
) -> None:
    good = {
        "guid": DEFAULT_ANSWER_ID,
        "answer": {"name": "Would rename", "tables": [{"fqn": DEFAULT_MODEL_ID}]},
    }
    bad = {"answer": {"name": "Broken", "tables": [{"name": "NO_SUCH_TABLE"}]}}
    fake_thoughtspot.git.push(
        "release", {"a.answer.tml": json.dumps(good), "b.answer.tml": json.dumps(bad)}, "mixed"
    )
    deployed = v2_client.ok(GIT_DEPLOY_PATH, {"branch_name": "release"})
    assert [item["status_code"] for item in deployed] == ["ERROR", "ERROR"]
    unchanged = fake_thoughtspot.catalog.get(DEFAULT_ANSWER_ID)
    assert unchanged is not None and unchanged.name == "Sales by Region"
    partial = v2_client.ok(GIT_DEPLOY_PATH, {"branch_name": "release", "deploy_policy": "PARTIAL"})
    assert [item["status_code"] for item in partial] == ["OK", "ERROR"]


def test_git_routes_reject_bad_requests_naming_the_problem(v2_client: V2Client) -> None:
    no_branch = v2_client.post(GIT_DEPLOY_PATH, {"branch_name": "nope"})
    assert no_branch.status_code == 400 and "nope" in error_message(no_branch)
    no_comment = v2_client.post(GIT_COMMIT_PATH, {"metadata": [{"identifier": DEFAULT_ANSWER_ID}]})
    assert no_comment.status_code == 400 and "comment" in error_message(no_comment)
    unknown = v2_client.post(GIT_COMMIT_PATH, {"metadata": [{"identifier": "missing"}], "comment": "x"})
    assert unknown.status_code == 400 and "missing" in error_message(unknown)
    no_identifier = v2_client.post(GIT_SEARCH_PATH, {})
    assert no_identifier.status_code == 400 and "metadata_identifier" in error_message(no_identifier)
