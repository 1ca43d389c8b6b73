"""Small values as run store rows: written with the run, read back first, large ones as files."""

from __future__ import annotations

import os
import pickle
import signal
import sqlite3
import time
from contextlib import closing
from typing import TYPE_CHECKING, Any

import pandas
import pytest

import workbench as wb
from workbench.core.resource import InputContext, OutputContext
from workbench.core.run import RunStatus
from workbench.errors import StorageError
from workbench.storage import default_instance
from workbench.storage._value_rows import Staged, ValueRows
from workbench.storage.sqlite import SqliteRunStore
from workbench.storage.values import SMALL_VALUE_BYTES, ValueStoreIOManager

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

    from tests.storage.conftest import RunPython
    from workbench.core.instance import Instance

LARGE = "x" * SMALL_VALUE_BYTES


class Step(wb.ConfigurableResource):
    amount: int = 1


@wb.asset
def seed(step: Step) -> int:
    return step.amount


@wb.asset
def doubled(seed: int) -> list[int]:
    return [seed, seed]


@wb.asset
def wide(seed: int) -> str:
    return LARGE + str(seed)


def _committed(db: Path) -> dict[str, Any]:
    """What another process sees: the committed rows, unpickled, by location."""
    with closing(sqlite3.connect(db)) as conn:
        rows = conn.execute("SELECT location, data FROM stored_values").fetchall()
    return {location: pickle.loads(data) for location, data in rows}


def _files(folder: Path) -> list[str]:
    return sorted(
        path.relative_to(folder).as_posix() for path in folder.rglob("*") if path.is_file()
    )


def _sqlite(instance: Instance) -> SqliteRunStore:
    assert isinstance(instance.run_store, SqliteRunStore)
    return instance.run_store


@pytest.fixture
def instance(tmp_path: Path) -> Iterator[Instance]:
    made = default_instance({"WORKBENCH_HOME": str(tmp_path / "home")})
    yield made
    _sqlite(made).close()


def test_small_values_are_committed_with_the_run_and_large_ones_are_files(
    instance: Instance, tmp_path: Path
) -> None:
    home = tmp_path / "home"
    result = wb.materialize(
        [seed, doubled, wide], resources={"step": Step(amount=4)}, instance=instance
    )
    assert result.success
    # stored by the time the run returns, where a new process looks
    assert _committed(home / "runs.db") == {"assets/seed": 4, "assets/doubled": [4, 4]}
    assert _files(home / "values") == ["assets/wide/value.pickle"]
    assert pickle.loads((home / "values/assets/wide/value.pickle").read_bytes()) == LARGE + "4"
    metadata = {
        event.data["asset_key"]: event.data["metadata"]["path"]
        for event in result.get_asset_materialization_events()
    }
    assert metadata["seed"] == f"{home / 'runs.db'}#assets/seed"
    assert metadata["wide"] == str(home / "values/assets/wide/value.pickle")


def test_a_new_kernel_loads_row_and_file_values(instance: Instance, tmp_path: Path) -> None:
    wb.materialize([seed, doubled, wide], resources={"step": Step(amount=2)}, instance=instance)
    again = default_instance({"WORKBENCH_HOME": str(tmp_path / "home")})
    try:
        result = wb.materialize(
            [seed, doubled, wide],
            selection=["doubled", "wide"],
            resources={"step": Step()},
            instance=again,
        )
        assert result.asset_value("doubled") == [2, 2]
        assert result.asset_value("wide") == LARGE + "2"
        assert again.io_manager.has_value("seed")
    finally:
        _sqlite(again).close()


def test_the_newest_value_wins_when_it_moves_between_row_and_file(
    instance: Instance, tmp_path: Path
) -> None:
    manager: ValueStoreIOManager = instance.io_manager
    values = tmp_path / "home" / "values"
    context = OutputContext(asset_key=wb.AssetKey("moving"), step_key="s", name="r", run_id="r1")
    load = InputContext(asset_key=wb.AssetKey("moving"), name="v", upstream_output=None)

    manager.handle_output(context, "small")
    _sqlite(instance).write_values()
    manager.handle_output(context, LARGE)
    assert manager.load_input(load) == LARGE  # the staged removal hides the older row
    _sqlite(instance).write_values()
    assert "assets/moving" not in _committed(tmp_path / "home" / "runs.db")
    assert _files(values) == ["assets/moving/value.pickle"]

    manager.handle_output(context, "small again")
    assert manager.load_input(load) == "small again"
    _sqlite(instance).write_values()
    assert _files(values) == []  # the file the row replaces goes once the row is committed
    assert _committed(tmp_path / "home" / "runs.db")["assets/moving"] == "small again"


def test_dataframes_stay_files_whatever_their_size(instance: Instance, tmp_path: Path) -> None:
    @wb.asset
    def frame() -> pandas.DataFrame:
        return pandas.DataFrame({"a": [1, 2]})

    wb.materialize([frame], instance=instance)
    assert "assets/frame" not in _committed(tmp_path / "home" / "runs.db")
    assert len(_files(tmp_path / "home" / "values")) == 1


def test_a_staged_value_is_read_by_its_process_before_it_is_committed(
    instance: Instance, tmp_path: Path
) -> None:
    manager: ValueStoreIOManager = instance.io_manager
    context = OutputContext(asset_key=wb.AssetKey("early"), step_key="s", name="r", run_id="r1")
    manager.handle_output(context, {"n": 1})
    assert _committed(tmp_path / "home" / "runs.db") == {}
    assert manager.has_value("early")
    assert manager.load_input(
        InputContext(asset_key=wb.AssetKey("early"), name="v", upstream_output=None)
    ) == {"n": 1}
    _sqlite(instance).close()  # closing writes what is staged
    assert _committed(tmp_path / "home" / "runs.db") == {"assets/early": {"n": 1}}


