"""Definitions exported from the notebook input.ipynb.

Edit the notebook and export it again rather than editing this module.
"""

import dagster as dg


class ApiResource(dg.ConfigurableResource):
    base_url: str = "https://example.com"

    def ping(self) -> str:
        return f"pong from {self.base_url}"


@dg.asset
def raw_orders() -> list[int]:
    return [3, 1, 2]


@dg.asset
def sorted_orders(raw_orders: list[int]) -> list[int]:
    return sorted(raw_orders)


orders_job = dg.define_asset_job("orders_job", selection=dg.AssetSelection.assets(raw_orders, sorted_orders))


@dg.op
def ping_api(api: ApiResource) -> str:
    return api.ping()


@dg.job
def ping_job():
    ping_api()


@dg.sensor(job=ping_job, minimum_interval_seconds=60)
def api_sensor(context: dg.SensorEvaluationContext, api: ApiResource):
    if context.cursor == api.ping():
        return dg.SkipReason("nothing new")
    return dg.RunRequest(run_key=api.ping())


@dg.schedule(cron_schedule="0 6 * * *", job=orders_job)
def morning(context: dg.ScheduleEvaluationContext):
    return dg.RunRequest()


@dg.definitions
def defs() -> dg.Definitions:
    """Every asset, job, sensor, schedule and resource of the notebook."""
    return dg.Definitions(
        assets=[
            raw_orders,
            sorted_orders,
        ],
        jobs=[
            orders_job,
            ping_job,
        ],
        sensors=[
            api_sensor,
        ],
        schedules=[
            morning,
        ],
        resources={
            "api": ApiResource(base_url="https://api.example.com"),
        },
    )
