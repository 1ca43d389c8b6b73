"""Staleness of Dagster assets where Dagster says: its own resolver over its own instance."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from workbench.app.engines import DagsterEngine
from workbench.errors import DagsterInvariantViolationError

if TYPE_CHECKING:
    from pathlib import Path

pytestmark = pytest.mark.dagster

VERSIONED = """
@dg.asset(code_version="{version}")
def prices() -> int:
    return 1

@dg.asset(code_version="1")
def totals(prices: int) -> int:
    return prices + 1
"""


def _statuses(shell) -> dict[str, tuple[str, str]]:
    view = shell.run_line_magic("wb", "graph")
    return {key: (found.status, found.reason) for key, found in view.statuses.items()}


def _ran(result) -> list[str]:
    return sorted(event.step_key for event in result.get_step_success_events())


def test_a_new_code_version_makes_the_asset_stale(dg_shell):
    dg_shell.run_cell(VERSIONED.format(version="1"))
    dg_shell.run_line_magic("wb", "materialize prices totals")
    fresh = _statuses(dg_shell)
    dg_shell.run_cell(VERSIONED.format(version="2"))

    statuses = _statuses(dg_shell)

    assert fresh["prices"] == ("fresh", "")
    assert statuses["prices"] == ("stale", "has a new code version")
    assert "prices: stale (has a new code version)" in dg_shell.run_line_magic("wb", "graph").text()


def test_an_upstream_materialized_again_makes_the_downstream_stale(dg_shell):
    dg_shell.run_line_magic("wb", "materialize")
    dg_shell.run_line_magic("wb", "materialize raw")

    statuses = _statuses(dg_shell)

    assert statuses["raw"] == ("fresh", "")
    assert statuses["report"] == ("stale", "has a new dependency materialization (raw)")


def test_stale_materializes_exactly_the_stale_and_missing_assets(dg_shell):
    dg_shell.run_cell(VERSIONED.format(version="1"))
    dg_shell.run_line_magic("wb", "materialize raw report prices")
    dg_shell.run_line_magic("wb", "materialize raw")  # report is now stale; totals missing

    result = dg_shell.run_line_magic("wb", "materialize --stale")
    again = dg_shell.run_line_magic("wb", "materialize --stale")

    assert _ran(result) == ["report", "totals"]
    assert _ran(again) == []
    assert {status for status, _reason in _statuses(dg_shell).values()} == {"fresh"}


def test_stale_keeps_to_the_selection(dg_shell):
    dg_shell.run_line_magic("wb", "materialize raw")

    result = dg_shell.run_line_magic("wb", "materialize --stale --select raw+")

    assert _ran(result) == ["report"]


def test_the_cli_shows_and_materializes_stale_dagster_assets(dagster_file: Path, capsys):
    from workbench.cli import main

    assert main(["materialize", str(dagster_file)]) == 0
    assert main(["materialize", str(dagster_file), "raw"]) == 0
    capsys.readouterr()
    assert main(["graph", str(dagster_file)]) == 0
    before = capsys.readouterr().out
    assert main(["materialize", str(dagster_file), "--stale"]) == 0
    capsys.readouterr()
    assert main(["graph", str(dagster_file)]) == 0
    after = capsys.readouterr().out

    assert "report: stale (has a new dependency materialization (raw))" in before
    assert "report: fresh" in after


def test_without_dagsters_resolver_the_graph_says_why_and_stale_is_refused(
    dg_shell, monkeypatch: pytest.MonkeyPatch
):
    dg_shell.run_line_magic("wb", "materialize raw")
    from dagster._core.definitions import data_version

    monkeypatch.delattr(data_version, "CachingStaleStatusResolver")  # as if a release moved it
    defs = DagsterEngine().gather(dg_shell.user_ns)

    statuses = DagsterEngine().statuses(defs)

    assert statuses["report"].status == "missing"
    assert statuses["raw"].status == "fresh"
    assert "no stale-status resolver" in statuses["raw"].reason
    with pytest.raises(DagsterInvariantViolationError, match="select the assets to run"):
        DagsterEngine().materialize(defs, only_stale=True)


GROUPED = """
@dg.asset(group_name="prices")
def quotes() -> int:
    return 1

@dg.asset(group_name="prices")
def spreads(quotes: int) -> int:
    return quotes + 1
"""


def test_the_graph_of_dagster_assets_takes_select_and_knows_their_groups(dg_shell):
    dg_shell.run_cell(GROUPED)

    whole = dg_shell.run_line_magic("wb", "graph")
    chosen = dg_shell.run_line_magic("wb", "graph --select quotes+")
    grouped = dg_shell.run_line_magic("wb", "graph --select group:prices")

    assert {"raw", "report", "quotes", "spreads"} <= set(whole.statuses)
    assert sorted(chosen.statuses) == ["quotes", "spreads"]
    assert chosen.statuses["spreads"].upstream == ("quotes",)
    assert sorted(grouped.statuses) == ["quotes", "spreads"]
    assert whole._group_of("quotes") == "prices"
    assert whole._group_of("raw") == "default"


def test_the_cli_graph_of_a_dagster_module_takes_select(dagster_file: Path, capsys):
    from workbench.cli import main

    assert main(["graph", str(dagster_file), "--select", "report"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()

    assert [line.split(":")[0] for line in lines] == ["report"]
