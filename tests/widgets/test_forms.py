from __future__ import annotations

import datetime
import enum
from typing import Any, Literal

import ipywidgets as widgets
import pytest
from pydantic import Field, SecretStr, model_validator

from workbench.core.config import Config, EnvVar
from workbench.core.resource import ConfigurableResource
from workbench.core.session import current_session
from workbench.widgets import ResourceForm, ResourcesPanel
from workbench.widgets._controls import DictEditor, ListEditor
from workbench.widgets._editors import FieldEditor

SECRET = "hunter2-very-secret"


class Color(enum.Enum):
    RED = "r"
    GREEN = "g"


class S3(Config):
    kind: Literal["s3"] = "s3"
    bucket: str


class Local(Config):
    kind: Literal["local"] = "local"
    root: str = "/tmp/data"


class Credentials(Config):
    user: str = "admin"
    password: SecretStr


class Inner(ConfigurableResource):
    host: str = "localhost"


class Everything(ConfigurableResource):
    name: str = Field(description="the service name", pattern="^[a-z]+$")
    port: int = Field(5432, ge=1, le=65535)
    ratio: float = 0.5
    enabled: bool = True
    color: Color = Color.RED
    mode: Literal["fast", "slow"] = "fast"
    day: datetime.date = datetime.date(2024, 1, 2)
    at: datetime.datetime = datetime.datetime(2024, 1, 2, 3, 4)
    nickname: str | None = None
    tags: list[str] = Field(default_factory=lambda: ["a"])
    weights: dict[str, int] = Field(default_factory=dict)
    credentials: Credentials
    storage: S3 | Local = Field(default_factory=Local, discriminator="kind")
    inner: Inner = Field(default_factory=Inner)
    extra: Any = None


def everything(**overrides: Any) -> Everything:
    values: dict[str, Any] = {"name": "svc", "credentials": Credentials(password=SECRET)}
    return Everything(**{**values, **overrides})


def walk(widget: Any):
    yield widget
    for child in getattr(widget, "children", ()):
        yield from walk(child)


def texts_of(widget: Any) -> list[str]:
    found = []
    for item in walk(widget):
        for trait in ("value", "description", "tooltip", "placeholder", "titles", "options"):
            if item.has_trait(trait):
                found.append(repr(getattr(item, trait)))
        found.append(repr(item))
    return found


def assert_no_secret(form: ResourceForm, secret: str = SECRET) -> None:
    for text in texts_of(form.widget):
        assert secret not in text
    assert secret not in form._repr_mimebundle_()["text/plain"]
    assert secret not in repr(form.errors)


def test_a_control_for_every_kind():
    form = ResourceForm("svc", everything())
    fields = form.fields
    assert isinstance(fields["name"], widgets.Text)
    assert isinstance(fields["port"], widgets.IntText)
    assert isinstance(fields["ratio"], widgets.FloatText)
    assert isinstance(fields["enabled"], widgets.Checkbox)
    assert isinstance(fields["color"], widgets.Dropdown)
    assert [label for label, _ in fields["color"].options] == ["RED", "GREEN"]
    assert [label for label, _ in fields["mode"].options] == ["fast", "slow"]
    assert isinstance(fields["day"], widgets.DatePicker)
    assert isinstance(fields["at"], widgets.NaiveDatetimePicker)
    assert "nickname" in form.unset_switches
    assert isinstance(fields["tags"], ListEditor)
    assert isinstance(fields["weights"], DictEditor)
    assert isinstance(form.sections["credentials"], widgets.Accordion)
    assert isinstance(form.sections["inner"], widgets.Accordion)
    assert isinstance(fields["credentials.password"], widgets.Password)
    assert fields["storage"].options == ("s3", "local")
    assert isinstance(fields["extra"], widgets.Textarea)
    assert form.errors == {}
    assert form.value == everything()
    assert form.apply_button.disabled is False


