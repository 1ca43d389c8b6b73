"""Forms tell the truth: the config in force, the class's validators, EnvVars and Apply (#14)."""

from __future__ import annotations

import pytest
from pydantic import SecretStr, field_validator, model_validator

from workbench.core.config import EnvVar
from workbench.core.resource import ConfigurableResource
from workbench.core.session import current_session
from workbench.widgets import ResourceForm, ResourcesPanel
from workbench.widgets._form_origin import describe_age


class Service(ConfigurableResource):
    username: str
    tag: str = "nightly"
    attempts: int = 3
    safe: bool = True
    fail: bool = False
    token: SecretStr = SecretStr("")

    @field_validator("tag")
    @classmethod
    def tag_not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("tag must not be blank")
        return value

    @model_validator(mode="after")
    def safe_needs_retries(self) -> Service:
        if self.safe and self.attempts < 2:
            raise ValueError("safe mode needs attempts >= 2")
        return self


def value_of(form: ResourceForm, path: str) -> object:
    return form.fields[path].value


def with_env_user() -> Service:
    return Service(username=EnvVar("WB_TEST_USER"))


@pytest.fixture(autouse=True)
def _no_user(monkeypatch):
    monkeypatch.delenv("WB_TEST_USER", raising=False)


@pytest.mark.parametrize("make", [lambda: Service(username="ada"), with_env_user])
def test_field_validator_errors_show_before_apply(make):
    form = ResourceForm("svc", make())
    form.fields["tag"].value = "  "
    assert form.errors == {"tag": "value error, tag must not be blank, got '  '"}
    assert form.apply_button.disabled
    assert form.apply() is None
    assert "svc" not in current_session().overrides


@pytest.mark.parametrize("make", [lambda: Service(username="ada"), with_env_user])
def test_model_validator_errors_show_before_apply(make, monkeypatch):
    monkeypatch.setenv("WB_TEST_USER", "grace")
    form = ResourceForm("svc", make())
    form.fields["attempts"].value = 1
    assert form.errors == {"": "value error, safe mode needs attempts >= 2"}
    assert form.apply_button.disabled
    form.fields["safe"].value = False
    assert form.errors == {}
    assert not form.apply_button.disabled


def test_validators_run_while_an_environment_variable_is_unset():
    form = ResourceForm("svc", with_env_user())
    form.fields["attempts"].value = 1
    assert form.errors == {"": "value error, safe mode needs attempts >= 2"}


def test_assigning_a_value_to_an_envvar_field_switches_it_to_a_value():
    form = ResourceForm("svc", with_env_user())
    assert form.sources["username"].value == "env"
    form.fields["username"].value = "ada"
    assert form.sources["username"].value == "value"
    applied = form.apply()
    assert applied is not None
    assert applied.username == "ada"
    assert current_session().overrides["svc"].username == "ada"


def test_apply_with_an_unset_variable_says_the_run_will_fail():
    form = ResourceForm("svc", with_env_user())
    assert form.apply() is not None
    notes = form._notes.value
    assert notes.startswith(
        "<span class='wb-warning'>applied, but the next run fails unless WB_TEST_USER is set"
    )
    assert "username: WB_TEST_USER is not set" in notes
    assert "the next run uses this config" not in notes


def test_unapplied_edits_replace_the_applied_note():
    form = ResourceForm("svc", Service(username="ada"))
    form.fields["attempts"].value = 5
    form.apply()
    assert form._notes.value == "applied: the next run uses this config"
    assert not form.has_unapplied_changes
    form.fields["attempts"].value = 1  # invalid: Apply disabled, the note must not say applied
    assert form.apply_button.disabled
    assert "unapplied changes" in form._notes.value
    assert "applied: the next run" not in form._notes.value
    form.fields["attempts"].value = 5  # back to what is in force
    assert form._notes.value == ""


def test_an_empty_secret_is_not_shown_as_set():
    form = ResourceForm("svc", Service(username="ada"))
    assert form.fields["token"].placeholder == ""
    kept = ResourceForm("svc", Service(username="ada", token=SecretStr("s3cret")))
    assert kept.fields["token"].placeholder == "set; type to replace"


