"""A run's live progress in a widget: a bar per step, the overall bar with counts, the log.

Also the run button's return after a run, once the clicks queued during it are dropped.
"""

from __future__ import annotations

import threading
import time
from typing import TYPE_CHECKING, Any

import ipywidgets as widgets

from workbench.core.run import EventType, RunEvent
from workbench.widgets._display import STEP_ENDS, esc, event_line, format_duration

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

__all__ = [
    "ENABLE_DELAY_SECONDS",
    "LOG_LINES",
    "LOG_SHOWN",
    "RunProgress",
    "enable_after_queued_clicks",
]

LOG_LINES = 500
"""How many log lines a run keeps."""

LOG_SHOWN = 12
"""How many of the newest log lines show in full; the rest open from a summary line."""


class RunProgress:
    """The progress of one run at a time, fed by its events (from any thread).

    Attributes:
        bars: step key -> its IntProgress (max 2: started, finished).
        overall: an IntProgress of finished steps.
        counts: steps finished of all, failures and the time since the run started.
        log: the live log (HTML).
        lines: the log's lines, newest last (scrubbed when shown).
        widget: the container to display.
    """

    def __init__(self) -> None:
        self._scrub: Callable[[str], str] = str
        self._lock = threading.Lock()
        self._started = 0.0
        self.bars: dict[str, Any] = {}
        self.lines: list[str] = []
        self.overall = widgets.IntProgress(value=0, min=0, max=1, description="steps")
        self.overall.add_class("wb-progress-overall")
        self.counts = widgets.HTML()
        self.log = widgets.HTML()
        self._bars_box = widgets.VBox()
        self.widget = widgets.VBox(
            [widgets.HBox([self.overall, self.counts]), self._bars_box, self.log]
        )

    def start(self, steps: Sequence[str], scrub: Callable[[str], str]) -> None:
        """Show one empty bar per step of the run that starts now, and clear the log.

        Args:
            steps: the run's step keys, in order.
            scrub: removes the run's secrets from each log line shown.
        """
        self._scrub = scrub
        self.lines = []
        self.log.value = ""
        self._started = time.monotonic()
        self.overall.max = max(1, len(steps))
        self.overall.value = 0
        self.overall.bar_style = ""
        width = _label_width(steps)
        self.bars = {key: _step_bar(key, width) for key in steps}
        self._bars_box.children = tuple(self.bars.values())
        self._show_counts()

    def on_event(self, event: RunEvent) -> None:
        """Move the bars and append the event to the log."""
        with self._lock:
            bar = self.bars.get(event.step_key or "")
            if event.step_key and bar is None:  # a step the plan did not foresee
                bar = _step_bar(event.step_key, _label_width([*self.bars, event.step_key]))
                self.bars[event.step_key] = bar
                self._bars_box.children = (*self._bars_box.children, bar)
                self.overall.max = len(self.bars)
            if bar is not None and event.event_type is EventType.STEP_START:
                bar.value = 1
                bar.bar_style = "info"
            elif bar is not None and event.event_type in STEP_ENDS:
                bar.value = bar.max
                bar.bar_style = STEP_ENDS[event.event_type]
                self.overall.value = sum(item.value == item.max for item in self.bars.values())
            elif event.event_type is EventType.RUN_SUCCESS:
                self.overall.bar_style = "success"
            elif event.event_type is EventType.RUN_FAILURE:
                self.overall.bar_style = "danger"
            self._show_counts()
            self.lines.append(event_line(event))
            del self.lines[:-LOG_LINES]
            self.log.value = _log_html([self._scrub(line) for line in self.lines])

    def _show_counts(self) -> None:
        bars = self.bars.values()
        done = sum(item.value == item.max for item in bars)
        failed = sum(item.bar_style == "danger" for item in bars)
        elapsed = time.monotonic() - self._started
        text = f"{done} of {len(self.bars)} steps"
        if failed:
            text += f", {failed} failed"
        self.counts.value = f"<small>{esc(text)} · {format_duration(elapsed)}</small>"


def _label_width(steps: Sequence[str]) -> str:
    """One label width for every step's bar, so the bars line up: the longest name's."""
    return f"{max((len(step) for step in steps), default=5) + 2}ch"


def _step_bar(step_key: str, label_width: str) -> Any:
    """A step's progress bar with its whole name beside it (never cut to a few characters)."""
    bar = widgets.IntProgress(
        value=0, min=0, max=2, description=step_key, style={"description_width": label_width}
    )
    bar.add_class("wb-step-progress")
    return bar


def _log_html(lines: Sequence[str]) -> str:
    """The newest lines in full (nothing clipped), the earlier ones folded above them."""
    earlier, newest = lines[:-LOG_SHOWN], lines[-LOG_SHOWN:]
    parts = []
    if earlier:
        parts.append(
            f"<details><summary>{len(earlier)} earlier lines</summary>"
            f"<pre class='wb-log'>{esc(chr(10).join(earlier))}</pre></details>"
        )
    parts.append(f"<pre class='wb-log'>{esc(chr(10).join(newest))}</pre>")
    return "".join(parts)


ENABLE_DELAY_SECONDS = 0.5
"""How long Launch stays disabled after a run in a kernel: clicks the browser sent during the
run are queued behind it and arrive at once; they find the button disabled and are dropped."""


def enable_after_queued_clicks(button: Any) -> None:
    """Enable ``button`` once the clicks queued during a run have been handled (and ignored)."""
    try:
        from IPython import get_ipython

        kernel = getattr(get_ipython(), "kernel", None)
    except ImportError:  # pragma: no cover - IPython is a dependency of ipywidgets
        kernel = None
    if kernel is None:  # no front end queues clicks: a direct call is the next click
        button.disabled = False
        return
    timer = threading.Timer(ENABLE_DELAY_SECONDS, lambda: setattr(button, "disabled", False))
    timer.daemon = True
    timer.start()
