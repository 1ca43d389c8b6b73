from __future__ import annotations

import enum
import html
from typing import TYPE_CHECKING, Any

import ipywidgets as widgets
import pandas as pd
import pytest
import yaml
from pydantic import Field, SecretStr

from workbench.core.asset import AssetKey, asset
from workbench.core.config import Config, EnvVar
from workbench.core.definitions import Definitions, RunConfig
from workbench.core.graph import define_asset_job
from workbench.core.job import job, op
from workbench.core.resource import ConfigurableResource, InitResourceContext
from workbench.core.run import RunStatus
from workbench.core.session import current_session
from workbench.core.versions import stale_assets
from workbench.errors import DefinitionError
from workbench.widgets.launchpad import MATERIALIZE, Launchpad

if TYPE_CHECKING:
    from collections.abc import Iterator

    from workbench.core.instance import Instance

SECRET = "hunter2-very-secret"


class Conn(ConfigurableResource):
    host: str = Field("localhost", pattern=r"^[a-z.]+$")
    password: SecretStr = SecretStr("")


class Rows(Config):
    n: int = 3


@asset
def raw(config: Rows) -> pd.DataFrame:
    return pd.DataFrame({"a": range(config.n)})


@asset
def clean(raw: pd.DataFrame, conn: Conn) -> dict[str, Any]:
    return {"rows": len(raw), "host": conn.host}


@asset
def leaky(conn: Conn) -> int:
    raise RuntimeError(f"login refused for password {conn.password.get_secret_value()}")


class Greeting(Config):
    name: str
    times: int = 1


@op
def greet(config: Greeting) -> str:
    return " ".join([f"hello {config.name}"] * config.times)


@op
def shout(text: str) -> str:
    return text.upper()


@job
def greet_job() -> None:
    shout(greet())


def texts(widget: Any) -> Iterator[str]:
    """Every string a widget tree shows (values, descriptions, options)."""
    for name in ("value", "description", "placeholder", "tooltip"):
        value = getattr(widget, name, None)
        if isinstance(value, str):
            yield value
        elif isinstance(value, tuple):
            yield from (str(item) for item in value)
    for child in getattr(widget, "children", ()):
        yield from texts(child)


def shown(pad: Launchpad) -> str:
    return "\n".join(texts(pad.widget))


def make_defs(**resources: Any) -> Definitions:
    return Definitions(
        assets=[raw, clean],
        jobs=[greet_job, define_asset_job("only_raw", selection="raw")],
        resources={"conn": Conn(host="db.local"), **resources},
    )


def test_launch_materializes_assets_with_progress_logs_and_preview(instance: Instance) -> None:
    pad = Launchpad(make_defs(), instance=instance)
    assert pad.job_picker.value == MATERIALIZE
    assert set(pad.asset_picker.value) == {"raw", "clean"}

    pad.launch_button.click()

    result = pad.result
    assert result is not None
    assert result.success
    assert [record.run_id for record in instance.run_store.list_runs()] == [result.run_id]
    assert set(pad.progress) == {"raw", "clean"}
    assert all(bar.value == bar.max for bar in pad.progress.values())
    assert pad.overall.value == pad.overall.max == 2
    assert "STEP_START [raw]" in pad.log.value
    assert "STEP_SUCCESS [clean]" in pad.log.value
    summary = pad.summary.value
    assert "SUCCESS" in summary
    assert result.run_id in summary
    assert "shape (3, 1)" in summary
    assert "int64" in summary
    assert "{&#x27;rows&#x27;: 3, &#x27;host&#x27;: &#x27;db.local&#x27;}" in summary
    assert "ms" in summary  # per-step durations


def test_launch_returns_the_result_and_keeps_it(instance: Instance) -> None:
    pad = Launchpad(make_defs(), instance=instance, selection=["raw"])
    assert pad.asset_picker.value == ("raw",)

    result = pad.launch()

    assert result is pad.result
    assert result is not None
    assert instance.run_store.get_run(result.run_id).steps == ["raw"]
    assert list(pad.progress) == ["raw"]
    assert "conn" not in pad.forms  # raw needs no resource


