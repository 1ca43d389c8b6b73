"""Faults around the process: SIGKILL, two kernels at once, a read-only or full home, damage."""

from __future__ import annotations

import contextlib
import os
import signal
import sqlite3
import subprocess
import time
from typing import TYPE_CHECKING, Any

import pytest

import workbench as wb
from workbench.core.instance import default_instance, reset_default_instance
from workbench.core.run import RunStatus
from workbench.storage import run_events, runs
from workbench.storage.sqlite import MIGRATIONS, SCHEMA_VERSION
from workbench.storage.values import SMALL_VALUE_BYTES

from .conftest import python_command

if TYPE_CHECKING:
    from pathlib import Path

KERNEL = """
import os, sys, time
from pathlib import Path
import workbench as wb

class Counter(wb.ConfigurableResource):
    label: str = "kernel"

@wb.asset
def source(context, counter: Counter) -> list:
    context.log.info(f"source for {counter.label}")
    return list(range(1000))

@wb.asset
def middle(context, source: list) -> int:
    context.log.info("middle")
    return sum(source)

@wb.asset
def sink(context, middle: int) -> int:
    marker = os.environ.get("WB_TEST_MARKER")
    if marker:
        Path(marker).write_text("inside sink")
        time.sleep(60)
    return middle + 1

ASSETS = [source, middle, sink]
"""

LOOP = (
    KERNEL
    + """
label, count = sys.argv[1], int(sys.argv[2])
go = os.environ.get("WB_TEST_GO")
while go and not Path(go).exists():
    time.sleep(0.01)
for number in range(count):
    result = wb.materialize(
        ASSETS, resources={"counter": Counter(label=label)}, tags={"kernel": label}
    )
    assert result.success and result.asset_value("sink") == 499501
    assert result.storage_error is None, result.storage_error
print("done", label)
"""
)


def wait_for(path: Path, process: subprocess.Popen[str], limit: float = 60) -> None:
    deadline = time.monotonic() + limit
    while not path.exists():
        assert process.poll() is None, process.communicate()
        assert time.monotonic() < deadline, "the kernel never got there"
        time.sleep(0.02)


def integrity(db: Path) -> str:
    with contextlib.closing(sqlite3.connect(db)) as conn:
        return str(conn.execute("PRAGMA integrity_check").fetchone()[0])


def test_a_kernel_killed_mid_run_leaves_a_clean_store_and_an_abandoned_run(
    home, tmp_path, fresh_instance
):
    marker = tmp_path / "inside"
    env = {**os.environ, "WORKBENCH_HOME": str(home), "WB_TEST_MARKER": str(marker)}
    code = KERNEL + "\nwb.materialize(ASSETS, resources={'counter': Counter()})\n"
    process = subprocess.Popen(python_command(code), env=env, text=True)
    try:
        wait_for(marker, process)
        # a run is first written a tenth of a second after it starts (a shorter one is written
        # once, when it ends); be well past that when the kernel dies
        time.sleep(0.5)
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
    assert process.returncode == -signal.SIGKILL

    instance = fresh_instance()  # a new kernel opens the store
    assert integrity(home / "runs.db") == "ok"
    frame = runs()
    assert list(frame.status) == [RunStatus.ABANDONED.value]
    assert "killed or crashed" in frame.error.iloc[0]
    assert frame.end_time.notna().all()
    events = run_events(frame.run_id.iloc[0])
    assert "sink" not in set(events[events.event_type == "STEP_SUCCESS"].step_key)
    assert not instance.io_manager.has_value("sink")
    ns: dict[str, object] = {}
    exec(compile(KERNEL, "<kernel>", "exec"), ns)
    result = wb.materialize(
        ns["ASSETS"],  # type: ignore[arg-type]
        resources={"counter": ns["Counter"]()},  # type: ignore[operator]
        selection=["sink"],
    )
    assert result.asset_value("sink") == 499501
    assert list(runs().status) == ["SUCCESS", "ABANDONED"]


