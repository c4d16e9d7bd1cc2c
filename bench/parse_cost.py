"""DAG-parse cost: what importing the provider adds to ``import airflow.sdk``, and DagBag time per DAG file.

Each measurement is a fresh interpreter. The import figure has two views of the same processes: the
wall clock of the whole ``python -c 'import ...'`` (what a user waits for; noisy on a busy machine, since
``airflow.sdk`` alone takes about a second) and, inside that process, the time of the extra imports
alone after ``airflow.sdk`` (what the provider adds; precise to a fraction of a millisecond).
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from airflow_provider_tssession.get_provider_info import get_provider_info
from bench.child import last_json
from bench.stats import Row, figure, paired_ratios, summary

REPO = Path(__file__).resolve().parent.parent
PROVIDER = get_provider_info()
BASELINE = "import airflow.sdk"
OPERATORS = "+ every operator and @task.thoughtspot"
"""What a DAG file imports: every operator module and the decorator (never the trigger: see TRIGGER)."""
TRIGGER = "+ every operator, @task.thoughtspot and the TML import trigger"
"""The trigger too: the worker imports it when a task defers, the triggerer when it runs it."""
OURS = "+ every operator, @task.thoughtspot and the TML import trigger, over their Airflow bases"
"""The goal's figure: the same modules, with the Airflow modules their users have loaded anyway loaded
first (``PRELOADED``), so it counts the provider's own code only."""
HEAVY = ("requests", "fsspec", "pyarrow")
"""Libraries a DAG file's imports must not load: the tasks import them when they run."""
OPERATOR_MODULES = (
    *(m for kind in ("hooks", "operators") for entry in PROVIDER[kind] for m in entry["python-modules"]),
    "airflow_provider_tssession.decorators.thoughtspot",
)
"""Every hook and operator module the provider registers, and the decorator's."""
PRELOADED = ("airflow.sdk:task", "airflow.triggers.base")
"""Loaded before OURS is timed. A DAG can reach ``@task.thoughtspot`` only through ``from airflow.sdk
import task``, which loads Airflow's ``PythonOperator`` and decorator base; every triggerer, and a worker
whose task defers, has loaded ``airflow.triggers.base`` (BaseTrigger) before it imports a trigger."""
IMPORTS: dict[str, tuple[str, ...]] = {
    BASELINE: (),
    "+ ThoughtSpot hook and operators": (
        "airflow_provider_tssession.hooks.thoughtspot",
        "airflow_provider_tssession.operators.thoughtspot",
    ),
    OPERATORS: OPERATOR_MODULES,
    TRIGGER: (*OPERATOR_MODULES, "airflow_provider_tssession.triggers.tml"),
    OURS: (*(f"+{name}" for name in PRELOADED), *OPERATOR_MODULES, "airflow_provider_tssession.triggers.tml"),
    "+ HttpHook and HttpOperator": (
        "airflow.providers.http.hooks.http",
        "airflow.providers.http.operators.http",
    ),
}
"""Variant -> modules imported after ``airflow.sdk`` and timed; a name with a leading ``+`` is loaded
first and not timed (``module:attribute`` reads an attribute, as ``from module import attribute``)."""
IMPORT_CHILD_TEMPLATE = """
import importlib, json, sys, time
t0 = time.perf_counter()
import airflow.sdk
t1 = time.perf_counter()
for name in (arg[1:] for arg in sys.argv[1:] if arg.startswith("+")):
    module, _, attribute = name.partition(":")
    loaded = importlib.import_module(module)
    if attribute:
        getattr(loaded, attribute)
before = set(sys.modules)
missing = []
t_ours = time.perf_counter()
for name in (arg for arg in sys.argv[1:] if not arg.startswith("+")):
    try:
        __import__(name)
    except ModuleNotFoundError as error:  # a module another branch has not delivered yet
        if not name.startswith(error.name or "?"):
            raise
        missing.append(name)
t2 = time.perf_counter()
added = len(set(sys.modules) - before)
print(json.dumps({"sdk_ms": (t1 - t0) * 1e3, "added_ms": (t2 - t_ours) * 1e3, "modules_added": added,
                  "requests_loaded": "requests" in sys.modules, "missing": missing,
                  "heavy_loaded": sorted(name for name in %r if name in set(sys.modules) - before)}))
"""
IMPORT_CHILD = IMPORT_CHILD_TEMPLATE.replace("%r", repr(HEAVY))
DAG_FILES = {
    "thoughtspot_hook (example)": REPO / "example_dags" / "thoughtspot_hook_dag.py",
    "http_hook (HttpHook equivalent)": REPO / "bench" / "http_dags" / "http_hook_dag.py",
    "thoughtspot_session (example)": REPO / "example_dags" / "thoughtspot_session_dag.py",
    "http_session (HttpOperator equivalent)": REPO / "bench" / "http_dags" / "http_session_dag.py",
}
BASELINE_OF = {
    "thoughtspot_hook (example)": "http_hook (HttpHook equivalent)",
    "thoughtspot_session (example)": "http_session (HttpOperator equivalent)",
}
DAGBAG_CHILD = """
import importlib, json, sys, time
from airflow.dag_processing.dagbag import DagBag
path, processor = sys.argv[1], sys.argv[2] == "processor"
if processor:  # what the DAG processor does before it forks the parsing process
    from airflow.utils.file import iter_airflow_imports
    for module in iter_airflow_imports(path):
        importlib.import_module(module)
t0 = time.perf_counter()
bag = DagBag(dag_folder=path)
t1 = time.perf_counter()
print(json.dumps({"ms": (t1 - t0) * 1e3, "dags": len(bag.dags), "errors": len(bag.import_errors),
                  "tasks": sum(len(dag.tasks) for dag in bag.dags.values())}))
"""