def test_op_config_editor_is_prefilled_and_its_edit_is_used(instance: Instance) -> None:
    pad = Launchpad(make_defs(), instance=instance)
    editor = pad.op_config["raw"]
    assert yaml.safe_load(editor.text.value) == {"n": 3}

    editor.text.value = "n: 5"

    assert yaml.safe_load(pad.run_config_text.value)["ops"] == {"raw": {"config": {"n": 5}}}
    result = pad.launch()
    assert result is not None
    assert result.success
    assert result.asset_value("raw").shape == (5, 1)
    assert "shape (5, 1)" in pad.summary.value


def test_a_launch_with_edited_yaml_leaves_the_graph_fresh(instance: Instance) -> None:
    defs = make_defs()
    pad = Launchpad(defs, instance=instance)
    pad.op_config["raw"].text.value = "n: 5"
    pad.forms["conn"].fields["host"].value = "once.local"
    result = pad.launch()
    assert result is not None
    assert result.asset_value("clean") == {"rows": 5, "host": "once.local"}

    # the launchpad's YAML is a one-off launch config: the code's config is unchanged (#14)
    assert stale_assets(defs, store=instance.run_store) == {}
    changed = make_defs(conn=Conn(host="changed.local"))
    assert stale_assets(changed, store=instance.run_store) == {AssetKey("clean"): "config changed"}


def test_invalid_op_config_is_shown_and_nothing_runs(instance: Instance) -> None:
    pad = Launchpad(make_defs(), instance=instance)
    editor = pad.op_config["raw"]

    editor.text.value = "n: many"
    assert "n:" in editor.error.value
    pad.launch_button.click()

    assert pad.result is None
    assert instance.run_store.list_runs() == []
    assert "nothing was run" in pad.problems.value
    assert "config of &#x27;raw&#x27;" in pad.problems.value
    assert "invalid" in pad.run_config_text.value

    editor.text.value = "- not a mapping"
    assert "mapping" in editor.error.value
    editor.text.value = "n: [unclosed"
    assert "not valid YAML" in editor.error.value


def test_unapplied_resource_edit_is_used_by_the_launch(instance: Instance) -> None:
    pad = Launchpad(make_defs(), instance=instance)
    form = pad.forms["conn"]
    assert form.fields["host"].value == "db.local"

    form.fields["host"].value = "edited.local"

    assert "host: edited.local" in pad.run_config_text.value
    result = pad.launch()
    assert result is not None
    assert result.success
    assert result.asset_value("clean")["host"] == "edited.local"
    assert current_session().overrides == {}  # launching does not apply the form


def test_session_override_is_shown_as_the_current_config(instance: Instance) -> None:
    current_session().bind("conn", Conn(host="override.local"))

    pad = Launchpad(make_defs(), instance=instance)

    assert pad.forms["conn"].fields["host"].value == "override.local"
    assert "session" in shown(pad)
    result = pad.launch()
    assert result is not None
    assert result.asset_value("clean")["host"] == "override.local"


def test_invalid_resource_form_blocks_the_launch(instance: Instance) -> None:
    pad = Launchpad(make_defs(), instance=instance)
    pad.forms["conn"].fields["host"].value = "Not A Host!"
    assert pad.forms["conn"].value is None

    pad.launch_button.click()

    assert pad.result is None
    assert instance.run_store.list_runs() == []
    assert "resource &#x27;conn&#x27;: host:" in pad.problems.value
    assert "resource 'conn' is invalid" in pad.run_config_text.value


def test_failure_shows_run_id_and_traceback_but_never_the_secret(instance: Instance) -> None:
    defs = Definitions(assets=[leaky], resources={"conn": Conn(password=SecretStr(SECRET))})
    pad = Launchpad(defs, instance=instance)

    pad.launch_button.click()

    result = pad.result
    assert result is not None
    assert not result.success
    summary = pad.summary.value
    assert f"step &#x27;leaky&#x27; failed in run {result.run_id}" in summary
    assert "Traceback (most recent call last)" in summary
    assert "RuntimeError: login refused for password **********" in summary
    assert pad.progress["leaky"].value == pad.progress["leaky"].max
    assert pad.progress["leaky"].bar_style == "danger"
    assert SECRET not in shown(pad)
    assert SECRET not in str(pad._repr_mimebundle_())
    assert instance.run_store.get_run(result.run_id).status is RunStatus.FAILURE


