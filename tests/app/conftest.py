from __future__ import annotations

import textwrap
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from pathlib import Path

DEFS = """
import workbench as wb


class Conn(wb.ConfigurableResource):
    username: str
    port: int = 5432

    def fetch(self) -> str:
        return f"{self.username}:{self.port}"


@wb.asset
def raw(conn: Conn) -> str:
    return conn.fetch()


@wb.asset(group_name="reports")
def report(raw: str) -> int:
    return len(raw)


@wb.op
def ping(conn: Conn) -> str:
    return conn.username


@wb.job
def ping_job():
    ping()


@wb.sensor(job=ping_job)
def every_time(context, conn: Conn):
    return wb.RunRequest(run_key=conn.username)


@wb.schedule(cron_schedule="0 6 * * *", job=ping_job)
def mornings(context):
    return wb.RunRequest()


@wb.definitions
def defs():
    return wb.Definitions(
        assets=[raw, report],
        jobs=[ping_job, wb.define_asset_job("everything")],
        sensors=[every_time],
        schedules=[mornings],
        resources={"conn": Conn(username="ada")},
    )
"""


@pytest.fixture
def defs_file(tmp_path: Path) -> Path:
    path = tmp_path / "pipeline.py"
    path.write_text(textwrap.dedent(DEFS))
    return path
