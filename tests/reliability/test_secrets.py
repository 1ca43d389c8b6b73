"""A canary secret goes everywhere a user can send it, and is found nowhere afterwards."""

from __future__ import annotations

import io
import logging
import sqlite3
import uuid
from contextlib import redirect_stderr, redirect_stdout, suppress
from typing import Any

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook, new_output

import workbench as wb
from workbench.app.api import show_resources
from workbench.cli import main
from workbench.core.instance import default_instance
from workbench.core.run import EventType
from workbench.core.secrets import secret_forms
from workbench.storage import run_events, runs
from workbench.widgets.launchpad import Launchpad

from .conftest import every_file

ENV_CANARY = f"envcanary-{uuid.uuid4().hex}"
TYPED_CANARY = f"typedcanary-{uuid.uuid4().hex}"
CANARIES = (ENV_CANARY, TYPED_CANARY)

CODE = """
import workbench as wb
from pydantic import SecretStr


class Vault(wb.ConfigurableResource):
    user: str
    password: str = wb.EnvVar("VAULT_PASSWORD")
    token: SecretStr = SecretStr("")


@wb.asset
def rows(context, vault: Vault) -> list:
    context.log.info(f"logging in as {vault.user} with {vault.password}")
    context.log.warning("token is %s", vault.token.get_secret_value())
    return [1, 2, 3]


@wb.asset
def leak(context, rows: list, vault: Vault) -> int:
    raise PermissionError(
        f"login refused for password={vault.password} token={vault.token.get_secret_value()}"
    )


defs = wb.Definitions(
    assets=[rows, leak],
    resources={"vault": Vault(user="ada", password=wb.EnvVar("VAULT_PASSWORD"))},
)
"""


def find_canaries(data: bytes | str) -> list[str]:
    """Each canary found in ``data``: raw, repr-escaped, URL-encoded, UTF-16 or reversed."""
    raw = data.encode("utf-8", "surrogatepass") if isinstance(data, str) else data
    found = []
    for canary in CANARIES:
        forms = [form.encode() for form in secret_forms(canary)]
        forms += [canary.encode("utf-16-le"), canary[::-1].encode()]
        if any(form in raw for form in forms):
            found.append(canary)
    return found


def displayed(obj: Any) -> str:
    bundle = obj._repr_mimebundle_()
    if isinstance(bundle, tuple):
        bundle = bundle[0]
    return "\n".join(f"{kind}: {value}" for kind, value in bundle.items())


def type_secret(form: Any) -> None:
    form.sources["password"].value = "env"
    form.env_fields["password"].value = "VAULT_PASSWORD"
    form.fields["token"].value = TYPED_CANARY
    assert not form.errors, form.errors


