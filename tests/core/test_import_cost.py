"""Touching the core (a notebook's first cell) loads only what defining things needs (#16)."""

from __future__ import annotations

import pytest

from benchmarks.harness import run_child

# loaded on first use instead: a thread pool (max_workers > 1), the run store, and the
# notebook layer
DEFERRED = ("concurrent.futures", "sqlite3", "pandas", "IPython", "ipywidgets")


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


def test_touching_the_core_builds_no_validators_for_workbench_own_classes() -> None:
    code = (
        "import json\n"
        "import workbench as wb\n"
        "wb.asset, wb.ConfigurableResource, wb.Definitions, wb.materialize, wb.EnvVar\n"
        "names = ('Config', 'PermissiveConfig', 'ConfigurableResource', 'ConfigurableIOManager')\n"
        "built = {name: getattr(wb, name).__pydantic_complete__ for name in names}\n"
        "print(json.dumps({'built': built}))"
    )
    assert run_child(code)["built"] == dict.fromkeys(
        ("Config", "PermissiveConfig", "ConfigurableResource", "ConfigurableIOManager"), False
    )


def test_a_user_class_is_built_and_checked_where_it_is_defined() -> None:
    import pydantic

    import workbench as wb

    class Warehouse(wb.ConfigurableResource):
        host: str = "localhost"

    assert Warehouse.__pydantic_complete__
    assert Warehouse(host="db").host == "db"
    with pytest.raises(pydantic.PydanticUserError, match="incorrect fields"):

        class Broken(wb.Config):
            size: int = 1

            @pydantic.field_validator("nope")
            @classmethod
            def check(cls, value: int) -> int:
                return value


def test_workbench_own_classes_still_work_when_first_used() -> None:
    import workbench as wb

    assert wb.PermissiveConfig(extra_field=1).model_dump() == {"extra_field": 1}
    assert wb.Config().model_dump() == {}
    assert "properties" in wb.ConfigurableResource.model_json_schema()
