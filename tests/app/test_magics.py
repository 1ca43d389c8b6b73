from __future__ import annotations

import html
import time
from typing import TYPE_CHECKING, Any

import pytest
from IPython.core.error import UsageError
from IPython.core.interactiveshell import InteractiveShell

import workbench as wb
from workbench.core.session import current_session
from workbench.errors import DefinitionError

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
    with pytest.raises(DefinitionError, match="'conn' is bound to different resources in 'defs'"):
        wb_magic(shell, "materialize")
    # in a cell, only the message is shown (no traceback of the magic's insides) and the cell fails
    outcome = shell.run_cell("result = %wb materialize")
    assert not outcome.success
    shown = capsys.readouterr()
    text = shown.out + shown.err
    assert "DefinitionError: resource key 'conn' is bound to different resources" in text
    assert "Traceback" not in text
    assert "result" not in shell.user_ns


def test_unknown_subcommand_and_option_get_usage_with_suggestion(shell):
    with pytest.raises(UsageError) as raised:
        wb_magic(shell, "materialise")
    assert "Usage: %wb" in str(raised.value)
    assert "Did you mean 'materialize'?" in str(raised.value)
    with pytest.raises(UsageError, match=r"No such option '--stal'\. Did you mean '--stale'\?"):
        wb_magic(shell, "materialize --stal")


@pytest.mark.parametrize(
    "line",
    [
        "materialize  # returns the ExecuteInProcessResult",
        "materialize a b # two assets",
        "runs  # run history",
        "graph  # fresh / stale",
        "list # everything",
    ],
)
def test_a_trailing_comment_is_ignored_as_in_a_shell(shell, line):
    value = wb_magic(shell, line)
    assert value is not None
    if "materialize" in line:
        assert value.success
        assert value.asset_value("a") == "ada"


def test_export_with_a_trailing_comment_writes_the_module(shell, tmp_path, monkeypatch):
    notebook = tmp_path / "analysis.ipynb"
    nbformat = pytest.importorskip("nbformat")
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(CELL)]
    nbformat.write(nb, notebook)
    monkeypatch.setenv("WORKBENCH_NOTEBOOK", str(notebook))
    out = tmp_path / "analysis_defs.py"
    source = wb_magic(shell, f"export {out}  # the notebook as a definitions module")
    assert out.read_text() == source
    # shown once, readably: what happened, not the module as an escaped string
    shown = shell.display_formatter.format(source)[0]["text/plain"]
    assert shown == f"exported {notebook} to {out} ({len(source.splitlines())} lines)"


def test_help_is_shown_once_as_text(shell, capsys):
    text = wb_magic(shell, "help")
    assert capsys.readouterr().out == ""
    shown = shell.display_formatter.format(text)[0]["text/plain"]
    assert shown.startswith("Usage: %wb [OPTIONS] COMMAND [ARGS]...")
    assert "\\n" not in shown
    assert "\n  materialize " in shown


def test_list_is_shown_once_as_text_and_returns_the_listing(shell, capsys):
    listing = wb_magic(shell, "list")
    assert capsys.readouterr().out == ""
    assert [item["key"] for item in listing["assets"]] == ["a", "b"]
    shown = shell.display_formatter.format(listing)[0]["text/plain"]
    assert shown.splitlines()[:3] == [
        "Assets",
        "  a  (group default; deps: -)",
        "  b  (group default; deps: a)",
    ]


def test_asset_specs_in_the_notebook_do_not_break_the_verbs(shell):
    shell.run_cell(
        "spec = wb.AssetSpec('external', metadata={'owner': 'ada'})\n"
        "more = wb.Definitions(assets=[wb.AssetSpec('other', metadata={'a': 1})])"
    )
    listing = wb_magic(shell, "list")
    assert {item["key"] for item in listing["assets"]} >= {"a", "b"}
    assert wb_magic(shell, "materialize").success
    assert "external" in wb_magic(shell, "graph").statuses


def test_a_failed_materialize_returns_the_result_and_shows_the_error(shell, capsys):
    shell.run_cell("@wb.asset\ndef b(a: str) -> int:\n    raise ValueError(f'cannot count {a}')\n")
    shown: list[dict[str, str]] = []
    shell.display_pub.publish = lambda data, **kwargs: shown.append(data)
    result = wb_magic(shell, "materialize")
    assert result is not None
    assert not result.success
    texts = [data["text/plain"] for data in shown]
    assert texts[0] == "run started"
    assert "step 'b' failed: ValueError: cannot count ada" in texts[-1]
    assert texts[-1].startswith(f"run {result.run_id} failed")


def test_a_materialize_that_cannot_start_draws_no_progress_line(shell):
    shown: list[dict[str, str]] = []
    shell.display_pub.publish = lambda data, **kwargs: shown.append(data)
    with pytest.raises(DefinitionError, match="'nope'"):
        wb_magic(shell, "materialize nope")
    assert shown == []


def test_help_lists_every_subcommand(shell):
    out = wb_magic(shell, "help")
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


