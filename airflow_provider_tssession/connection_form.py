"""The connection form in Airflow's UI, derived from `EXTRA_FIELDS` so the field list lives in one place.

Airflow 3.2+ reads the declarative form (`conn_fields()`, `ui_field_behaviour()`) from the provider info
without importing the hook; Airflow 2.x, 3.0 and 3.1 call the hook's `get_connection_form_widgets()` and
`get_ui_field_behaviour()`, which return `form_widgets()` and `field_behaviour()`.
"""

from __future__ import annotations

from typing import Any

from airflow_provider_tssession.connection_fields import EXTRA_FIELDS, ExtraField

HIDDEN_FIELDS = ["schema"]
"""The scheme goes in Host (``https://...``); `schema` is still read, for URIs and the CLI."""

RELABELING = {"login": "Username", "password": "Password"}
PLACEHOLDERS = {
    "host": "my.thoughtspot.cloud or https://my.thoughtspot.cloud",
    "port": "443 (or put it in Host)",
    "login": "ThoughtSpot username",
    "password": "ThoughtSpot password",
}

_PYTHON_TYPES = {"boolean": (bool,), "integer": (int,), "number": (int, float), "string": (str,)}


AIRFLOW_SENSITIVE_WORDS = ("token", "secret", "password", "passwd", "api_key", "apikey", "authorization")
"""Airflow shows `***` for any extra whose name holds one of these (its secrets masker's defaults)."""


def prefilled_default(field: ExtraField) -> Any:
    """Return the value the form starts with: the default if it has the field's type, else None (empty).

    `verify` (True, in a string field) starts empty, so REQUESTS_CA_BUNDLE still applies to UI-made
    connections; so do fields Airflow masks by name (`token_validity`): a saved form would store `***`.
    """
    if any(word in field.name.lower() for word in AIRFLOW_SENSITIVE_WORDS):
        return None
    default = field.default
    fits = isinstance(default, _PYTHON_TYPES[field.type]) and not (
        isinstance(default, bool) and field.type != "boolean"
    )
    return default if fits else None


def json_schema(field: ExtraField) -> dict[str, Any]:
    """Return the JSON schema of one extra; "null" is allowed because an empty field means the default."""
    schema: dict[str, Any] = {"type": [field.type, "null"]}
    default = prefilled_default(field)
    if default is not None:
        schema["default"] = default
    if field.choices:
        schema["enum"] = list(field.choices)
    if field.secret:
        schema["format"] = "password"
    return schema


def conn_fields() -> dict[str, dict[str, Any]]:
    """Return the ``conn-fields`` of the provider info (Airflow 3.2+)."""
    return {
        field.name: {"label": field.label, "description": field.description, "schema": json_schema(field)}
        for field in EXTRA_FIELDS
    }


def ui_field_behaviour() -> dict[str, Any]:
    """Return the ``ui-field-behaviour`` of the provider info (Airflow 3.2+)."""
    return {
        "hidden-fields": list(HIDDEN_FIELDS),
        "relabeling": dict(RELABELING),
        "placeholders": dict(PLACEHOLDERS),
    }


def field_behaviour() -> dict[str, Any]:
    """Return the same behaviour in the shape of `BaseHook.get_ui_field_behaviour()` (Airflow < 3.2)."""
    return {key.replace("-", "_"): value for key, value in ui_field_behaviour().items()}


def form_widgets() -> dict[str, Any]:
    """Return the wtforms fields of `BaseHook.get_connection_form_widgets()` (Airflow < 3.2).

    Without wtforms there is no form to build (Airflow 3.0/3.1 without FAB stand in mocks for its widgets).
    """
    try:
        from wtforms import BooleanField, IntegerField, PasswordField, StringField
        from wtforms.validators import Optional, any_of
    except ImportError:
        return {}
    try:
        from flask_babel import lazy_gettext
    except ImportError:
        lazy_gettext = str
    try:
        from flask_appbuilder.fieldwidgets import BS3PasswordFieldWidget, BS3TextFieldWidget
    except ImportError:
        text_widget: dict[str, Any] = {}
        password_widget: dict[str, Any] = {}
    else:
        text_widget = {"widget": BS3TextFieldWidget()}
        password_widget = {"widget": BS3PasswordFieldWidget()}

    widgets: dict[str, Any] = {}
    for field in EXTRA_FIELDS:
        default = prefilled_default(field)
        common: dict[str, Any] = {"description": lazy_gettext(field.description), "default": default}
        label = lazy_gettext(field.label)
        if field.type == "boolean":
            widgets[field.name] = BooleanField(label, **common)
        elif field.type == "integer":
            widgets[field.name] = IntegerField(label, validators=[Optional()], **common, **text_widget)
        elif field.secret:
            widgets[field.name] = PasswordField(label, validators=[Optional()], **common, **password_widget)
        else:
            # Older UIs allow no float field: a number is typed as text, and settings parse the string.
            if field.type == "number" and default is not None:
                common["default"] = f"{default:g}"
            validators = [Optional(), *([any_of(list(field.choices))] if field.choices else [])]
            widgets[field.name] = StringField(label, validators=validators, **common, **text_widget)
    return widgets