@asset
def echo(conn: Conn) -> str:
    return f"connected with {conn.password.get_secret_value()}"


@pytest.mark.parametrize("env", [False, True])
def test_output_previews_never_show_a_secret(
    instance: Instance, monkeypatch: pytest.MonkeyPatch, env: bool
) -> None:
    monkeypatch.setenv("WB_TEST_PASSWORD", SECRET)
    password: Any = EnvVar("WB_TEST_PASSWORD") if env else SecretStr(SECRET)
    pad = Launchpad(
        Definitions(assets=[echo], resources={"conn": Conn(password=password)}), instance=instance
    )

    result = pad.launch()

    assert result is not None
    assert result.asset_value("echo") == f"connected with {SECRET}"  # the value is intact
    assert "connected with **********" in pad.summary.value
    assert SECRET not in shown(pad)
    assert SECRET not in str(pad._repr_mimebundle_())


def test_resource_forms_forward_on_apply(instance: Instance) -> None:
    applied: list[tuple[str, Any, dict[str, Any]]] = []
    pad = Launchpad(make_defs(), instance=instance, on_apply=lambda *args: applied.append(args))
    pad.forms["conn"].fields["host"].value = "applied.local"
    pad.forms["conn"].apply_button.click()
    assert [(key, config["host"]) for key, _resource, config in applied] == [
        ("conn", "applied.local")
    ]
    assert current_session().overrides["conn"].host == "applied.local"


