"""An Enum field edited in a form is exported as the member, which Dagster and workbench accept."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from workbench.export import export_source

from .conftest import load_module

if TYPE_CHECKING:
    from pathlib import Path

    from workbench.export.render import Target

CELLS = (
    "import enum\n\nimport workbench as wb",
    "class Region(enum.Enum):\n    EU = 'eu-west-1'\n    US = 'us-east-1'",
    "class Limits(wb.Config):\n    regions: list[Region] = []",
    "class Store(wb.ConfigurableResource):\n"
    "    region: Region = Region.US\n"
    "    backup: Region | None = None\n"
    "    limits: Limits = Limits()\n"
    "    name: str = 'x'",
    "@wb.asset\ndef where(store: Store) -> list[str]:\n"
    "    regions = [r.value for r in store.limits.regions]\n"
    "    return [store.region.value, store.backup.value, *regions, store.name]",
    "defs = wb.Definitions(assets=[where], resources={'store': Store()})",
)
EDITS = {
    "store": {
        "region": "EU",  # a form saves the member's name
        "backup": "us-east-1",  # an older edit may hold the value
        "limits": {"regions": ["US", "EU"]},
        "name": "EU",  # a str field that happens to spell a member stays a string
    }
}


@pytest.mark.parametrize("target", ["workbench", "dagster"])
def test_enum_edits_are_written_as_members(make_notebook, target):
    source = export_source(make_notebook(*CELLS), name="n.ipynb", target=target, edits=EDITS)
    assert (
        "                region=Region.EU,\n"
        "                backup=Region.US,\n"
        "                limits=Limits(regions=[Region.US, Region.EU]),\n"
        '                name="EU",\n'
    ) in source


def test_an_enum_value_no_member_spells_stays_a_string(make_notebook):
    edits = {"store": {"region": "ASIA"}}
    source = export_source(make_notebook(*CELLS), name="n.ipynb", edits=edits)
    assert 'Store(region="ASIA")' in source


def _materialize(module_name: str, path: Path) -> list[str]:
    import importlib

    engine = importlib.import_module(module_name)
    defs = load_module(path).defs()
    result = engine.materialize(list(defs.assets), resources=dict(defs.resources))
    return list(result.asset_value("where"))


@pytest.mark.dagster
def test_both_engines_run_the_baked_members(make_notebook, tmp_path):
    pytest.importorskip("dagster")
    values = []
    targets: list[tuple[Target, str]] = [("workbench", "workbench"), ("dagster", "dagster")]
    for target, module_name in targets:
        path = tmp_path / f"{target}.py"
        path.write_text(
            export_source(make_notebook(*CELLS), name="n.ipynb", target=target, edits=EDITS)
        )
        values.append(_materialize(module_name, path))
    assert values[0] == values[1] == ["eu-west-1", "us-east-1", "us-east-1", "eu-west-1", "EU"]