@pytest.mark.parametrize("after_runs", [1, 4, 9])
def test_killing_a_kernel_busy_writing_never_damages_the_store(
    after_runs, home, tmp_path, fresh_instance
):
    env = {**os.environ, "WORKBENCH_HOME": str(home)}
    process = subprocess.Popen(
        [*python_command(LOOP), "busy", "1000"],
        env=env,
        text=True,
        stdout=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            assert process.poll() is None
            assert time.monotonic() < deadline
            if (home / "runs.db").exists():
                with contextlib.closing(sqlite3.connect(home / "runs.db", timeout=10)) as conn:
                    try:
                        count = conn.execute("SELECT COUNT(*) FROM runs").fetchone()[0]
                    except sqlite3.OperationalError:  # tables not made yet
                        count = 0
                if count >= after_runs:
                    break
            time.sleep(0.01)
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)

    fresh_instance()
    assert integrity(home / "runs.db") == "ok"
    frame = runs()
    assert len(frame) >= after_runs
    assert set(frame.status) <= {"SUCCESS", "ABANDONED"}
    assert (frame.status == "ABANDONED").sum() <= 1
    for run_id, status in zip(frame.run_id, frame.status, strict=True):
        kinds = list(run_events(run_id).event_type)
        assert kinds[:1] == ["RUN_START"] or (status == "ABANDONED" and not kinds)
        if status == "SUCCESS":
            assert kinds[-1] == "RUN_SUCCESS"
            assert kinds.count("ASSET_MATERIALIZATION") == 3


def test_two_kernels_materializing_at_once_lose_no_run_and_no_event(home, tmp_path):
    go = tmp_path / "go"
    env = {**os.environ, "WORKBENCH_HOME": str(home), "WB_TEST_GO": str(go)}
    per_kernel = 12
    kernels = [
        subprocess.Popen(
            [*python_command(LOOP), label, str(per_kernel)],
            env=env,
            text=True,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        for label in ("left", "right")
    ]
    go.write_text("go")
    outputs = [kernel.communicate(timeout=150) for kernel in kernels]
    for kernel, (_out, err) in zip(kernels, outputs, strict=True):
        assert kernel.returncode == 0, err
        assert "locked" not in err.lower()
        assert "not recorded" not in err
    assert sorted(out.strip() for out, _err in outputs) == ["done left", "done right"]

    frame = runs()
    assert len(frame) == 2 * per_kernel
    assert set(frame.status) == {"SUCCESS"}
    labels = [tags["kernel"] for tags in frame.tags]
    assert labels.count("left") == labels.count("right") == per_kernel
    for run_id in frame.run_id:
        events = run_events(run_id)
        kinds = list(events.event_type)
        assert kinds[0] == "RUN_START"
        assert kinds[-1] == "RUN_SUCCESS"
        assert kinds.count("STEP_SUCCESS") == 3
        assert kinds.count("ASSET_MATERIALIZATION") == 3
        assert kinds.count("LOG") == 2
    assert integrity(home / "runs.db") == "ok"


def test_a_read_only_home_is_a_clear_error_naming_it(home, run_python):
    home.mkdir(parents=True, exist_ok=True)
    code = """
    import os, sys
    import workbench as wb
    from workbench.cli import main
    home = os.environ["WORKBENCH_HOME"]
    os.chmod(home, 0o555)

    @wb.asset
    def a() -> int:
        return 1

    try:
        wb.materialize([a])
    except wb.StorageError as exc:
        print("materialize:", exc)
    try:
        wb.runs()
    except wb.StorageError as exc:
        print("runs:", exc)
    # in-memory work goes on with an instance of its own
    assert wb.materialize([a], instance=wb.Instance.ephemeral()).asset_value("a") == 1
    target = sys.argv[1]
    sys.exit(main(["materialize", target]))
    """
    target = home.parent / "defs.py"
    target.write_text("import workbench as wb\n\n@wb.asset\ndef a() -> int:\n    return 1\n")
    try:
        done = run_python(code, str(target), unprivileged=True)
    finally:
        home.chmod(0o755)
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].startswith(f"materialize: workbench home {home} is not writable")
    assert "set WORKBENCH_HOME to a writable folder" in lines[0]
    assert lines[1].startswith(f"runs: workbench home {home} is not writable")
    assert f"workbench home {home} is not writable" in done.stderr
    assert "set WORKBENCH_HOME" in done.stderr


