"""Each path a secret once leaked through (#11), walked with a canary and searched for after."""

from __future__ import annotations

import io
import sqlite3
import traceback
import uuid
from contextlib import redirect_stderr, redirect_stdout
from typing import TYPE_CHECKING, Any

import pytest
from pydantic import SecretStr

import workbench as wb
from workbench.cli import main
from workbench.core.secrets import secret_forms

from .conftest import every_file

if TYPE_CHECKING:
    from pathlib import Path

CANARY = f"pathcanary-{uuid.uuid4().hex[:12]}"
ESCAPED_CANARY = f"esc\\canary\n{uuid.uuid4().hex[:8]} @/x"
"""A secret with a backslash, a newline, a space and URL-reserved characters."""


def leaks(text: str | bytes, canaries: tuple[str, ...] = (CANARY, ESCAPED_CANARY)) -> list[str]:
    """The forms of each canary found in ``text``: raw, repr-escaped, URL-encoded and more."""
    data = text if isinstance(text, bytes) else text.encode("utf-8", "surrogatepass")
    return [
        form
        for canary in canaries
        for form in secret_forms(canary)
        if form.encode() in data or form.encode("utf-16-le") in data
    ]


def store_dump(home: Path) -> str:
    """Every row of every table of the run store, as text."""
    with sqlite3.connect(home / "runs.db") as connection:
        tables = [
            row[0]
            for row in connection.execute("SELECT name FROM sqlite_master WHERE type='table'")
        ]
        return "\n".join(
            repr(row) for table in tables for row in connection.execute(f"SELECT * FROM {table}")
        )


def cli(*args: str) -> tuple[int, str]:
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = main(list(args))
    return code, out.getvalue() + err.getvalue()


def nowhere(home: Path, *texts: str) -> None:
    """No canary in ``texts``, in the run store's rows, or in any file under ``home``."""
    found = {index: leaks(text) for index, text in enumerate(texts) if leaks(text)}
    assert not found, {index: texts[index][:400] for index in found}
    assert not leaks(store_dump(home))
    assert not [path for path in every_file(home) if leaks(path.read_bytes())]


NESTED = """
import workbench as wb
from pydantic import SecretStr


class Login(wb.Config):
    key: SecretStr


class Conn(wb.ConfigurableResource):
    tokens: list[SecretStr] = []
    by_name: dict[str, SecretStr] = {}
    login: Login = Login(key=SecretStr("xyzxyz-unused"))


class StepConfig(wb.Config):
    pw: SecretStr


@wb.asset
def from_list(context, conn: Conn) -> int:
    context.log.info("token " + conn.tokens[0].get_secret_value())
    raise ValueError(conn.tokens[0].get_secret_value())


@wb.asset
def from_dict(context, conn: Conn) -> int:
    raise ValueError(conn.by_name["main"].get_secret_value())


@wb.asset
def from_nested(context, conn: Conn) -> int:
    raise ValueError(conn.login.key.get_secret_value())


@wb.asset
def from_op_config(context, config: StepConfig) -> int:
    context.log.info("pw " + config.pw.get_secret_value())
    context.add_output_metadata({"dsn": f"postgres://u:{config.pw.get_secret_value()}@h/db"})
    return 1


@wb.asset
def escaped(context, conn: Conn) -> int:
    return int(conn.by_name["escaped"].get_secret_value())


defs = wb.Definitions(
    assets=[from_list, from_dict, from_nested, from_op_config, escaped],
    resources={"conn": Conn()},
)
"""


def nested_config() -> dict[str, Any]:
    return {
        "resources": {
            "conn": {
                "config": {
                    "tokens": [CANARY],
                    "by_name": {"main": CANARY, "escaped": ESCAPED_CANARY},
                    "login": {"key": CANARY},
                }
            }
        },
        "ops": {"from_op_config": {"config": {"pw": CANARY}}},
    }


def test_nested_op_config_escaped_and_metadata_secrets_are_scrubbed(home, tmp_path):
    module = tmp_path / "nested_defs.py"
    module.write_text(NESTED)
    defs = wb.load_definitions(module)
    result = wb.materialize(
        defs.assets, nested_config(), resources=defs.resources, raise_on_error=False
    )
    assert not result.success
    failed = {event.step_key for event in result.failures}
    assert failed == {"from_list", "from_dict", "from_nested", "escaped"}
    [materialized] = result.get_asset_materialization_events()
    assert materialized.data["metadata"]["dsn"] == "postgres://u:**********@h/db"
    shown = [repr(event) for event in result.all_events]
    shown += [result._repr_mimebundle_()["text/plain"]]

    config_file = tmp_path / "run.yaml"
    import yaml

    config_file.write_text(yaml.safe_dump(nested_config()))
    code, printed = cli("materialize", str(module), "--config", str(config_file))
    assert code == 1
    assert "FAILED from_list: step 'from_list' failed: ValueError: **********" in printed
    nowhere(home, *shown, printed)


