"""The ThoughtSpot connection in Airflow's real UI, driven in headless Chromium like a person would.

Starts `airflow api-server` (simple auth manager, every user an admin, Test button enabled) and the
stand-in on loopback, then adds a connection through the form, tests it, breaks its password and tests
it again. `THOUGHTSPOT_FORM_SCREENSHOTS=<folder>` also saves the filled form there (`make screenshot`).
"""

from __future__ import annotations

import json
import os
import urllib.request
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import pytest
from api_server import AirflowApiServer
from playwright.sync_api import Browser, Locator, Page, expect, sync_playwright

from airflow_provider_tssession.connection_fields import EXTRA_FIELDS
from airflow_provider_tssession.connection_form import PLACEHOLDERS
from airflow_provider_tssession.testing import LOGIN_PATH
from airflow_provider_tssession.testing.pytest_plugin import DEFAULT_PASSWORD, DEFAULT_USER

if TYPE_CHECKING:
    from collections.abc import Iterator

    from airflow_provider_tssession.testing import FakeThoughtSpot

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
UI_TIMEOUT_MS = 90_000  # waits, not goals: a loaded 2-core machine renders slowly
WRONG_PASSWORD = "Wrong-Pass-4711"
CONN_ID = "thoughtspot_ui"


@pytest.fixture(scope="module")
def airflow_ui(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AirflowApiServer]:
    server = AirflowApiServer(tmp_path_factory.mktemp("airflow-ui-home"))
    try:
        yield server.start()
    finally:
        server.stop()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: run `make browser-deps` (apt-get install -y chromium)")
    expect.set_options(timeout=UI_TIMEOUT_MS)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 2400})
    context.set_default_timeout(UI_TIMEOUT_MS)
    try:
        yield context.new_page()
    finally:
        context.close()


def test_hook_meta_lists_the_thoughtspot_form(airflow_ui: AirflowApiServer) -> None:
    with urllib.request.urlopen(f"{airflow_ui.url}/ui/connections/hook_meta", timeout=60) as response:
        metas = json.load(response)
    (meta,) = [meta for meta in metas if meta["connection_type"] == "thoughtspot"]
    assert meta["hook_name"] == "ThoughtSpot"
    assert [(name, spec["schema"]["title"]) for name, spec in meta["extra_fields"].items()] == [
        (field.name, field.label) for field in EXTRA_FIELDS
    ]
    secret = {
        name for name, spec in meta["extra_fields"].items() if spec["schema"].get("format") == "password"
    }
    assert secret == {field.name for field in EXTRA_FIELDS if field.secret}
    assert meta["standard_fields"]["login"]["title"] == "Username"
    assert meta["standard_fields"]["url_schema"]["hidden"] is True


def open_add_form(page: Page, base_url: str) -> Locator:
    page.goto(f"{base_url}/connections")
    page.get_by_role("button", name="Add Connection").click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_role("combobox").fill("ThoughtSpot")
    page.get_by_role("option", name="ThoughtSpot", exact=True).click()
    return dialog


def fill_standard_fields(dialog: Locator, fake: FakeThoughtSpot) -> None:
    """Check the standard fields' labels and placeholders, then fill them."""
    expect(dialog.get_by_label("Host", exact=True)).to_have_attribute("placeholder", PLACEHOLDERS["host"])
    expect(dialog.get_by_label("Username", exact=True)).to_have_attribute(
        "placeholder", PLACEHOLDERS["login"]
    )
    expect(dialog.get_by_label("Password", exact=True)).to_have_attribute("type", "password")
    expect(dialog.get_by_label("Schema", exact=True)).to_have_count(0)
    dialog.get_by_label("Connection ID").fill(CONN_ID)
    dialog.get_by_label("Host", exact=True).fill("http://127.0.0.1")
    # Airflow 3.3.2's Test button sends an empty Port as 0, and the server then refuses the test: set it.
    dialog.get_by_label("Port", exact=True).fill(str(urlsplit(fake.url).port))
    dialog.get_by_label("Username", exact=True).fill(DEFAULT_USER)
    dialog.get_by_label("Password", exact=True).fill(DEFAULT_PASSWORD)


# A value for every extra of the field table, as a person would type or pick it.
EXTRA_VALUES = {
    "verify": "true",
    "timeout": "5",
    "retry_limit": "2",
    "retry_delay": "0",
    "retry_max_wait": "10",
    "api_version": "v1",
    "auth_type": "session",
    "secret_key": "Form-Secret-Key-5150",
    "org_identifier": "sales",
    "org_id": "0",
    "token_validity": "600",
    "token_renew_before": "30",
    "deadline": "240",
    "account_lock_seconds": "3600",
}
# Emptied again after the picture: the first three do not fit a v1 session login against the stand-in;
# Airflow masks the values of extras named like secrets ("token", "secret"), so an edit would save "***".
EMPTIED = ("verify", "org_identifier", "org_id", "secret_key", "token_validity", "token_renew_before")