def test_a_home_made_read_only_mid_session_keeps_the_in_memory_result(home, run_python):
    code = """
    import os
    import workbench as wb
    from workbench.core.instance import default_instance

    import time

    @wb.asset
    def a() -> list:
        # a new value each run, large enough to be a file of its own: it must be written
        return [*range(100), "x" * 100_000, time.time_ns()]

    @wb.asset
    def b(a: list) -> int:
        return len(a) + a[-1]

    assert wb.materialize([a, b]).success
    home = os.environ["WORKBENCH_HOME"]
    for root, folders, files in os.walk(home):
        for name in folders:
            os.chmod(os.path.join(root, name), 0o555)
    os.chmod(home, 0o555)
    result = wb.materialize([a, b], raise_on_error=False)
    print("success:", result.success)
    print("value:", result.asset_value("a")[:3])
    problems = [str(result.storage_error or "")]
    problems += [e.message for e in result.all_events if "FAILURE" in e.event_type.value]
    print("problems:", " | ".join(problems))
    print("history:", len(wb.runs()))
    """
    try:
        done = run_python(code, unprivileged=True)
    finally:
        for path in [home, *home.rglob("*")]:
            if path.is_dir():
                path.chmod(0o755)
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    out = dict(line.split(": ", 1) for line in done.stdout.splitlines())
    assert out["value"] == "[0, 1, 2]"
    assert f"cannot store the value of asset 'a' in {home / 'values'}" in out["problems"]
    assert "set WORKBENCH_HOME" in out["problems"]
    assert out["history"] == "2"  # the open run store still records


def test_a_full_disk_gives_a_storage_error_and_keeps_the_in_memory_values(home, run_python):
    code = """
    import resource, signal
    import workbench as wb

    @wb.asset
    def a() -> list:
        return list(range(50_000))

    @wb.asset
    def b(a: list) -> int:
        return len(a)

    assert wb.materialize([a, b]).success
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    resource.setrlimit(resource.RLIMIT_FSIZE, (1_000, hard))  # the disk is now full
    result = wb.materialize([a, b], raise_on_error=False)
    resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))  # space was freed
    print("success:", result.success)
    print("value:", len(result.asset_value("a")))
    problems = [str(result.storage_error or "")]
    problems += [e.message for e in result.all_events if "FAILURE" in e.event_type.value]
    print("problems:", " | ".join(problems))
    again = wb.materialize([a, b])
    print("again:", again.success, again.asset_value("b"))
    print("history:", len(wb.runs()))
    """
    done = run_python(code)
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    out = dict(line.split(": ", 1) for line in done.stdout.splitlines())
    assert out["value"] == "50000"
    assert str(home) in out["problems"]
    assert "set WORKBENCH_HOME" in out["problems"]
    assert out["again"] == "True 50000"
    assert integrity(home / "runs.db") == "ok"


def test_a_corrupt_value_file_is_kept_aside_and_the_run_says_where(home, fresh_instance):
    @wb.asset
    def base() -> dict[str, Any]:
        return {"rows": 3, "padding": "x" * SMALL_VALUE_BYTES}  # large: a file of its own

    @wb.asset
    def report(base: dict[str, Any]) -> int:
        return int(base["rows"])

    assert wb.materialize([base, report]).success
    value = home / "values" / "assets" / "base" / "value.pickle"
    for junk in (b"", b"\x80\x05\x95garbage", value.read_bytes()[:-5]):
        value.write_bytes(junk)
        fresh_instance()
        result = wb.materialize([base, report], selection=["report"], raise_on_error=False)
        assert not result.success
        message = result.failures[0].message
        assert "the stored value of asset 'base' is corrupt" in message
        assert "materialize it first" in message
        kept = sorted(value.parent.glob("value.pickle.corrupt-*"))
        assert kept
        assert kept[-1].read_bytes() == junk
        assert str(kept[-1]) in message
        assert wb.materialize([base, report]).asset_value("report") == 3


