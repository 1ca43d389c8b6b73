"""ValueStoreIOManager: values on disk, across processes, and what happens when files go bad."""

from __future__ import annotations

import pickle
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas
import pytest

from workbench.core.resource import ConfigurableIOManager, InputContext, OutputContext
from workbench.errors import StorageError
from workbench.storage.values import ValueStoreIOManager

if TYPE_CHECKING:
    from collections.abc import Callable

    from tests.storage.conftest import RunPython


@dataclass(frozen=True)
class Key:
    """Anything with a ``path`` of strings is an asset key to the value store."""

    path: tuple[str, ...]


@dataclass
class Point:
    x: int
    y: int


def _output(key: Key | None, *, run_id: str = "run1", step: str = "step", name: str = "result"):
    return OutputContext(asset_key=key, step_key=step, name=name, run_id=run_id)  # type: ignore[arg-type]


def _input(key: Key | None, upstream: OutputContext | None = None) -> InputContext:
    return InputContext(asset_key=key, name="value", upstream_output=upstream)  # type: ignore[arg-type]


@pytest.fixture
def store(tmp_path: Path) -> ValueStoreIOManager:
    return ValueStoreIOManager(base_dir=str(tmp_path / "values"))


def _files(folder: Path) -> list[str]:
    return sorted(str(path.relative_to(folder)) for path in folder.rglob("*") if path.is_file())


def test_it_is_a_configurable_io_manager(store: ValueStoreIOManager) -> None:
    assert isinstance(store, ConfigurableIOManager)
    assert store.base_dir.endswith("values")


def test_an_asset_value_round_trips_under_its_key_path(
    store: ValueStoreIOManager, tmp_path: Path
) -> None:
    key = Key(("raw", "orders"))
    context = _output(key)

    store.handle_output(context, {"rows": [1, 2, 3], "point": Point(1, 2)})

    assert _files(tmp_path / "values") == ["assets/raw/orders/value.pickle"]
    assert context.output_metadata == {
        "path": str(tmp_path / "values" / "assets" / "raw" / "orders" / "value.pickle")
    }
    loaded = store.load_input(_input(None, upstream=_output(key, run_id="later")))
    assert loaded == {"rows": [1, 2, 3], "point": Point(1, 2)}
    assert store.load_input(_input(key)) == loaded


def test_the_newest_value_replaces_the_old_one(store: ValueStoreIOManager) -> None:
    key = Key(("a",))
    store.handle_output(_output(key), 1)
    store.handle_output(_output(key), 2)

    assert store.load_input(_input(key)) == 2


def test_a_dataframe_is_stored_as_parquet(store: ValueStoreIOManager, tmp_path: Path) -> None:
    frame = pandas.DataFrame({"city": ["Oslo", "Lima"], "population": [709_000, 10_000_000]})

    store.handle_output(_output(Key(("cities",))), frame)

    assert _files(tmp_path / "values") == ["assets/cities/value.parquet"]
    pandas.testing.assert_frame_equal(store.load_input(_input(Key(("cities",)))), frame)


def test_a_dataframe_of_python_objects_is_pickled_so_it_comes_back_unchanged(
    store: ValueStoreIOManager, tmp_path: Path
) -> None:
    frame = pandas.DataFrame({"record": [{"a": 1}, {"b": 2}]})  # Parquet would merge the dicts

    store.handle_output(_output(Key(("records",))), frame)

    assert _files(tmp_path / "values") == ["assets/records/value.pickle"]
    pandas.testing.assert_frame_equal(store.load_input(_input(Key(("records",)))), frame)


def test_changing_format_leaves_one_file(store: ValueStoreIOManager, tmp_path: Path) -> None:
    key = Key(("shifty",))
    store.handle_output(_output(key), pandas.DataFrame({"a": [1]}))
    store.handle_output(_output(key), {"now": "a dict"})

    assert _files(tmp_path / "values") == ["assets/shifty/value.pickle"]
    assert store.load_input(_input(key)) == {"now": "a dict"}


def test_an_op_output_is_kept_per_run_step_and_name(
    store: ValueStoreIOManager, tmp_path: Path
) -> None:
    upstream = _output(None, run_id="r-42", step="extract", name="rows")

    store.handle_output(upstream, [1, 2])

    assert _files(tmp_path / "values") == ["runs/r-42/extract/rows/value.pickle"]
    assert store.load_input(_input(None, upstream=upstream)) == [1, 2]


def test_a_missing_value_says_to_materialize_first(
    store: ValueStoreIOManager, tmp_path: Path
) -> None:
    folder = tmp_path / "values" / "assets" / "a" / "b"
    expected = f"asset 'a/b' has no stored value in {folder}; materialize it first"

    with pytest.raises(StorageError) as raised:
        store.load_input(_input(Key(("a", "b"))))

    assert str(raised.value) == expected


def test_a_missing_op_output_names_run_and_step(store: ValueStoreIOManager) -> None:
    upstream = _output(None, run_id="r9", step="extract", name="rows")

    with pytest.raises(StorageError, match="output 'rows' of step 'extract' in run 'r9'"):
        store.load_input(_input(None, upstream=upstream))


