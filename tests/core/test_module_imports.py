"""Every core module imports on its own, whatever was imported before it."""

from __future__ import annotations

import pkgutil
import subprocess
import sys

import pytest

import workbench.core

CORE_MODULES = sorted(
    f"workbench.core.{info.name}" for info in pkgutil.iter_modules(workbench.core.__path__)
)


def test_core_modules_are_found():
    assert "workbench.core.plain" in CORE_MODULES
    assert "workbench.core.config" in CORE_MODULES


@pytest.mark.parametrize("module", CORE_MODULES)
def test_a_core_module_imports_first_in_a_fresh_process(module):
    done = subprocess.run(
        [sys.executable, "-c", f"import {module}"], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
