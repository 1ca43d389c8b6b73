"""Definitions written with ``import dagster``, as a user's notebook or module holds them."""

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