RAISING = """
import workbench as wb
from pydantic import SecretStr


class Keys(wb.ConfigurableResource):
    path_secret: str = wb.EnvVar("CANARY_SECRET")


@wb.asset
def read_keys(keys: Keys) -> int:
    raise FileNotFoundError(2, "No such file or directory", keys.path_secret)


@wb.asset
def fine() -> int:
    return 1


@wb.sensor(target=[fine])
def watcher(keys: Keys):
    raise PermissionError(f"cannot watch {keys.path_secret}")


@wb.schedule(cron_schedule="0 * * * *", target=[fine])
def hourly(keys: Keys):
    raise RuntimeError(keys.path_secret)


defs = wb.Definitions(
    assets=[read_keys, fine],
    sensors=[watcher],
    schedules=[hourly],
    resources={"keys": Keys(path_secret=wb.EnvVar("CANARY_SECRET"))},
)
"""


def test_a_raised_failure_carries_no_secret_in_its_chain(home, tmp_path, monkeypatch):
    monkeypatch.setenv("CANARY_SECRET", CANARY)
    module = tmp_path / "raising_defs.py"
    module.write_text(RAISING)
    defs = wb.load_definitions(module)
    # the step's own error is raised, as in Dagster (#12), scrubbed
    with pytest.raises(FileNotFoundError) as caught:
        wb.materialize(defs.assets, resources=defs.resources, selection=["read_keys"])
    assert caught.value.filename == "**********"
    shown = "".join(traceback.format_exception(caught.value))
    assert "FileNotFoundError: [Errno 2] No such file or directory: '**********'" in shown
    nowhere(home, shown, str(caught.value))


@pytest.mark.parametrize(
    ("verb", "name", "error"),
    [("sensor", "watcher", "PermissionError"), ("schedule", "hourly", "RuntimeError")],
)
def test_a_sensor_or_schedule_that_raises_prints_one_scrubbed_line(
    home, tmp_path, monkeypatch, verb, name, error
):
    monkeypatch.setenv("CANARY_SECRET", CANARY)
    module = tmp_path / "raising_defs.py"
    module.write_text(RAISING)
    code, printed = cli(verb, str(module), name)
    assert code == 1
    assert printed.startswith(f"{verb} {name!r} raised {error}: ")
    assert "Traceback" not in printed
    nowhere(home, printed)


def test_a_sensor_that_raises_is_scrubbed_in_the_magic(home, tmp_path, monkeypatch):
    from IPython.core.interactiveshell import InteractiveShell

    monkeypatch.setenv("CANARY_SECRET", CANARY)
    shell = InteractiveShell.instance()
    shell.user_ns.clear()
    shell.run_line_magic("load_ext", "workbench")
    assert shell.run_cell(RAISING).success
    out, err = io.StringIO(), io.StringIO()
    try:
        with redirect_stderr(err), redirect_stdout(out):
            # a verb that cannot run raises: the cell stops, showing only the message (#14)
            outcome = shell.run_cell("%wb sensor watcher")
    finally:
        shell.run_line_magic("unload_ext", "workbench")
        shell.user_ns.clear()
    shown = out.getvalue() + err.getvalue()
    assert not outcome.success
    assert "sensor 'watcher' raised PermissionError: cannot watch **********" in shown
    assert CANARY not in str(outcome.error_in_exec)
    nowhere(home, shown)


SETUP_FAILS = """
import workbench as wb


class Warehouse(wb.ConfigurableResource):
    password: str = wb.EnvVar("CANARY_SECRET")

    def setup_for_execution(self, context):
        raise ConnectionError(f"login refused for {self.password}")


@wb.asset
def table(warehouse: Warehouse) -> int:
    return 1


defs = wb.Definitions(assets=[table], resources={"warehouse": Warehouse()})
"""


def test_a_resource_setup_failure_prints_its_reason_scrubbed(home, tmp_path, monkeypatch):
    monkeypatch.setenv("CANARY_SECRET", CANARY)
    module = tmp_path / "setup_defs.py"
    module.write_text(SETUP_FAILS)
    code, printed = cli("materialize", str(module))
    assert code == 1
    assert "FAILED: resource 'warehouse' (Warehouse) failed to set up in run" in printed
    assert "ConnectionError: login refused for **********" in printed
    nowhere(home, printed)


