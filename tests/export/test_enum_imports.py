"""An Enum from another module, edited in a form, is exported as its member (#13)."""

from __future__ import annotations

import importlib
import sys
from typing import TYPE_CHECKING, Any

import pytest

from workbench.export import export_source

from .conftest import load_module

if TYPE_CHECKING:
    from pathlib import Path

    from workbench.export.render import Target

PACKAGE = {
    "__init__.py": "",
    "enums.py": "import enum\n\n\nclass Region(enum.Enum):\n    EU = 'eu-west-1'\n"
    "    US = 'us-east-1'\n",
    "resources.py": "import workbench as wb\n\nfrom .enums import Region\n\n\n"
    "class Store(wb.ConfigurableResource):\n    region: Region = Region.US\n"
    "    regions: list[Region] = []\n",
}
ASSET = (
    "@wb.asset\ndef where(store: Store) -> list[str]:\n"
    "    return [store.region.value, *(r.value for r in store.regions)]"
)
DEFS = "defs = wb.Definitions(assets=[where], resources={'store': Store()})"
EDITS = {"store": {"region": "EU", "regions": ["US", "eu-west-1"]}}
STORE = (
    "class Store(wb.ConfigurableResource):\n    region: {0} = {0}.US\n    regions: list[{0}] = []"
)
NOTEBOOKS = {
    "from-import": ("from shop_{n}.enums import Region", STORE.format("Region"), "Region"),
    "aliased": ("from shop_{n}.enums import Region as Area", STORE.format("Area"), "Area"),
    "module": ("import shop_{n}.enums as enums", STORE.format("enums.Region"), "enums.Region"),
    "imported-class": ("from shop_{n}.resources import Store", "", "Region"),
}


@pytest.fixture
def shop(tmp_path: Path, request: pytest.FixtureRequest) -> str:
    name = f"shop_{request.node.name.replace('-', '_').replace('[', '_').rstrip(']')}"
    package = tmp_path / name
    package.mkdir()
    for file, text in PACKAGE.items():
        (package / file).write_text(text)
    return name


def _notebook(make_notebook: Any, shop: str, kind: str) -> Any:
    imports, store, _ = NOTEBOOKS[kind]
    cells = ["import workbench as wb", imports.replace("shop_{n}", shop), store, ASSET, DEFS]
    return make_notebook(*[cell for cell in cells if cell])


@pytest.mark.parametrize("target", ["workbench", "dagster"])
@pytest.mark.parametrize("kind", list(NOTEBOOKS))
def test_an_imported_enum_edit_is_written_as_the_member(
    make_notebook, tmp_path, shop, kind, target
):
    notebook = _notebook(make_notebook, shop, kind)
    name = str(tmp_path / "n.ipynb")
    source = export_source(notebook, name=name, target=target, edits=EDITS)
    spelled = NOTEBOOKS[kind][2]
    assert f"Store(region={spelled}.EU, regions=[{spelled}.US, {spelled}.EU])" in source
    if kind == "imported-class":
        assert f"from {shop}.enums import Region\n" in source


def _run(make_notebook, tmp_path, shop: str, kind: str, target: Target) -> list[str]:
    path = tmp_path / f"{target}_{kind}.py"
    notebook = _notebook(make_notebook, shop, kind)
    path.write_text(
        export_source(notebook, name=str(tmp_path / "n.ipynb"), target=target, edits=EDITS)
    )
    engine = importlib.import_module(target)
    defs = load_module(path).defs()
    result = engine.materialize(list(defs.assets), resources=dict(defs.resources))
    return list(result.asset_value("where"))


@pytest.fixture
def importable(tmp_path: Path, shop: str, monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.syspath_prepend(str(tmp_path))
    yield
    for module in [name for name in sys.modules if name.startswith(shop)]:
        del sys.modules[module]


EXPECTED = ["eu-west-1", "us-east-1", "eu-west-1"]


@pytest.mark.usefixtures("importable")
def test_workbench_runs_the_members_of_an_imported_class(make_notebook, tmp_path, shop):
    assert _run(make_notebook, tmp_path, shop, "imported-class", "workbench") == EXPECTED


@pytest.mark.dagster
@pytest.mark.usefixtures("importable")
@pytest.mark.parametrize("kind", ["aliased", "module"])
def test_both_engines_run_the_imported_members(make_notebook, tmp_path, shop, kind):
    pytest.importorskip("dagster")
    values = [
        _run(make_notebook, tmp_path, shop, kind, target) for target in ("workbench", "dagster")
    ]
    assert values[0] == values[1] == EXPECTED