def test_every_kind_is_edited_and_applied():
    applied = []
    form = ResourceForm("svc", everything(), on_apply=lambda *args: applied.append(args))
    fields = form.fields
    fields["name"].value = "other"
    fields["port"].value = 6000
    fields["ratio"].value = 0.25
    fields["enabled"].value = False
    fields["color"].value = "GREEN"
    fields["mode"].value = "slow"
    fields["day"].value = datetime.date(2025, 2, 3)
    fields["at"].value = datetime.datetime(2025, 2, 3, 4, 5)
    fields["nickname"].value = "nick"
    fields["tags"].value = ["x", "y"]
    fields["weights"].value = {"k": 2}
    fields["credentials.user"].value = "ada"
    fields["inner.host"].value = "db.internal"
    fields["extra"].value = '{"n": [1, 2]}'
    assert form.errors == {}
    new = form.apply()
    assert new is current_session().overrides["svc"]
    assert (new.name, new.port, new.ratio, new.enabled) == ("other", 6000, 0.25, False)
    assert (new.color, new.mode, new.nickname) == (Color.GREEN, "slow", "nick")
    assert new.day == datetime.date(2025, 2, 3)
    assert new.at == datetime.datetime(2025, 2, 3, 4, 5)
    assert (new.tags, new.weights, new.extra) == (["x", "y"], {"k": 2}, {"n": [1, 2]})
    assert new.credentials.user == "ada"
    assert new.credentials.password.get_secret_value() == SECRET
    assert new.inner == Inner(host="db.internal")
    key, resource, literal = applied[0]
    assert (key, resource) == ("svc", new)
    assert literal["color"] == "GREEN"
    assert literal["day"] == "2025-02-03"
    assert literal["credentials"] == {"user": "ada"}
    assert SECRET not in repr(literal)


def test_errors_appear_beside_the_field_and_disable_apply():
    form = ResourceForm("svc", everything())
    form.fields["port"].value = 0
    assert form.errors == {"port": "input should be greater than or equal to 1, got 0"}
    assert form.value is None
    assert form.apply_button.disabled is True
    assert "greater than or equal" in form._by_path["port"].note.value
    form.fields["name"].value = "BAD NAME"
    assert set(form.errors) == {"port", "name"}
    form.fields["port"].value = 80
    form.fields["name"].value = "good"
    assert form.errors == {}
    assert form.apply_button.disabled is False


def test_list_and_dict_editors_add_and_remove_rows():
    form = ResourceForm("svc", everything())
    tags = form.fields["tags"]
    tags.add_button.click()
    assert tags.value == ["a", ""]
    tags.children[1].children[0].value = "b"
    assert tags.value == ["a", "b"]
    tags.children[0].children[1].click()
    assert tags.value == ["b"]
    weights = form.fields["weights"]
    weights.add_button.click()
    key, value, _remove = weights.children[0].children
    key.value = "w"
    value.value = 7
    assert weights.value == {"w": 7}
    assert form.value.tags == ["b"]
    assert form.value.weights == {"w": 7}
    weights.children[0].children[2].click()
    assert form.value.weights == {}


def test_list_item_errors_are_placed_on_the_list():
    class Numbers(ConfigurableResource):
        values: list[int] = Field(default_factory=list, max_length=2)

    form = ResourceForm("numbers", Numbers())
    form.fields["values"].value = [1, 2, 3]
    assert list(form.errors) == ["values"]


def test_optional_unset_switch():
    form = ResourceForm("svc", everything(nickname="nick"))
    switch = form.unset_switches["nickname"]
    assert switch.value is False
    switch.value = True
    assert form.fields["nickname"].disabled is True
    assert form.value.nickname is None
    form.fields["nickname"].value = "again"
    assert switch.value is False
    assert form.value.nickname == "again"