def test_the_canary_appears_nowhere(home, tmp_path, monkeypatch, caplog):
    monkeypatch.setenv("VAULT_PASSWORD", ENV_CANARY)
    monkeypatch.setenv("WORKBENCH_NOTEBOOK", str(tmp_path / "secrets.ipynb"))
    caplog.set_level(logging.DEBUG)
    namespace: dict[str, Any] = {}
    module = tmp_path / "vault_defs.py"
    module.write_text(CODE)
    defs = wb.load_definitions(module)
    seen: list[str] = []  # every text a user is shown

    # forms: the panel (Apply binds and saves) and a typed secret in the Password box
    panel = show_resources(defs)
    form = panel.forms["vault"]
    type_secret(form)
    applied = form.apply()
    assert applied is not None
    assert applied.token.get_secret_value() == TYPED_CANARY
    seen += [displayed(panel), displayed(form), repr(form), *form.warnings]
    seen += [str(form.widget.get_state())]

    # a typed secret that fails validation is shown redacted
    form.fields["user"].value = TYPED_CANARY * 0 + ""  # required and empty
    seen += [str(form.errors), displayed(form)]
    form.reset()

    # the launchpad, with the secret typed into its own form, launching the failing asset
    pad = Launchpad(defs, instance=default_instance())
    type_secret(pad.forms["vault"])
    seen += [str(pad.run_config()), pad.run_config_text.value]
    result = pad.launch()
    assert result is not None
    assert not result.success
    seen += [displayed(pad), pad.summary.value, pad.log.value, pad.problems.value, repr(pad)]

    # runs: materialize directly, with the secret given at launch as run config
    # run config replaces the resource's config, as in Dagster: it names the user too
    launch = {"resources": {"vault": {"config": {"user": "ada", "token": TYPED_CANARY}}}}
    with pytest.raises(PermissionError) as caught:
        wb.materialize(defs.assets, launch, resources=defs.resources)
    seen += [str(caught.value), repr(caught.value), displayed(pad)]
    ok = wb.materialize(defs.assets, launch, resources=defs.resources, selection=["rows"])
    assert ok.success
    seen += [displayed(ok), repr(ok)]
    seen += [event.message for event in ok.all_events]
    seen += [str(event.data) for event in result.all_events]
    assert any(event.event_type is EventType.LOG for event in ok.all_events)

    # run history, in every form the user reads it
    frame = runs()
    assert len(frame) >= 3
    seen += [frame.to_string(), repr(frame.to_dict("records"))]
    for run_id in frame.run_id:
        events = run_events(run_id)
        seen += [events.to_string(), repr(events.to_dict("records"))]
        store = default_instance().run_store
        seen += [repr(event) for event in store.get_events(run_id)]
        seen += [repr(store.get_run(run_id))]
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        assert main(["runs"]) == 0
        assert main(["runs", frame.run_id.iloc[0]]) == 0
        main(["resources", str(module)])
        main(["materialize", str(module)])
    seen += [out.getvalue(), err.getvalue()]

    # a saved notebook: the code, and each cell's displayed output as text/plain
    notebook = new_notebook()
    for source, shown in [(CODE, None), ("panel", panel), ("pad", pad), ("ok", ok)]:
        cell = new_code_cell(source)
        if shown is not None:
            bundle = shown._repr_mimebundle_()
            text = bundle["text/plain"] if isinstance(bundle, dict) else bundle[0]["text/plain"]
            cell.outputs = [new_output("execute_result", {"text/plain": text}, execution_count=1)]
        notebook.cells.append(cell)
    notebook_path = tmp_path / "secrets.ipynb"
    nbformat.write(notebook, str(notebook_path))

    # exports, both targets, with the saved edits baked in
    exported = []
    for target in ("workbench", "dagster"):
        out_path = tmp_path / f"exported_{target}.py"
        try:
            exported.append(wb.export_notebook(notebook_path, out_path, target=target))
        except wb.ExportError as exc:  # e.g. SecretStr has no Dagster twin: said, not leaked
            seen.append(str(exc))
    assert exported

    seen += [record.getMessage() for record in caplog.records]
    seen += [str(record.args) for record in caplog.records]
    leaks = {index: find_canaries(text) for index, text in enumerate(seen) if find_canaries(text)}
    assert not leaks, {index: seen[index][:300] for index in leaks}

    with sqlite3.connect(home / "runs.db") as connection:  # every row of every table
        tables = connection.execute("SELECT name FROM sqlite_master WHERE type='table'")
        for (table,) in list(tables):
            seen += [repr(row) for row in connection.execute(f"SELECT * FROM {table}")]
    leaks = {index: find_canaries(text) for index, text in enumerate(seen) if find_canaries(text)}
    assert not leaks, {index: seen[index][:300] for index in leaks}

    files = [*every_file(home), *every_file(tmp_path)]
    assert any(path.name == "runs.db" for path in files)
    assert any(path.name == "edits.json" for path in files)
    assert default_instance().io_manager.has_value("rows")  # a row of runs.db: scanned too
    leaked = [str(path) for path in files if path != module and find_canaries(path.read_bytes())]
    assert not leaked
    assert not find_canaries(module.read_bytes())
    del namespace