def test_an_input_with_nothing_to_load_is_refused(store: ValueStoreIOManager) -> None:
    with pytest.raises(StorageError, match="neither an asset nor an upstream output"):
        store.load_input(_input(None))


@pytest.mark.parametrize(
    ("key", "frame", "content"),
    [
        (Key(("broken",)), False, b"definitely not a pickle"),
        (Key(("truncated",)), False, pickle.dumps(list(range(1000)))[:50]),
        (Key(("bad_parquet",)), True, b"PAR1 not really parquet at all"),
    ],
    ids=["garbage", "truncated", "parquet"],
)
def test_a_corrupt_value_file_is_moved_aside(
    store: ValueStoreIOManager, key: Key, frame: bool, content: bytes
) -> None:
    value: Any = pandas.DataFrame({"a": [1]}) if frame else [1]
    context = _output(key)
    store.handle_output(context, value)
    path = Path(context.output_metadata["path"])
    assert path.suffix == (".parquet" if frame else ".pickle")
    path.write_bytes(content)

    with pytest.raises(StorageError, match="corrupt") as raised:
        store.load_input(_input(key))

    aside = list(path.parent.glob(f"{path.name}.corrupt-*"))
    assert len(aside) == 1
    assert aside[0].read_bytes() == content
    assert str(aside[0]) in str(raised.value)
    assert not store.has_value(key)
    with pytest.raises(StorageError, match="has no stored value"):
        store.load_input(_input(key))


def test_a_value_needing_an_undefined_class_is_kept(
    store: ValueStoreIOManager, run_python: RunPython, tmp_path: Path
) -> None:
    code = """
        import sys
        from dataclasses import dataclass
        from workbench.core.resource import OutputContext
        from workbench.storage.values import ValueStoreIOManager

        @dataclass
        class OnlyInThatKernel:
            x: int

        store = ValueStoreIOManager(base_dir=sys.argv[1])
        context = OutputContext(asset_key=None, step_key="s", name="n", run_id="r")
        class Key:
            path = ("defined_elsewhere",)
        context.asset_key = Key()
        store.handle_output(context, OnlyInThatKernel(1))
    """
    result = run_python(code, str(tmp_path / "values"))
    assert result.returncode == 0, result.stderr
    key = Key(("defined_elsewhere",))

    with pytest.raises(StorageError, match="run the cell or import that defines it"):
        store.load_input(_input(key))

    assert store.has_value(key)


def test_a_value_from_another_process_loads(
    store: ValueStoreIOManager, run_python: RunPython, tmp_path: Path
) -> None:
    store.handle_output(_output(Key(("shared",))), {"from": "the first kernel"})
    store.handle_output(_output(Key(("frame",))), pandas.DataFrame({"a": [1.5]}))
    code = """
        import sys
        from workbench.core.resource import InputContext
        from workbench.storage.values import ValueStoreIOManager
        class Key:
            def __init__(self, name): self.path = (name,)
        store = ValueStoreIOManager(base_dir=sys.argv[1])
        for name in ("shared", "frame"):
            value = store.load_input(
                InputContext(asset_key=Key(name), name="x", upstream_output=None)
            )
            print(repr(value.to_dict("list") if hasattr(value, "to_dict") else value))
    """

    result = run_python(code, str(tmp_path / "values"))

    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ["{'from': 'the first kernel'}", "{'a': [1.5]}"]


def test_an_unpicklable_value_keeps_the_previous_one(
    store: ValueStoreIOManager, tmp_path: Path
) -> None:
    key = Key(("handle",))
    store.handle_output(_output(key), "previous")

    with pytest.raises(StorageError, match="cannot be pickled") as raised:
        store.handle_output(_output(key), threading.Lock())

    assert "asset 'handle'" in str(raised.value)
    assert store.load_input(_input(key)) == "previous"
    assert _files(tmp_path / "values") == ["assets/handle/value.pickle"]


def test_has_value_and_delete_accept_keys_strings_and_parts(store: ValueStoreIOManager) -> None:
    store.handle_output(_output(Key(("a", "b"))), 1)

    assert store.has_value(Key(("a", "b")))
    assert store.has_value("a/b")
    assert store.has_value(["a", "b"])
    assert not store.has_value("a")

    assert store.delete("a/b") is True
    assert store.delete("a/b") is False
    assert not store.has_value(Key(("a", "b")))
    with pytest.raises(TypeError, match="asset key"):
        store.has_value(42)


@pytest.mark.parametrize(
    "parts",
    [("..", ".."), ("a/b", "c"), (".hidden",), ("../../escape",), ("ünïcode", "spaces ok")],
)
def test_any_key_part_stays_inside_the_base_dir(
    store: ValueStoreIOManager, tmp_path: Path, parts: tuple[str, ...]
) -> None:
    base = tmp_path / "values"
    context = _output(Key(parts))

    store.handle_output(context, parts)

    written = Path(context.output_metadata["path"]).resolve()
    assert written.is_relative_to((base / "assets").resolve())
    assert not any(part.startswith(".") for part in written.relative_to(base.resolve()).parts)
    assert store.load_input(_input(Key(parts))) == parts


