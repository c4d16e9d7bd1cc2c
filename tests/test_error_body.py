"""Every error body shape ThoughtSpot (or a proxy in front of it) sends reads as code, incident and message."""

from __future__ import annotations

import json

import pytest

from airflow_provider_tssession.error_body import ErrorDetails, parse_error_body
from airflow_provider_tssession.hooks.thoughtspot import ThoughtSpotHook
from airflow_provider_tssession.testing import METADATA_LIST_PATH, FakeThoughtSpot

V1 = {
    "code": 10003,
    "incident_id_guid": "inc-1",
    "trace_id_guid": "t-1",
    "debug": json.dumps(["Bad session"]),
}
V2_A = {"error": {"message": {"code": 10002, "incident_id_guid": "inc-2", "debug": "Invalid org"}}}
V2_B = {"error": {"message": {"debug": "No active session"}}}
V2_C = {
    "error": {"message": {"debug": {"code": 10023, "debug": "Account locked", "incident_id_guid": "inc-3"}}}
}


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (V1, ErrorDetails(10003, "inc-1", "Bad session")),
        (V2_A, ErrorDetails(10002, "inc-2", "Invalid org")),
        (V2_B, ErrorDetails(None, None, "No active session")),
        (V2_C, ErrorDetails(10023, "inc-3", "Account locked")),
        ({"code": "10000", "debug": json.dumps(["a", "b"])}, ErrorDetails(10000, None, "a; b")),
        ({"error": "plain"}, ErrorDetails(None, None, None)),
        (["just", "a", "list"], ErrorDetails(None, None, "just; a; list")),
    ],
)
def test_json_shapes(body: object, expected: ErrorDetails) -> None:
    assert parse_error_body(json.dumps(body)) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", None),
        ("Service Unavailable", "Service Unavailable"),
        (
            "<html><title>Down\nfor maintenance</title></html>",
            "an HTML page titled 'Down for maintenance' instead of a JSON error",
        ),
        ('{"code": 1', '{"code": 1'),
        ("x" * 5000, "x" * 297 + "..."),
        ("line1\r\nline2\x00", "line1 line2"),
    ],
)
def test_non_json_bodies(text: str, message: str | None) -> None:
    assert parse_error_body(text).message == message


def test_deeply_nested_bodies_do_not_recurse_forever() -> None:
    text = '{"error":{"message":' * 5000 + "{}" + "}}" * 5000
    details = parse_error_body(text)
    assert details.code is None
    assert details.message is not None and len(details.message) <= 300


@pytest.mark.parametrize("body", [V1, V2_A, V2_C])
def test_the_hook_raises_with_the_parsed_details(ts: FakeThoughtSpot, body: dict[str, object]) -> None:
    expected = parse_error_body(json.dumps(body))
    with ThoughtSpotHook() as hook:
        ts.fail_next(METADATA_LIST_PATH, 400, body=json.dumps(body), content_type="application/json")
        with pytest.raises(Exception) as caught:
            hook.request("GET", "/tspublic/v1/metadata/list")
    error = caught.value
    assert (error.status_code, error.code, error.incident_id, error.server_message) == (  # type: ignore[attr-defined]
        400,
        expected.code,
        expected.incident_id,
        expected.message,
    )
    assert expected.message and expected.message in str(error)