def measure_imports(env: dict[str, str], *, reps: int) -> list[Row]:
    """Wall clock of each ``python -c 'import ...'`` variant and, in-process, what the extra imports add."""
    names = list(IMPORTS)
    wall: dict[str, list[float]] = {name: [] for name in names}
    inside: dict[str, list[dict[str, Any]]] = {name: [] for name in names}
    for rep in range(reps):
        for name in names[rep % len(names) :] + names[: rep % len(names)]:  # rotate: no variant always first
            started = time.perf_counter()
            result = _python(env, IMPORT_CHILD, *IMPORTS[name])
            wall[name].append((time.perf_counter() - started) * 1e3)
            inside[name].append(result)
    rows = []
    for name in names:
        added = [sample["added_ms"] for sample in inside[name]]
        sdk = [sample["sdk_ms"] for sample in inside[name]]
        rows.append(
            figure(
                name,
                "ms",
                wall[name],
                baseline=BASELINE,
                ratio=paired_ratios(wall[name], wall[BASELINE])["median"],
                wall_added_ms=summary([w - b for w, b in zip(wall[name], wall[BASELINE], strict=True)]),
                added_ms=summary(added),
                added_share=summary([a / s for a, s in zip(added, sdk, strict=True)]),
                sdk_ms=summary(sdk),
                modules_added=inside[name][0]["modules_added"],
                requests_loaded=bool(inside[name][0]["requests_loaded"]),
                heavy_loaded=sorted({lib for sample in inside[name] for lib in sample["heavy_loaded"]}),
                missing=inside[name][0]["missing"],
            )
        )
    return rows


def measure_dagbags(env: dict[str, str], *, reps: int) -> list[Row]:
    """DagBag time of each example DAG file and of its HttpOperator equivalent, cold and as the processor."""
    rows = []
    for mode in ("cold", "processor"):
        samples: dict[str, list[dict[str, float]]] = {name: [] for name in DAG_FILES}
        names = list(DAG_FILES)
        for rep in range(reps):
            for name in names[rep % len(names) :] + names[: rep % len(names)]:
                samples[name].append(_python(env, DAGBAG_CHILD, str(DAG_FILES[name]), mode))
        for name in names:
            first = samples[name][0]
            base = BASELINE_OF.get(name, name)
            ms = [sample["ms"] for sample in samples[name]]
            base_ms = [sample["ms"] for sample in samples[base]]
            rows.append(
                figure(
                    f"{name}, {mode}",
                    "ms",
                    ms,
                    file=str(DAG_FILES[name].relative_to(REPO)),
                    mode=mode,
                    baseline=f"{base}, {mode}",
                    ratio=paired_ratios(ms, base_ms)["median"],
                    dags=first["dags"],
                    tasks=first["tasks"],
                    import_errors=max(sample["errors"] for sample in samples[name]),
                )
            )
    return rows


def _python(env: dict[str, str], code: str, *args: str) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, "-c", code, *args], env=env, capture_output=True, text=True, timeout=300
    )
    if done.returncode != 0:
        raise RuntimeError(f"python -c failed for {args}:\n{done.stderr[-3000:]}")
    result: dict[str, Any] = last_json(done.stdout)
    return result
