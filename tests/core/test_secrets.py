from __future__ import annotations

import traceback
from typing import Annotated

import pytest
from pydantic import Field, SecretStr

import workbench as wb
from workbench.core.plain import redact
from workbench.core.secrets import Scrubber, collect_secrets, mark_secret_paths, scrubber_for
from workbench.core.session import current_session

Marked = Annotated[str, Field(json_schema_extra={"dagster__is_secret": True})]


class Inner(wb.Config):
    key: SecretStr = SecretStr("")
    note: str = "plain"


class Base(wb.ConfigurableResource):
    password: str = Field(default="", json_schema_extra={"dagster__is_secret": True})


class Everything(Base):
    tokens: list[SecretStr] = Field(default_factory=list)
    by_name: dict[str, SecretStr] = Field(default_factory=dict)
    inner: Inner = Inner()
    marked: Marked = ""
    api_key: str = ""
    host: str = "db.local"


def test_collects_every_kind_of_secret(monkeypatch):
    monkeypatch.setenv("API_KEY", "from-the-environment")
    resource = Everything(
        password="inherited-mark",
        tokens=[SecretStr("listed-one"), SecretStr("listed-two")],
        by_name={"a": SecretStr("mapped")},
        inner=Inner(key=SecretStr("nested-deep")),
        marked="annotated-mark",
        api_key=wb.EnvVar("API_KEY"),
    )
    assert collect_secrets({"db": resource}) == {
        "inherited-mark",
        "listed-one",
        "listed-two",
        "mapped",
        "nested-deep",
        "annotated-mark",
        "from-the-environment",
    }


def test_an_unset_envvar_and_plain_fields_are_not_secrets(monkeypatch):
    monkeypatch.delenv("API_KEY", raising=False)
    assert collect_secrets(Everything(api_key=wb.EnvVar("API_KEY"))) == set()


def test_op_config_secrets_are_collected():
    class Login(wb.Config):
        user: str
        password: SecretStr

    assert collect_secrets({"step": Login(user="ada", password="op-secret")}) == {"op-secret"}


@pytest.mark.parametrize(
    ("secret", "shown"),
    [
        ("Pa55\\word", "invalid literal for int() with base 10: 'Pa55\\\\word'"),
        ("line\nbreak", "got 'line\\nbreak' instead"),
        ("p@ss word/1", "postgres://u:p%40ss%20word%2F1@h/db"),
        ("p@ss word/1", "https://h/?pw=p%40ss+word%2F1"),
        ("a<b>&c", "<td>a&lt;b&gt;&amp;c</td>"),
        ('say "hi"', '{"pw": "say \\"hi\\""}'),
    ],
)
def test_scrubs_raw_escaped_and_encoded_forms(secret, shown):
    scrub = Scrubber([secret])
    assert "**********" in scrub(shown)
    assert scrub(shown).count("*") >= 10
    assert scrub(secret) == "**********"


def test_short_values_are_left_alone():
    scrub = Scrubber(["ab", ""])
    assert not scrub
    assert scrub("about abba") == "about abba"


def test_scrubs_nested_data():
    scrub = Scrubber(["hunter2"])
    data = {"dsn": "postgres://u:hunter2@h/db", "rows": [1, "hunter2"], "n": 3}
    assert scrub.data(data) == {
        "dsn": "postgres://u:**********@h/db",
        "rows": [1, "**********"],
        "n": 3,
    }


class Detailed(Exception):
    def __init__(self, detail: str) -> None:
        super().__init__()
        self.detail = detail

    def __str__(self) -> str:
        return f"refused: {self.detail}"


def test_scrubs_exceptions_their_attributes_and_their_chain():
    secret = "".join(["hun", "ter2"])  # kept out of the source lines a traceback quotes
    scrub = Scrubber([secret])
    try:
        try:
            try:
                raise FileNotFoundError(2, "No such file", f"/keys/{secret}")
            except OSError as first:
                raise Detailed(f"token {secret}") from first
        except Detailed as second:
            second.add_note(f"tried {secret}")
            raise RuntimeError(f"wrapped {secret!r}") from second
    except RuntimeError as caught:
        scrub.exception(caught)
        shown = "".join(traceback.format_exception(caught))
    assert secret not in shown
    assert "/keys/**********" in shown
    assert "refused: token **********" in shown
    assert "tried **********" in shown


def test_a_field_marked_secret_on_one_instance_is_collected_masked_and_scrubbed():
    resource = Everything(api_key="typed-value", inner=Inner(note="nested-typed"))
    mark_secret_paths(resource, ["api_key", "inner.note", "missing.field"])
    assert collect_secrets(resource) == {"typed-value", "nested-typed"}
    assert "typed-value" not in repr(resource)
    assert "nested-typed" not in str(resource)
    assert "typed-value" not in repr(resource.model_copy(update={"host": "other"}))
    assert redact(resource)["api_key"] == "**********"
    assert redact(resource)["inner"]["note"] == "**********"
    assert collect_secrets(Everything(api_key="typed-value")) == set()  # only that instance
    current_session().bind("db", resource)
    assert scrubber_for({}, current_session().overrides)("key typed-value") == "key **********"
    current_session().unbind("db")
    assert scrubber_for({}, current_session().overrides)("key typed-value") == "key typed-value"


def test_repr_and_str_mask_marked_secret_fields_at_every_depth():
    class Holder(wb.ConfigurableResource):
        conn: Everything
        label: str = "x"

    resource = Everything(password="hunter2-inherited", marked="hunter2-annotated")
    holder = Holder(conn=resource)
    for shown in (repr(resource), str(resource), f"{resource}", repr(holder), str(holder)):
        assert "hunter2" not in shown
    assert "password='**********'" in repr(resource)
    assert "marked='**********'" in str(resource)
    assert "host='db.local'" in repr(resource)
    assert resource.password == "hunter2-inherited"  # the value itself is untouched


class Incomparable:
    def __eq__(self, other: object) -> bool:
        raise TypeError("cannot compare")

    __hash__ = object.__hash__


def test_an_exception_holding_values_that_cannot_be_compared_is_scrubbed():
    odd = Incomparable()
    error = ValueError(odd, {"rows": [odd]}, "login hunter2 refused")
    Scrubber(["hunter2"]).exception(error)
    assert error.args[0] is odd
    assert error.args[2] == "login ********** refused"
