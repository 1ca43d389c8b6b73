"""Running a notebook headless in a real kernel (``workbench demo``, the notebook tests)."""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

from workbench.errors import MissingExtraError

__all__ = ["notebook_errors", "run_notebook", "transcript"]


def _output_text(output: Any) -> str:
    if output.get("output_type") == "stream":
        return str(output.get("text", ""))
    if output.get("output_type") == "error":
        return "\n".join([f"{output.get('ename')}: {output.get('evalue')}"])
    data = output.get("data", {})
    return str(data.get("text/plain", ""))


def notebook_errors(notebook: Any) -> list[str]:
    """Every error output of an executed notebook, as ``cell N: Name: message``.

    N counts code cells, as the transcript's ``In [N]`` does.
    """
    found = []
    code_cells = [cell for cell in notebook.cells if cell.cell_type == "code"]
    for index, cell in enumerate(code_cells, start=1):
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error":
                found.append(f"cell {index}: {output.get('ename')}: {output.get('evalue')}")
    return found


def run_notebook(
    path: str | os.PathLike[str], *, timeout: int = 120, cwd: str | os.PathLike[str] | None = None
) -> tuple[bool, str]:
    """Execute a notebook in a fresh kernel; return (no errors, a transcript of its code cells).

    The kernel is told which notebook it runs, as Jupyter Server tells it (``JPY_SESSION_NAME``),
    so form edits are saved under the notebook and its export finds them (see #14). The
    transcript shows each code cell's source and outputs, numbered as code cells, and ends with
    a one-line summary.
    """
    try:
        import nbformat
        from nbclient import NotebookClient
        from nbclient.exceptions import CellExecutionError
    except ImportError as exc:
        raise MissingExtraError("running notebooks headless", "nbclient", "demo") from exc
    file = Path(path).resolve()
    notebook = nbformat.read(file, as_version=4)
    client = NotebookClient(
        notebook,
        timeout=timeout,
        kernel_name="python3",
        resources={"metadata": {"path": str(cwd or file.parent)}},
    )
    environment = {**os.environ, "JPY_SESSION_NAME": str(file)}
    started = time.monotonic()
    ok = True
    try:
        client.execute(env=environment)
    except CellExecutionError:
        ok = False
    seconds = time.monotonic() - started
    return ok and not notebook_errors(notebook), transcript(notebook, file.name, seconds)


def transcript(notebook: Any, name: str, seconds: float) -> str:
    """Each code cell's source (``In [n]:``) and its outputs, then a one-line summary."""
    lines: list[str] = []
    code_cells = [cell for cell in notebook.cells if cell.cell_type == "code"]
    for number, cell in enumerate(code_cells, start=1):
        lines.append(f"In [{number}]:")
        lines.extend(f"    {line}" for line in cell.source.splitlines())
        texts = [_output_text(output).rstrip() for output in cell.get("outputs", [])]
        texts = [text for text in texts if text.strip()]
        if texts:
            lines.append(f"Out [{number}]:")
            lines.extend(f"    {line}" for text in texts for line in text.splitlines())
        lines.append("")
    errors = notebook_errors(notebook)
    outcome = "no errors" if not errors else f"{len(errors)} error(s): {'; '.join(errors)}"
    lines.append(f"{name}: ran {len(code_cells)} code cells in {seconds:.1f} s, {outcome}")
    return "\n".join(lines)
