"""Definitions exported from the notebook input.ipynb.

Edit the notebook and export it again rather than editing this module.
"""

import workbench as wb


class ApiResource(wb.ConfigurableResource):
    base_url: str = "https://example.com"

    def ping(self) -> str:
        return f"pong from {self.base_url}"


@wb.asset
def raw_orders() -> list[int]:
    return [3, 1, 2]


@wb.asset
def sorted_orders(raw_orders: list[int]) -> list[int]:
    return sorted(raw_orders)


orders_job = wb.define_asset_job("orders_job", selection=wb.AssetSelection.assets(raw_orders, sorted_orders))


@wb.op
def ping_api(api: ApiResource) -> str:
    return api.ping()


@wb.job
def ping_job():
    ping_api()


@wb.sensor(job=ping_job, minimum_interval_seconds=60)
def api_sensor(context: wb.SensorEvaluationContext, api: ApiResource):
    if context.cursor == api.ping():
        return wb.SkipReason("nothing new")
    return wb.RunRequest(run_key=api.ping())


@wb.schedule(cron_schedule="0 6 * * *", job=orders_job)
def morning(context: wb.ScheduleEvaluationContext):
    return wb.RunRequest()


@wb.definitions
def defs() -> wb.Definitions:
    """Every asset, job, sensor, schedule and resource of the notebook."""
    return wb.Definitions(
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