def test_a_corrupt_edits_file_is_a_clear_error_kept_aside_never_reset(home):
    from workbench.app import active_definitions
    from workbench.app.api import edit_store

    class Conn(wb.ConfigurableResource):
        user: str

    defs = wb.Definitions(resources={"conn": Conn(user="code")})
    edit_store().save("<default>", "conn", {"user": "edited"})
    edits = home / "edits.json"
    junk = edits.read_bytes()[:-20]
    edits.write_bytes(junk)
    with pytest.raises(wb.StorageError) as caught:
        active_definitions({"defs": defs})
    message = str(caught.value)
    assert f"saved edits {edits} are corrupt" in message
    kept = list(home.glob("edits.json.corrupt-*"))
    assert len(kept) == 1
    assert kept[0].read_bytes() == junk
    assert str(kept[0]) in message
    # after the error the notebook works again; the code's config is in force
    again = active_definitions({"defs": defs})
    assert again.resources["conn"].user == "code"
    assert kept[0].read_bytes() == junk


def test_a_corrupt_run_store_is_moved_aside_and_a_new_one_works(home, fresh_instance):
    @wb.asset
    def a() -> int:
        return 1

    assert wb.materialize([a]).success
    default_instance().run_store.close()  # the kernel ends
    reset_default_instance()
    db = home / "runs.db"
    damaged = b"SQLite format 3\x00" + os.urandom(8192)
    db.write_bytes(damaged)
    with pytest.raises(wb.StorageError) as caught:
        fresh_instance()
    message = str(caught.value)
    assert f"run store {db} is corrupt" in message
    kept = list(home.glob("runs.db.corrupt-*"))
    assert [path.read_bytes() for path in kept if path.suffix != "-wal"][:1] == [damaged]
    assert str(kept[0]) in message
    fresh_instance()
    assert wb.materialize([a]).success
    assert len(runs()) == 1


def test_a_store_of_the_first_schema_is_migrated_and_used(home, fresh_instance):
    home.mkdir(parents=True, exist_ok=True)
    db = home / "runs.db"
    first = dict(MIGRATIONS)[1]
    with contextlib.closing(sqlite3.connect(db)) as conn, conn:
        for statement in first.split(";"):
            conn.execute(statement)
        conn.execute("PRAGMA user_version = 1")
        conn.execute(
            "INSERT INTO runs (run_id, job_name, status, start_time, end_time, tags, "
            "config_snapshot, steps, pid) VALUES ('old', '__ASSET_JOB', 'SUCCESS', 1.0, 3.5, "
            "'{\"who\":\"v1\"}', '{}', '[\"a\"]', 1)"
        )
        conn.execute(
            "INSERT INTO runs (run_id, job_name, status, start_time, pid) "
            "VALUES ('dead', 'nightly', 'STARTED', 2.0, 999999999)"
        )
        conn.executemany(
            "INSERT INTO events (run_id, type, timestamp, step_key, message, data) "
            "VALUES ('old', ?, ?, ?, ?, ?)",
            [
                ("RUN_START", 1.0, None, "started", "{}"),
                ("STEP_SUCCESS", 2.0, "a", "done", '{"duration":1.5}'),
                ("RUN_SUCCESS", 3.5, None, "ok", "{}"),
            ],
        )
        conn.execute(
            "INSERT INTO materializations (asset_key, run_id, timestamp, data_version) "
            "VALUES ('a', 'old', 2.0, 'v-old')"
        )

    fresh_instance()
    frame = runs()
    assert list(frame.run_id) == ["dead", "old"]
    assert list(frame.status) == ["ABANDONED", "SUCCESS"]
    assert frame.tags.iloc[1] == {"who": "v1"}
    events = run_events("old")
    assert list(events.duration_s.fillna(-1)) == [-1, 1.5, -1]
    with contextlib.closing(sqlite3.connect(db)) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION

    @wb.asset
    def a() -> int:
        return 1

    assert wb.materialize([a]).success
    assert len(runs()) == 3
