"""The workloads: each times workbench (and Dagster where it has one) and judges its target."""

from __future__ import annotations

import functools
import gc
import importlib.util
import os
import sys
import tempfile
import textwrap
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from benchmarks.harness import Profile, Row, Stats, time_children, time_pair

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping, Sequence

__all__ = ["WORKLOADS", "Workload", "run"]


@dataclass(frozen=True)
class Workload:
    """One named workload: ``measure(profile, dagster)`` returns its table rows."""

    name: str
    summary: str
    measure: Callable[[Profile, bool], list[Row]]


def _dagster() -> Any:
    from benchmarks import dg_side

    return dg_side


def _wb() -> Any:
    from benchmarks import wb_side

    return wb_side


def _faster(row: Row, times: float) -> Row:
    row.target = f">= {times:g}x faster"
    row.met = row.ratio is not None and row.ratio >= times
    return row


def _under(row: Row, limit_ms: float) -> Row:
    row.target = f"< {limit_ms:g} ms"
    row.met = row.workbench.median < limit_ms
    return row


# -- whole process: import time ----------------------------------------------------------------

_IMPORT = """
import json, time
started = time.perf_counter()
{statement}
print(json.dumps({{"ms": (time.perf_counter() - started) * 1000}}))
"""

_TOUCHES = "asset; {0}.ConfigurableResource; {0}.Definitions; {0}.materialize; {0}.EnvVar"
IMPORTS = {
    "workbench": "import workbench",
    "workbench+core": "import workbench as wb\nwb." + _TOUCHES.format("wb"),
    "dagster": "import dagster",
    "dagster+core": "import dagster as dg\ndg." + _TOUCHES.format("dg"),
    "pydantic": "import pydantic\npydantic.BaseModel",
    "pydantic+model": "import pydantic\nclass Model(pydantic.BaseModel):\n    name: str = 'x'",
}
"""Each child's import statement; ``+core`` touches what a notebook's first cell touches."""


def _stats(results: Sequence[Mapping[str, Any]], key: str, scale: float = 1.0) -> Stats:
    return Stats.of([float(result[key]) * scale for result in results])


