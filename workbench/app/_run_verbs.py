"""The verbs that run: ``materialize``, ``launch``, ``sensor`` and ``schedule``."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

import click

from workbench.app._verb_options import (
    SELECT_HELP,
    run_tags,
    runnable,
    with_target,
)
from workbench.app.engines import engine_for
from workbench.app.namespace import with_session_edits

if TYPE_CHECKING:
    from collections.abc import Sequence

    from workbench.app.commands import Frontend

__all__ = ["launch", "materialize", "schedule", "sensor"]


def materialize(frontend: Frontend) -> click.Command:
    """``materialize``: run assets with their resources."""

    @click.command("materialize", help="Materialize assets (all, or the KEYs / --select given).")
    @with_target(frontend)
    @click.argument("keys", nargs=-1, metavar="[KEY]...")
    @click.option("--select", "-s", multiple=True, help=SELECT_HELP)
    @click.option(
        "--config",
        "-c",
        "config_file",
        metavar="FILE",
        help="Run config YAML: resources: {KEY: {config: ...}}, ops: {...}.",
    )
    @click.option("--stale", is_flag=True, help="Only what is missing or stale.")
    def command(
        keys: Sequence[str],
        select: Sequence[str],
        config_file: str | None,
        stale: bool,
        target: str | None = None,
    ) -> Any:
        from workbench.app.run_config import read_run_config

        defs = runnable(frontend, target)
        chosen = [part.strip() for item in [*keys, *select] for part in item.split(",")]
        result = engine_for(defs).materialize(
            defs,
            selection=[part for part in chosen if part],
            run_config=read_run_config(config_file),
            only_stale=stale,
            tags=run_tags(frontend),
            on_event=frontend.progress(),
        )
        return frontend.run_result(result, defs)

    return command


def launch(frontend: Frontend) -> click.Command:
    """``launch``: run a job (a notebook without ``--job`` opens the launchpad)."""

    @click.command("launch", help="Launch a job (in a notebook without --job: open the launchpad).")
    @with_target(frontend)
    @click.argument("job_name", required=False, metavar="[JOB]")
    @click.option("--job", "-j", "job_option", help="The job to run.")
    @click.option("--config", "-c", "config_file", metavar="FILE", help="Run config YAML.")
    def command(
        job_name: str | None,
        job_option: str | None,
        config_file: str | None,
        target: str | None = None,
    ) -> Any:
        from workbench.app.run_config import read_run_config

        defs = frontend.definitions(target)
        name = job_option or job_name
        if job_option is None:
            pad = frontend.launchpad(name, defs)
            if pad is not None:
                return pad
        if name is None:
            jobs = sorted(job.name for job in defs.jobs)
            if not jobs:
                raise click.UsageError(
                    "there are no jobs to launch in these definitions; define one with "
                    "@job or define_asset_job, or run assets with 'materialize'"
                )
            raise click.UsageError(f"give the job to run: --job NAME (jobs: {', '.join(jobs)})")
        result = engine_for(defs).launch(
            with_session_edits(defs),
            name,
            run_config=read_run_config(config_file),
            tags=run_tags(frontend),
            on_event=frontend.progress(),
        )
        return frontend.run_result(result, defs)

    return command


def sensor(frontend: Frontend) -> click.Command:
    """``sensor``: evaluate a sensor with its resources."""

    @click.command(
        "sensor", help="Evaluate a sensor with its resources; --launch runs what it asks for."
    )
    @with_target(frontend)
    @click.argument("name")
    @click.option("--cursor", help="The cursor the sensor receives.")
    @click.option("--launch", "launch_runs", is_flag=True, help="Launch the requested runs.")
    def command(name: str, cursor: str | None, launch_runs: bool, target: str | None = None) -> Any:
        defs = runnable(frontend, target)
        result = engine_for(defs).tick(defs, name, cursor=cursor, launch=launch_runs)
        return frontend.tick(result, None, 0, None)

    return command


def schedule(frontend: Frontend) -> click.Command:
    """``schedule``: evaluate a schedule at a time and show its next tick times."""

    @click.command("schedule", help="Evaluate a schedule at a time; show its next tick times.")
    @with_target(frontend)
    @click.argument("name")
    @click.option(
        "--at", "at", metavar="ISO", help="The scheduled time (ISO 8601), now by default."
    )
    @click.option(
        "--next",
        "next_count",
        type=click.IntRange(0, 1000),
        default=5,
        show_default=True,
        help="How many next tick times to show.",
    )
    @click.option("--launch", "launch_runs", is_flag=True, help="Launch the requested run.")
    def command(
        name: str, at: str | None, next_count: int, launch_runs: bool, target: str | None = None
    ) -> Any:
        defs = runnable(frontend, target)
        when = None
        if at is not None:
            try:
                when = dt.datetime.fromisoformat(at)
            except ValueError:
                raise click.BadParameter(
                    f"{at!r} is not an ISO 8601 time; e.g. 2026-01-31T06:00:00+00:00",
                    param_hint="--at",
                ) from None
        engine = engine_for(defs)
        result = engine.tick(defs, name, at=when, launch=launch_runs)
        return frontend.tick(result, engine.schedule(defs, name), next_count, when)

    return command