def test_graph_after_runs_with_form_edits_and_a_config_file_compares_the_base_config(
    shell, tmp_path
):
    panel = wb_magic(shell, "resources")
    panel.forms["conn"].fields["username"].value = "grace"
    panel.forms["conn"].apply()
    assert wb_magic(shell, "materialize").asset_value("a") == "grace"
    assert wb_magic(shell, "graph").text().splitlines() == ["a: fresh", "b: fresh <- a"]

    # a one-off launch config leaves the graph comparing with the applied edit
    config = tmp_path / "run.yaml"
    config.write_text("resources:\n  conn:\n    config:\n      username: once\n")
    assert wb_magic(shell, f"materialize --config {config}").asset_value("a") == "once"
    assert wb_magic(shell, "graph").text().splitlines() == ["a: fresh", "b: fresh <- a"]

    # dropping the edit puts the code's config back in force: a change since the last run
    wb_magic(shell, "resources --reset conn")
    assert wb_magic(shell, "graph").text().splitlines() == [
        "a: stale (config changed)",
        "b: stale (upstream changed) <- a",
    ]


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
    # the form shows the config in force, marked as a saved edit, not the code's "ada"
    form = wb_magic(shell, "resources").forms["conn"]
    assert form.fields["username"].value == "grace"
    assert form.differs == {"username": "in force: a saved edit, just now; the code has 'ada'"}
    assert wb_magic(shell, "materialize").asset_value("a") == "grace"
    # a run the code starts itself gets exactly the resources it passes (#12)
    explicit = wb.materialize([shell.user_ns["a"]], resources=shell.user_ns["defs"].resources)
    assert explicit.asset_value("a") == "ada"


def test_the_form_and_its_text_say_how_old_a_saved_edit_is(shell):
    from workbench.storage.edits import EditStore
    from workbench.storage.home import workbench_home

    two_hours_ago = time.time() - 2 * 3600 - 30
    EditStore(workbench_home(), clock=lambda: two_hours_ago).save(
        "<default>", "conn", {"username": "grace"}
    )
    # a restart: the extension binds the saved edit with the time it was saved
    current_session().unbind()
    shell.run_line_magic("reload_ext", "workbench")
    shell.run_cell(CELL)
    assert current_session().saved_at("conn") == two_hours_ago

    panel = wb_magic(shell, "resources")
    form = panel.forms["conn"]
    marked = "in force: a saved edit, 2 h ago; the code has 'ada'"
    assert form.differs == {"username": marked}
    assert html.escape(marked) in form._by_path["username"].note.value
    assert "differ from the code in: username (saved 2 h ago)" in form._origin.value
    text = shell.display_formatter.format(panel)[0]["text/plain"]
    assert text.splitlines() == ["ResourceForm('conn', Conn): valid", f"  username: {marked}"]

    # applying again saves it again: the age starts over
    form.fields["username"].value = "hopper"
    form.apply()
    assert form.differs == {"username": "in force: a saved edit, just now; the code has 'ada'"}
    assert wb.app.api.edit_store().saved_at("<default>")["conn"] > two_hours_ago


def test_resources_reset_clears_saved_edits(shell, capsys):
    panel = wb_magic(shell, "resources")
    panel.forms["conn"].fields["username"].value = "grace"
    panel.forms["conn"].apply()
    saved = wb_magic(shell, "resources --saved")
    assert saved == {"conn": {"username": "grace"}}
    assert '"username": "grace"' in shell.display_formatter.format(saved)[0]["text/plain"]
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


def test_a_saved_edit_that_no_longer_fits_is_reported_once(shell, capsys):
    wb.app.api.edit_store().save("<default>", "conn", {"user_name": "grace"})
    current_session().unbind()
    shell.run_cell("x = 1")
    shell.run_cell("y = 2")
    err = capsys.readouterr().err
    assert err.count("saved edit of resource 'conn' no longer fits its class") == 1
    assert "%wb resources --reset conn" in err
    # a verb says it too, and the run uses the code's config
    assert wb_magic(shell, "materialize").asset_value("a") == "ada"
    assert "saved edit of resource 'conn' no longer fits" in capsys.readouterr().err


def test_definitions_functions_are_not_called_after_every_cell(shell):
    shell.run_cell(
        "calls = []\n"
        "@wb.definitions\n"
        "def more():\n"
        "    calls.append(1)\n"
        "    return wb.Definitions(resources={'extra': Conn(username='x')})\n"
    )
    wb.app.api.edit_store().save("<default>", "conn", {"username": "grace"})
    wb.app.api.edit_store().save("<default>", "gone", {"username": "nobody"})
    current_session().unbind()
    for _ in range(4):
        shell.run_cell("pass")
    assert current_session().overrides["conn"].username == "grace"
    # the edit of 'gone' waits for a resource of that key, without calling more() each cell
    assert len(shell.user_ns["calls"]) == 1


def test_a_failed_run_shows_its_error_without_the_secret(shell):
    shell.run_cell(
        "from pydantic import SecretStr\n"
        "class Vault(wb.ConfigurableResource):\n"
        "    password: SecretStr\n"
        "@wb.asset\n"
        "def locked(vault: Vault) -> int:\n"
        "    raise PermissionError(f'refused {vault.password.get_secret_value()}')\n"
        "more = wb.Definitions(assets=[locked], resources={'vault': Vault(password='hunter2-x')})\n"
    )
    shown: list[dict[str, str]] = []
    shell.display_pub.publish = lambda data, **kwargs: shown.append(data)
    result = wb_magic(shell, "materialize locked")
    assert not result.success
    final = shown[-1]
    assert "PermissionError: refused" in final["text/plain"]
    assert all("hunter2-x" not in text for data in shown for text in data.values())