ENV_FIELD = """
import workbench as wb


class Conn(wb.ConfigurableResource):
    api_key: str = ""
    host: str = "db.local"


@wb.asset
def call(context, conn: Conn) -> int:
    context.log.info(f"calling with {conn.api_key}")
    return 1


defs = wb.Definitions(assets=[call], resources={"conn": Conn(api_key=wb.EnvVar("API_KEY"))})
"""


def test_a_value_typed_over_an_envvar_stays_in_memory(home, tmp_path, monkeypatch):
    import nbformat
    from nbformat.v4 import new_code_cell, new_notebook

    from workbench.app.api import export_notebook, show_resources
    from workbench.app.namespace import with_session_edits

    notebook = tmp_path / "conn.ipynb"
    nbformat.write(new_notebook(cells=[new_code_cell(ENV_FIELD)]), str(notebook))
    monkeypatch.setenv("WORKBENCH_NOTEBOOK", str(notebook))
    module = tmp_path / "conn_defs.py"
    module.write_text(ENV_FIELD)
    defs = wb.load_definitions(module)
    form = show_resources(defs).forms["conn"]
    form.sources["api_key"].value = "value"
    form.fields["api_key"].value = CANARY
    applied = form.apply()
    assert applied.api_key == CANARY
    assert "api_key='**********'" in repr(applied)  # print(resource) after Apply (#11 item 5)
    assert any("is not saved" in warning for warning in form.warnings)
    assert form.fields["api_key"].value == ""  # kept, not shown: the box is a password box
    form.fields["host"].value = "db.other"
    assert form.apply().api_key == CANARY  # a later Apply keeps the typed secret
    # the notebook layer binds the Apply into the runs it starts; the core runs exactly the
    # resources it is given (#12)
    edited = with_session_edits(defs)
    result = wb.materialize(edited.assets, resources=edited.resources)
    assert result.success
    logged = [event.message for event in result.all_events]
    assert "calling with **********" in logged
    exported = [export_notebook(notebook, target=target) for target in ("workbench", "dagster")]
    for source in exported:
        assert 'EnvVar("API_KEY")' in source
        assert "db.other" in source
    assert '"env": "API_KEY"' in (home / "edits.json").read_text()
    nowhere(home, *exported, *logged, str(form.widget.get_state()), str(form.applied))


MARKED = "Field(default='', json_schema_extra={'dagster__is_secret': True})"
BYPASSES = {
    "inherited": (
        f"class Base(wb.ConfigurableResource):\n    password: str = {MARKED}\n\n\n"
        "class Conn(Base):\n    host: str = 'h'\n",
        "Conn(password=CANARY_TEXT)",
    ),
    "annotated alias": (
        "Secret = Annotated[str, Field(json_schema_extra={'dagster__is_secret': True})]\n\n\n"
        "class Conn(wb.ConfigurableResource):\n    password: Secret = ''\n",
        "Conn(password=CANARY_TEXT)",
    ),
    "renamed SecretStr": (
        "from pydantic import SecretStr as S\n\n\n"
        "class Conn(wb.ConfigurableResource):\n    password: S = S('')\n",
        "Conn(password=CANARY_TEXT)",
    ),
    "model_copy": (
        f"class Conn(wb.ConfigurableResource):\n    password: str = {MARKED}\n",
        "Conn().model_copy(update={'password': CANARY_TEXT})",
    ),
    "configure_at_launch": (
        f"class Conn(wb.ConfigurableResource):\n    password: str = {MARKED}\n",
        "Conn.configure_at_launch(password=CANARY_TEXT)",
    ),
    "a ** name": (
        f"class Conn(wb.ConfigurableResource):\n    password: str = {MARKED}\n\n\n"
        "KW = {'password': CANARY_TEXT}\n",
        "Conn(**KW)",
    ),
    "a class from elsewhere": ("from vault_client import Remote\n", "Remote(api_key=CANARY_TEXT)"),
}


