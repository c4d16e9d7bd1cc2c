"""The UI's connection form: Airflow 3.2+'s declarative form and the older hook form agree, and settings
read exactly the fields the form writes, in the shapes the UI, the CLI and URIs write them."""

from __future__ import annotations

import json
import sys
from typing import Any, ClassVar

import pytest
from airflow.api_fastapi.core_api.services.ui.connections import HookMetaService
from airflow.providers_manager import ConnectionFormWidgetInfo, ProvidersManager

from airflow_provider_tssession import connection_form
from airflow_provider_tssession import settings as settings_module
from airflow_provider_tssession._compat import Connection
from airflow_provider_tssession.connection_fields import EXTRA_FIELDS, ExtraField
from airflow_provider_tssession.hooks.thoughtspot import ThoughtSpotHook
from airflow_provider_tssession.settings import ThoughtSpotSettings

HOOK = "airflow_provider_tssession.hooks.thoughtspot.ThoughtSpotHook"


def declared_meta() -> Any:
    """What Airflow's UI API (`/ui/connections/hook_meta`) serves for the type, from the provider info."""
    return next(meta for meta in HookMetaService.hook_meta_data() if meta.connection_type == "thoughtspot")


def legacy_extra_fields() -> dict[str, Any]:
    """The hook's wtforms form, converted to the UI's JSON the way Airflow converts real wtforms fields."""
    widgets = ThoughtSpotHook.get_connection_form_widgets()
    infos = {
        f"extra__thoughtspot__{name}": ConnectionFormWidgetInfo(
            HOOK, "airflow-provider-thoughtspot", field, name, False
        )
        for name, field in widgets.items()
    }
    converted: dict[str, Any] = HookMetaService._convert_extra_fields(infos)["thoughtspot"]
    return converted


def test_airflow_serves_a_field_for_every_extra_with_its_label_type_and_default() -> None:
    fields = declared_meta().extra_fields
    assert list(fields) == [field.name for field in EXTRA_FIELDS]
    for field in EXTRA_FIELDS:
        schema = fields[field.name]["schema"]
        assert schema["title"] == field.label
        assert fields[field.name]["description"] == field.description
        assert schema["type"] == [field.type, "null"]
        assert (schema.get("format") == "password") == field.secret
        assert schema.get("enum") == (list(field.choices) if field.choices else None)
    assert fields["timeout"]["value"] == 30.0 and fields["retry_limit"]["value"] == 3
    # verify is left empty: an explicit true would override REQUESTS_CA_BUNDLE.
    assert fields["verify"]["value"] is None


def test_standard_fields_are_relabelled_hinted_and_schema_hidden() -> None:
    standard = declared_meta().standard_fields
    assert standard.login.title == "Username" and standard.password.title == "Password"
    assert "my.thoughtspot.cloud" in standard.host.placeholder
    assert standard.url_schema.hidden is True
    assert not standard.host.hidden and not standard.port.hidden


def assert_forms_agree(declared: dict[str, Any], legacy: dict[str, Any]) -> None:
    assert list(legacy) == list(declared) == [field.name for field in connection_form.EXTRA_FIELDS]
    for field in connection_form.EXTRA_FIELDS:
        new, old = declared[field.name], legacy[field.name]
        assert old["schema"]["title"] == new["schema"]["title"] == field.label
        assert old["description"] == new["description"] == field.description
        assert old["schema"].get("format") == new["schema"].get("format")
        assert old["schema"].get("enum") == new["schema"].get("enum")
        if field.type == "number":  # older UIs have no float field: typed as text, parsed by settings
            assert old["schema"]["type"] == ["string", "null"]
            assert (old["value"] and float(old["value"])) == new["value"]
        else:
            assert old["schema"]["type"] == new["schema"]["type"]
            assert old["value"] == new["value"]


def test_the_hook_form_for_older_airflow_matches_the_declarative_form() -> None:
    declared = declared_meta()
    assert_forms_agree(declared.extra_fields, legacy_extra_fields())
    behaviour = HookMetaService._make_standard_fields(ThoughtSpotHook.get_ui_field_behaviour())
    assert behaviour == declared.standard_fields