def test_union_variant_chooser_shows_the_chosen_sub_form():
    form = ResourceForm("svc", everything())
    assert "storage.root" in form.fields
    form.fields["storage"].value = "s3"
    assert "storage.root" not in form.fields
    assert form.errors == {"storage.bucket": "required; give it a value"}
    form.fields["storage.bucket"].value = "bucket-1"
    assert form.value.storage == S3(bucket="bucket-1")
    form.fields["storage"].value = "local"
    assert form.value.storage == Local()


def test_model_validator_errors_go_to_the_top():
    class Range(ConfigurableResource):
        low: int = 0
        high: int = 10

        @model_validator(mode="after")
        def ordered(self) -> Range:
            if self.low > self.high:
                raise ValueError("low must not exceed high")
            return self

    form = ResourceForm("range", Range())
    form.fields["low"].value = 11
    assert form.errors == {"": "value error, low must not exceed high"}
    assert "low must not exceed high" in form._top_error.value
    assert form.apply_button.disabled is True


def test_envvar_switch_and_badge(monkeypatch):
    monkeypatch.delenv("SVC_NAME", raising=False)
    form = ResourceForm("svc", everything())
    form.sources["name"].value = "env"
    assert form.errors == {"name": "give the environment variable's name"}
    form.env_fields["name"].value = "SVC_NAME"
    editor = form._by_path["name"]
    assert isinstance(editor, FieldEditor)
    badge = editor.badge
    assert "is not set" in badge.value
    assert form.errors == {}
    monkeypatch.setenv("SVC_NAME", "fromenv")
    form.refresh()
    assert "SVC_NAME is set" in badge.value
    assert "fromenv" not in badge.value
    new = form.apply()
    assert type(new.__dict__["name"]) is EnvVar
    assert new.__dict__["name"].env_var_name == "SVC_NAME"
    assert new.name == "fromenv"


def test_int_field_from_env_is_an_int_envvar(monkeypatch):
    monkeypatch.setenv("SVC_PORT", "7000")
    form = ResourceForm("svc", everything())
    form.sources["port"].value = "env"
    form.env_fields["port"].value = "SVC_PORT"
    assert form.apply().port == 7000


def test_form_of_a_resource_with_envvars_shows_the_variable_names():
    form = ResourceForm("svc", everything(credentials={"password": EnvVar("PW")}))
    assert form.sources["credentials.password"].value == "env"
    assert form.env_fields["credentials.password"].value == "PW"
    assert form.fields["credentials.password"].value == ""


def test_a_secret_is_never_shown(monkeypatch):
    form = ResourceForm("svc", everything())
    assert form.fields["credentials.password"].value == ""
    assert form.fields["credentials.password"].placeholder == "set; type to replace"
    assert_no_secret(form)
    form.fields["credentials.password"].value = "ab"
    form.fields["port"].value = 0
    assert_no_secret(form)


def test_a_secret_in_an_error_message_is_redacted():
    class Short(ConfigurableResource):
        token: str = Field(max_length=4, json_schema_extra={"dagster__is_secret": True})

    form = ResourceForm("short", Short(token="abcd"))
    assert isinstance(form.fields["token"], widgets.Password)
    form.fields["token"].value = "tooLongSecret"
    assert "token" in form.errors
    assert "tooLongSecret" not in form.errors["token"]


def test_a_typed_secret_is_bound_but_not_saved():
    saved = []
    form = ResourceForm("svc", everything(), on_apply=lambda *args: saved.append(args[2]))
    form.fields["credentials.password"].value = "typed-secret-value"
    new = form.apply()
    assert new.credentials.password.get_secret_value() == "typed-secret-value"
    assert saved == [{**saved[0], "credentials": {"user": "admin"}}]
    assert "typed-secret-value" not in repr(saved)
    assert form.warnings
    assert "SVC_CREDENTIALS_PASSWORD" in form.warnings[0]
    assert_no_secret(form, "typed-secret-value")


def test_reset_and_revert():
    form = ResourceForm("svc", everything())
    form.fields["port"].value = 6000
    form.apply()
    form.fields["port"].value = 7000
    form.reset()
    assert form.fields["port"].value == 6000
    form.fields["storage"].value = "s3"
    form.revert()
    assert form.fields["port"].value == 5432
    assert form.fields["storage"].value == "local"
    assert form.value == everything()