def test_keys_that_differ_only_by_slashes_do_not_collide(store: ValueStoreIOManager) -> None:
    store.handle_output(_output(Key(("a/b",))), "one part")
    store.handle_output(_output(Key(("a", "b"))), "two parts")

    assert store.load_input(_input(Key(("a/b",)))) == "one part"
    assert store.load_input(_input(Key(("a", "b")))) == "two parts"


def test_an_empty_key_part_is_refused(store: ValueStoreIOManager) -> None:
    with pytest.raises(StorageError, match="empty"):
        store.handle_output(_output(Key(("a", ""))), 1)


def test_a_read_only_folder_gives_a_clear_error(
    tmp_path: Path, run_python: RunPython, read_only: Callable[[Path], Path]
) -> None:
    base = read_only(tmp_path / "values")
    code = """
        import sys
        from workbench.core.resource import OutputContext
        from workbench.errors import StorageError
        from workbench.storage.values import ValueStoreIOManager
        context = OutputContext(asset_key=None, step_key="s", name="n", run_id="r")
        try:
            manager = ValueStoreIOManager(base_dir=sys.argv[1])
            manager.handle_output(context, 1)
        except StorageError as exc:
            print("StorageError:", exc)
    """

    result = run_python(code, str(base), unprivileged=True)

    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("StorageError: cannot store the value of output 'n'")
    assert str(base) in result.stdout
    assert "WORKBENCH_HOME" in result.stdout


def test_a_full_disk_keeps_the_previous_value(
    store: ValueStoreIOManager, run_python: RunPython, tmp_path: Path
) -> None:
    store.handle_output(_output(Key(("big",))), "small and safe")
    code = """
        import resource, signal, sys
        from workbench.core.resource import OutputContext
        from workbench.errors import StorageError
        from workbench.storage.values import ValueStoreIOManager
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (100_000, 100_000))  # writes beyond fail
        class Key:
            path = ("big",)
        context = OutputContext(asset_key=Key(), step_key="s", name="n", run_id="r")
        try:
            manager = ValueStoreIOManager(base_dir=sys.argv[1])
            manager.handle_output(context, b"x" * 1_000_000)
        except StorageError as exc:
            print("StorageError:", exc)
    """

    result = run_python(code, str(tmp_path / "values"))

    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("StorageError: cannot store the value of asset 'big'")
    assert store.load_input(_input(Key(("big",)))) == "small and safe"
    assert _files(tmp_path / "values") == ["assets/big/value.pickle"]


def test_storing_plain_values_does_not_import_pandas(run_python: RunPython, tmp_path: Path) -> None:
    code = """
        import sys
        from workbench.core.resource import OutputContext
        from workbench.storage.values import ValueStoreIOManager
        context = OutputContext(asset_key=None, step_key="s", name="n", run_id="r")
        manager = ValueStoreIOManager(base_dir=sys.argv[1])
        manager.handle_output(context, {"a": 1})
        print("pandas" in sys.modules)
    """

    result = run_python(code, str(tmp_path / "values"))

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"


def test_a_dataframe_with_mixed_object_columns_is_pickled(
    store: ValueStoreIOManager, tmp_path: Path
) -> None:
    frame = pandas.DataFrame({"mixed": [1, "two", 3.0]})
    key = Key(("mixed",))

    store.handle_output(_output(key), frame)

    assert _files(tmp_path / "values") == ["assets/mixed/value.pickle"]
    pandas.testing.assert_frame_equal(store.load_input(_input(key)), frame)


def test_a_dataframe_parquet_refuses_is_pickled(store: ValueStoreIOManager, tmp_path: Path) -> None:
    frame = pandas.DataFrame([[1, 2]], columns=["same", "same"])  # Parquet needs unique names

    store.handle_output(_output(Key(("twins",))), frame)

    assert _files(tmp_path / "values") == ["assets/twins/value.pickle"]
    pandas.testing.assert_frame_equal(store.load_input(_input(Key(("twins",)))), frame)


def test_an_unchanged_value_is_not_written_again_but_a_changed_file_is(
    store: ValueStoreIOManager, tmp_path: Path
) -> None:
    key = Key(("steady",))
    store.handle_output(_output(key), {"same": 1})
    path = tmp_path / "values" / "assets" / "steady" / "value.pickle"
    first = path.stat().st_mtime_ns
    store.handle_output(_output(key), {"same": 1})
    assert path.stat().st_mtime_ns == first
    path.write_bytes(b"changed by another process")
    store.handle_output(_output(key), {"same": 1})
    assert store.load_input(_input(key)) == {"same": 1}
    store.handle_output(_output(key), {"same": 2})
    assert store.load_input(_input(key)) == {"same": 2}
