from __future__ import annotations

import os
import textwrap
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from collections.abc import Iterator

    from IPython.core.interactiveshell import InteractiveShell

try:
    import dagster  # noqa: F401
except ImportError:  # without the dagster extra there is nothing here to test
    collect_ignore_glob = ["test_*.py"]

DAGSTER_DEFS = """
import dagster as dg
from pydantic import Field


class Inner(dg.ConfigurableResource):
    host: str = "localhost"


class MyConn(dg.ConfigurableResource):
    username: str
    password: str = Field(default="", json_schema_extra={"dagster__is_secret": True})
    port: int = 5432
    inner: Inner

    def fetch(self) -> str:
        return f"{self.username}@{self.inner.host}:{self.port}"


@dg.asset
def raw(my_conn: MyConn) -> str:
    return my_conn.fetch()


@dg.asset
def report(raw: str) -> int:
    return len(raw)


@dg.op
def ping(my_conn: MyConn) -> str:
    return my_conn.username


@dg.job
def ping_job():
    ping()


@dg.sensor(job=ping_job)
def every_time(context, my_conn: MyConn):
    return dg.RunRequest(run_key=my_conn.username)


@dg.schedule(cron_schedule="0 6 * * *", job=ping_job)
def mornings(context):
    return dg.RunRequest(tags={"who": "scheduler"})


@dg.definitions
def defs():
    return dg.Definitions(
        assets=[raw, report],
        jobs=[ping_job],
        sensors=[every_time],
        schedules=[mornings],
        resources={"my_conn": MyConn(username="ada", inner=Inner())},
    )
"""


@pytest.fixture
def home() -> Path:
    """This test's WORKBENCH_HOME (the autouse fixture makes a fresh one)."""
    return Path(os.environ["WORKBENCH_HOME"])


@pytest.fixture
def dagster_file(tmp_path: Path) -> Path:
    path = tmp_path / "dagster_pipeline.py"
    path.write_text(textwrap.dedent(DAGSTER_DEFS))
    return path


@pytest.fixture
def dg_shell(dagster_file: Path) -> Iterator[InteractiveShell]:
    """A shell whose namespace holds the Dagster definitions above, with %wb loaded."""
    from IPython.core.interactiveshell import InteractiveShell

    shell = InteractiveShell.instance()
    shell.user_ns.clear()
    shell.run_line_magic("load_ext", "workbench")
    result = shell.run_cell(dagster_file.read_text())
    assert result.success
    yield shell
    shell.run_line_magic("wb", "load --forget")
    shell.run_line_magic("unload_ext", "workbench")
    shell.user_ns.clear()