def test_revert_goes_to_the_code_resource():
    form = ResourceForm("svc", everything(port=1), code_resource=everything(port=2))
    form.revert()
    assert form.fields["port"].value == 2


def test_buttons_click():
    form = ResourceForm("svc", everything())
    form.fields["ratio"].value = 0.75
    form.apply_button.click()
    assert current_session().overrides["svc"].ratio == 0.75
    form.fields["ratio"].value = 0.1
    form.reset_button.click()
    assert form.fields["ratio"].value == 0.75
    form.revert_button.click()
    assert form.fields["ratio"].value == 0.5


def test_junk_never_raises_and_the_last_valid_config_stays():
    form = ResourceForm("svc", everything())
    form.apply()
    bound = current_session().overrides["svc"]
    form.fields["extra"].value = "{not json"
    form.fields["name"].value = "Not Valid!"
    form.fields["tags"].value = [None, 3]
    form.fields["day"].value = None
    assert {"extra", "name", "tags", "day"} <= set(form.errors)
    assert form.apply() is None
    form.apply_button.click()
    assert current_session().overrides["svc"] is bound


def test_a_raising_on_apply_and_validator_are_shown_not_raised():
    class Fragile(ConfigurableResource):
        value: int = 0

        @model_validator(mode="after")
        def explode(self) -> Fragile:
            if self.value == 13:
                raise RuntimeError("unlucky")
            return self

    def broken(*args: Any) -> None:
        raise OSError("disk full")

    form = ResourceForm("fragile", Fragile(), on_apply=broken)
    form.fields["value"].value = 13
    assert "unlucky" in form.errors[""]
    form.fields["value"].value = 1
    assert form.apply() == Fragile(value=1)
    assert "disk full" in form._notes.value


def test_partial_resource_gets_a_form_and_apply_builds_it():
    form = ResourceForm("inner", Inner.configure_at_launch())
    assert form.fields["host"].value == "localhost"
    form.fields["host"].value = "h"
    assert form.apply() == Inner(host="h")
    partial = ResourceForm("svc", Everything.configure_at_launch(name="abc"))
    assert "credentials.password" in partial.errors


def test_repr_mimebundle_has_text_plain():
    form = ResourceForm("svc", everything())
    bundle = form._repr_mimebundle_()
    assert bundle["text/plain"] == "ResourceForm('svc', Everything): valid"
    form.fields["port"].value = 0
    assert "port: input should be" in form._repr_mimebundle_()["text/plain"]


def test_required_fields_are_marked_and_help_is_shown():
    form = ResourceForm("svc", everything())
    name = form._by_path["name"]
    assert isinstance(name, FieldEditor)
    assert "*" in name.label.value
    assert "the service name" in name.note.value
    assert "default: <code>5432</code>" in form._by_path["port"].note.value


def test_panel_shows_forms_and_usage():
    panel = ResourcesPanel(
        {"svc": everything(), "client": object()},
        usage={"svc": ["orders", "daily_job"], "client": ["orders"]},
    )
    assert list(panel.forms) == ["svc"]
    assert panel.forms["svc"].used_by == ("orders", "daily_job")
    text = " ".join(texts_of(panel.widget))
    assert "orders, daily_job" in text
    assert "no config to edit" in text
    assert "text/plain" in panel._repr_mimebundle_()


def test_a_non_resource_is_refused():
    with pytest.raises(TypeError, match="has no config to edit"):
        ResourceForm("x", object())


@pytest.mark.parametrize("bad", ["", "   "])
def test_empty_env_names_are_errors(bad):
    form = ResourceForm("inner", Inner())
    form.sources["host"].value = "env"
    form.env_fields["host"].value = bad
    assert form.errors == {"host": "give the environment variable's name"}
    assert form.value is None