def test_panel_shows_the_config_in_force_and_marks_what_differs_from_the_code():
    code = Service(username="ada")
    current_session().bind("svc", code.model_copy(update={"fail": True}))
    panel = ResourcesPanel({"svc": code})
    form = panel.forms["svc"]
    assert value_of(form, "fail") is True
    assert form.differs == {"fail": "in force: an applied edit; the code has False"}
    assert "the code has False" in form._by_path["fail"].note.value
    assert "applied edits in force differ from the code in: fail." in form._origin.value
    form.revert()
    assert value_of(form, "fail") is False
    form.apply()
    assert form.differs == {}
    assert form._origin.value == ""


def test_apply_in_one_view_updates_every_other_view_of_the_resource():
    code = Service(username="ada")
    first = ResourcesPanel({"svc": code}).forms["svc"]
    second = ResourcesPanel({"svc": code}).forms["svc"]
    edited_elsewhere = ResourcesPanel({"svc": code}).forms["svc"]
    edited_elsewhere.fields["tag"].value = "mine"
    first.fields["attempts"].value = 7
    first.apply()
    assert second.fields["attempts"].value == 7
    assert second.applied.attempts == 7
    assert "applied in another view" in second._notes.value
    # edits not yet applied are kept, and the form says what happened
    assert edited_elsewhere.fields["tag"].value == "mine"
    assert edited_elsewhere.applied.attempts == 7
    assert "Reset shows that config" in edited_elsewhere._notes.value
    edited_elsewhere.reset()
    assert edited_elsewhere.fields["attempts"].value == 7


def test_a_field_that_differs_from_the_code_can_go_back_to_it_alone():
    code = Service(username="ada")
    current_session().bind("svc", code.model_copy(update={"fail": True, "attempts": 5}))
    form = ResourcesPanel({"svc": code}).forms["svc"]
    fail_row = form._by_path["fail"].widget
    buttons = [child for child in fail_row.children if "wb-revert-field" in child._dom_classes]
    assert [button.description for button in buttons] == ["use the code's value"]
    assert not any(
        "wb-revert-field" in child._dom_classes for child in form._by_path["tag"].widget.children
    )
    buttons[0].click()
    assert value_of(form, "fail") is False
    assert value_of(form, "attempts") == 5  # only that field went back
    assert form.has_unapplied_changes
    form.apply()
    assert current_session().overrides["svc"].fail is False
    assert set(form.differs) == {"attempts"}
    assert not any("wb-revert-field" in child._dom_classes for child in fail_row.children)
    with pytest.raises(KeyError, match="no field 'nope' to revert"):
        form.revert_field("nope")


@pytest.mark.parametrize(
    ("seconds", "said"),
    [
        (-30, "just now"),
        (0, "just now"),
        (59, "just now"),
        (60, "1 min ago"),
        (5 * 60 + 59, "5 min ago"),
        (3599, "59 min ago"),
        (3600, "1 h ago"),
        (2 * 3600 + 1800, "2 h ago"),
        (86_399, "23 h ago"),
        (86_400, "1 day ago"),
        (3 * 86_400 + 7200, "3 days ago"),
    ],
)
def test_an_age_is_said_in_words(seconds, said):
    assert describe_age(seconds) == said


def test_a_saved_edit_is_marked_with_its_age_which_grows_on_refresh():
    now = [1_000_000.0]
    code = Service(username="ada")
    current_session().bind("svc", code.model_copy(update={"fail": True}), saved_at=now[0] - 300)
    form = ResourcesPanel({"svc": code}, clock=lambda: now[0]).forms["svc"]
    assert form.differs == {"fail": "in force: a saved edit, 5 min ago; the code has False"}
    assert "differ from the code in: fail (saved 5 min ago)" in form._origin.value

    now[0] += 3 * 86_400
    form.refresh()
    assert form.differs == {"fail": "in force: a saved edit, 3 days ago; the code has False"}
    assert "3 days ago" in form._by_path["fail"].note.value


def test_an_edit_applied_without_saving_gets_no_age():
    code = Service(username="ada")
    form = ResourcesPanel({"svc": code}).forms["svc"]  # no on_apply: nothing is saved
    form.fields["fail"].value = True
    form.apply()
    assert current_session().saved_at("svc") is None
    assert form.differs == {"fail": "in force: an applied edit; the code has False"}
