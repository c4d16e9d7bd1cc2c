"""One package for Airflow 2.11 and 3.x: its Airflow names resolve, and our imports never warn.

Airflow 3 flags deprecated import paths with ``DeprecatedImportWarning`` (a FutureWarning) and deprecated
features with DeprecationWarning subclasses; Airflow 2.11 with ``RemovedInAirflow3Warning``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from airflow_provider_tssession import _compat

REPO = Path(__file__).resolve().parent.parent

# Import every module and parse every DAG file with all warnings recorded; print the deprecation warnings
# raised at a line of ours (Airflow attributes them to the importing line) and what was parsed. Airflow 3's
# DagBag keeps a DAG file's warnings in `captured_warnings`, as "path:line: Type: message" with the path
# relative to the DAG folder for our files.
PROBE = textwrap.dedent(
    """
    import json, os, sys, warnings
    import airflow.settings  # it replaces warnings.showwarning, which would bypass the recording below
    repo, folders = sys.argv[1], sys.argv[2:]
    def mine(path):  # our files, not those of a virtual environment inside the repository
        return not os.path.isabs(path) or (path.startswith(repo) and not path.startswith(sys.prefix))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        import airflow_provider_tssession.get_provider_info
        import airflow_provider_tssession.hooks.thoughtspot, airflow_provider_tssession.operators.thoughtspot
        import airflow_provider_tssession.client, airflow_provider_tssession.session_handle
        import airflow_provider_tssession.decorators.thoughtspot, airflow_provider_tssession.links
        import airflow_provider_tssession.lineage, airflow_provider_tssession.assets
        from airflow_provider_tssession._compat import DagBag
        bags = [DagBag(folder) for folder in folders]
    kinds = (DeprecationWarning, PendingDeprecationWarning, FutureWarning)
    ours = [f"{w.filename}:{w.lineno}: {w.message}" for w in caught
            if issubclass(w.category, kinds) and mine(w.filename)]
    for bag in bags:
        for found in getattr(bag, "captured_warnings", {}).values():
            ours += [w for w in found if mine(w)]
    print(json.dumps({"ours": ours, "errors": [str(b.import_errors) for b in bags if b.import_errors],
                      "dags": sorted(d for b in bags for d in b.dag_ids)}))
    """
)


def test_importing_the_provider_and_parsing_its_dags_warns_of_no_deprecation() -> None:
    folders = [str(REPO / "example_dags"), str(REPO / "tests" / "dags")]
    result = subprocess.run(
        [sys.executable, "-c", PROBE, str(REPO), *folders],
        capture_output=True,
        text=True,
        env=os.environ.copy(),
        check=True,
    )
    parsed = json.loads(result.stdout.strip().splitlines()[-1])
    assert parsed["ours"] == []
    assert parsed["errors"] == []
    assert {"thoughtspot_hook", "thoughtspot_session", "ts_failing_work"} <= set(parsed["dags"])


def test_a_name_found_in_no_airflow_module_fails_with_the_places_tried(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(_compat.HOMES, "BaseHook", ("airflow.no_such_module", "airflow"))
    with pytest.raises(
        ImportError, match=r"BaseHook is in none of airflow.no_such_module, airflow: .*>=2.11"
    ):
        _compat.resolve("BaseHook")


def test_a_broken_airflow_module_is_not_mistaken_for_an_older_airflow(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "ts_compat_broken.py").write_text("import ts_compat_missing_dependency\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setitem(_compat.HOMES, "BaseHook", ("ts_compat_broken", "airflow"))
    with pytest.raises(ModuleNotFoundError, match="ts_compat_missing_dependency"):
        _compat.resolve("BaseHook")


@pytest.mark.airflow3("Airflow 2.11's BaseHook imports the DagBag module itself")
def test_dagbag_is_resolved_on_first_use_only() -> None:
    """DagBag pulls in the scheduler's models: importing the hook, as DAG parsing does, must not."""
    code = (
        "import sys\n"
        "import airflow_provider_tssession.hooks.thoughtspot\n"
        "from airflow_provider_tssession import _compat\n"
        "before = 'airflow.models.dagbag' in sys.modules or 'airflow.dag_processing.dagbag' in sys.modules\n"
        "bag = _compat.DagBag\n"
        "print(before, bag.__name__)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.split()[-2:] == ["False", "DagBag"]