def test_run_config_yaml_shows_env_references_never_values(
    instance: Instance, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WB_TEST_PASSWORD", SECRET)
    defs = make_defs(conn=Conn(host="db.local", password=EnvVar("WB_TEST_PASSWORD")))
    pad = Launchpad(defs, instance=instance)

    config = yaml.safe_load(pad.run_config_text.value)

    assert config["resources"]["conn"]["config"] == {
        "host": "db.local",
        "password": {"env": "WB_TEST_PASSWORD"},
    }
    result = pad.launch()
    assert result is not None
    assert result.success
    assert SECRET not in shown(pad)


def test_literal_secrets_are_redacted_in_the_yaml(instance: Instance) -> None:
    pad = Launchpad(make_defs(conn=Conn(password=SecretStr(SECRET))), instance=instance)
    assert SECRET not in pad.run_config_text.value
    assert "password: '**********'" in pad.run_config_text.value


def test_job_launch_with_required_op_config(instance: Instance) -> None:
    pad = Launchpad(make_defs(), instance=instance, job="greet_job")
    assert pad.asset_picker.disabled
    editor = pad.op_config["greet"]
    assert yaml.safe_load(editor.text.value) == {"name": None, "times": 1}
    assert pad.launch() is None  # name is required
    assert "name" in pad.problems.value

    editor.text.value = "name: ada\ntimes: 2"
    result = pad.launch()

    assert result is not None
    assert result.success
    assert result.output_for_node("shout") == "HELLO ADA HELLO ADA"
    assert instance.run_store.get_run(result.run_id).job_name == "greet_job"
    assert "HELLO ADA" in pad.summary.value
    assert all(bar.value == bar.max for bar in pad.progress.values())


def test_switching_jobs_rebuilds_forms_and_editors(instance: Instance) -> None:
    pad = Launchpad(make_defs(), instance=instance)
    pad.job_picker.value = "greet_job"
    assert list(pad.op_config) == ["greet"]
    assert pad.forms == {}
    pad.job_picker.value = "only_raw"
    assert list(pad.op_config) == ["raw"]
    result = pad.launch()
    assert result is not None
    assert result.success
    assert instance.run_store.get_run(result.run_id).job_name == "only_raw"
    pad.job_picker.value = MATERIALIZE
    assert not pad.asset_picker.disabled
    assert "conn" in pad.forms


def test_empty_selection_is_refused(instance: Instance) -> None:
    pad = Launchpad(make_defs(), instance=instance)
    pad.asset_picker.value = ()
    pad.launch_button.click()
    assert pad.result is None
    assert "no assets are selected" in pad.problems.value
    assert instance.run_store.list_runs() == []


class Broken(ConfigurableResource):
    def setup_for_execution(self, context: InitResourceContext) -> None:
        raise ConnectionError("cannot reach the warehouse")


@asset
def needs_broken(broken: Broken) -> int:
    return 1


def test_resource_setup_failure_is_shown_with_the_run_id(instance: Instance) -> None:
    pad = Launchpad(
        Definitions(assets=[needs_broken], resources={"broken": Broken()}), instance=instance
    )
    pad.launch_button.click()
    result = pad.result
    assert result is not None
    assert not result.success
    assert f"resource setup failed in run {result.run_id}" in pad.summary.value
    assert "ConnectionError" in pad.summary.value
    assert pad.overall.bar_style == "danger"


def test_unknown_job_names_the_jobs_there_are(instance: Instance) -> None:
    with pytest.raises(DefinitionError, match="greet_job"):
        Launchpad(make_defs(), instance=instance, job="greet_jb")


def test_errors_in_callbacks_are_shown_not_raised(instance: Instance) -> None:
    pad = Launchpad(make_defs(), instance=instance)

    def explode() -> None:
        raise ValueError("boom")

    pad._make_plan = explode  # type: ignore[method-assign,assignment]
    pad.job_picker.value = "greet_job"  # the observer must not raise
    assert "boom" in pad.problems.value
    pad.launch_button.click()
    assert "boom" in pad.problems.value


def test_mimebundle_has_text_plain(instance: Instance) -> None:
    pad = Launchpad(make_defs(), instance=instance)
    assert pad._repr_mimebundle_()["text/plain"].startswith("Launchpad: materialize")
    pad.launch()
    bundle = pad._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle
    assert "SUCCESS" in bundle["text/plain"]
    assert "DataFrame shape (3, 1)" in bundle["text/plain"]
    assert isinstance(pad.widget, widgets.VBox)


class Warehouse(ConfigurableResource):
    database: str


@asset
def table(warehouse: Warehouse) -> str:
    return warehouse.database


def test_configure_at_launch_resource_is_completed_from_its_form(instance: Instance) -> None:
    defs = Definitions(assets=[table], resources={"warehouse": Warehouse.configure_at_launch()})
    pad = Launchpad(defs, instance=instance)
    form = pad.forms["warehouse"]
    assert form.value is None
    assert pad.launch() is None  # database is required
    assert "database" in pad.problems.value

    form.fields["database"].value = "analytics"
    result = pad.launch()

    assert result is not None
    assert result.asset_value("table") == "analytics"
    config = yaml.safe_load(pad.run_config_text.value)
    assert config["resources"] == {"warehouse": {"config": {"database": "analytics"}}}


class Greeter(ConfigurableResource):
    name: str = "code"


@asset
def greeting(greeter: Greeter) -> str:
    return f"hello {greeter.name}"


def _greeting_defs() -> Definitions:
    return Definitions(assets=[greeting], resources={"greeter": Greeter()})


def test_a_launchpad_built_before_an_apply_elsewhere_runs_the_applied_config(instance):
    from workbench.widgets.forms import ResourcesPanel

    defs = _greeting_defs()
    pad = Launchpad(defs, instance=instance)
    panel = ResourcesPanel(defs.resources)
    panel.forms["greeter"].fields["name"].value = "panel-applied"
    panel.forms["greeter"].apply()
    result = pad.launch()
    assert result is not None
    assert result.asset_value("greeting") == "hello panel-applied"
    assert pad.forms["greeter"].fields["name"].value == "panel-applied"


def test_an_edit_made_in_the_launchpad_wins_over_a_later_apply_elsewhere(instance):
    from workbench.widgets.forms import ResourcesPanel

    defs = _greeting_defs()
    pad = Launchpad(defs, instance=instance)
    pad.forms["greeter"].fields["name"].value = "typed-in-launchpad"
    panel = ResourcesPanel(defs.resources)
    panel.forms["greeter"].fields["name"].value = "panel-applied"
    panel.forms["greeter"].apply()
    result = pad.launch()
    assert result is not None
    assert result.asset_value("greeting") == "hello typed-in-launchpad"


def test_widgets_carry_stable_css_classes(instance):
    from workbench.widgets.forms import ResourceForm

    form = ResourceForm("greeter", Greeter())
    assert "wb-resource-form" in form.widget._dom_classes
    assert "wb-apply" in form.apply_button._dom_classes
    rows = [child for child in _walk(form.widget) if "wb-field" in child._dom_classes]
    assert any("wb-field-name" in row._dom_classes for row in rows)
    pad = Launchpad(_greeting_defs(), instance=instance)
    assert "wb-launchpad" in pad.widget._dom_classes
    assert "wb-run-summary" in pad.summary._dom_classes


def _walk(widget: Any) -> list[Any]:
    found = [widget]
    for child in getattr(widget, "children", ()):
        found.extend(_walk(child))
    return found


def test_launch_is_disabled_during_a_run_and_a_click_then_is_ignored(instance):
    pads: list[Launchpad] = []
    seen: dict[str, Any] = {}

    @asset
    def slow() -> int:
        pad = pads[0]
        seen["disabled"] = pad.launch_button.disabled
        seen["description"] = pad.launch_button.description
        pad.launch_button.click()  # a second click while the run goes on
        seen["direct"] = pad.launch()
        return 1

    pad = Launchpad(Definitions(assets=[slow]), instance=instance)
    pads.append(pad)
    pad.launch_button.click()
    assert seen == {"disabled": True, "description": "Running…", "direct": None}
    assert len(instance.run_store.list_runs()) == 1
    assert pad.result is not None
    assert pad.result.success
    # the first run's summary stays; the button is back for the next run
    assert pad.result.run_id in pad.summary.value
    assert not pad.launch_button.disabled
    assert pad.launch_button.description == "Launch"


def test_a_stale_nothing_was_run_message_goes_when_the_config_changes(instance):
    pad = Launchpad(make_defs(), instance=instance)
    pad.op_config["raw"].text.value = "n: many"
    pad.launch_button.click()
    assert "nothing was run" in pad.problems.value
    pad.op_config["raw"].text.value = "n: 4"
    assert pad.problems.value == ""
    pad.launch_button.click()
    assert pad.result is not None
    assert pad.result.success


def test_progress_shows_whole_step_names_counts_and_the_last_log_line(instance):
    @asset
    def data_from_a_service_with_a_long_name() -> int:
        return 1

    @asset
    def failing_report(data_from_a_service_with_a_long_name: int) -> int:
        raise ValueError("no report today")

    pad = Launchpad(
        Definitions(assets=[data_from_a_service_with_a_long_name, failing_report]),
        instance=instance,
    )
    pad.launch_button.click()
    assert [bar.description for bar in pad.progress.values()] == [
        "data_from_a_service_with_a_long_name",
        "failing_report",
    ]
    # one label width, the longest name's: the bars line up and no name is cut
    assert {bar.style.description_width for bar in pad.progress.values()} == {"38ch"}
    assert "2 of 2 steps, 1 failed · " in pad.counts.value
    # the newest line is shown in full, outside any scrolled or clipped box
    assert pad.result is not None
    last = pad.run_progress.lines[-1]
    assert "RUN_FAILURE" in last
    assert html.escape(last) in pad.log.value.rsplit("<pre class='wb-log'>", 1)[1]
    assert "max-height" not in pad.log.value


class Shade(enum.Enum):
    LIGHT = "light"
    DARK = "dark"


class PaintConfig(Config):
    shade: Shade = Shade.DARK


def test_op_config_yaml_names_enum_members_and_launches(instance: Instance) -> None:
    # run config names enum members (#12): the editor's YAML must read back as written
    @asset
    def painted(config: PaintConfig) -> str:
        return config.shade.name

    pad = Launchpad(Definitions(assets=[painted]), instance=instance)
    pad.asset_picker.value = ("painted",)
    editor = pad.op_config["painted"]
    assert editor.text.value == "shade: DARK\n"
    result = pad.launch()
    assert result is not None
    assert result.asset_value("painted") == "DARK"


class TokenConfig(Config):
    token: SecretStr
    rows: int = 1


def test_a_secret_in_a_jobs_default_op_config_is_not_shown(instance: Instance) -> None:
    @op
    def fetch(config: TokenConfig) -> int:
        return config.rows

    @job(config=RunConfig(ops={"fetch": TokenConfig(token=SecretStr("hunter2-token"))}))
    def fetching() -> None:
        fetch()

    pad = Launchpad(Definitions(jobs=[fetching]), instance=instance, job="fetching")
    assert "hunter2-token" not in pad.op_config["fetch"].text.value
    assert "hunter2-token" not in pad.run_config_text.value