def _wall(results: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    return _stats(results, "wall_ms").to_json()


def imports(profile: Profile, dagster: bool) -> list[Row]:
    """Import time in a fresh interpreter (the import statement, and the whole process).

    The targets are on touching the core (``import workbench as wb; wb.asset; ...``), which is
    what a notebook's first cell costs: >= 5x faster than Dagster's same touches, and at most
    1.6x ``import pydantic`` plus one model class. The bare ``import workbench`` (lazy names)
    is shown for information.
    """
    names = [name for name in IMPORTS if dagster or not name.startswith("dagster")]
    codes = {name: _IMPORT.format(statement=IMPORTS[name]) for name in names}
    codes["python"] = _IMPORT.format(statement="pass")
    # one warm-up child per statement at least: it writes the bytecode every side then loads
    warmup = max(1, profile.warmup)
    found = time_children(codes, rounds=profile.rounds, warmup=warmup, env=os.environ)
    startup = _stats(found["python"], "wall_ms")
    rows: list[Row] = []
    for variant, baseline in (
        ("workbench+core", "dagster+core"),
        ("workbench+core", "pydantic+model"),
        ("workbench", "dagster"),
        ("workbench", "pydantic"),
    ):
        if baseline not in found:
            continue
        statement = _stats(found[variant], "ms")
        row = Row(
            "import",
            f"{variant} vs {baseline}",
            "ms",
            statement,
            _stats(found[baseline], "ms"),
            baseline_name=baseline.split("+")[0],
            note="time of the import statement (and touches) in a fresh process",
            extra={
                "process_wall_ms": _wall(found[variant]),
                "baseline_process_wall_ms": _wall(found[baseline]),
                "interpreter_start_ms": startup.to_json(),
            },
        )
        if variant == "workbench+core" and baseline.startswith("dagster"):
            _faster(row, 5)
        elif variant == "workbench+core":
            row.target = "<= 1.6x pydantic's"
            row.met = row.ratio is not None and row.ratio >= 1 / 1.6
            row.note += "; ratio = pydantic / workbench; the target needs ratio >= 0.625"
        rows.append(row)
    return rows


# -- runs in this process ---------------------------------------------------------------------


PAIRINGS = {
    "ephemeral": "ephemeral vs ephemeral: runs and values in memory on both sides "
    "(dagster: materialize_to_memory / execute_in_process on DagsterInstance.ephemeral())",
    "persistent": "persistent vs persistent: runs in SQLite, values in files or SQLite "
    "(workbench: default instance under WORKBENCH_HOME; dagster: DagsterInstance.local_temp() "
    "on a temp folder, values through its default filesystem IO manager)",
    "default": "workbench persistent vs dagster's materialize() defaults (ephemeral instance, "
    "values in pickle files)",
}
"""How each side keeps runs and values in a pairing (the row's note)."""


def _wb_pairing(pairing: str) -> str:
    return "ephemeral" if pairing == "ephemeral" else "persistent"


def _paired_rows(
    profile: Profile,
    dagster: bool,
    workload: str,
    case: str,
    calls: Callable[[str], tuple[Callable[[], object], Callable[[], object] | None]],
    pairings: Sequence[str],
    times: float,
    size: int = 1,
) -> list[Row]:
    """One row per pairing: both sides timed one call at a time, same warm-up, medians."""
    rows = []
    for pairing in pairings:
        mine, theirs = calls(pairing)
        sides: dict[str, Callable[[], object]] = {"workbench": mine}
        if dagster and theirs is not None:
            sides["dagster"] = theirs
        rounds = profile.persistent_rounds if pairing == "persistent" else profile.rounds
        found = time_pair(sides, rounds=rounds, warmup=profile.warmup)
        row = Row(
            workload,
            f"{case}, {pairing}",
            "ms",
            found["workbench"],
            found.get("dagster"),
            note=PAIRINGS[pairing],
        )
        if size > 1:
            per_asset = found["workbench"].median / size
            row.extra["per_asset_ms"] = per_asset
            row.case += f" ({per_asset:.3f} ms/asset)"
        rows.append(_faster(row, times) if "dagster" in sides else row)
    return rows


def _materialize_rows(
    profile: Profile,
    dagster: bool,
    workload: str,
    case: str,
    build: str,
    size: int,
    times: float,
) -> list[Row]:
    """Materialize ``side.<build>(size)`` with new values each run, in every pairing."""
    wb = _wb()
    dg = _dagster() if dagster else None
    mine = getattr(wb, build)(size)
    theirs = getattr(dg, build)(size) if dg is not None else None

    def calls(pairing: str) -> tuple[Callable[[], object], Callable[[], object] | None]:
        return (
            functools.partial(wb.materialize, mine, pairing=_wb_pairing(pairing)),
            None if dg is None else functools.partial(dg.materialize, theirs, pairing=pairing),
        )

    pairings = ("ephemeral", "persistent", "default")
    return _paired_rows(profile, dagster, workload, case, calls, pairings, times, size)


def rematerialize(profile: Profile, dagster: bool) -> list[Row]:
    """Re-materialize one asset that reads a resource, with a new value every time."""
    return _materialize_rows(
        profile, dagster, "rematerialize", "1 asset + resource", "one_asset", 1, 50
    )


def _graph_rows(profile: Profile, dagster: bool, shape: str) -> list[Row]:
    """A graph of ``profile.graph`` assets, every value new each run, in every pairing."""
    size = profile.graph
    case = f"{size} assets, new values"
    return _materialize_rows(profile, dagster, shape.replace("_", "-"), case, shape, size, 100)


def chain(profile: Profile, dagster: bool) -> list[Row]:
    """A chain of assets, each reading the previous one and a resource; every value new."""
    rows = _graph_rows(profile, dagster, "chain")
    wb = _wb()
    sizes = [size for size in profile.chain_sizes if size != profile.graph]
    if not sizes:
        return rows
    # the persistent chain at larger sizes (workbench only: Dagster takes minutes per run)
    persistent = next(
        row
        for row in rows
        if row.case.startswith(f"{profile.graph} ") and ", persistent" in row.case
    )
    scaled: list[Row] = [persistent]
    stats = [scaled[0].workbench]
    chains = {}
    for size in sizes:
        chains[size] = assets = wb.chain(size)
        # timed beside the same chain in memory: the difference is what storage costs
        found = time_pair(
            {
                "workbench": functools.partial(wb.materialize, assets),
                "in-memory": functools.partial(wb.materialize, assets, pairing="ephemeral"),
            },
            rounds=_scaled(profile),
            warmup=min(1, profile.warmup),
        )
        per_asset = found["workbench"].median / size
        storage = per_asset - found["in-memory"].median / size
        row = Row(
            "chain",
            f"{size} assets, new values, persistent ({per_asset:.3f} ms/asset, "
            f"{storage * 1000:.0f} us/asset of it storage)",
            "ms",
            found["workbench"],
            note="workbench only (Dagster's persistent instance takes minutes at this size); "
            "storage = this minus the same chain with runs and values in memory",
            extra={
                "per_asset_ms": per_asset,
                "storage_per_asset_ms": storage,
                "in_memory": found["in-memory"].to_json(),
            },
        )
        scaled.append(row)
        stats.append(found["workbench"])
    _growth(scaled, [profile.graph, *sizes], stats)
    paused = _paused_rows(
        "chain",
        sizes[-2:],
        lambda size: functools.partial(wb.materialize, chains[size]),
        _scaled(profile),
    )
    return rows + scaled[1:] + paused


def fan_out(profile: Profile, dagster: bool) -> list[Row]:
    """One root and many leaves that read it and a resource; every value new."""
    return _graph_rows(profile, dagster, "fan_out")


def ops_job(profile: Profile, dagster: bool) -> list[Row]:
    """A job of ops in a chain, ``execute_in_process``, recorded by each pairing's instance."""
    wb = _wb()
    dg = _dagster() if dagster else None
    mine = wb.ops_job(profile.ops)
    theirs = dg.ops_job(profile.ops) if dg is not None else None

    def calls(pairing: str) -> tuple[Callable[[], object], Callable[[], object] | None]:
        return (
            functools.partial(wb.execute, mine, pairing=pairing),
            None if dg is None else functools.partial(dg.execute, theirs, pairing=pairing),
        )

    return _paired_rows(
        profile, dagster, "ops-job", f"{profile.ops} ops", calls, ("ephemeral", "persistent"), 30
    )


def automation(profile: Profile, dagster: bool) -> list[Row]:
    """Evaluate a sensor and a schedule through ``build_*_context`` with a resource."""
    wb = _wb()
    sensor, schedule = wb.sensor_and_schedule()
    sides: dict[str, Callable[[], object]] = {
        "workbench-sensor": lambda: wb.evaluate_sensor(sensor),
        "workbench-schedule": lambda: wb.evaluate_schedule(schedule),
    }
    if dagster:
        dg = _dagster()
        their_sensor, their_schedule = dg.sensor_and_schedule()
        sides["dagster-sensor"] = lambda: dg.evaluate_sensor(their_sensor)
        sides["dagster-schedule"] = lambda: dg.evaluate_schedule(their_schedule)
    found = time_pair(sides, rounds=profile.fast_rounds, warmup=max(1, profile.warmup))
    rows = []
    for kind in ("sensor", "schedule"):
        row = Row(
            "automation",
            f"{kind} + resource",
            "ms",
            found[f"workbench-{kind}"],
            found.get(f"dagster-{kind}"),
            note="context built and function evaluated; one call per sample on both sides",
        )
        rows.append(_faster(row, 100) if dagster else row)
    return rows


def _scaled(profile: Profile) -> int:
    return max(1, profile.rounds // 2 + 1)


def _growth(rows: list[Row], sizes: Sequence[int], stats: Sequence[Stats]) -> None:
    """Per-asset cost at each size; growth is linear if 10x the assets costs <= 13x the time."""
    for index in range(1, len(sizes)):
        factor = sizes[index] / sizes[index - 1]
        growth = stats[index].median / stats[index - 1].median
        linear = growth <= factor * 1.3
        rows[index].extra["growth"] = {"size_factor": factor, "time_factor": growth}
        rows[index].target = (rows[index].target + "; " if rows[index].target else "") + (
            f"linear ({growth:.1f}x time for {factor:g}x assets)"
        )
        rows[index].met = (rows[index].met is not False) and linear


def _gc_paused(call: Callable[[], object]) -> Callable[[], object]:
    """``call`` with Python's cyclic garbage collector paused while it runs."""

    def paused() -> object:
        gc.disable()
        try:
            return call()
        finally:
            gc.enable()

    return paused


def _paused_rows(
    workload: str, sizes: Sequence[int], make: Callable[[int], Callable[[], object]], rounds: int
) -> list[Row]:
    """The same workload with the collector paused: how workbench's own work grows."""
    rows: list[Row] = []
    stats: list[Stats] = []
    for size in sizes:
        found = time_pair({"workbench": _gc_paused(make(size))}, rounds=rounds, warmup=1)
        stats.append(found["workbench"])
        per_asset = found["workbench"].median / size
        rows.append(
            Row(
                workload,
                f"{size} assets, gc paused ({per_asset * 1000:.0f} us/asset)",
                "ms",
                found["workbench"],
                None,
                note="Python's cyclic garbage collector paused during each timed call, to show "
                "how workbench's own work grows",
                extra={"per_asset_ms": per_asset},
            )
        )
    _growth(rows, sizes, stats)
    return rows


def build_validate(profile: Profile, dagster: bool) -> list[Row]:
    """Decorate N assets, put them in Definitions with a resource, validate."""
    wb = _wb()
    dg = _dagster() if dagster else None
    rows: list[Row] = []
    sizes = list(profile.build_sizes)
    stats: list[Stats] = []
    for size in sizes:
        sides: dict[str, Callable[[], object]] = {
            "workbench": functools.partial(wb.build_and_validate, size)
        }
        if dg is not None and size in profile.build_sizes_dagster:
            sides["dagster"] = functools.partial(dg.build_and_validate, size)
        found = time_pair(sides, rounds=_scaled(profile), warmup=min(1, profile.warmup))
        stats.append(found["workbench"])
        row = Row(
            "build-validate",
            f"{size} assets",
            "ms",
            found["workbench"],
            found.get("dagster"),
            extra={"per_asset_ms": found["workbench"].median / size},
        )
        row.case += f" ({row.extra['per_asset_ms'] * 1000:.0f} us/asset)"
        if size >= 10_000:
            _under(row, 1000)
        rows.append(row)
    _growth(rows, sizes, stats)
    rows += _paused_rows(
        "build-validate",
        sizes[-2:],
        lambda size: functools.partial(wb.build_and_validate, size),
        _scaled(profile),
    )
    return rows


def materialize_memory(profile: Profile, dagster: bool) -> list[Row]:
    """Materialize N assets with values kept in memory (no storage)."""
    wb = _wb()
    dg = _dagster() if dagster else None
    rows: list[Row] = []
    sizes = list(profile.memory_sizes)
    stats: list[Stats] = []
    for size in sizes:
        mine = wb.chain(size)
        sides: dict[str, Callable[[], object]] = {
            "workbench": functools.partial(wb.materialize, mine, pairing="ephemeral")
        }
        if dg is not None and size in profile.memory_sizes_dagster:
            theirs = dg.chain(size)
            sides["dagster"] = functools.partial(dg.materialize, theirs, pairing="ephemeral")
        found = time_pair(sides, rounds=_scaled(profile), warmup=min(1, profile.warmup))
        stats.append(found["workbench"])
        per_asset = found["workbench"].median / size
        rows.append(
            Row(
                "materialize-memory",
                f"{size} assets ({per_asset * 1000:.0f} us/asset)",
                "ms",
                found["workbench"],
                found.get("dagster"),
                target="completes",
                met=True,
                note="workbench: ephemeral instance; dagster: materialize_to_memory",
                extra={"per_asset_ms": per_asset},
            )
        )
    _growth(rows, sizes, stats)
    chains = {size: wb.chain(size) for size in sizes[-2:]}
    rows += _paused_rows(
        "materialize-memory",
        sizes[-2:],
        lambda size: functools.partial(wb.materialize, chains[size], pairing="ephemeral"),
        _scaled(profile),
    )
    return rows


# -- whole process: peak memory -----------------------------------------------------------------

_PEAK = """
import json, resource, sys
sys.path.insert(0, {root!r})


def peak_kib():
    # VmHWM is this process's own high-water mark; ru_maxrss would carry the parent's peak
    # over exec on Linux (the parent here is the benchmark runner, itself large).
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


from benchmarks import {module} as side
assets = side.chain({size})
before = peak_kib()
side.materialize(assets, pairing="ephemeral")
after = peak_kib()
print(json.dumps({{"peak_kib": after, "before_kib": before}}))
"""


def peak_memory(profile: Profile, dagster: bool) -> list[Row]:
    """Peak RSS of a process that materializes N assets in memory (getrusage in the child)."""
    root = str(Path(__file__).resolve().parent.parent)
    codes = {"workbench": _PEAK.format(root=root, module="wb_side", size=profile.peak_assets)}
    if dagster:
        codes["dagster"] = _PEAK.format(root=root, module="dg_side", size=profile.peak_assets)
    found = time_children(codes, rounds=profile.peak_rounds, warmup=0, env=os.environ)
    mib = 1 / 1024
    rows = []
    for key, case in (
        ("peak_kib", "whole process"),
        ("delta", "growth during materialization"),
    ):
        for results in found.values():
            for result in results:
                result["delta"] = result["peak_kib"] - result["before_kib"]
        row = Row(
            "peak-memory",
            f"{profile.peak_assets} assets, {case}",
            "MiB",
            _stats(found["workbench"], key, mib),
            _stats(found["dagster"], key, mib) if dagster else None,
            note="high-water RSS (VmHWM, else ru_maxrss) of a child: imports, definitions, run",
        )
        if dagster:
            row.target = "below dagster's"
            row.met = row.ratio is not None and row.ratio > 1
        rows.append(row)
    return rows


# -- workbench only ------------------------------------------------------------------------------


def form(profile: Profile, dagster: bool) -> list[Row]:
    """Build (render) the form of a resource with many fields."""
    if importlib.util.find_spec("ipywidgets") is None:
        raise RuntimeError("the form workload needs ipywidgets")
    wb = _wb()
    resource = wb.wide_resource(profile.form_fields)
    found = time_pair(
        {"workbench": lambda: wb.render_form(resource)},
        rounds=profile.rounds,
        warmup=max(1, profile.warmup),
    )
    row = Row(
        "form",
        f"{profile.form_fields}-field resource",
        "ms",
        found["workbench"],
        note="ResourceForm built and its display bundle made (first build is the warm-up)",
    )
    return [_under(row, 150)]


def export(profile: Profile, dagster: bool) -> list[Row]:
    """Export a notebook of many cells to a module (workbench and dagster targets)."""
    wb = _wb()
    with tempfile.TemporaryDirectory() as folder:
        path = wb.write_notebook(Path(folder) / "big.ipynb", profile.cells)
        found = time_pair(
            {
                "workbench": lambda: wb.export(path, "workbench"),
                "dagster-target": lambda: wb.export(path, "dagster"),
            },
            rounds=profile.rounds,
            warmup=max(1, profile.warmup),
        )
    rows = []
    for variant in ("workbench", "dagster-target"):
        row = Row(
            "export",
            f"{profile.cells}-cell notebook, target={variant.split('-')[0]}",
            "ms",
            found[variant],
            note="export_notebook(path): read, validate, select and render (nothing written)",
        )
        rows.append(_under(row, 1000))
    return rows


def history(profile: Profile, dagster: bool) -> list[Row]:
    """``runs()`` over a SQLite store holding many events."""
    wb = _wb()
    with tempfile.TemporaryDirectory() as folder:
        store = wb.fill_store(Path(folder) / "runs.db", profile.events, profile.events_per_run)
        try:
            found = time_pair(
                {"workbench": lambda: wb.list_runs(store)},
                rounds=profile.rounds,
                warmup=max(1, profile.warmup),
            )
        finally:
            store.close()
    runs = max(1, profile.events // profile.events_per_run)
    row = Row(
        "runs-history",
        f"runs() over {profile.events} events ({runs} runs)",
        "ms",
        found["workbench"],
        note="workbench.storage.history.runs on a SqliteRunStore",
    )
    return [_under(row, 1000)]


def _engine(profile: Profile, dagster: bool) -> list[Row]:
    from benchmarks.dagster_engine import engine_overhead

    return engine_overhead(profile, dagster)


WORKLOADS: dict[str, Workload] = {
    item.name: item
    for item in (
        Workload("import", "import with the core touched vs dagster and pydantic", imports),
        Workload(
            "rematerialize", "re-materialize one asset with a resource, new value", rematerialize
        ),
        Workload("chain", "chain of 100 / 1,000 / 10,000 assets, new values each run", chain),
        Workload("fan-out", "100-asset fan-out with a resource, new values each run", fan_out),
        Workload("ops-job", "100 ops in a job, execute_in_process", ops_job),
        Workload("automation", "sensor and schedule via build_*_context", automation),
        Workload(
            "build-validate", "build and validate 100 / 1,000 / 10,000 assets", build_validate
        ),
        Workload(
            "materialize-memory",
            "materialize 100 / 1,000 / 10,000 assets in memory",
            materialize_memory,
        ),
        Workload("peak-memory", "peak memory of a 1,000-asset materialization", peak_memory),
        Workload("form", "render the form of a 50-field resource", form),
        Workload("export", "export a 500-cell notebook", export),
        Workload("runs-history", "runs() over 100,000 stored events", history),
        Workload("dagster-engine", "%wb materialize on Dagster vs Dagster alone", _engine),
    )
}


def run(
    profile: Profile,
    *,
    only: Sequence[str] = (),
    dagster: bool = True,
    report: Callable[[str], None] = print,
) -> list[Row]:
    """Run the chosen workloads (all by default) and return their rows.

    A workload that cannot run (a module not written yet) gives a row with its error as note.
    """
    chosen = list(only) or list(WORKLOADS)
    unknown = [name for name in chosen if name not in WORKLOADS]
    if unknown:
        raise SystemExit(f"unknown workloads {unknown}; choose from: {', '.join(WORKLOADS)}")
    rows: list[Row] = []
    for name in chosen:
        workload = WORKLOADS[name]
        report(f"running {name}: {workload.summary}")
        try:
            rows.extend(workload.measure(profile, dagster))
        except Exception as exc:
            first = (str(exc).strip().splitlines() or [type(exc).__name__])[-1]
            rows.append(
                Row(
                    name,
                    "did not run",
                    "ms",
                    Stats.of([float("nan")]),
                    met=False,
                    note=f"{type(exc).__name__}: {textwrap.shorten(first, 200)}",
                )
            )
        finally:
            if "benchmarks.dg_side" in sys.modules:
                sys.modules["benchmarks.dg_side"].dispose()
    return rows
