"""Definitions exported from the notebook input.ipynb.

Edit the notebook and export it again rather than editing this module.
"""

import dagster as dg


class Greeting(dg.ConfigurableResource):
    word: str = "hello"


@dg.asset
def greeting(greeting_resource: Greeting) -> str:
    return greeting_resource.word


@dg.asset
def shout(greeting: str) -> str:
    return greeting.upper()


@dg.op
def count_letters() -> int:
    return 5


@dg.job
def letters_job():
    count_letters()


nightly = dg.ScheduleDefinition(name="nightly", job=letters_job, cron_schedule="0 3 * * *")


@dg.definitions
def defs() -> dg.Definitions:
    """Every asset, job, sensor, schedule and resource of the notebook."""
    return dg.Definitions(
        assets=[
            greeting,
            shout,
        ],
        jobs=[
            letters_job,
        ],
        schedules=[
            nightly,
        ],
        resources={
            "greeting_resource": Greeting(word="hi"),
        },
    )
