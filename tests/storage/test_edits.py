"""EditStore: saved form edits, their file format, concurrency and damaged files."""

from __future__ import annotations

import json
import math
import subprocess
import sys
import threading
import time
from typing import TYPE_CHECKING

import pytest

from workbench.core.config import REDACTED
from workbench.errors import ConfigError, StorageError
from workbench.storage.edits import FORMAT_VERSION, EditStore

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    from tests.storage.conftest import RunPython

SAVER = """
import sys, time
from pathlib import Path
from workbench.storage.edits import EditStore
home, notebook, count, go = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3]), Path(sys.argv[4])
store = EditStore(home)
while not go.exists():
    time.sleep(0.001)
for number in range(count):
    store.save(notebook, f"key{number}", {"number": number})
"""


@pytest.fixture
def store(workbench_env: Path) -> EditStore:
    return EditStore(workbench_env)


def test_edits_round_trip_per_notebook_and_key(store: EditStore) -> None:
    warehouse = {"host": "db", "port": 5432, "password": {"env": "WAREHOUSE_PASSWORD"}}
    store.save("report.ipynb", "warehouse", warehouse)
    store.save("report.ipynb", "api", {"retries": 3, "hosts": ["a", "b"], "ratio": 0.5})
    store.save("<default>", "warehouse", {"host": "other", "debug": True, "note": None})

    assert store.load("report.ipynb") == {
        "warehouse": warehouse,
        "api": {"retries": 3, "hosts": ["a", "b"], "ratio": 0.5},
    }
    assert store.load("missing.ipynb") == {}
    assert store.all() == {
        "report.ipynb": store.load("report.ipynb"),
        "<default>": {"warehouse": {"host": "other", "debug": True, "note": None}},
    }


def test_a_new_save_replaces_the_resource_edits(store: EditStore) -> None:
    store.save("nb", "warehouse", {"host": "a", "port": 1})
    store.save("nb", "warehouse", {"host": "b"})

    assert store.load("nb") == {"warehouse": {"host": "b"}}


def test_the_file_is_versioned_json(workbench_env: Path) -> None:
    EditStore(workbench_env, clock=lambda: 1_700_000_000.5).save("nb", "key", {"a": 1})

    data = json.loads((workbench_env / "edits.json").read_text())
    assert data == {
        "version": FORMAT_VERSION,
        "notebooks": {"nb": {"key": {"a": 1}}},
        "saved_at": {"nb": {"key": 1_700_000_000.5}},
    }
    assert sorted(path.name for path in workbench_env.iterdir()) == [
        "edits.json",
        "edits.json.lock",
    ]


def test_clear_forgets_one_resource_or_a_whole_notebook(store: EditStore) -> None:
    store.save("nb", "a", {"x": 1})
    store.save("nb", "b", {"x": 2})
    store.save("other", "a", {"x": 3})

    store.clear("nb", "a")
    assert store.load("nb") == {"b": {"x": 2}}
    store.clear("nb", "b")
    assert "nb" not in store.all()
    store.clear("nb")
    store.clear("other", "never-saved")
    assert store.all() == {"other": {"a": {"x": 3}}}
    store.clear("other")
    assert store.all() == {}


def test_config_that_is_not_json_is_refused_listing_every_field(store: EditStore) -> None:
    store.save("nb", "warehouse", {"host": "kept"})
    bad = {
        "when": object(),
        "ratio": math.nan,
        "nested": {"tags": {"x"}, 1: "int key"},
        "password": REDACTED,
        "token": {"env": 3},
    }

    with pytest.raises(ConfigError) as raised:
        store.save("nb", "warehouse", bad)

    paths = [path for path, _ in raised.value.errors]
    assert paths == ["when", "ratio", "nested.tags", "nested", "password", "token"]
    assert "resource 'warehouse'" in str(raised.value)
    assert "{'env': 'NAME'}" in str(raised.value)
    assert store.load("nb") == {"warehouse": {"host": "kept"}}


