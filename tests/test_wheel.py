"""The built wheel, installed (not editable) into a fresh virtual environment, works on its own.

Editable installs hide packaging mistakes: a missing ``py.typed``, a module left out of the wheel, an
entry point naming the wrong object, a test-only import in runtime code. Users install the wheel, so
these tests build it with ``uv build``, install it with Airflow into a new venv, and use it from there,
far from this repository. Deselect with ``-m "not wheel"``.
"""

from __future__ import annotations

import email.message
import email.parser
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import textwrap
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import requests
from airflow import __version__ as AIRFLOW_VERSION
from uv import find_uv_bin

from airflow_provider_tssession import __version__
from airflow_provider_tssession.testing.airflow_home import airflow_home_env

pytestmark = pytest.mark.wheel

REPO = Path(__file__).resolve().parent.parent
PACKAGE = "airflow_provider_tssession"
DIST = "airflow-provider-thoughtspot"
DIST_INFO = f"airflow_provider_thoughtspot-{__version__}.dist-info"
USER, PASSWORD = "wheel-user", "Wheel-Pass-7319"
UV = find_uv_bin()
# uv must use this machine's Python, never download one.
UV_ENV = {**os.environ, "UV_PYTHON_DOWNLOADS": "never"}


@dataclass(frozen=True)
class Built:
    sdist: Path
    wheel: Path


@dataclass(frozen=True)
class Venv:
    """A fresh venv holding the wheel; ``run`` executes its commands from a directory outside the repo."""

    home: Path
    bin: Path

    def env(self) -> dict[str, str]:
        """This process's environment minus all that points at the repository, plus a private AIRFLOW_HOME."""
        path = [p for p in os.environ.get("PATH", "").split(os.pathsep) if not p.startswith(str(REPO))]
        dropped = ("PYTEST", "PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV")
        env = {key: value for key, value in os.environ.items() if not key.startswith(dropped)}
        settings = {"PATH": os.pathsep.join([str(self.bin), *path]), "VIRTUAL_ENV": str(self.bin.parent)}
        return airflow_home_env(self.home / "airflow-home", {}, settings=settings, base=env)

    def run(self, *command: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(self.bin / command[0]), *command[1:]],
            cwd=self.home,
            env=env or self.env(),
            capture_output=True,
            text=True,
            timeout=600,
        )


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Built:
    """Build the sdist, then the wheel from the sdist, as ``make dist`` does."""
    out = tmp_path_factory.mktemp("dist")
    command = [UV, "build", "--python", sys.executable, "--out-dir", str(out), str(REPO)]
    subprocess.run(command, check=True, capture_output=True, env=UV_ENV, timeout=600)
    (sdist,) = out.glob("*.tar.gz")
    (wheel,) = out.glob("*.whl")
    return Built(sdist, wheel)


@pytest.fixture(scope="module")
def venv(built: Built, tmp_path_factory: pytest.TempPathFactory) -> Venv:
    """A new venv with the wheel (not editable), its dependencies (Airflow), and mypy and pytest as a user has."""
    home = tmp_path_factory.mktemp("wheel-user")
    subprocess.run(
        [UV, "venv", "--quiet", "--python", sys.executable, str(home / "venv")], check=True, env=UV_ENV
    )
    python = home / "venv" / "bin" / "python"
    install = [UV, "pip", "install", "--quiet", "--python", str(python), "--compile-bytecode"]
    # The Airflow of this test run (make test runs the suite on the newest Airflow 3 and on 2.11).
    airflow = f"apache-airflow=={AIRFLOW_VERSION}"
    subprocess.run(
        [*install, str(built.wheel), airflow, "mypy", "pytest"], check=True, env=UV_ENV, timeout=600
    )
    # uv hard-links files from its cache, and pytest keeps only the last few runs' temp dirs: no cleanup.
    return Venv(home, python.parent)