@pytest.mark.parametrize("case", sorted(BYPASSES))
def test_export_refuses_every_spelling_of_a_secret_literal(tmp_path, case):
    import nbformat
    from nbformat.v4 import new_code_cell, new_notebook

    head = "import workbench as wb\nfrom typing import Annotated\nfrom pydantic import Field\n"
    definitions, binding = (part.replace("CANARY_TEXT", repr(CANARY)) for part in BYPASSES[case])
    cells = [head, definitions, f"defs = wb.Definitions(resources={{'conn': {binding}}})\n"]
    notebook = tmp_path / "bypass.ipynb"
    nbformat.write(new_notebook(cells=[new_code_cell(cell) for cell in cells]), str(notebook))
    for target in ("workbench", "dagster"):
        out = tmp_path / f"bypass_{target}.py"
        with pytest.raises(wb.ExportError) as refused:
            wb.export_notebook(notebook, out, target=target)
        assert "EnvVar(" in str(refused.value), target
        assert not leaks(str(refused.value))
        assert not out.exists()


def test_a_typed_secret_is_never_kept_in_widget_state(home):
    import json

    import ipywidgets as widgets

    from workbench.widgets.forms import ResourceForm

    class Vault(wb.ConfigurableResource):
        user: str = "ada"
        token: SecretStr = SecretStr("")

    form = ResourceForm("vault", Vault())
    form.fields["token"].value = CANARY  # what the browser sends when the box loses focus
    assert form.fields["token"].value == ""
    assert form.fields["token"].placeholder == "typed; Apply to use it"
    saved_state = json.dumps(widgets.Widget.get_manager_state())  # what "save widget state" keeps
    assert not leaks(saved_state)
    applied = form.apply()
    assert applied.token.get_secret_value() == CANARY
    assert form.fields["token"].placeholder == "set; type to replace"
    assert not leaks(json.dumps(widgets.Widget.get_manager_state()))


NOTEBOOK_CELLS = [
    "%load_ext workbench\nimport os\nimport workbench as wb\nfrom pydantic import Field",
    """
class Conn(wb.ConfigurableResource):
    token: str = Field(default="", json_schema_extra={"dagster__is_secret": True})
    path: str = ""


@wb.asset
def read(conn: Conn) -> int:
    raise FileNotFoundError(2, "No such file or directory", conn.path)


@wb.asset
def fine() -> int:
    return 1


@wb.sensor(target=[fine])
def watcher(conn: Conn):
    raise PermissionError("cannot watch " + conn.token)
""",
    'conn = Conn(token=os.environ["CANARY_SECRET"], path=wb.EnvVar("CANARY_SECRET"))\n'
    "print(conn)\nconn",
    'defs = wb.Definitions(assets=[read, fine], sensors=[watcher], resources={"conn": conn})',
    "%wb sensor watcher",
    'wb.materialize([read], resources={"conn": conn})',
]


def test_an_executed_notebook_file_holds_no_secret(home, tmp_path, monkeypatch):
    import nbformat
    from nbclient import NotebookClient
    from nbformat.v4 import new_code_cell, new_notebook

    monkeypatch.setenv("CANARY_SECRET", CANARY)
    path = tmp_path / "executed.ipynb"
    notebook = new_notebook(cells=[new_code_cell(source) for source in NOTEBOOK_CELLS])
    NotebookClient(notebook, timeout=120, kernel_name="python3", allow_errors=True).execute(
        cwd=str(tmp_path)
    )
    nbformat.write(notebook, str(path))
    outputs = [cell["outputs"] for cell in notebook.cells]
    assert "token='**********'" in str(outputs[2])
    assert "sensor 'watcher' raised PermissionError: cannot watch **********" in str(outputs[4])
    [error] = [output for output in outputs[5] if output["output_type"] == "error"]
    assert error["ename"] == "FileNotFoundError"  # the step's own error (#12)
    assert "No such file or directory: '**********'" in "\n".join(error["traceback"])
    assert not leaks(path.read_bytes())
    nowhere(home)


def test_a_value_typed_over_an_envvar_in_the_launchpad_is_never_shown(home, tmp_path):
    from workbench.widgets.launchpad import Launchpad

    module = tmp_path / "conn_defs.py"
    module.write_text(ENV_FIELD)
    defs = wb.load_definitions(module)
    pad = Launchpad(defs)
    form = pad.forms["conn"]
    form.sources["api_key"].value = "value"
    form.fields["api_key"].value = CANARY  # typed, never applied
    assert "api_key: '**********'" in pad.run_config_text.value
    result = pad.launch()
    assert result is not None
    assert result.success
    assert "calling with **********" in [event.message for event in result.all_events]
    assert result.run.config_snapshot["resources"]["conn"]["config"]["api_key"] == "**********"
    shown = [pad.run_config_text.value, pad.log.value, pad.summary.value, str(pad.run_config())]
    nowhere(home, *shown, repr(result.all_events))