def test_a_non_mapping_config_is_a_type_error(store: EditStore) -> None:
    with pytest.raises(TypeError, match="mapping"):
        store.save("nb", "key", ["not", "a", "mapping"])  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "content",
    [b"{not json", b'["a list"]', b'{"version": 1, "notebooks": {"nb": ["wrong"]}}', b"\xff\xfe"],
    ids=["syntax", "list", "shape", "binary"],
)
def test_a_corrupt_file_is_kept_aside_never_silently_reset(
    store: EditStore, workbench_env: Path, content: bytes
) -> None:
    workbench_env.mkdir(parents=True, exist_ok=True)
    path = workbench_env / "edits.json"
    path.write_bytes(content)

    with pytest.raises(StorageError, match="corrupt") as raised:
        store.load("nb")

    aside = list(workbench_env.glob("edits.json.corrupt-*"))
    assert len(aside) == 1
    assert aside[0].read_bytes() == content
    assert str(path) in str(raised.value)
    assert str(aside[0]) in str(raised.value)
    assert store.all() == {}
    store.save("nb", "key", {"a": 1})
    assert store.load("nb") == {"key": {"a": 1}}


def test_saving_over_a_corrupt_file_keeps_it_aside_first(
    store: EditStore, workbench_env: Path
) -> None:
    workbench_env.mkdir(parents=True, exist_ok=True)
    (workbench_env / "edits.json").write_text("{broken")

    with pytest.raises(StorageError, match="corrupt"):
        store.save("nb", "key", {"a": 1})

    assert [p.read_text() for p in workbench_env.glob("edits.json.corrupt-*")] == ["{broken"]


def test_a_file_from_a_newer_workbench_is_left_untouched(
    store: EditStore, workbench_env: Path
) -> None:
    workbench_env.mkdir(parents=True, exist_ok=True)
    path = workbench_env / "edits.json"
    newer = json.dumps({"version": FORMAT_VERSION + 1, "whatever": {"new": "layout"}})
    path.write_text(newer)

    with pytest.raises(StorageError, match="newer workbench"):
        store.load("nb")
    with pytest.raises(StorageError, match="upgrade workbench"):
        store.save("nb", "key", {"a": 1})

    assert path.read_text() == newer
    assert list(workbench_env.glob("edits.json.corrupt-*")) == []


def test_an_unversioned_file_is_read_and_upgraded_on_save(
    store: EditStore, workbench_env: Path
) -> None:
    workbench_env.mkdir(parents=True, exist_ok=True)
    path = workbench_env / "edits.json"
    path.write_text(json.dumps({"old.ipynb": {"warehouse": {"host": "legacy"}}}))

    assert store.load("old.ipynb") == {"warehouse": {"host": "legacy"}}
    store.save("new.ipynb", "api", {"retries": 1})

    data = json.loads(path.read_text())
    assert data["version"] == FORMAT_VERSION
    assert data["notebooks"] == {
        "old.ipynb": {"warehouse": {"host": "legacy"}},
        "new.ipynb": {"api": {"retries": 1}},
    }
    assert store.saved_at("old.ipynb") == {}  # saved before times were kept: age unknown
    assert list(store.saved_at("new.ipynb")) == ["api"]


def test_each_edit_keeps_when_it_was_saved(workbench_env: Path) -> None:
    now = [1_000.0]
    store = EditStore(workbench_env, clock=lambda: now[0])
    store.save("nb", "a", {"x": 1})
    now[0] = 2_000.0
    store.save("nb", "b", {"x": 2})
    store.save("other", "a", {"x": 3})
    assert store.saved_at("nb") == {"a": 1_000.0, "b": 2_000.0}

    now[0] = 3_000.0
    store.save("nb", "a", {"x": 4})
    assert store.saved_at("nb") == {"a": 3_000.0, "b": 2_000.0}
    store.clear("nb", "a")
    assert store.saved_at("nb") == {"b": 2_000.0}
    store.clear("nb")
    assert store.saved_at("nb") == {}
    assert store.saved_at("other") == {"a": 2_000.0}
    assert store.saved_at("missing") == {}