def readme_install_blocks() -> list[list[str]]:
    """The commands of each ``sh`` block in the README's Install section, as a user would copy them."""
    readme = (REPO / "README.md").read_text()
    section = readme.split("\n## Install\n", 1)[1].split("\n### ", 1)[0]
    blocks = re.findall(r"```sh\n(.*?)```", section, flags=re.DOTALL)
    return [[line for line in block.splitlines() if line.strip()] for block in blocks]


@pytest.mark.parametrize("block", readme_install_blocks(), ids=lambda block: " && ".join(block))
def test_the_readme_install_commands_work_in_a_checkout(
    block: list[str], built: Built, tmp_path: Path
) -> None:
    """Run a README install block in an unpacked sdist (a checkout) with a venv that has pip and Airflow."""
    with tarfile.open(built.sdist) as sdist:
        sdist.extractall(tmp_path, filter="data")
    (checkout,) = [path for path in tmp_path.iterdir() if path.is_dir()]
    venv = tmp_path / "venv"
    subprocess.run(
        [UV, "venv", "--quiet", "--seed", "--python", sys.executable, str(venv)], check=True, env=UV_ENV
    )
    python = venv / "bin" / "python"
    airflow = f"apache-airflow=={AIRFLOW_VERSION}"  # Airflow first, as a user's environment has it
    subprocess.run(
        [UV, "pip", "install", "--quiet", "--python", str(python), airflow],
        check=True,
        env=UV_ENV,
        timeout=600,
    )
    user = Venv(tmp_path, venv / "bin")
    env = {**user.env(), "PIP_DISABLE_PIP_VERSION_CHECK": "1"}
    for command in block:
        result = subprocess.run(
            ["/bin/sh", "-c", command], cwd=checkout, env=env, capture_output=True, text=True, timeout=600
        )
        assert result.returncode == 0, f"{command}:\n{result.stdout[-3000:]}{result.stderr[-3000:]}"
    listed = user.run("airflow", "providers", "list", "--output", "json")
    assert listed.returncode == 0, listed.stderr
    providers = {p["package_name"]: p["version"] for p in json.loads(listed.stdout)}
    assert providers[DIST] == __version__
    location = user.run("python", "-c", f"import {PACKAGE}; print({PACKAGE}.__file__)")
    assert Path(location.stdout.strip()).is_relative_to(venv)  # installed, not imported from the checkout


def _metadata(built: Built) -> email.message.Message:
    with zipfile.ZipFile(built.wheel) as wheel:
        text = wheel.read(f"{DIST_INFO}/METADATA").decode()
    return email.parser.Parser().parsestr(text)


def test_wheel_holds_every_module_and_py_typed_and_no_tests(built: Built) -> None:
    with zipfile.ZipFile(built.wheel) as wheel:
        names = wheel.namelist()
    sources = {
        path.relative_to(REPO).as_posix()
        for path in (REPO / PACKAGE).rglob("*")
        if path.is_file() and "__pycache__" not in path.parts
    }
    assert sources <= set(names), sorted(sources - set(names))
    assert f"{PACKAGE}/py.typed" in names
    for subpackage in ("auth", "hooks", "operators", "testing"):
        assert f"{PACKAGE}/{subpackage}/__init__.py" in names
    strays = [n for n in names if not n.startswith((f"{PACKAGE}/", f"{DIST_INFO}/"))]
    assert strays == []  # no tests/, example_dags/, scripts/ or conftest.py at the top level
    assert f"{DIST_INFO}/licenses/LICENSE" in names


def test_sdist_holds_what_a_rebuild_and_the_test_suite_need(built: Built) -> None:
    with tarfile.open(built.sdist) as sdist:
        names = {name.split("/", 1)[1] for name in sdist.getnames() if "/" in name}
    expected = {
        "pyproject.toml",
        "README.md",
        "CHANGELOG.md",
        "LICENSE",
        "Makefile",
        f"{PACKAGE}/py.typed",
        f"{PACKAGE}/testing/__main__.py",
        "tests/conftest.py",
        "tests/dags/thoughtspot_test_dags.py",
        "example_dags/thoughtspot_session_dag.py",
        "scripts/demo.py",
    }
    assert expected <= names, sorted(expected - names)
    assert not [n for n in names if n.startswith((".venv/", ".demo/", "dist/")) or "__pycache__" in n]


