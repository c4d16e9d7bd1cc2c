"""Airflow 2.11's own connection page (its Flask web app, in process) offers and saves the ThoughtSpot form."""

from __future__ import annotations

import html
import json
import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from airflow_provider_tssession._compat import Connection
from airflow_provider_tssession.connection_fields import EXTRA_FIELDS
from airflow_provider_tssession.hooks.thoughtspot import ThoughtSpotHook
from airflow_provider_tssession.settings import ThoughtSpotSettings

# Airflow 3 has no Flask web app; its React UI is covered by the browser test.
www = pytest.importorskip("airflow.www.app", reason="Airflow 2's web app only (Airflow 3: the browser test)")


@pytest.fixture(scope="module")
def web(airflow_db: Path) -> Any:
    """A test client of the 2.11 web app, with anonymous users as Admin (a local set-up, no login page)."""
    (airflow_db / "webserver_config.py").write_text('AUTH_ROLE_PUBLIC = "Admin"\n')
    app = www.create_app(testing=True)
    app.config["WTF_CSRF_ENABLED"] = False
    return app.test_client()


def test_the_add_connection_page_offers_thoughtspot(web: Any) -> None:
    page = web.get("/connection/add").get_data(as_text=True)
    assert re.search(r'<option value="thoughtspot">\s*ThoughtSpot\s*</option>', page)


def test_the_form_has_a_labelled_field_for_every_extra(web: Any) -> None:
    page = web.get("/connection/add").get_data(as_text=True)
    for field in EXTRA_FIELDS:
        assert f'name="extra__thoughtspot__{field.name}"' in page
        assert re.search(
            rf'for="extra__thoughtspot__{field.name}"[^>]*>\s*{re.escape(field.label)}\s*<', page
        )
    behaviours = json.loads(
        html.unescape(re.search(r'id="field_behaviours"[^>]*>(.*?)</script>', page, re.S)[1])
    )
    assert "thoughtspot" in behaviours


class FormValues(HTMLParser):
    """What a browser would submit of the page's ThoughtSpot fields, as prefilled (ticked boxes as "y")."""

    def __init__(self) -> None:
        super().__init__()
        self.values: dict[str, str] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        field = dict(attrs)
        name = field.get("name") or ""
        if tag != "input" or not name.startswith("extra__thoughtspot__"):
            return
        if field.get("type") != "checkbox":
            self.values[name] = field.get("value") or ""
        elif "checked" in field:
            self.values[name] = "y"


def test_a_connection_saved_through_the_form_is_read_by_the_hook(web: Any) -> None:
    """Open the form, fill in the standard fields, change one extra, save: the hook reads it all."""
    prefilled = FormValues()
    prefilled.feed(web.get("/connection/add").get_data(as_text=True))
    assert prefilled.values["extra__thoughtspot__retry_limit"] == "3"  # the defaults are shown
    form = {
        **prefilled.values,
        "conn_id": "ts_from_form",
        "conn_type": "thoughtspot",
        "host": "my.thoughtspot.cloud",
        "login": "etl_user",
        "password": "Form-Pass-739",
        "extra__thoughtspot__timeout": "45",
    }
    answer = web.post("/connection/add", data=form, follow_redirects=True)
    assert answer.status_code == 200
    assert not re.findall(r'alert-danger">\s*([^<]+?)\s*<', answer.get_data(as_text=True))  # form errors
    conn = ThoughtSpotHook.get_connection("ts_from_form")
    settings = ThoughtSpotSettings.from_connection(conn)
    assert (settings.base_url, settings.login, settings.timeout) == (
        "https://my.thoughtspot.cloud",
        "etl_user",
        45.0,
    )
    assert settings.ignored_extras == ()  # every field the form saved is one the hook reads
    defaults = ThoughtSpotSettings.from_connection(
        Connection(
            conn_id="ts_from_form", conn_type="thoughtspot", host=conn.host, login=conn.login, password="x"
        )
    )
    for name in ("verify", "remember_me", "retry_limit", "retry_delay", "api_version", "auth_type"):
        assert getattr(settings, name) == getattr(defaults, name), name  # untouched fields: the defaults