def test_delete_removes_a_row(instance: Instance, tmp_path: Path) -> None:
    wb.materialize([seed], resources={"step": Step()}, instance=instance)
    assert instance.io_manager.delete("seed")
    assert not instance.io_manager.has_value("seed")
    assert _committed(tmp_path / "home" / "runs.db") == {}
    assert not instance.io_manager.delete("seed")


def test_a_corrupt_row_is_kept_aside_as_a_file_and_the_error_says_where(
    instance: Instance, tmp_path: Path
) -> None:
    home = tmp_path / "home"
    wb.materialize([seed, doubled], resources={"step": Step()}, instance=instance)
    with closing(sqlite3.connect(home / "runs.db")) as conn, conn:
        conn.execute(
            "UPDATE stored_values SET data = ? WHERE location = 'assets/seed'", [b"\x80junk"]
        )
    result = wb.materialize(
        [seed, doubled],
        selection=["doubled"],
        resources={"step": Step()},
        instance=instance,
        raise_on_error=False,
    )
    message = result.failures[0].message
    assert "the stored value of asset 'seed' is corrupt" in message
    kept = sorted((home / "values/assets/seed").glob("value.pickle.corrupt-*"))
    assert [path.read_bytes() for path in kept] == [b"\x80junk"]
    assert str(kept[0]) in message
    assert "materialize it first" in message
    assert "assets/seed" not in _committed(home / "runs.db")
    assert wb.materialize([seed, doubled], resources={"step": Step()}, instance=instance).success


def test_a_standalone_value_store_keeps_every_value_in_files(tmp_path: Path) -> None:
    manager = ValueStoreIOManager(base_dir=str(tmp_path / "values"))
    context = OutputContext(asset_key=wb.AssetKey("tiny"), step_key="s", name="r", run_id="r1")
    manager.handle_output(context, 1)
    assert _files(tmp_path / "values") == ["assets/tiny/value.pickle"]


def test_a_failed_transaction_stages_its_values_again_unless_newer_came() -> None:
    rows = ValueRows()
    rows.stage("assets/a", Staged(b"old"))
    rows.stage("assets/b", Staged(b"b"))
    taken = rows.take()
    assert not rows
    rows.stage("assets/a", Staged(b"new"))
    rows.restore(taken)
    assert rows.staged("assets/a") == Staged(b"new", stored_at=rows.staged("assets/a").stored_at)  # type: ignore[union-attr]
    assert rows.staged("assets/b") is not None


def test_values_staged_when_a_write_fails_are_written_by_the_next(tmp_path: Path) -> None:
    store = SqliteRunStore(tmp_path / "runs.db")
    store.values.stage("assets/kept", Staged(pickle.dumps(7)))
    with pytest.raises(StorageError):
        store.finish_run("no-such-run", RunStatus.SUCCESS, end_time=0.0)
    assert store.read_value("assets/kept") == pickle.dumps(7)
    assert _committed(tmp_path / "runs.db") == {}
    store.write_values()
    assert _committed(tmp_path / "runs.db") == {"assets/kept": 7}
    store.close()


def test_temp_files_of_writers_killed_mid_write_are_swept_on_first_use(
    tmp_path: Path, run_python: RunPython
) -> None:
    values = tmp_path / "values"
    killed = run_python(
        """
        import os, signal, sys
        import workbench as wb
        from workbench.core.resource import OutputContext
        from workbench.storage.values import ValueStoreIOManager

        def die(*args, **kwargs):  # SIGKILL between writing the temp file and renaming it
            os.kill(os.getpid(), signal.SIGKILL)

        os.replace = die
        manager = ValueStoreIOManager(base_dir=sys.argv[1])
        context = OutputContext(asset_key=wb.AssetKey("big"), step_key="s", name="r", run_id="")
        manager.handle_output(context, "x" * 100_000)
        """,
        str(values),
    )
    assert killed.returncode == -signal.SIGKILL
    (left,) = (values / "assets" / "big").glob(".value.pickle.*.tmp")
    recent = left.with_name(".value.pickle.999999999.1.tmp")  # dead too, but just written
    live = left.with_name(f".value.pickle.{os.getpid()}.1.tmp")  # a write under way
    for path in (recent, live):
        path.write_bytes(b"half a value")
    an_hour_ago = time.time() - 3600
    for path in (left, live):
        os.utime(path, (an_hour_ago, an_hour_ago))

    manager = ValueStoreIOManager(base_dir=str(values))
    context = OutputContext(asset_key=wb.AssetKey("other"), step_key="s", name="r", run_id="")
    manager.handle_output(context, LARGE)
    assert not left.exists()
    assert recent.exists()
    assert live.exists()
    load = InputContext(asset_key=wb.AssetKey("other"), name="v", upstream_output=None)
    assert manager.load_input(load) == LARGE


def test_a_value_staged_outside_a_run_is_written_when_the_process_exits(
    tmp_path: Path, run_python: RunPython
) -> None:
    done = run_python(
        """
        import sys
        import workbench as wb
        from workbench.core.resource import OutputContext
        from workbench.storage import default_instance

        instance = default_instance({"WORKBENCH_HOME": sys.argv[1]})
        context = OutputContext(
            asset_key=wb.AssetKey("by_hand"), step_key="s", name="r", run_id=""
        )
        instance.io_manager.handle_output(context, {"kept": True})
        """,
        str(tmp_path / "home"),
    )
    assert done.returncode == 0, done.stderr
    assert _committed(tmp_path / "home" / "runs.db") == {"assets/by_hand": {"kept": True}}