@pytest.mark.airflow3("twine 7, which reads metadata 2.5, needs rich>=14; Airflow 2.11 needs rich<14")
def test_metadata_is_what_the_package_index_shows(built: Built) -> None:
    metadata = _metadata(built)
    assert metadata["Name"] == DIST and metadata["Version"] == __version__
    assert "ThoughtSpot" in metadata["Summary"]
    assert metadata["Description-Content-Type"] == "text/markdown"
    assert metadata.get_payload().strip() == (REPO / "README.md").read_text().strip()
    assert metadata["License-Expression"] == "Apache-2.0"
    classifiers = metadata.get_all("Classifier")
    for classifier in (
        "Framework :: Apache Airflow",
        "Framework :: Apache Airflow :: Provider",
        "Programming Language :: Python :: 3.11",
    ):
        assert classifier in classifiers
    # No public home yet: no placeholder URLs (add Homepage, Source, Issues, Changelog when published).
    assert metadata.get_all("Project-URL") is None
    twine = Path(sys.executable).with_name("twine")
    check = subprocess.run(
        [str(twine), "check", "--strict", str(built.sdist), str(built.wheel)], capture_output=True, text=True
    )
    assert check.returncode == 0, check.stdout + check.stderr


def test_version_is_declared_once_and_read_by_everything_else() -> None:
    pyproject = (REPO / "pyproject.toml").read_text()
    assert 'dynamic = ["version"]' in pyproject and not re.search(r"(?m)^version\s*=", pyproject)
    sources = [REPO / "pyproject.toml", REPO / "Makefile", *(REPO / PACKAGE).rglob("*.py")]
    declared = [
        path.relative_to(REPO).as_posix() for path in sources if f'"{__version__}"' in path.read_text()
    ]
    assert declared == [f"{PACKAGE}/__init__.py"]


def test_installed_package_runs_from_the_venv_and_needs_nothing_else(venv: Venv) -> None:
    code = textwrap.dedent(
        f"""
        import importlib.metadata, importlib.util, json, sys
        import {PACKAGE}.hooks.thoughtspot, {PACKAGE}.operators.thoughtspot, {PACKAGE}.testing
        pytest_imported = "pytest" in sys.modules
        dist = importlib.metadata.distribution("{DIST}")
        loaded = {{}}
        for ep in dist.entry_points:
            obj = ep.load()
            loaded[ep.group] = obj() if callable(obj) else sorted(vars(obj))
        print(json.dumps({{
            "file": {PACKAGE}.__file__,
            "tests": importlib.util.find_spec("tests") is not None,
            "pytest_imported": pytest_imported,
            "version": dist.version,
            "entry_points": loaded,
            "path": sys.path,
        }}))
        """
    )
    # Import the runtime modules first, then the entry points (the pytest plugin imports pytest itself).
    result = venv.run("python", "-c", code)
    assert result.returncode == 0, result.stderr
    seen: dict[str, Any] = json.loads(result.stdout)
    assert Path(seen["file"]).is_relative_to(venv.bin.parent)
    assert not any(entry.startswith(str(REPO)) for entry in seen["path"])
    assert seen["tests"] is False
    assert seen["pytest_imported"] is False  # runtime code does not need pytest
    assert seen["version"] == __version__
    assert seen["entry_points"]["apache_airflow_provider"]["versions"] == [seen["version"]]
    assert "fake_thoughtspot" in seen["entry_points"]["pytest11"]
    check = subprocess.run(
        [UV, "pip", "check", "--python", str(venv.bin / "python")], capture_output=True, text=True
    )
    assert check.returncode == 0, check.stdout + check.stderr


def test_airflow_lists_the_installed_provider_with_its_version(venv: Venv) -> None:
    result = venv.run("airflow", "providers", "list", "--output", "json")
    assert result.returncode == 0, result.stderr
    providers = {p["package_name"]: p["version"] for p in json.loads(result.stdout)}
    assert providers[DIST] == __version__