def test_invalid_launch_config_never_quotes_the_secret(tmp_path):
    module = tmp_path / "vault_defs_plain.py"
    module.write_text(CODE.replace('wb.EnvVar("VAULT_PASSWORD")', '"plain"'))
    defs = wb.load_definitions(module)
    for bad in (
        {"resources": {"vault": {"config": {"token": [TYPED_CANARY]}}}},
        {"resources": {"vault": {"config": {"token": {"v": TYPED_CANARY}, "user": 5}}}},
        {"resources": {"vault": {"config": {"token": 7, "nope": TYPED_CANARY}}}},
    ):
        with pytest.raises(wb.ConfigError) as invalid:
            wb.materialize(defs.assets, bad, resources=defs.resources)
        assert "resources.vault.config.token" in str(invalid.value)
        assert not find_canaries(str(invalid.value))


def test_invalid_launch_config_of_a_resource_with_an_envvar_never_quotes_the_secret(
    monkeypatch, tmp_path
):
    monkeypatch.setenv("VAULT_PASSWORD", ENV_CANARY)
    module = tmp_path / "vault_defs_invalid.py"
    module.write_text(CODE)
    defs = wb.load_definitions(module)
    bad = {"resources": {"vault": {"config": {"token": [TYPED_CANARY]}}}}
    with pytest.raises(wb.ConfigError) as invalid:
        wb.materialize(defs.assets, bad, resources=defs.resources)
    assert "resources.vault.config.token" in str(invalid.value)
    assert not find_canaries(str(invalid.value))


def test_export_never_runs_a_cell(tmp_path):
    witness = tmp_path / "witness.txt"
    cells = [
        f"open({str(witness)!r}, 'w').write('ran')",
        "import workbench as wb\n\n"
        f"open({str(witness)!r}, 'a').write('ran again')\n\n"
        "@wb.asset\ndef a() -> int:\n    return 1\n",
        f"import os\nos.system('touch {witness}')",
        f"!touch {witness}",
        f"%%bash\ntouch {witness}",
        f"__import__('pathlib').Path({str(witness)!r}).touch()",
        f"class Evil:\n    open({str(witness)!r}, 'w')\n",
        f"@wb.asset\ndef b(x=open({str(witness)!r}, 'w')) -> int:\n    return 1\n",
    ]
    notebook = new_notebook()
    notebook.cells = [new_code_cell(source) for source in cells]
    path = tmp_path / "evil.ipynb"
    nbformat.write(notebook, str(path))
    for target in ("workbench", "dagster"):
        with suppress(wb.ExportError):
            wb.export_notebook(path, tmp_path / f"out_{target}.py", target=target)
        assert not witness.exists(), target


def _fill(call: str) -> str:
    return call.replace("CANARY_TEXT", repr(ENV_CANARY)).replace("CANARY_RAW", ENV_CANARY)


@pytest.mark.parametrize(
    "call",
    [
        "Db(password=CANARY_TEXT)",
        "Db(password=SecretStr(CANARY_TEXT))",
        "Db(password=f'CANARY_RAW')",
        "Db(**{'password': CANARY_TEXT})",
    ],
)
def test_exported_modules_never_hold_a_secret_literal(tmp_path, call):
    source = (
        "import workbench as wb\nfrom pydantic import SecretStr\n\n"
        "class Db(wb.ConfigurableResource):\n    password: SecretStr\n    host: str = 'h'\n\n"
        f"defs = wb.Definitions(resources={{'db': {_fill(call)}}})\n"
    )
    notebook = new_notebook()
    notebook.cells = [new_code_cell(source)]
    path = tmp_path / "lit.ipynb"
    nbformat.write(notebook, str(path))
    for target in ("workbench", "dagster"):
        out = tmp_path / f"lit_{target}.py"
        error: wb.ExportError | None = None
        try:
            wb.export_notebook(path, out, target=target)
        except wb.ExportError as exc:
            error = exc
        if error is not None:
            assert not find_canaries(str(error))
            assert not out.exists()
        else:
            assert not find_canaries(out.read_bytes()), target


def test_a_secret_in_saved_edits_is_refused_not_written(home):
    from workbench.app.api import edit_store

    with pytest.raises(wb.ConfigError):
        edit_store().save("nb.ipynb", "vault", {"token": "**********"})
    assert not (home / "edits.json").exists() or not find_canaries(
        (home / "edits.json").read_bytes()
    )
