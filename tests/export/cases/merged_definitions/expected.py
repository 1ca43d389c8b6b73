"""Definitions exported from the notebook input.ipynb.

Edit the notebook and export it again rather than editing this module.
"""

import workbench as wb


class Greeting(wb.ConfigurableResource):
    word: str = "hello"


@wb.asset
def greeting(greeting_resource: Greeting) -> str:
    return greeting_resource.word


@wb.asset
def shout(greeting: str) -> str:
    return greeting.upper()


@wb.op
def count_letters() -> int:
    return 5


@wb.job
def letters_job():
    count_letters()


nightly = wb.ScheduleDefinition(name="nightly", job=letters_job, cron_schedule="0 3 * * *")


@wb.definitions
def defs() -> wb.Definitions:
    """Every asset, job, sensor, schedule and resource of the notebook."""
    return wb.Definitions(
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
