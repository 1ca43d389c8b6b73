"""Templates for ``scaffold``: a resource cell, or a definitions file like ``dg scaffold defs``."""

from __future__ import annotations

import os
import re
from typing import TYPE_CHECKING

from workbench.errors import WorkbenchError

if TYPE_CHECKING:
    from pathlib import Path

__all__ = ["resource_cell", "write_defs"]

_RESOURCES = '''import workbench as wb


class {cls}(wb.ConfigurableResource):
    """What {cls} connects to; its fields are its config."""

    base_url: str = "http://127.0.0.1:8000"
    token: str = wb.EnvVar("{env}_TOKEN")

    def get(self, path: str) -> bytes:
        import requests

        response = requests.get(f"{{self.base_url}}/{{path}}", timeout=10)
        response.raise_for_status()
        return response.content


@wb.definitions
def resources() -> wb.Definitions:
    return wb.Definitions(resources={{"{key}": {cls}()}})
'''

_TEMPLATES = {
    "workbench.resources": """import workbench as wb


@wb.definitions
def resources() -> wb.Definitions:
    return wb.Definitions(resources={})
""",
    "workbench.asset": """import workbench as wb


@wb.asset
def {stem}(context: wb.AssetExecutionContext) -> wb.MaterializeResult:
    return wb.MaterializeResult()
""",
    "workbench.sensor": """import workbench as wb


@wb.sensor(target="*")
def {stem}(context: wb.SensorEvaluationContext) -> wb.SkipReason:
    return wb.SkipReason("not implemented yet")
""",
    "workbench.schedule": """import workbench as wb


@wb.schedule(cron_schedule="@daily", target="*")
def {stem}(context: wb.ScheduleEvaluationContext) -> wb.RunRequest:
    return wb.RunRequest()
""",
}


def _class_name(name: str) -> str:
    words = [word for word in re.split(r"[^0-9a-zA-Z]+", name) if word]
    if not words:
        raise WorkbenchError(
            f"{name!r} is not a usable resource name; use letters, e.g. 'warehouse'"
        )
    cls = "".join(word[:1].upper() + word[1:] for word in words)
    if cls[0].isdigit():
        cls = f"R{cls}"
    return cls if cls.endswith("Resource") else f"{cls}Resource"


def resource_cell(name: str) -> str:
    """A cell with a ConfigurableResource template named after ``name`` and its binding."""
    cls = _class_name(name)
    key = re.sub(r"[^0-9a-zA-Z]+", "_", name).strip("_").lower() or "resource"
    return _RESOURCES.format(cls=cls, key=key, env=key.upper())


def write_defs(kind: str, path: Path) -> Path:
    """Write a definitions file of ``kind`` at ``path``; never overwrite an existing file."""
    template = _TEMPLATES.get(kind)
    if template is None:
        kinds = ", ".join(sorted(_TEMPLATES))
        raise WorkbenchError(f"no scaffold {kind!r}; choose one of {kinds}")
    target = path if path.suffix == ".py" else path.with_suffix(".py")
    target = target.resolve()
    if target.exists():
        raise WorkbenchError(f"Path `{target}` already exists; choose another path or remove it")
    stem = re.sub(r"\W", "_", target.stem)
    text = template.replace("{stem}", stem)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        with open(target, "x", encoding="utf-8") as handle:
            handle.write(text)
        os.chmod(target, 0o644)
    except FileExistsError as exc:  # a file where a folder of the path should be
        raise WorkbenchError(
            f"cannot write {str(target)!r}: {exc.filename!r} is a file, not a folder; "
            "choose a path under a folder"
        ) from None
    except OSError as exc:
        raise WorkbenchError(
            f"cannot write {str(target)!r}: {exc.strerror or exc}; choose a folder you can write to"
        ) from None
    return target
