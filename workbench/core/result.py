"""ExecuteInProcessResult: what a run returns: status, values, outputs and events."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from workbench.core._suggest import closest
from workbench.core.asset import AssetKey, MaterializeResult
from workbench.core.keys import path_hint
from workbench.core.run import EventType, RunEvent, RunRecord
from workbench.errors import DagsterInvariantViolationError, StorageError

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

__all__ = ["ExecuteInProcessResult"]

# the fix for asking a MaterializeResult without a value for its value
_RETURN_VALUE = "return the value itself (or MaterializeResult(value=...))"


class ExecuteInProcessResult:
    """The result of ``materialize`` or ``Job.execute_in_process``.

    Attributes:
        run_id: the run's id.
        success: whether every step succeeded.
        all_events: every event of the run, in order.
        run: the run's record (status, times, redacted config).
        storage_error: set if the run could not be (fully) recorded; values are still here.
    """

    def __init__(
        self,
        *,
        run_id: str,
        success: bool,
        events: Sequence[RunEvent],
        values: Mapping[tuple[str, str], Any],
        asset_values: Mapping[AssetKey, Any],
        record: RunRecord,
        storage_error: StorageError | None = None,
    ) -> None:
        self.run_id = run_id
        self.success = success
        self.all_events = list(events)
        self._values = dict(values)
        self.graph_outputs: dict[str, tuple[str, str]] = {}
        self._asset_values = dict(asset_values)
        self.run = record
        self.storage_error = storage_error

    @property
    def events(self) -> list[RunEvent]:
        """Every event of the run, in order."""
        return self.all_events

    def asset_value(self, asset_key: AssetKey | str | Sequence[str]) -> Any:
        """The value an asset produced in this run."""
        key = AssetKey.from_coercible(asset_key)
        if key in self._asset_values:
            return self._asset_values[key]
        materialized = {
            event.data["asset_key"] for event in self.get_asset_materialization_events()
        }
        path = path_hint(key, self._asset_values)
        if path is not None:
            raise DagsterInvariantViolationError(f"no value for {key!r} in this run; {path}")
        name = key.to_user_string()
        if name in materialized:
            raise DagsterInvariantViolationError(
                f"asset {name!r} returned a MaterializeResult, which stores no value; "
                + _RETURN_VALUE
            )
        match = closest(name, materialized)
        if match is not None:
            hint = f"did you mean {match!r}?"
        else:
            done = (
                f"it materialized {', '.join(sorted(materialized))}"
                if materialized
                else ("it materialized no assets")
            )
            hint = f"{done}; include {name!r} in the selection to get its value"
        raise DagsterInvariantViolationError(
            f"asset {name!r} was not materialized in run {self.run_id}; {hint}"
        )

    def output_for_node(self, node_str: str, output_name: str = "result") -> Any:
        """The value an op (or asset step, or nested graph) produced for one of its outputs."""
        handle = self.graph_outputs.get(node_str) if output_name == "result" else None
        if handle is not None:
            node_str, output_name = handle
        try:
            value = self._values[(node_str, output_name)]
        except KeyError:
            nodes = {node for node, _ in self._values}
            match = None if node_str in nodes else closest(node_str, nodes)
            outputs = sorted(
                f"{node}.{name}"
                for node, name in self._values
                if node == node_str or node_str not in nodes
            )
            hint = (
                f"did you mean node {match!r}?"
                if match is not None
                else f"outputs: {', '.join(outputs) or 'none'}"
            )
            raise DagsterInvariantViolationError(
                f"no output {output_name!r} of node {node_str!r} in run {self.run_id}; {hint}"
            ) from None
        if value is MaterializeResult._NO_VALUE:
            raise DagsterInvariantViolationError(
                f"node {node_str!r} returned a MaterializeResult with no value; {_RETURN_VALUE}"
            )
        return value

    def get_asset_materialization_events(self) -> list[RunEvent]:
        """The run's materialization events."""
        return [e for e in self.all_events if e.event_type is EventType.ASSET_MATERIALIZATION]

    def events_for_node(self, node_name: str) -> list[RunEvent]:
        """The events of one step."""
        return [event for event in self.all_events if event.step_key == node_name]

    @property
    def failures(self) -> list[RunEvent]:
        """The step-failure events."""
        return [e for e in self.all_events if e.event_type is EventType.STEP_FAILURE]

    def step_durations(self) -> dict[str, float]:
        """Each finished step's duration in seconds."""
        return {
            event.step_key: float(event.data.get("duration", 0.0))
            for event in self.all_events
            if event.step_key
            and event.event_type in (EventType.STEP_SUCCESS, EventType.STEP_FAILURE)
        }

    def _run_failures(self) -> list[RunEvent]:
        """Failures of the run itself (say, a resource's setup), not of one step."""
        return [
            event
            for event in self.all_events
            if event.event_type is EventType.RUN_FAILURE and "traceback" in event.data
        ]

    def __repr__(self) -> str:
        status = "success" if self.success else "failure"
        return f"<ExecuteInProcessResult run_id={self.run_id!r} {status}>"

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, str]:
        from html import escape  # only notebooks show it: kept out of the core's import

        status = self.run.status.value
        durations = self.step_durations()
        lines = [f"Run {self.run_id} {status} ({len(durations)} steps)"]
        lines += [f"  {step}: {seconds * 1000:.1f} ms" for step, seconds in durations.items()]
        for event in self.failures:
            lines.append(f"  FAILED {event.step_key}: {event.message}")
        reasons = [event.message for event in self._run_failures()]
        lines += [f"  FAILED: {reason}" for reason in reasons]
        rows = "".join(
            f"<tr><td>{escape(step)}</td><td>{seconds * 1000:.1f} ms</td></tr>"
            for step, seconds in durations.items()
        ) + "".join(f"<tr><td colspan='2'>{escape(reason)}</td></tr>" for reason in reasons)
        color = "#1a7f37" if self.success else "#cf222e"
        html = (
            f"<div><b style='color:{color}'>{escape(status)}</b> run "
            f"<code>{escape(self.run_id)}</code><table>{rows}</table></div>"
        )
        return {"text/plain": "\n".join(lines), "text/html": html}
