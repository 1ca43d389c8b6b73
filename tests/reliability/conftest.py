"""Shared pieces of the reliability suite: homes, subprocess kernels, an every-kind resource."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
import types
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, settings

from workbench.core import instance as instance_module

# modest and reproducible: the whole suite stays within a few minutes on two cores
FUZZ = settings(
    max_examples=40,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

RunPython = Callable[..., subprocess.CompletedProcess[str]]

ROOT = Path(__file__).resolve().parents[2]

EVERYTHING = '''
import datetime as dt
import enum
from typing import Literal, Optional, Union

from pydantic import Field, SecretStr, field_validator, model_validator

import workbench as wb


class Region(enum.Enum):
    EU = "eu-west-1"
    US = "us-east-1"


class Retry(wb.Config):
    attempts: int = Field(default=3, ge=1, le=10, description="How many tries.")
    backoff_seconds: float = 0.5


class S3Target(wb.Config):
    kind: Literal["s3"] = "s3"
    bucket: str


class LocalTarget(wb.Config):
    kind: Literal["local"] = "local"
    folder: str = "/tmp/out"


class Everything(wb.ConfigurableResource):
    """One field of every kind (as in notebooks/config_types.ipynb)."""

    name: str = Field(description="A plain string.", pattern=r"^[a-z_]+$")
    port: int = Field(default=5432, ge=1, le=65535, description="An int with bounds.")
    ratio: float = Field(default=0.5, ge=0, le=1)
    verbose: bool = False
    region: Region = Region.EU
    mode: Literal["fast", "safe"] = "safe"
    start_date: dt.date = dt.date(2026, 1, 1)
    run_at: dt.datetime = dt.datetime(2026, 1, 1, 6, 0)
    tags: list[str] = Field(default_factory=list)
    limits: dict[str, int] = Field(default_factory=dict)
    retry: Retry = Retry()
    note: Optional[str] = None
    target: Union[S3Target, LocalTarget] = Field(default=LocalTarget(), discriminator="kind")
    password: SecretStr = Field(default=SecretStr(""), description="Never shown.")
    api_user: str = wb.EnvVar("EVERYTHING_USER")

    @field_validator("tags")
    @classmethod
    def no_blank_tags(cls, value: list[str]) -> list[str]:
        if any(not tag.strip() for tag in value):
            raise ValueError("tags must not be blank")
        return value

    @model_validator(mode="after")
    def safe_mode_retries(self):
        if self.mode == "safe" and self.retry.attempts < 2:
            raise ValueError("safe mode needs at least 2 retry attempts")
        return self
'''
"""The config_types notebook's resource: every field kind a form has a control for."""


def load_everything() -> dict[str, Any]:
    """Execute :data:`EVERYTHING` as a module and return its namespace (the classes)."""
    module = sys.modules.get("reliability_everything")
    if module is None:
        module = types.ModuleType("reliability_everything")
        sys.modules[module.__name__] = module  # pydantic resolves annotations through it
        exec(compile(EVERYTHING, "<everything>", "exec"), vars(module))
    return vars(module)


@pytest.fixture
def home(_isolated_home: Path) -> Path:
    """This test's WORKBENCH_HOME (fresh, empty)."""
    return _isolated_home


@pytest.fixture
def fresh_instance() -> Iterator[Callable[[], instance_module.Instance]]:
    """Forget the default instance, as a new kernel would, and give a way to get it again."""

    def get() -> instance_module.Instance:
        instance_module.reset_default_instance()
        return instance_module.default_instance()

    yield get
    instance_module.reset_default_instance()


def unprivileged_prefix() -> list[str]:
    """Root ignores file modes; drop every capability so read-only folders are read-only."""
    if not hasattr(os, "geteuid") or os.geteuid() != 0:
        return []
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        pytest.fail("running as root: install setpriv (util-linux) to test read-only folders")
    return [setpriv, "--inh-caps=-all", "--bounding-set=-all", "--"]


def python_command(code: str, *, unprivileged: bool = False) -> list[str]:
    """The command that runs ``code`` in a new Python process (a new kernel)."""
    command = [sys.executable, "-c", textwrap.dedent(code)]
    return [*unprivileged_prefix(), *command] if unprivileged else command


@pytest.fixture
def run_python(home: Path) -> RunPython:
    """Run Python code in a new process with this test's WORKBENCH_HOME."""

    def run(
        code: str, *args: str, unprivileged: bool = False, timeout: float = 120
    ) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [*python_command(code, unprivileged=unprivileged), *args],
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
            env={**os.environ, "WORKBENCH_HOME": str(home)},
        )

    return run


def every_file(folder: Path) -> Iterator[Path]:
    """Every file under ``folder``, hidden ones and SQLite's companions included."""
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            yield path
