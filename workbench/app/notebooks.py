"""Running a notebook headless in a real kernel (``workbench demo``, the notebook tests)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from workbench.errors import MissingExtraError

if TYPE_CHECKING:
    import os

__all__ = ["notebook_errors", "run_notebook"]


def _output_text(output: Any) -> str:
    if output.get("output_type") == "stream":
        return str(output.get("text", ""))
    if output.get("output_type") == "error":
        return "\n".join([f"{output.get('ename')}: {output.get('evalue')}"])
    data = output.get("data", {})
    return str(data.get("text/plain", ""))


def notebook_errors(notebook: Any) -> list[str]:
    """Every error output of an executed notebook, as ``cell N: Name: message``."""
    found = []
    for index, cell in enumerate(notebook.cells, start=1):
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error":
                found.append(f"cell {index}: {output.get('ename')}: {output.get('evalue')}")
    return found


def run_notebook(
    path: str | os.PathLike[str], *, timeout: int = 120, cwd: str | os.PathLike[str] | None = None
) -> tuple[bool, str]:
    """Execute a notebook in a fresh kernel; return (no errors, the text of its outputs)."""
    try:
        import nbformat
        from nbclient import NotebookClient
        from nbclient.exceptions import CellExecutionError
    except ImportError as exc:
        raise MissingExtraError("running notebooks headless", "nbclient", "demo") from exc
    file = Path(path)
    notebook = nbformat.read(file, as_version=4)
    client = NotebookClient(
        notebook,
        timeout=timeout,
        kernel_name="python3",
        resources={"metadata": {"path": str(cwd or file.parent)}},
    )
    ok = True
    try:
        client.execute()
    except CellExecutionError:
        ok = False
    lines: list[str] = []
    for index, cell in enumerate(notebook.cells, start=1):
        if cell.cell_type != "code":
            continue
        texts = [_output_text(output) for output in cell.get("outputs", [])]
        texts = [text.rstrip() for text in texts if text.strip()]
        if texts:
            lines.append(f"--- cell {index} ---")
            lines.extend(texts)
    return ok and not notebook_errors(notebook), "\n".join(lines)
