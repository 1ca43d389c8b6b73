"""Timing, whole-process measurement, the results table and its JSON form."""

from __future__ import annotations

import gc
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping, Sequence
    from pathlib import Path

__all__ = [
    "Profile",
    "Row",
    "Stats",
    "environment",
    "format_table",
    "machine",
    "run_child",
    "time_children",
    "time_pair",
    "write_json",
]


@dataclass(frozen=True)
class Profile:
    """How hard to measure: rounds, warm-ups, sizes, and whether Dagster runs.

    Attributes:
        name: ``full``, ``quick`` or ``smoke``.
        rounds: timed rounds per side (each round times both sides, alternating).
        warmup: untimed rounds first (imports, caches, first-run set-up).
        dagster: whether the Dagster side runs (the smoke test turns it off where it is slow).
        graph: the asset count of the chain and fan-out workloads.
        ops: the op count of the job workload.
        build_sizes: the asset counts of the build-and-validate workload (workbench).
        build_sizes_dagster: the same for Dagster.
        memory_sizes: the asset counts of the in-memory materialization (workbench).
        memory_sizes_dagster: the same for Dagster.
        peak_assets: the asset count of the peak-memory workload.
        peak_rounds: processes per side in the peak-memory workload.
        form_fields: the field count of the form workload.
        cells: the cell count of the export workload.
        events: the stored events of the ``runs()`` workload.
        events_per_run: events per run there.
        fast_rounds: timed rounds per side of a sub-millisecond workload (one call each).
        persistent_rounds: timed rounds per side when Dagster keeps its runs in SQLite (slow).
        chain_sizes: the asset counts of the fresh-values chain (workbench, persistent).
    """

    name: str
    rounds: int
    warmup: int
    dagster: bool = True
    graph: int = 100
    ops: int = 100
    build_sizes: tuple[int, ...] = (100, 1_000, 10_000)
    build_sizes_dagster: tuple[int, ...] = (100, 1_000)
    memory_sizes: tuple[int, ...] = (100, 1_000, 10_000)
    memory_sizes_dagster: tuple[int, ...] = (100,)
    peak_assets: int = 1_000
    peak_rounds: int = 3
    form_fields: int = 50
    cells: int = 500
    events: int = 100_000
    events_per_run: int = 50
    fast_rounds: int = 200
    persistent_rounds: int = 3
    chain_sizes: tuple[int, ...] = (100, 1_000, 10_000)


FULL = Profile("full", rounds=5, warmup=1, peak_rounds=2)
QUICK = Profile(
    "quick",
    rounds=3,
    warmup=1,
    graph=100,
    ops=100,
    build_sizes=(100, 1_000, 10_000),
    build_sizes_dagster=(100,),
    memory_sizes=(100, 1_000),
    memory_sizes_dagster=(),
    peak_assets=200,
    peak_rounds=1,
    events=20_000,
    fast_rounds=50,
    persistent_rounds=1,
    chain_sizes=(100, 1_000),
)
SMOKE = Profile(
    "smoke",
    rounds=1,
    warmup=0,
    graph=3,
    ops=3,
    build_sizes=(2, 4),
    build_sizes_dagster=(2,),
    memory_sizes=(2, 4),
    memory_sizes_dagster=(2,),
    peak_assets=3,
    peak_rounds=1,
    form_fields=6,
    cells=12,
    events=40,
    events_per_run=10,
    fast_rounds=2,
    persistent_rounds=1,
    chain_sizes=(3, 6),
)
PROFILES = {profile.name: profile for profile in (FULL, QUICK, SMOKE)}


@dataclass(frozen=True)
class Stats:
    """Median, min and max of a workload's samples (in the row's unit)."""

    median: float
    min: float
    max: float
    samples: tuple[float, ...]

    @classmethod
    def of(cls, samples: Sequence[float]) -> Stats:
        """Summarise ``samples`` (at least one)."""
        values = tuple(samples)
        return cls(statistics.median(values), min(values), max(values), values)

    def to_json(self) -> dict[str, Any]:
        """The plain-dict form written to the JSON file."""
        return {
            "median": self.median,
            "min": self.min,
            "max": self.max,
            "samples": list(self.samples),
        }


@dataclass
class Row:
    """One line of the results table.

    Attributes:
        workload: the workload's name (as ``--only`` takes it).
        case: what was measured within it (a size, a variant).
        unit: ``ms`` or ``MiB``.
        workbench: workbench's figures.
        baseline: the other side's figures (Dagster, or pydantic for imports), if any.
        baseline_name: what ``baseline`` is.
        target: the target, as text.
        met: whether the target is met (None when this row has no target).
        note: how the figure was taken, or what a miss means.
        extra: further figures (per-asset cost, growth factors, process wall time...).
    """

    workload: str
    case: str
    unit: str
    workbench: Stats
    baseline: Stats | None = None
    baseline_name: str = "dagster"
    target: str = ""
    met: bool | None = None
    note: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def ratio(self) -> float | None:
        """Baseline median over workbench median (> 1: workbench is faster or smaller)."""
        if self.baseline is None or self.workbench.median <= 0:
            return None
        return self.baseline.median / self.workbench.median

    def to_json(self) -> dict[str, Any]:
        """The plain-dict form written to the JSON file."""
        return {
            "workload": self.workload,
            "case": self.case,
            "unit": self.unit,
            "workbench": self.workbench.to_json(),
            "baseline_name": self.baseline_name if self.baseline is not None else None,
            "baseline": None if self.baseline is None else self.baseline.to_json(),
            "ratio": self.ratio,
            "target": self.target,
            "met": self.met,
            "note": self.note,
            "extra": self.extra,
        }


def _settle() -> None:
    gc.collect()