def test_a_file_without_save_times_is_read_and_keeps_its_edits(workbench_env: Path) -> None:
    workbench_env.mkdir(parents=True, exist_ok=True)
    path = workbench_env / "edits.json"
    path.write_text(json.dumps({"version": 1, "notebooks": {"nb": {"a": {"x": 1}}}}))
    store = EditStore(workbench_env, clock=lambda: 5.0)

    assert store.load("nb") == {"a": {"x": 1}}
    assert store.saved_at("nb") == {}
    store.save("nb", "b", {"x": 2})
    assert store.load("nb") == {"a": {"x": 1}, "b": {"x": 2}}
    assert store.saved_at("nb") == {"b": 5.0}


def test_damaged_save_times_cost_no_edit(workbench_env: Path) -> None:
    workbench_env.mkdir(parents=True, exist_ok=True)
    path = workbench_env / "edits.json"
    notebooks = {"nb": {"a": {"x": 1}, "b": {"x": 2}}, "other": {"c": {"x": 3}}}
    for saved_at in (
        "yesterday",
        {"nb": {"a": "noon", "b": 7, "gone": 8}, "other": [1]},
    ):
        path.write_text(json.dumps({"version": 1, "notebooks": notebooks, "saved_at": saved_at}))
        store = EditStore(workbench_env)
        assert store.all() == notebooks
        assert store.saved_at("other") == {}
    assert store.saved_at("nb") == {"b": 7.0}


def test_threads_saving_at_once_lose_nothing(store: EditStore) -> None:
    def save(worker: int) -> None:
        for number in range(25):
            store.save("nb", f"w{worker}-{number}", {"n": number})

    threads = [threading.Thread(target=save, args=(worker,)) for worker in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(store.load("nb")) == 100


def test_two_processes_saving_at_once_lose_nothing(workbench_env: Path, tmp_path: Path) -> None:
    go = tmp_path / "go"
    savers = [
        subprocess.Popen(
            [sys.executable, "-c", SAVER, str(workbench_env), notebook, "50", str(go)],
            stderr=subprocess.PIPE,
            text=True,
        )
        for notebook in ("first.ipynb", "second.ipynb")
    ]
    time.sleep(0.5)
    go.touch()
    errors = [saver.communicate(timeout=120)[1] for saver in savers]

    assert [saver.returncode for saver in savers] == [0, 0], errors
    saved = EditStore(workbench_env).all()
    assert {notebook: len(edits) for notebook, edits in saved.items()} == {
        "first.ipynb": 50,
        "second.ipynb": 50,
    }
    assert list(workbench_env.glob("*.tmp")) == []


def test_a_read_only_home_gives_a_clear_error(
    workbench_env: Path, run_python: RunPython, read_only: Callable[[Path], Path]
) -> None:
    EditStore(workbench_env).save("nb", "key", {"kept": True})
    home = read_only(workbench_env)
    code = """
        import sys
        from pathlib import Path
        from workbench.errors import StorageError
        from workbench.storage.edits import EditStore
        store = EditStore(Path(sys.argv[1]))
        print(store.load("nb"))
        try:
            store.save("nb", "key", {"kept": False})
        except StorageError as exc:
            print("StorageError:", exc)
    """

    result = run_python(code, str(home), unprivileged=True)

    assert result.returncode == 0, result.stderr
    loaded, error = result.stdout.splitlines()
    assert loaded == "{'key': {'kept': True}}"
    assert error.startswith("StorageError: cannot write saved edits")
    assert str(home) in error
    assert "WORKBENCH_HOME" in error
    assert EditStore(workbench_env).load("nb") == {"key": {"kept": True}}