def fill_extra_fields(page: Page, dialog: Locator) -> None:
    """Open the extra fields, check that every extra has its labelled field, and fill every one."""
    dialog.get_by_text("Extra Fields", exact=True).click()
    for field in EXTRA_FIELDS:
        expect(dialog.get_by_text(field.label, exact=True)).to_be_visible()
        expect(dialog.get_by_text(field.description, exact=True)).to_be_visible()
        if field.secret:
            expect(dialog.locator(f'input[name="element_{field.name}"]')).to_have_attribute(
                "type", "password"
            )
        if field.type == "boolean":
            dialog.locator(
                f'[id="switch:element_{field.name}"]'
            ).click()  # the switch; its checkbox is hidden
            expect(dialog.get_by_label(field.label, exact=True)).to_be_checked()
        elif field.choices:  # a react-select, like the connection type
            dialog.locator(f'[id="element_{field.name}"]').click()
            page.get_by_role("option", name=EXTRA_VALUES[field.name], exact=True).click()
        else:
            extra_input(dialog, field.name).fill(EXTRA_VALUES[field.name])
    assert {field.name for field in EXTRA_FIELDS} == {*EXTRA_VALUES, "remember_me"}  # none left out


def extra_input(dialog: Locator, name: str) -> Locator:
    """The text or number input of an extra (Airflow labels only some of them for assistive technology)."""
    return dialog.locator(f'input[name="element_{name}"], textarea[name="element_{name}"]')


def empty_fields(dialog: Locator, names: tuple[str, ...]) -> None:
    for name in names:
        extra_input(dialog, name).fill("")


def save_screenshot(page: Page, dialog: Locator, name: str) -> None:
    """Save the dialog as ``<THOUGHTSPOT_FORM_SCREENSHOTS>/<name>.png`` when that folder is set."""
    if folder := os.environ.get("THOUGHTSPOT_FORM_SCREENSHOTS"):
        page.mouse.move(0, 0)  # no hover highlight, no focus ring
        page.evaluate("document.activeElement?.blur()")
        dialog.screenshot(path=str(Path(folder) / f"{name}.png"), animations="disabled")


def test_add_test_and_break_a_connection_in_the_ui(
    airflow_ui: AirflowApiServer, page: Page, fake_thoughtspot: FakeThoughtSpot
) -> None:
    dialog = open_add_form(page, airflow_ui.url)
    fill_standard_fields(dialog, fake_thoughtspot)
    save_screenshot(page, dialog, "connection-form-standard")
    fill_extra_fields(page, dialog)
    save_screenshot(page, dialog, "connection-form-extras")
    empty_fields(dialog, EMPTIED)

    with page.expect_request(lambda r: r.method == "POST" and r.url.endswith("/api/v2/connections")) as saved:
        dialog.get_by_role("button", name="Save").click()
    extra = json.loads(json.loads(saved.value.post_data or "{}")["extra"])
    # JSON types from the form, null for the field left empty: the hook reads exactly this.
    assert extra["timeout"] == 5 and extra["retry_delay"] == 0 and extra["remember_me"] is True
    assert extra["verify"] is None
    assert all(extra[name] is None for name in EMPTIED)
    assert (extra["retry_limit"], extra["retry_max_wait"]) == (2, 10)
    assert (extra["api_version"], extra["auth_type"]) == ("v1", "session")
    expect(dialog).to_be_hidden()
    row = page.get_by_role("row").filter(has_text=CONN_ID)

    result = press_test(page, row)
    assert result == {"status": True, "message": "Connection successfully tested"}
    expect(page.get_by_role("status").filter(has_text="Test Connection Successful")).to_be_visible()
    assert (fake_thoughtspot.logins, fake_thoughtspot.logouts, fake_thoughtspot.active_sessions) == (1, 1, 0)
    login = next(r for r in fake_thoughtspot.requests if r.path == LOGIN_PATH)
    assert b"rememberme=true" in login.body

    row.get_by_role("button", name="Edit Connection").click()
    page.get_by_role("dialog").get_by_label("Password", exact=True).fill(WRONG_PASSWORD)
    page.get_by_role("dialog").get_by_role("button", name="Save").click()
    expect(page.get_by_role("dialog")).to_be_hidden()

    result = press_test(page, row)
    assert result["status"] is False
    reason = "refused the login of user 'tsadmin'"
    assert reason in result["message"] and "Fix the connection's Login or Password" in result["message"]
    toast = page.get_by_role("status").filter(has_text="Test Connection Failed")
    expect(toast).to_contain_text(reason)
    expect(toast).to_contain_text("Not retried")
    assert fake_thoughtspot.failed_logins == 1
    for secret in (WRONG_PASSWORD, DEFAULT_PASSWORD):
        assert secret not in page.content()
        assert secret not in result["message"]
        assert secret not in airflow_ui.log()


def press_test(page: Page, row: Locator) -> dict[str, Any]:
    """Press the row's Test button; return the API's answer the UI shows."""
    with page.expect_response(lambda r: r.url.endswith("/api/v2/connections/test")) as answer:
        row.get_by_role("button", name="Test Connection").click()
    assert answer.value.status == 200, answer.value.text()
    result: dict[str, Any] = answer.value.json()
    return result
