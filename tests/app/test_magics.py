from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest
from IPython.core.interactiveshell import InteractiveShell

import workbench as wb
from workbench.core.session import current_session

if TYPE_CHECKING:
    from collections.abc import Iterator

CELL = """
import workbench as wb

class Conn(wb.ConfigurableResource):
    username: str

@wb.asset
def a(conn: Conn) -> str:
    return conn.username

@wb.asset
def b(a: str) -> int:
    return len(a)

defs = wb.Definitions(assets=[a, b], resources={"conn": Conn(username="ada")})
"""


@pytest.fixture
def shell() -> Iterator[InteractiveShell]:
    ip = InteractiveShell.instance()
    ip.user_ns.clear()
    ip.run_line_magic("load_ext", "workbench")
    result = ip.run_cell(CELL)
    assert result.success
    yield ip
    ip.run_line_magic("unload_ext", "workbench")
    ip.user_ns.clear()


def wb_magic(shell: InteractiveShell, line: str) -> Any:
    return shell.run_line_magic("wb", line)


def test_materialize_returns_the_result(shell):
    result = wb_magic(shell, "materialize")
    assert isinstance(result, wb.ExecuteInProcessResult)
    assert result.success
    assert result.asset_value("b") == 3


def test_materialize_selected_keys_only(shell):
    result = wb_magic(shell, "materialize a")
    assert [e.data["asset_key"] for e in result.get_asset_materialization_events()] == ["a"]


def test_stale_flag_skips_fresh_assets(shell):
    assert wb_magic(shell, "materialize").success
    again = wb_magic(shell, "materialize --stale")
    assert again.get_asset_materialization_events() == []
    shell.run_cell("@wb.asset(code_version='2')\ndef b(a: str) -> int:\n    return len(a) * 2")
    changed = wb_magic(shell, "materialize --stale")
    assert [e.data["asset_key"] for e in changed.get_asset_materialization_events()] == ["b"]
    assert changed.asset_value("b") == 6


def test_redefining_an_asset_in_a_later_cell_replaces_it(shell):
    shell.run_cell("@wb.asset\ndef a(conn: Conn) -> str:\n    return conn.username.upper()")
    result = wb_magic(shell, "materialize")
    assert result.asset_value("a") == "ADA"


def test_conflicting_resource_bindings_name_both_places(shell, capsys):
    shell.run_cell("more = wb.Definitions(resources={'conn': Conn(username='other')})")
    assert wb_magic(shell, "materialize") is None
    err = capsys.readouterr().err
    assert "'conn' is bound to different resources in 'defs' and 'more'" in err


def test_unknown_subcommand_and_option_get_usage_with_suggestion(shell, capsys):
    assert wb_magic(shell, "materialise") is None
    err = capsys.readouterr().err
    assert "Usage: %wb" in err
    assert "Did you mean 'materialize'?" in err
    assert wb_magic(shell, "materialize --stal") is None
    err = capsys.readouterr().err
    assert "No such option '--stal'. Did you mean '--stale'?" in err


def test_help_lists_every_subcommand(shell, capsys):
    wb_magic(shell, "help")
    out = capsys.readouterr().out
    for verb in [
        "resources",
        "materialize",
        "launch",
        "graph",
        "runs",
        "sensor",
        "schedule",
        "list",
        "check",
        "export",
        "scaffold",
    ]:
        assert verb in out


def test_form_apply_binds_and_saves_the_edit(shell):
    panel = wb_magic(shell, "resources")
    form = panel.forms["conn"]
    form.fields["username"].value = "grace"
    form.apply()
    assert current_session().overrides["conn"].username == "grace"
    assert wb_magic(shell, "materialize").asset_value("a") == "grace"
    saved = wb.app.api.edit_store().load("<default>")
    assert saved == {"conn": {"username": "grace"}}


def test_saved_edits_are_reapplied_after_a_restart(shell):
    panel = wb_magic(shell, "resources")
    panel.forms["conn"].fields["username"].value = "grace"
    panel.forms["conn"].apply()
    # a "restart": the session forgets its bindings, the namespace is rebuilt, the extension loads
    current_session().unbind()
    shell.run_line_magic("unload_ext", "workbench")
    shell.user_ns.clear()
    shell.run_line_magic("load_ext", "workbench")
    shell.run_cell(CELL)
    assert current_session().overrides["conn"].username == "grace"
    assert wb_magic(shell, "materialize").asset_value("a") == "grace"
    # a run the code starts itself gets exactly the resources it passes (#12)
    explicit = wb.materialize([shell.user_ns["a"]], resources=shell.user_ns["defs"].resources)
    assert explicit.asset_value("a") == "ada"


def test_resources_reset_clears_saved_edits(shell, capsys):
    panel = wb_magic(shell, "resources")
    panel.forms["conn"].fields["username"].value = "grace"
    panel.forms["conn"].apply()
    assert wb_magic(shell, "resources --saved") == {"conn": {"username": "grace"}}
    assert '"username": "grace"' in capsys.readouterr().out
    wb_magic(shell, "resources --reset")
    assert "cleared saved edits: conn" in capsys.readouterr().out
    assert wb.app.api.edit_store().load("<default>") == {}
    assert "conn" not in current_session().overrides
    assert wb_magic(shell, "materialize").asset_value("a") == "ada"


def test_load_ext_is_idempotent(shell):
    shell.run_line_magic("load_ext", "workbench")
    shell.run_line_magic("reload_ext", "workbench")
    hooks = [
        cb
        for cb in shell.events.callbacks["post_run_cell"]
        if getattr(cb, "__workbench_hook__", False)
    ]
    assert len(hooks) == 1
    assert wb_magic(shell, "materialize").success


def test_unload_removes_the_magic(shell):
    shell.run_line_magic("unload_ext", "workbench")
    assert "wb" not in shell.magics_manager.magics["line"]
    shell.run_line_magic("load_ext", "workbench")
    assert "wb" in shell.magics_manager.magics["line"]


def test_scaffold_resource_puts_a_cell_below(shell, monkeypatch):
    offered: list[str] = []
    monkeypatch.setattr(shell, "set_next_input", lambda text, replace=False: offered.append(text))
    text = wb_magic(shell, "scaffold resource warehouse")
    assert offered == [text]
    assert "class WarehouseResource(wb.ConfigurableResource):" in text
    assert shell.run_cell(text).success


def test_sensor_and_schedule_subcommands(shell, capsys):
    shell.run_cell("""
j = wb.define_asset_job("j", selection=[a])
@wb.sensor(job=j)
def s(context, conn: Conn):
    if context.cursor == conn.username:
        return wb.SkipReason("seen")
    return wb.SensorResult(run_requests=[wb.RunRequest(run_key=conn.username)],
                           cursor=conn.username)
@wb.schedule(cron_schedule="@daily", job=j)
def nightly(context):
    return wb.RunRequest()
""")
    tick = wb_magic(shell, "sensor s")
    assert tick.cursor == "ada"
    assert [r.run_key for r in tick.run_requests] == ["ada"]
    assert wb_magic(shell, "sensor s --cursor ada").skip_message == "seen"
    launched = wb_magic(shell, "schedule nightly --next 2 --launch")
    assert [run.success for run in launched.runs] == [True]
    assert len(launched.next_ticks) == 2
    assert "next ticks:" in launched._repr_mimebundle_()["text/plain"]


def test_check_and_list(shell, capsys):
    wb_magic(shell, "check")
    assert "All definitions loaded successfully." in capsys.readouterr().out
    listing = wb_magic(shell, "list")
    assert [item["key"] for item in listing["assets"]] == ["a", "b"]
