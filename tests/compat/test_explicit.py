"""Explicit beats implicit: the core runs with exactly the resources it is given (#12)."""

import pytest

import workbench as wb
from workbench.app.namespace import with_session_edits
from workbench.core.session import current_session
from workbench.core.tick import tick
from workbench.core.versions import stale_assets


class Db(wb.ConfigurableResource):
    name: str = "code"


@wb.asset
def table(db: Db) -> str:
    return db.name


@wb.op
def read(db: Db) -> str:
    return db.name


@wb.job
def reading() -> None:
    read()


@wb.sensor(job=reading)
def watcher(db: Db) -> wb.RunRequest:
    return wb.RunRequest(run_key=db.name)


@pytest.fixture
def applied() -> None:
    """A form's Apply on key ``db``."""
    current_session().bind("db", Db(name="form"))


@pytest.mark.usefixtures("applied")
def test_materialize_runs_with_the_resources_passed_not_the_form_edit() -> None:
    result = wb.materialize([table], resources={"db": Db(name="explicit")})
    assert result.asset_value("table") == "explicit"


@pytest.mark.usefixtures("applied")
def test_a_job_and_a_tick_use_the_definitions_resources_not_the_form_edit() -> None:
    defs = wb.Definitions(jobs=[reading], sensors=[watcher], resources={"db": Db()})
    assert defs.resolve_job_def("reading").execute_in_process().output_for_node("read") == "code"
    (request,) = tick(defs, "watcher").run_requests
    assert request.run_key == "code"


@pytest.mark.usefixtures("applied")
def test_staleness_compares_the_bound_resources_not_the_form_edit() -> None:
    defs = wb.Definitions(assets=[table], resources={"db": Db()})
    wb.materialize(defs.assets, resources=defs.resources)
    assert stale_assets(defs) == {}


@pytest.mark.usefixtures("applied")
def test_the_notebook_layer_binds_the_form_edit_into_a_copy() -> None:
    defs = wb.Definitions(assets=[table], resources={"db": Db(), "other": Db(name="o")})
    edited = with_session_edits(defs)
    assert edited.resources["db"] == Db(name="form")
    assert edited.resources["other"] == Db(name="o")
    assert defs.resources["db"] == Db()
    result = wb.materialize(edited.assets, resources=edited.resources)
    assert result.asset_value("table") == "form"


def test_without_form_edits_the_notebook_layer_keeps_the_definitions() -> None:
    defs = wb.Definitions(assets=[table], resources={"db": Db()})
    assert with_session_edits(defs) is defs
