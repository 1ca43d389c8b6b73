"""Forms built from Dagster's own ConfigurableResource classes; Apply binds for notebook runs."""

from __future__ import annotations

from typing import Any

import dagster as dg
import pytest
from pydantic import Field

from workbench.app.api import active_definitions, edit_store
from workbench.app.engines import DagsterEngine
from workbench.core.fields import MISSING
from workbench.core.session import current_session

pytestmark = pytest.mark.dagster


class Inner(dg.ConfigurableResource):  # type: ignore[type-arg]
    host: str = "localhost"


class Conn(dg.ConfigurableResource):  # type: ignore[type-arg]
    username: str
    password: str = Field(default="", json_schema_extra={"dagster__is_secret": True})
    port: int = 5432
    inner: Inner


def _specs(resource: Any) -> dict[str, Any]:
    found = {}
    for spec in DagsterEngine().field_specs(resource):
        found[spec.path] = spec
        found.update({child.path: child for child in spec.children})
    return found


def test_specs_read_env_vars_secrets_and_nested_resources():
    resource = Conn(
        username=dg.EnvVar("CONN_USER"),
        password="typed",
        port=dg.EnvVar.int("CONN_PORT"),
        inner=Inner(host="db"),
    )
    specs = _specs(resource)

    assert (specs["username"].env_var, specs["username"].value) == ("CONN_USER", None)
    assert (specs["port"].env_var, specs["port"].kind) == ("CONN_PORT", "int")
    assert specs["password"].secret
    assert specs["password"].value is None  # a secret's value is never in a spec
    assert specs["inner"].kind == "resource"
    assert specs["inner.host"].value == "db"


def test_specs_of_a_configure_at_launch_partial_leave_the_rest_missing():
    specs = _specs(Inner.configure_at_launch())

    assert specs["host"].value is MISSING
    assert specs["host"].default == "localhost"


def test_a_resource_param_has_no_form_but_is_listed(dg_shell):
    dg_shell.run_cell(
        "plain_client = object()\n"
        "@dg.asset\n"
        "def uses_client(client: dg.ResourceParam[object]) -> int:\n"
        "    return 1\n"
        "extra = dg.Definitions(assets=[uses_client], resources={'client': plain_client})\n"
    )
    panel = dg_shell.run_line_magic("wb", "resources")

    assert sorted(panel.forms) == ["my_conn"]
    assert "client: a object object, no config to edit" in str(panel.widget.children)


def test_apply_binds_the_edited_resource_for_the_next_notebook_run(dg_shell):
    panel = dg_shell.run_line_magic("wb", "resources")
    form = panel.forms["my_conn"]
    form.fields["username"].value = "grace"
    form.fields["inner.host"].value = "warehouse"
    form.fields["port"].value = 6543
    applied = form.apply()

    result = dg_shell.run_line_magic("wb", "materialize raw")

    assert type(applied).__name__ == "MyConn"
    assert result.success
    assert result.output_for_node("raw") == "grace@warehouse:6543"
    assert type(result).__module__.startswith("dagster")


def test_an_env_var_chosen_in_the_form_is_read_when_dagster_runs(
    dg_shell, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setenv("CONN_USER", "from-env")
    form = dg_shell.run_line_magic("wb", "resources").forms["my_conn"]
    form.sources["username"].value = "env"
    form.env_fields["username"].value = "CONN_USER"
    applied = form.apply()

    result = dg_shell.run_line_magic("wb", "materialize raw")

    assert isinstance(applied.__dict__["username"], dg.EnvVar)
    assert result.output_for_node("raw") == "from-env@localhost:5432"


def test_an_invalid_edit_is_shown_and_keeps_the_last_valid_config(dg_shell):
    form = dg_shell.run_line_magic("wb", "resources").forms["my_conn"]
    form.fields["username"].value = ""

    assert form.apply() is None
    assert "username" in form.errors
    assert "my_conn" not in current_session().overrides


def test_saved_edits_come_back_after_a_restart(dg_shell):
    form = dg_shell.run_line_magic("wb", "resources").forms["my_conn"]
    form.fields["username"].value = "saved-user"
    form.apply()
    current_session().unbind()  # what a kernel restart forgets

    active_definitions(dg_shell.user_ns)
    rebound = current_session().overrides["my_conn"]

    assert edit_store().load("<default>")["my_conn"]["username"] == "saved-user"
    assert type(rebound).__name__ == "MyConn"
    assert rebound.username == "saved-user"
    assert rebound.inner.host == "localhost"


def test_a_partial_resource_gets_its_missing_config_from_the_form(dg_shell):
    dg_shell.run_cell(
        "class Later(dg.ConfigurableResource):\n"
        "    table: str\n"
        "@dg.asset\n"
        "def counted(later: Later) -> str:\n"
        "    return later.table\n"
        "later = Later.configure_at_launch()\n"
        "later_defs = dg.Definitions(assets=[counted], resources={'later': later})\n"
    )
    form = dg_shell.run_line_magic("wb", "resources").forms["later"]
    form.fields["table"].value = "orders"
    form.apply()

    result = dg_shell.run_line_magic("wb", "materialize counted")

    assert result.output_for_node("counted") == "orders"


ENV_CONN = """
class EnvConn(dg.ConfigurableResource):
    username: str
    port: int = 5432
    schema_name: str = "public"

@dg.asset
def address(env_conn: EnvConn) -> str:
    return f"{env_conn.username}:{env_conn.port}/{env_conn.schema_name}"

env_defs = dg.Definitions(
    assets=[address],
    resources={"env_conn": EnvConn(username=dg.EnvVar("CONN_USER"), port=dg.EnvVar.int("N"))},
)
"""


def test_env_vars_of_a_dagster_resource_are_saved_by_name_and_come_back(
    dg_shell, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setenv("CONN_USER", "from-env")
    monkeypatch.setenv("N", "7777")
    dg_shell.run_cell(ENV_CONN)
    form = dg_shell.run_line_magic("wb", "resources").forms["env_conn"]
    form.fields["schema_name"].value = "sales"
    form.apply()

    saved = edit_store().load("<default>")["env_conn"]
    current_session().unbind()  # what a kernel restart forgets
    active_definitions(dg_shell.user_ns)
    result = dg_shell.run_line_magic("wb", "materialize address")

    assert saved == {"username": {"env": "CONN_USER"}, "port": {"env": "N"}, "schema_name": "sales"}
    assert result.output_for_node("address") == "from-env:7777/sales"