def test_example_dag_runs_with_airflow_dags_test_against_the_installed_stand_in(
    venv: Venv, tmp_path: Path
) -> None:
    dags = tmp_path / "dags"
    dags.mkdir()
    shutil.copy(REPO / "example_dags" / "thoughtspot_session_dag.py", dags)
    env = {**venv.env(), "AIRFLOW__CORE__DAGS_FOLDER": str(dags)}
    migrate = venv.run("airflow", "db", "migrate", env=env)
    assert migrate.returncode == 0, migrate.stderr
    stand_in = subprocess.Popen(
        [str(venv.bin / "python"), "-m", f"{PACKAGE}.testing", "--port", "0", "--user", f"{USER}:{PASSWORD}"],
        cwd=venv.home,
        env=env,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert stand_in.stdout is not None
        url = stand_in.stdout.readline().strip().rsplit(" ", 1)[-1]
        assert url.startswith("http://127.0.0.1:"), url
        connection = {"conn_type": "thoughtspot", "host": url, "login": USER, "password": PASSWORD}
        env["AIRFLOW_CONN_THOUGHTSPOT_DEFAULT"] = json.dumps({**connection, "extra": {"timeout": 10}})
        run = venv.run("airflow", "dags", "test", "thoughtspot_session", env=env)
        stats = requests.get(url + "/_fake/stats", timeout=10).json()
    finally:
        stand_in.terminate()
        stand_in.wait(timeout=10)
    assert stand_in.returncode == 0  # it stops cleanly on SIGTERM
    output = run.stdout + run.stderr
    assert run.returncode == 0, output
    assert (stats["logins"], stats["logouts"], stats["active_sessions"]) == (1, 1, 0)
    assert list(stats["calls_per_session"].values()) == [3]
    assert PASSWORD not in output


def test_mypy_reads_the_installed_type_hints(venv: Venv) -> None:
    (venv.home / "good.py").write_text(
        textwrap.dedent(
            f"""
            from __future__ import annotations

            from {PACKAGE}.assets import thoughtspot_asset
            from {PACKAGE}.decorators.thoughtspot import thoughtspot_task
            from {PACKAGE}.hooks.thoughtspot import ThoughtSpotHook
            from {PACKAGE}.operators.thoughtspot import ThoughtSpotApiOperator
            from {PACKAGE}.testing import FakeThoughtSpot


            def session_calls(conn_id: str) -> int:
                with FakeThoughtSpot(users={{"u": "p"}}) as fake, ThoughtSpotHook(conn_id):
                    return fake.logins


            tag = ThoughtSpotApiOperator(task_id="tag", endpoint="/tspublic/v1/metadata/assigntag", method="POST")


            @thoughtspot_task(thoughtspot_conn_id="thoughtspot_default")
            def count(ts: ThoughtSpotHook, kind: str) -> int:
                return len(ts.request("GET", "/tspublic/v1/metadata/list", params={{"type": kind}}).json())


            counted = count("LOGICAL_TABLE")  # mypy knows the task fills in ts
            sales = thoughtspot_asset("my.thoughtspot.cloud", "liveboard", "8f3c2a9e-5b1d-4c7e-9a60-2d4b8e1f7c35")
            """
        )
    )
    (venv.home / "bad.py").write_text(
        f"from {PACKAGE}.hooks.thoughtspot import ThoughtSpotHook\n\nThoughtSpotHook(thoughtspot_conn_id=42)\n"
    )
    result = venv.run("mypy", "--strict", "good.py", "bad.py")
    output = result.stdout + result.stderr
    assert "py.typed" not in output and "import-untyped" not in output, output
    errors = [line for line in result.stdout.splitlines() if ": error:" in line]
    assert result.returncode == 1, output
    assert len(errors) == 1 and errors[0].startswith("bad.py:3:"), output
    assert '"ThoughtSpotHook" has incompatible type "int"; expected "str"' in errors[0]