def test_both_forms_follow_any_field_added_to_extra_fields(monkeypatch: pytest.MonkeyPatch) -> None:
    added = (
        ExtraField("example_key", "Example key", "A made-up secret", "string", None, secret=True),
        ExtraField(
            "example_mode", "Example mode", "A made-up choice", "string", "fast", choices=("fast", "slow")
        ),
        ExtraField("example_count", "Example count", "A made-up integer", "integer", 3),
        ExtraField("example_ratio", "Example ratio", "A made-up number", "number", None),
        ExtraField("example_token_ttl", "Example TTL", "Airflow masks names with 'token'", "integer", 300),
    )
    monkeypatch.setattr(connection_form, "EXTRA_FIELDS", EXTRA_FIELDS + added)
    manager = ProvidersManager()
    declared = {
        name: manager._to_api_format(name, spec) for name, spec in connection_form.conn_fields().items()
    }
    assert declared["example_key"]["schema"]["format"] == "password"
    assert declared["example_mode"]["schema"]["enum"] == ["fast", "slow"]
    # Airflow would show a default under a "token" name as *** and a saved form would store that: start empty.
    assert declared["example_token_ttl"]["value"] is None
    assert declared["example_count"]["value"] == 3
    assert_forms_agree(declared, legacy_extra_fields())


def test_the_hook_form_is_empty_without_wtforms(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "wtforms", None)  # Airflow 3.2+ may ship without wtforms
    assert ThoughtSpotHook.get_connection_form_widgets() == {}


def read(extra: Any, **fields: Any) -> ThoughtSpotSettings:
    conn = Connection(
        conn_id="ts",
        conn_type="thoughtspot",
        host=fields.get("host", "my.thoughtspot.cloud"),
        login="etl",
        password="Pw-123456",
        extra=extra if isinstance(extra, str) else json.dumps(extra),
    )
    return ThoughtSpotSettings.from_connection(conn)


class _Recorder(dict[str, Any]):
    """An extras dict that remembers every name looked up in it."""

    looked_up: ClassVar[set[str]] = set()

    def get(self, key: str, default: Any = None) -> Any:
        self.looked_up.add(key)
        return super().get(key, default)

    def __getitem__(self, key: str) -> Any:
        self.looked_up.add(key)
        return super().__getitem__(key)

    def __contains__(self, key: object) -> bool:
        self.looked_up.add(str(key))
        return super().__contains__(key)


def test_settings_read_no_extra_the_form_lacks(monkeypatch: pytest.MonkeyPatch) -> None:
    original = settings_module._extras
    monkeypatch.setattr(_Recorder, "looked_up", set())
    monkeypatch.setattr(settings_module, "_extras", lambda conn: _Recorder(original(conn)))
    read({})
    assert _Recorder.looked_up, "settings no longer read extras through _extras"
    assert _Recorder.looked_up <= {field.name for field in EXTRA_FIELDS}


def test_every_form_field_is_read_not_ignored() -> None:
    # The values the form starts with, as it saves them: no field is reported as unknown.
    saved = {name: spec["value"] for name, spec in declared_meta().extra_fields.items()}
    assert read(saved).ignored_extras == ()


def test_what_the_ui_saves_and_what_the_cli_or_a_uri_gives_read_the_same() -> None:
    # As the UI stores it (seen in the browser test): JSON types, and null for a field left empty.
    ui = read({"verify": None, "timeout": 10, "remember_me": True, "retry_limit": 2, "retry_delay": 0})
    # As the CLI or a URI gives it: strings, and "" for an empty value.
    cli = read({"verify": "", "timeout": "10", "remember_me": "true", "retry_limit": "2", "retry_delay": "0"})
    uri = ThoughtSpotSettings.from_connection(
        Connection.from_uri(
            "thoughtspot://etl:Pw-123456@my.thoughtspot.cloud/?verify=&timeout=10&remember_me=true"
            "&retry_limit=2&retry_delay=0",
            conn_id="ts",
        )
    )
    assert ui == cli == uri
    assert (ui.verify, ui.verify_explicit, ui.timeout, ui.remember_me, ui.retry_limit, ui.retry_delay) == (
        True,
        False,
        10.0,
        True,
        2,
        0.0,
    )


@pytest.mark.parametrize("empty", [None, "", "  "])
def test_an_empty_field_means_its_default(empty: Any) -> None:
    assert read({field.name: empty for field in EXTRA_FIELDS}) == read({})
