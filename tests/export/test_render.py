"""Rendering a module from a very large cell keeps every statement and rewrites each one."""

from __future__ import annotations

from nbformat.v4 import new_code_cell, new_notebook

from workbench.export import export_source


def one_big_cell(lines: int):
    """One cell of ``lines`` lines: constants, each a comment and an assignment, then an asset.

    Each constant uses the one before it, so export keeps all of them, and each names
    ``wb.AssetKey``, which the Dagster target rewrites.
    """
    count = lines // 2
    body = "".join(f"# step {i}\nC{i} = (C{i - 1}, wb.AssetKey('c{i}'))\n" for i in range(1, count))
    source = (
        "import workbench as wb\n"
        "C0 = None\n"
        f"{body}"
        f"@wb.asset\ndef total() -> int:\n    return len(C{count - 1})\n"
        "defs = wb.Definitions(assets=[total])\n"
    )
    nb = new_notebook()
    nb.cells = [new_code_cell(source)]
    return nb


def test_a_ten_thousand_line_cell_is_exported_whole():
    notebook = one_big_cell(10_000)
    source = export_source(notebook, name="big.ipynb", target="dagster")
    assert source.count("dg.AssetKey(") == 4_999
    assert "wb." not in source.split('"""', 2)[2]
    assert "# step 4999\nC4999 = (C4998, dg.AssetKey('c4999'))" in source
