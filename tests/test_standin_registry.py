"""The stand-in's routing: one registry, and v2 errors in the configured nesting on every v2 answer."""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Any

import pytest
import requests

from airflow_provider_tssession.testing import V2_LOGIN_PATH, V2_USER_PATH, FakeThoughtSpot
from airflow_provider_tssession.testing.pytest_plugin import DEFAULT_PASSWORD, DEFAULT_USER

TESTING = Path(__file__).resolve().parents[1] / "airflow_provider_tssession" / "testing"
SHAPES = {
    0: lambda m: set(m) == {"code", "incident_id_guid", "trace_id_guid", "debug"},
    1: lambda m: set(m) == {"debug"} and isinstance(m["debug"], str),
    2: lambda m: set(m) == {"debug"} and set(m["debug"]) == {"code", "debug"},
}


@pytest.mark.parametrize("nesting", sorted(SHAPES))
def test_every_v2_error_comes_in_the_configured_nesting(nesting: int) -> None:
    with FakeThoughtSpot({DEFAULT_USER: DEFAULT_PASSWORD}, v2_error_nesting=nesting) as ts:
        answers: dict[str, Any] = {
            "unknown path": requests.post(ts.url + "/api/rest/2.0/no/such/route", json={}, timeout=5),
            "wrong method": requests.get(ts.url + V2_LOGIN_PATH, timeout=5),
            "session user, no session": requests.get(ts.url + V2_USER_PATH, timeout=5),
        }
    statuses = {name: answer.status_code for name, answer in answers.items()}
    assert statuses == {"unknown path": 404, "wrong method": 405, "session user, no session": 401}
    for name, answer in answers.items():
        assert SHAPES[nesting](answer.json()["error"]["message"]), name


def _imported_modules(module: str) -> set[str]:
    tree = ast.parse((TESTING / f"{module}.py").read_text())
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level == 1:
            found.add(node.module or "")
            found.update(alias.name for alias in node.names if node.module is None)
    return found


def test_protocol_modules_only_add_to_the_registry_never_import_each_other() -> None:
    route_modules = {"protocol", "protocol_v2"} | {p.stem for p in TESTING.glob("routes_*.py")}
    for module in route_modules:
        imported = _imported_modules(module)
        assert "registry" in imported, module
        assert not imported & (route_modules - {module}), (module, imported & route_modules)


def test_the_stand_in_uses_only_the_standard_library_and_itself() -> None:
    import sys

    for source in sorted(TESTING.glob("*.py")):
        allowed = set(sys.stdlib_module_names) | ({"pytest"} if source.name == "pytest_plugin.py" else set())
        for node in ast.walk(ast.parse(source.read_text())):
            if isinstance(node, ast.Import):
                modules = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                modules = [node.module or ""]
            else:
                assert not isinstance(node, ast.ImportFrom) or node.level == 1, source.name  # never ..package
                continue
            assert all(name.split(".")[0] in allowed for name in modules), (source.name, modules)


def test_the_package_docstring_lists_every_route() -> None:
    import airflow_provider_tssession.testing as testing
    from airflow_provider_tssession.testing.registry import ROUTES

    doc = testing.__doc__ or ""
    missing = [path for path in ROUTES if path.removeprefix("/callosum/v1") not in doc]
    assert not missing
