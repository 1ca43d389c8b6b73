"""Run the benchmark suite: ``python -m benchmarks [--quick] [--json PATH] [--only NAME...]``."""

from __future__ import annotations

import argparse
import os
import shlex
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.harness import FULL, QUICK, environment, format_table, machine, write_json

DEFAULT_JSON = Path(__file__).resolve().parent / "results" / "latest.json"


def main(argv: list[str] | None = None) -> int:
    """Run the workloads, print the table, write the JSON; exit 1 if a target is missed."""
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks",
        description="Time workbench against real Dagster, side by side.",
    )
    parser.add_argument("--quick", action="store_true", help="fewer rounds, smaller sizes (~1 min)")
    parser.add_argument("--json", type=Path, default=DEFAULT_JSON, help="where to write results")
    parser.add_argument("--only", nargs="+", default=[], metavar="NAME", help="workloads to run")
    parser.add_argument("--no-dagster", action="store_true", help="measure workbench alone")
    parser.add_argument(
        "--strict", action="store_true", help="exit with status 1 when a target is missed"
    )
    args = parser.parse_args(argv)
    profile = QUICK if args.quick else FULL
    with tempfile.TemporaryDirectory(prefix="workbench-bench-") as folder:
        # Both sides keep their state in a throwaway folder; set before either is imported.
        os.environ.update(environment(Path(folder)))
        from benchmarks.workloads import run

        started = time.perf_counter()
        rows = run(
            profile,
            only=args.only,
            dagster=not args.no_dagster,
            report=lambda text: print(text, file=sys.stderr, flush=True),
        )
        elapsed = time.perf_counter() - started
    given = argv if argv is not None else sys.argv[1:]
    command = shlex.join(["python", "-m", "benchmarks", *given])
    info = machine()
    print(
        f"\n{command}  ({profile.name}: {profile.rounds} rounds after {profile.warmup} warm-up; "
        f"{elapsed:.0f} s)\n{info['date']}  Python {info['python']}  {info['cpus']} CPUs  "
        f"{info['platform']}  dagster {info['versions']['dagster']}\n"
    )
    print(format_table(rows))
    write_json(args.json, rows, profile=profile, command=command)
    missed = [row for row in rows if row.met is False]
    print(f"\n{len(missed)} target(s) missed; results written to {args.json}")
    return 1 if args.strict and missed else 0


if __name__ == "__main__":
    raise SystemExit(main())
