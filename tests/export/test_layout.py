"""Exported code is laid out as a person would write it: baked form edits included (#13)."""

from __future__ import annotations

import pytest

from workbench.export import export_source

HEAD = "import workbench as wb"
RESOURCE = (
    "class Warehouse(wb.ConfigurableResource):\n"
    "    host: str = 'localhost'\n"
    "    port: int = 5432\n"
    "    user: str = 'nobody'\n"
    "    schema_name: str = 'public'"
)
EDITS = {"w": {"user": "analyst_with_a_long_name", "port": 6543, "schema_name": "reporting"}}


def _export(make_notebook, binding: str, edits=EDITS) -> str:
    return export_source(make_notebook(HEAD, RESOURCE, binding), name="n.ipynb", edits=edits)


def test_a_one_line_call_that_grows_too_long_gets_one_argument_per_line(make_notebook):
    source = _export(make_notebook, "defs = wb.Definitions(resources={'w': Warehouse(host='db')})")
    assert (
        "        resources={\n"
        "            'w': Warehouse(\n"
        "                host='db',\n"
        '                user="analyst_with_a_long_name",\n'
        "                port=6543,\n"
        '                schema_name="reporting",\n'
        "            ),\n"
        "        },\n"
    ) in source
    assert max(len(line) for line in source.splitlines()) <= 100


def test_a_one_line_call_that_still_fits_stays_on_one_line(make_notebook):
    source = _export(
        make_notebook,
        "defs = wb.Definitions(resources={'w': Warehouse(host='db')})",
        edits={"w": {"port": 1}},
    )
    assert "            'w': Warehouse(host='db', port=1),\n" in source


@pytest.mark.parametrize(
    "call",
    [
        "Warehouse(\n    host='db',\n)",
        "Warehouse(\n    host='db'\n)",
        "Warehouse(\n    host='db')",
    ],
    ids=["trailing-comma", "no-comma", "closing-on-last-line"],
)
def test_a_call_over_several_lines_gets_one_keyword_per_line(make_notebook, call):
    source = _export(
        make_notebook, f"warehouse = {call}\ndefs = wb.Definitions(resources={{'w': warehouse}})"
    )
    expected_tail = (
        "    host='db',\n"
        '    user="analyst_with_a_long_name",\n'
        "    port=6543,\n"
        '    schema_name="reporting"'
    )
    closing = ")" if call.endswith("'db')") else ","  # a hugging ``)`` stays where it was
    assert f"warehouse = Warehouse(\n{expected_tail}{closing}" in source
    assert source.count("Warehouse(") == 2  # the class and the one call


def test_a_one_line_call_whose_edited_value_makes_it_too_long_is_split(make_notebook):
    long_host = "warehouse-replica-in-the-eu-west-region.internal.example.com"
    source = _export(
        make_notebook,
        "defs = wb.Definitions(resources={'w': Warehouse(host='db', port=1)})",
        edits={"w": {"host": long_host}},
    )
    assert (
        f"            'w': Warehouse(\n                host=\"{long_host}\",\n"
        "                port=1,\n            ),\n"
    ) in source


def test_arguments_lined_up_under_the_first_get_the_additions_lined_up(make_notebook):
    source = _export(
        make_notebook,
        "warehouse = Warehouse(host='db',\n                      port=1)\n"
        "defs = wb.Definitions(resources={'w': warehouse})",
        edits={"w": {"user": "analyst"}},
    )
    assert (
        "warehouse = Warehouse(host='db',\n"
        "                      port=1,\n"
        '                      user="analyst")\n'
    ) in source
