"""The secrets canary over the Dagster path: a typed secret never reaches Dagster's storage."""

from __future__ import annotations

import contextlib
import sqlite3
import zlib
from typing import TYPE_CHECKING

import pytest

from workbench.app.engines.dagster import dagster_instance
from workbench.errors import ConfigError

if TYPE_CHECKING:
    from pathlib import Path

pytestmark = pytest.mark.dagster

CANARY = "canary-7f3a9c-secret"

CHECKS_PASSWORD = f"""
@dg.asset
def password_ok(my_conn: MyConn) -> bool:
    return my_conn.password == {CANARY!r}
"""


def _stored_texts(folder: Path) -> list[str]:
    """Every file under ``folder`` as text, SQLite rows (compressed blobs opened) included."""
    texts = []
    for path in folder.rglob("*"):
        if not path.is_file():
            continue
        texts.append(path.read_bytes().decode("latin-1"))
        if path.suffix != ".db":
            continue
        with sqlite3.connect(path) as connection:
            tables = connection.execute("select name from sqlite_master where type='table'")
            for (table,) in tables.fetchall():
                for row in connection.execute(f"select * from {table}"):
                    for value in row:
                        if isinstance(value, bytes):
                            with contextlib.suppress(zlib.error):
                                value = zlib.decompress(value)
                            value = value.decode("latin-1")
                        texts.append(str(value))
    return texts


def _type_the_secret(dg_shell) -> None:
    dg_shell.run_cell(CHECKS_PASSWORD)
    form = dg_shell.run_line_magic("wb", "resources").forms["my_conn"]
    form.fields["password"].value = CANARY
    assert form.apply() is not None


def test_a_typed_secret_reaches_the_run_but_not_dagsters_storage(dg_shell, home):
    _type_the_secret(dg_shell)

    result = dg_shell.run_line_magic("wb", "materialize password_ok")
    sensor = dg_shell.run_line_magic("wb", "sensor every_time --launch")

    assert result.output_for_node("password_ok") is True
    assert sensor.runs[0].success
    stored = _stored_texts(home / "dagster")
    assert stored  # the instance wrote its runs there
    assert not [text for text in stored if CANARY in text]


def test_the_job_snapshot_holds_an_env_var_name_not_the_secret(dg_shell):
    from dagster._serdes import serialize_value

    _type_the_secret(dg_shell)
    result = dg_shell.run_line_magic("wb", "materialize password_ok")
    instance = dagster_instance()
    run = instance.get_run_by_id(result.run_id)
    assert run is not None

    snapshot = serialize_value(instance.get_job_snapshot(run.job_snapshot_id))

    assert CANARY not in snapshot
    assert "WORKBENCH_SECRET_" in snapshot
    assert CANARY not in str(run.run_config)


def test_history_and_run_detail_never_show_the_secret(dg_shell, capsys):
    _type_the_secret(dg_shell)
    result = dg_shell.run_line_magic("wb", "materialize password_ok")

    frame = dg_shell.run_line_magic("wb", "runs")
    detail = dg_shell.run_line_magic("wb", f"runs {result.run_id}")
    shown = dg_shell.run_line_magic("wb", "resources")

    assert CANARY not in frame.to_string()
    assert CANARY not in detail.text()
    assert CANARY not in repr(shown._repr_mimebundle_())
    assert CANARY not in capsys.readouterr().out


NESTED = """
class Vault(dg.ConfigurableResource):
    token: str = Field(default="", json_schema_extra={"dagster__is_secret": True})


class Client(dg.ConfigurableResource):
    name: str = "client"
    vault: Vault


@dg.asset
def token_ok(client: Client) -> bool:
    return client.vault.token == CANARY


nested_defs = dg.Definitions(assets=[token_ok], resources={"client": Client(vault=Vault())})
"""


def test_a_secret_typed_into_a_nested_resource_stays_out_of_storage(dg_shell, home):
    dg_shell.user_ns["CANARY"] = CANARY
    assert dg_shell.run_cell(NESTED).success
    form = dg_shell.run_line_magic("wb", "resources").forms["client"]
    form.fields["vault.token"].value = CANARY
    assert form.apply() is not None

    result = dg_shell.run_line_magic("wb", "materialize token_ok")

    assert result.output_for_node("token_ok") is True
    assert not [text for text in _stored_texts(home / "dagster") if CANARY in text]


def test_a_missing_env_var_is_a_config_error_naming_it(dg_shell, capsys):
    form = dg_shell.run_line_magic("wb", "resources").forms["my_conn"]
    form.sources["username"].value = "env"
    form.env_fields["username"].value = "NOT_SET_ANYWHERE"
    form.apply()

    # %wb raises what cannot run, so the cell stops, showing only the message (#14)
    with pytest.raises(ConfigError) as raised:
        dg_shell.run_line_magic("wb", "materialize raw")
    error = str(raised.value)
    assert "DagsterInvalidConfigError" in error
    assert "NOT_SET_ANYWHERE" in error
    assert "Stack Trace" not in error