def time_pair(
    sides: Mapping[str, Callable[[], object]], *, rounds: int, warmup: int
) -> dict[str, Stats]:
    """Time each side's callable in alternation, one call at a time; return per-call ms.

    Both sides get the same warm-up calls and the same number of timed calls; each sample is
    one call (never the mean of a loop), and every round runs every side once, the order
    flipping each round so that neither side always follows the other's garbage.
    """
    names = list(sides)
    for _ in range(warmup):
        for name in names:
            sides[name]()
    samples: dict[str, list[float]] = {name: [] for name in names}
    for index in range(rounds):
        order = names if index % 2 == 0 else names[::-1]
        for name in order:
            call = sides[name]
            _settle()
            started = time.perf_counter()
            call()
            samples[name].append((time.perf_counter() - started) * 1000)
    return {name: Stats.of(values) for name, values in samples.items()}


def run_child(
    code: str, *, env: Mapping[str, str] | None = None, timeout: float = 300
) -> dict[str, Any]:
    """Run ``code`` in a fresh interpreter; return the JSON it prints last, plus ``wall_ms``.

    Raises:
        RuntimeError: the child failed (its stderr is in the message).
    """
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
        env=None if env is None else dict(env),
    )
    wall = (time.perf_counter() - started) * 1000
    if done.returncode != 0:
        raise RuntimeError(f"benchmark child failed ({done.returncode}):\n{done.stderr[-4000:]}")
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    if not lines:
        raise RuntimeError(f"benchmark child printed no result:\n{done.stdout[-2000:]}")
    result: dict[str, Any] = json.loads(lines[-1])
    result["wall_ms"] = wall
    return result


def time_children(
    codes: Mapping[str, str],
    *,
    rounds: int,
    warmup: int,
    env: Mapping[str, str] | None = None,
) -> dict[str, list[dict[str, Any]]]:
    """Run each child once per round, in alternation; return every child's results."""
    names = list(codes)
    for _ in range(warmup):
        for name in names:
            run_child(codes[name], env=env)
    found: dict[str, list[dict[str, Any]]] = {name: [] for name in names}
    for index in range(rounds):
        order = names if index % 2 == 0 else names[::-1]
        for name in order:
            found[name].append(run_child(codes[name], env=env))
    return found


def _cell(stats: Stats | None, unit: str) -> str:
    if stats is None:
        return "-"
    digits = 3 if stats.median < 1 else (2 if stats.median < 100 else 0)
    return f"{stats.median:.{digits}f} ({stats.min:.{digits}f}-{stats.max:.{digits}f}) {unit}"


def format_table(rows: Sequence[Row]) -> str:
    """The rows as a plain-text table: median (min-max) per side, ratio, target, verdict."""
    header = ("workload", "case", "workbench", "other side", "ratio", "target", "met")
    lines = [header]
    for row in rows:
        other = "-"
        if row.baseline is not None:
            other = f"{row.baseline_name}: {_cell(row.baseline, row.unit)}"
        ratio = "-" if row.ratio is None else f"{row.ratio:.1f}x"
        verdict = {True: "yes", False: "NO", None: "-"}[row.met]
        lines.append(
            (
                row.workload,
                row.case,
                _cell(row.workbench, row.unit),
                other,
                ratio,
                row.target,
                verdict,
            )
        )
    widths = [max(len(line[column]) for line in lines) for column in range(len(header))]
    text = [
        "  ".join(value.ljust(width) for value, width in zip(line, widths, strict=True)).rstrip()
        for line in lines
    ]
    text.insert(1, "  ".join("-" * width for width in widths))
    return "\n".join(text)


def machine() -> dict[str, Any]:
    """What the figures were taken on."""
    versions: dict[str, str] = {}
    from importlib import metadata

    for package in ("workbench", "dagster", "pydantic"):
        try:
            versions[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            versions[package] = "not installed"
    return {
        "date": time.strftime("%Y-%m-%d %H:%M:%S %z"),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "processor": platform.processor() or platform.machine(),
        "cpus": os.cpu_count(),
        "versions": versions,
    }


def write_json(path: Path, rows: Sequence[Row], *, profile: Profile, command: str) -> None:
    """Write the table, the machine and the command to ``path`` (its folder is made)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    document = {
        "command": command,
        "profile": profile.name,
        "machine": machine(),
        "rows": [row.to_json() for row in rows],
    }
    path.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")


def environment(home: Path) -> dict[str, str]:
    """Environment variables that keep both sides' state in ``home`` and Dagster quiet.

    ``home/workbench`` becomes WORKBENCH_HOME and ``home/dagster`` DAGSTER_HOME, the latter with
    a ``dagster.yaml`` that turns telemetry off (so no banner is printed). Child interpreters
    read and write compiled bytecode under ``home/pycache`` for every package alike, as an
    installed package has it: with PYTHONDONTWRITEBYTECODE set (as on a checkout kept clean),
    a child would compile workbench from source on every start while pydantic and Dagster load
    the bytecode their installers wrote, which times the compiler, not the import (see #16).
    """
    workbench_home = home / "workbench"
    dagster_home = home / "dagster"
    workbench_home.mkdir(parents=True, exist_ok=True)
    dagster_home.mkdir(parents=True, exist_ok=True)
    (dagster_home / "dagster.yaml").write_text("telemetry:\n  enabled: false\n", encoding="utf-8")
    return {
        "WORKBENCH_HOME": str(workbench_home),
        "DAGSTER_HOME": str(dagster_home),
        "DAGSTER_DISABLE_TELEMETRY": "1",
        "PYTHONWARNINGS": "ignore",
        "PYTHONPYCACHEPREFIX": str(home / "pycache"),
        "PYTHONDONTWRITEBYTECODE": "",  # empty: unset for the children
    }
