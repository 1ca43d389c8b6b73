"""Touching the core (a notebook's first cell) loads only what defining things needs (#16)."""

from __future__ import annotations

from benchmarks.harness import run_child

# loaded on first use instead: a thread pool (max_workers > 1), HTML reprs, the run store,
# and the notebook layer
DEFERRED = ("concurrent.futures", "html", "sqlite3", "pandas", "IPython", "ipywidgets")


def test_touching_the_core_defers_what_first_use_needs() -> None:
    code = (
        "import json, sys\n"
        "import workbench as wb\n"
        "wb.asset, wb.ConfigurableResource, wb.Definitions, wb.materialize, wb.EnvVar\n"
        f"print(json.dumps({{'loaded': [name for name in {DEFERRED!r} if name in sys.modules]}}))"
    )
    assert run_child(code)["loaded"] == []


def test_a_parallel_run_and_a_result_display_still_load_what_they_need() -> None:
    import workbench as wb

    @wb.asset
    def left() -> int:
        return 1

    @wb.asset
    def right() -> int:
        return 2

    result = wb.materialize([left, right], max_workers=2, instance=wb.Instance.ephemeral())
    assert (result.asset_value("left"), result.asset_value("right")) == (1, 2)
    bundle = result._repr_mimebundle_()
    assert "<table>" in bundle["text/html"]
