"""What only the SQLite run store does: persistence, migrations, processes, faults."""

from __future__ import annotations

import datetime
import json
import math
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from pydantic import Field

import workbench as wb
from workbench.core.instance import Instance
from workbench.core.run import EventType, RunEvent, RunRecord, RunStatus
from workbench.errors import ConfigError, StorageError
from workbench.storage.sqlite import MIGRATIONS, SCHEMA_VERSION, SqliteRunStore

if TYPE_CHECKING:
    from collections.abc import Callable

    from tests.storage.conftest import RunPython

WRITER = """
import sys, time
from pathlib import Path
from workbench.core.run import EventType, RunEvent, RunRecord, RunStatus
from workbench.storage.sqlite import SqliteRunStore

path, run_id, count, go = sys.argv[1], sys.argv[2], int(sys.argv[3]), Path(sys.argv[4])
store = SqliteRunStore(path)
while not go.exists():
    time.sleep(0.001)
store.add_run(RunRecord(run_id, "concurrent"))
for number in range(count):
    store.add_events([RunEvent(run_id, EventType.LOG, message=str(number))])
store.finish_run(run_id, RunStatus.SUCCESS, end_time=time.time())
store.close()
"""


def _db(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(path, isolation_level=None)


def test_runs_events_and_materializations_survive_reopening(tmp_path: Path) -> None:
    path = tmp_path / "runs.db"
    with SqliteRunStore(path) as store:
        store.add_run(RunRecord("r1", "daily", tags={"a": "b"}, steps=["x"]))
        store.add_events(
            [
                RunEvent("r1", EventType.STEP_SUCCESS, step_key="x", data={"duration": 0.5}),
                RunEvent(
                    "r1",
                    EventType.ASSET_MATERIALIZATION,
                    data={"asset_key": "x", "code_version": "v1"},
                ),
            ]
        )
        store.finish_run("r1", RunStatus.SUCCESS, end_time=time.time())

    with SqliteRunStore(path) as reopened:
        run = reopened.get_run("r1")
        assert (run.status, run.tags, run.steps) == (RunStatus.SUCCESS, {"a": "b"}, ["x"])
        assert [e.event_type for e in reopened.get_events("r1")] == [
            EventType.STEP_SUCCESS,
            EventType.ASSET_MATERIALIZATION,
        ]
        assert reopened.latest_materializations()["x"].code_version == "v1"


def test_a_new_file_is_in_wal_mode_at_the_current_schema(tmp_path: Path) -> None:
    path = tmp_path / "nested" / "runs.db"
    SqliteRunStore(path).close()

    conn = _db(path)
    assert conn.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    assert conn.execute("PRAGMA user_version").fetchone() == (SCHEMA_VERSION,)
    conn.close()


def test_a_v1_file_is_migrated_keeping_its_data(tmp_path: Path) -> None:
    path = tmp_path / "runs.db"
    conn = _db(path)
    version, script = MIGRATIONS[0]
    assert version == 1
    conn.executescript(script)
    conn.execute(
        "INSERT INTO runs (run_id, job_name, status, start_time, end_time, pid) "
        "VALUES ('old', 'legacy', 'SUCCESS', 1.0, 2.0, 1)"
    )
    conn.executemany(
        "INSERT INTO events (run_id, type, timestamp, message, data) VALUES ('old', ?, ?, ?, ?)",
        [
            ("LOG", 1.5, "kept", "{}"),
            ("STEP_SUCCESS", 1.6, "timed", '{"duration":2.5}'),
            ("STEP_SUCCESS", 1.7, "odd", '{"duration":"slow","x":NaN}'),
        ],
    )
    conn.execute("PRAGMA user_version = 1")
    conn.close()

    with SqliteRunStore(path) as store:
        assert store.get_run("old").job_name == "legacy"
        assert [event.message for event in store.get_events("old")] == ["kept", "timed", "odd"]
        assert [row[4] for row in store.event_rows("old")] == [None, 2.5, None]
        store.add_run(RunRecord("new", "fresh"))

    conn = _db(path)
    assert conn.execute("PRAGMA user_version").fetchone() == (SCHEMA_VERSION,)
    columns = {row[1] for row in conn.execute("PRAGMA table_info(runs)")}
    assert "hostname" in columns
    assert "duration" in {row[1] for row in conn.execute("PRAGMA table_info(events)")}
    assert "stored_values" in {row[0] for row in conn.execute("SELECT name FROM sqlite_master")}
    indexes = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type='index'")}
    assert {"events_by_run", "runs_by_job", "runs_by_status"} <= indexes
    plan = " ".join(
        str(row) for row in conn.execute("EXPLAIN QUERY PLAN SELECT * FROM events WHERE run_id='x'")
    )
    assert "events_by_run" in plan
    conn.close()


class Source(wb.ConfigurableResource):
    table: str = "t"


def test_a_v3_file_is_migrated_and_its_materializations_still_judge_staleness(
    tmp_path: Path,
) -> None:
    @wb.asset(code_version="1")
    def kept(source: Source) -> int:
        return 1

    # a materialization as workbench wrote it before base config hashes (#14)
    made = wb.materialize([kept], resources={"source": Source()}, instance=Instance.ephemeral())
    (event,) = made.get_asset_materialization_events()
    path = tmp_path / "runs.db"
    conn = _db(path)
    for version, script in MIGRATIONS:
        if version <= 3:
            conn.executescript(script)
    conn.execute(
        "INSERT INTO runs (run_id, job_name, status, start_time, pid) "
        "VALUES (?, '__ASSET_JOB', 'SUCCESS', 1.0, 1)",
        (event.run_id,),
    )
    conn.execute(
        "INSERT INTO materializations (asset_key, run_id, timestamp, code_version, config_hash, "
        "data_version) VALUES ('kept', ?, 1.0, '1', ?, 'v1')",
        (event.run_id, event.data["config_hash"]),
    )
    conn.execute("PRAGMA user_version = 3")
    conn.close()

    with SqliteRunStore(path) as store:
        old = store.latest_materializations()["kept"]
        assert (old.config_hash, old.base_config_hash) == (event.data["config_hash"], None)
        instance = Instance(run_store=store)
        defs = wb.Definitions(assets=[kept], resources={"source": Source()})
        assert wb.stale_assets(defs, store=store) == {}
        changed = wb.Definitions(assets=[kept], resources={"source": Source(table="u")})
        assert wb.stale_assets(changed, store=store) == {wb.AssetKey("kept"): "config changed"}
        wb.materialize(
            [kept],
            resources={"source": Source()},
            run_config={"resources": {"source": {"config": {"table": "once"}}}},
            instance=instance,
        )
        new = store.latest_materializations()["kept"]
        assert new.base_config_hash is not None
        assert new.config_hash != new.base_config_hash
        assert wb.stale_assets(defs, store=store) == {}

    conn = _db(path)
    assert conn.execute("PRAGMA user_version").fetchone() == (SCHEMA_VERSION,)
    columns = {row[1] for row in conn.execute("PRAGMA table_info(materializations)")}
    assert "base_config_hash" in columns
    conn.close()


def test_a_file_from_a_newer_workbench_is_refused_and_left_alone(tmp_path: Path) -> None:
    path = tmp_path / "runs.db"
    SqliteRunStore(path).close()
    conn = _db(path)
    conn.execute("PRAGMA user_version = 99")
    conn.close()
    before = path.read_bytes()

    with pytest.raises(StorageError, match="newer") as raised:
        SqliteRunStore(path)

    assert str(path) in str(raised.value)
    assert path.read_bytes() == before


def test_an_unrelated_sqlite_file_is_not_taken_over(tmp_path: Path) -> None:
    path = tmp_path / "runs.db"
    conn = _db(path)
    conn.execute("CREATE TABLE mine (x)")
    conn.close()

    with pytest.raises(StorageError, match="not a workbench run store"):
        SqliteRunStore(path)

    tables = [row[0] for row in _db(path).execute("SELECT name FROM sqlite_master")]
    assert tables == ["mine"]


def test_one_batch_of_events_is_all_or_nothing(tmp_path: Path) -> None:
    with SqliteRunStore(tmp_path / "runs.db") as store:
        store.add_run(RunRecord("r1", "job"))

        with pytest.raises(StorageError, match="no run 'ghost'"):
            store.add_events(
                [RunEvent("r1", EventType.LOG, message="a"), RunEvent("ghost", EventType.LOG)]
            )

        assert store.get_events("r1") == []


def test_metadata_json_cannot_hold_is_stored_as_text(tmp_path: Path) -> None:
    class Opaque:
        def __repr__(self) -> str:
            return "Opaque()"

    when = datetime.datetime(2024, 1, 2, 3, 4, 5)
    with SqliteRunStore(tmp_path / "runs.db") as store:
        store.add_run(RunRecord("r1", "job", config_snapshot={"path": Path("/data")}))
        store.add_events(
            [
                RunEvent(
                    "r1",
                    EventType.ASSET_MATERIALIZATION,
                    data={
                        "asset_key": "a",
                        "metadata": {"when": when, "tags": {"x"}, "object": Opaque()},
                    },
                )
            ]
        )

        assert store.get_run("r1").config_snapshot == {"path": "/data"}
        assert store.latest_materializations()["a"].metadata == {
            "when": "2024-01-02T03:04:05",
            "tags": ["x"],
            "object": "Opaque()",
        }


def test_non_finite_numbers_in_event_data_round_trip(tmp_path: Path) -> None:
    with SqliteRunStore(tmp_path / "runs.db") as store:
        store.add_run(RunRecord("r1", "job"))
        store.add_events(
            [
                RunEvent(
                    "r1",
                    EventType.STEP_SUCCESS,
                    data={"duration": float("inf"), "metadata": {"mean": float("nan")}},
                )
            ]
        )

        data = store.get_events("r1")[0].data
        assert data["duration"] == float("inf")
        assert math.isnan(data["metadata"]["mean"])
        assert store.event_rows("r1")[0][4] == float("inf")


def test_a_value_that_contains_itself_is_a_storage_error(tmp_path: Path) -> None:
    loop: dict[str, object] = {}
    loop["self"] = loop
    with SqliteRunStore(tmp_path / "runs.db") as store:
        with pytest.raises(StorageError, match="plain data"):
            store.add_run(RunRecord("r1", "job", tags=loop))  # type: ignore[arg-type]

        assert store.list_runs() == []


def test_event_rows_give_durations_without_decoding_events(tmp_path: Path) -> None:
    with SqliteRunStore(tmp_path / "runs.db") as store:
        store.add_run(RunRecord("r1", "job"))
        store.add_events(
            [
                RunEvent("r1", EventType.STEP_START, timestamp=1.0, step_key="a"),
                RunEvent(
                    "r1", EventType.STEP_SUCCESS, timestamp=2.0, step_key="a", data={"duration": 1}
                ),
            ]
        )

        assert store.event_rows("r1") == [
            (1.0, "STEP_START", "a", "", None),
            (2.0, "STEP_SUCCESS", "a", "", 1),
        ]
        with pytest.raises(StorageError, match="no run 'nope'"):
            store.event_rows("nope")


def test_a_closed_store_says_so(tmp_path: Path) -> None:
    store = SqliteRunStore(tmp_path / "runs.db")
    store.close()

    with pytest.raises(StorageError, match="closed"):
        store.list_runs()


def _start_doomed_writer(path: Path, events_per_batch: int) -> subprocess.Popen[str]:
    code = textwrap.dedent(
        """
        import sys
        from workbench.core.run import EventType, RunEvent, RunRecord
        from workbench.storage.sqlite import SqliteRunStore

        store = SqliteRunStore(sys.argv[1])
        store.add_run(RunRecord("doomed", "job"))
        print("ready", flush=True)
        batch = int(sys.argv[2])
        while True:
            store.add_events([RunEvent("doomed", EventType.LOG) for _ in range(batch)])
        """
    )
    process = subprocess.Popen(
        [sys.executable, "-c", code, str(path), str(events_per_batch)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    assert process.stdout.readline().strip() == "ready"
    return process


def test_a_run_of_a_killed_process_is_abandoned_on_reopen(tmp_path: Path) -> None:
    path = tmp_path / "runs.db"
    process = _start_doomed_writer(path, events_per_batch=10)
    time.sleep(0.2)  # let it commit some batches, and be killed in the middle of one

    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    process.communicate()

    with SqliteRunStore(path) as store:
        run = store.get_run("doomed")
        assert run.status is RunStatus.ABANDONED
        assert run.end_time is not None
        assert run.error is not None
        assert f"process {process.pid}" in run.error
        events = store.get_events("doomed")
        assert len(events) > 0
        assert len(events) % 10 == 0  # never half a batch
        assert store.list_runs(status=RunStatus.STARTED) == []


def test_an_open_store_notices_a_run_abandoned_later(tmp_path: Path) -> None:
    path = tmp_path / "runs.db"
    process = _start_doomed_writer(path, events_per_batch=1)
    with SqliteRunStore(path) as store:
        assert store.get_run("doomed").status is RunStatus.STARTED

        os.kill(process.pid, signal.SIGKILL)
        process.wait()
        process.communicate()

        assert [run.status for run in store.list_runs()] == [RunStatus.ABANDONED]


def test_live_runs_and_runs_of_other_hosts_are_not_abandoned(tmp_path: Path) -> None:
    path = tmp_path / "runs.db"
    with SqliteRunStore(path) as store:
        store.add_run(RunRecord("mine", "job"))
        store.add_run(RunRecord("elsewhere", "job", pid=2**22 + 12345))
    conn = _db(path)
    conn.execute("UPDATE runs SET hostname = 'another-machine' WHERE run_id = 'elsewhere'")
    conn.close()

    with SqliteRunStore(path) as store:
        assert store.get_run("mine").status is RunStatus.STARTED
        assert store.get_run("elsewhere").status is RunStatus.STARTED


def test_two_processes_writing_at_once_lose_nothing(tmp_path: Path) -> None:
    path = tmp_path / "runs.db"
    go = tmp_path / "go"
    SqliteRunStore(path).close()
    writers = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER, str(path), run_id, "500", str(go)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for run_id in ("first", "second")
    ]
    time.sleep(0.5)  # both are waiting on the same start signal
    go.touch()
    outputs = [writer.communicate(timeout=300) for writer in writers]

    for writer, (_, stderr) in zip(writers, outputs, strict=True):
        assert writer.returncode == 0, stderr
        assert "locked" not in stderr
    with SqliteRunStore(path) as store:
        for run_id in ("first", "second"):
            assert store.get_run(run_id).status is RunStatus.SUCCESS
            messages = [event.message for event in store.get_events(run_id)]
            assert messages == [str(number) for number in range(500)]


def test_a_file_that_is_not_a_database_is_moved_aside(tmp_path: Path) -> None:
    path = tmp_path / "runs.db"
    path.write_bytes(b"this is not sqlite " * 100)

    with pytest.raises(StorageError, match="corrupt") as raised:
        SqliteRunStore(path)

    aside = list(tmp_path.glob("runs.db.corrupt-*"))
    assert len(aside) == 1
    assert aside[0].read_bytes() == b"this is not sqlite " * 100
    assert str(path) in str(raised.value)
    assert str(aside[0]) in str(raised.value)
    with SqliteRunStore(path) as fresh:
        assert fresh.list_runs() == []


def _open_and_read(path: Path) -> None:
    with SqliteRunStore(path) as store:
        store.get_events("r1")


def test_a_database_damaged_inside_is_moved_aside_when_read(tmp_path: Path) -> None:
    path = tmp_path / "runs.db"
    with SqliteRunStore(path) as store:
        store.add_run(RunRecord("r1", "job", pid=os.getpid()))
        store.add_events([RunEvent("r1", EventType.LOG, message="x" * 200) for _ in range(200)])
    conn = _db(path)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    page_size = conn.execute("PRAGMA page_size").fetchone()[0]
    conn.close()
    data = bytearray(path.read_bytes())
    for start in range(page_size, len(data), page_size):  # every page but the schema's
        data[start : start + page_size] = b"\xff" * page_size
    path.write_bytes(bytes(data))

    with pytest.raises(StorageError, match="corrupt"):
        _open_and_read(path)

    assert len(list(tmp_path.glob("runs.db.corrupt-*"))) == 1
    assert not path.exists() or SqliteRunStore(path).list_runs() == []


def test_a_read_only_folder_gives_a_clear_error(
    tmp_path: Path, run_python: RunPython, read_only: Callable[[Path], Path]
) -> None:
    existing = tmp_path / "existing"
    with SqliteRunStore(existing / "runs.db") as store:
        store.add_run(RunRecord("r1", "job"))
    read_only(existing)
    empty = read_only(tmp_path / "empty")
    code = """
        import sys
        from workbench.core.run import RunRecord
        from workbench.errors import StorageError
        from workbench.storage.sqlite import SqliteRunStore
        for path in sys.argv[1:]:
            try:
                SqliteRunStore(path).add_run(RunRecord("r2", "job"))
            except StorageError as exc:
                print("StorageError:", exc)
            else:
                print("written")
    """

    result = run_python(code, str(existing / "runs.db"), str(empty / "runs.db"), unprivileged=True)

    lines = result.stdout.splitlines()
    assert result.returncode == 0, result.stderr
    assert len(lines) == 2
    for line, folder in zip(lines, (existing, empty), strict=True):
        assert line.startswith("StorageError:")
        assert str(folder / "runs.db") in line
        assert "WORKBENCH_HOME" in line


def test_a_file_in_the_way_of_the_folder_gives_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "blocker").write_text("x")

    with pytest.raises(StorageError, match="WORKBENCH_HOME") as raised:
        SqliteRunStore(tmp_path / "blocker" / "runs.db")

    assert "blocker" in str(raised.value)


class Tuning(wb.ConfigurableResource):
    threshold: float = 0.5
    ceiling: float = 1.0
    floor: float = 0.0


class Ratio(wb.ConfigurableResource):
    share: float = Field(default=0.5, ge=0, le=1)


def _strict_json(text: str) -> object:
    def refuse(constant: str) -> object:
        raise ValueError(f"not JSON: {constant}")

    return json.loads(text, parse_constant=refuse)


def test_nan_and_infinite_config_is_stored_as_valid_json_that_reads_back(tmp_path: Path) -> None:
    @wb.asset
    def tuned(tuning: Tuning) -> float:
        return tuning.threshold

    store = SqliteRunStore(tmp_path / "runs.db")
    given = {"threshold": float("nan"), "ceiling": float("inf"), "floor": float("-inf")}
    result = wb.materialize(
        [tuned],
        run_config={"resources": {"tuning": {"config": given}}},
        resources={"tuning": Tuning()},
        instance=Instance(run_store=store),
    )
    assert math.isnan(result.asset_value("tuned"))
    with sqlite3.connect(tmp_path / "runs.db") as conn:
        (text,) = conn.execute("SELECT config_snapshot FROM runs").fetchone()
    snapshot = _strict_json(text)
    assert isinstance(snapshot, dict)
    stored = store.get_run(result.run_id).config_snapshot["resources"]["tuning"]["config"]
    assert stored == {"threshold": "NaN", "ceiling": "Infinity", "floor": "-Infinity"}
    again = Tuning(**stored)
    assert math.isnan(again.threshold)
    assert (again.ceiling, again.floor) == (math.inf, -math.inf)
    store.close()


@pytest.mark.parametrize("value", [float("nan"), float("inf")])
def test_nan_or_infinity_is_refused_where_the_float_field_has_bounds(value: float) -> None:
    @wb.asset
    def shared(ratio: Ratio) -> float:
        return ratio.share

    with pytest.raises(ConfigError, match=r"share: input should be less than or equal to 1"):
        wb.materialize(
            [shared],
            run_config={"resources": {"ratio": {"config": {"share": value}}}},
            resources={"ratio": Ratio()},
            instance=Instance.ephemeral(),
        )
