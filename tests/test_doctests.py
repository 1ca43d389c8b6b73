"""The examples in workbench's docstrings run and print exactly what they show (#17)."""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import workbench

MODULES = sorted(
    info.name
    for info in pkgutil.walk_packages(workbench.__path__, prefix="workbench.")
    if info.name != "workbench.__main__"
)


def examples(name: str) -> list[doctest.DocTest]:
    module = importlib.import_module(name)
    return [test for test in doctest.DocTestFinder().find(module) if test.examples]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name: str) -> None:
    runner = doctest.DocTestRunner(optionflags=doctest.NORMALIZE_WHITESPACE)
    for test in examples(name):
        runner.run(test)
    assert runner.failures == 0, f"{runner.failures} example(s) in {name} fail; run pytest -v"


def test_the_examples_are_found() -> None:
    found = {name: len(examples(name)) for name in MODULES}
    assert sum(found.values()) >= 10
    assert found["workbench.core.graph"] >= 1
