"""Colours and layout from JupyterLab's theme: CSS variables, and the widgets' own style sheet.

No colour is fixed on its own: each is ``var(--jp-..., fallback)``, so the light and dark
themes both read well, and front ends without JupyterLab's variables get the fallback.
"""

from __future__ import annotations

__all__ = ["COLOURS", "STYLE_SHEET", "colour"]

COLOURS: dict[str, tuple[str, str]] = {
    "text": ("--jp-ui-font-color1", "#1f2328"),
    "muted": ("--jp-ui-font-color2", "#57606a"),
    "faint": ("--jp-ui-font-color3", "#8c959f"),
    "inverse": ("--jp-ui-inverse-font-color1", "#ffffff"),
    "background": ("--jp-layout-color1", "#ffffff"),
    "border": ("--jp-border-color1", "#8c959f"),
    "brand": ("--jp-brand-color1", "#0969da"),
    "success": ("--jp-success-color1", "#1a7f37"),
    "warn": ("--jp-warn-color1", "#9a6700"),
    "error": ("--jp-error-color1", "#cf222e"),
}
"""Role -> (JupyterLab CSS variable, fallback)."""


def colour(role: str) -> str:
    """The CSS value of a colour role: ``var(--jp-..., fallback)``."""
    variable, fallback = COLOURS[role]
    return f"var({variable},{fallback})"


_NARROW = "520px"
"""Below this output width, a field's label, control and help stack in one column."""

STYLE_SHEET = f"""
.wb-resource-form, .wb-launchpad, .wb-graph-view {{ container-type: inline-size;
  max-width: 100%; color: {colour("text")}; }}
.wb-resource-form .wb-row {{ display: grid !important;
  grid-template-columns: minmax(7em, 12em) minmax(0, 1fr); column-gap: 10px; row-gap: 2px;
  align-items: start; width: 100%; margin: 2px 0; }}
.wb-resource-form .wb-row > * {{ grid-column: 2; min-width: 0 !important;
  max-width: 100% !important; margin-left: 0 !important; }}
.wb-resource-form .wb-row > .wb-label {{ grid-column: 1; grid-row: 1 / span 4;
  width: auto !important; min-width: 0 !important; overflow-wrap: anywhere; }}
.wb-resource-form .wb-row .widget-text, .wb-resource-form .wb-row .widget-textarea,
.wb-resource-form .wb-row .widget-dropdown, .wb-resource-form .wb-row .widget-password {{
  width: 100% !important; max-width: 32em !important; }}
.wb-resource-form .wb-row .widget-toggle-buttons {{ flex-wrap: wrap; width: auto !important; }}
.wb-resource-form .wb-row .widget-toggle-buttons .widget-toggle-button {{ min-width: 0; }}
.wb-resource-form .wb-note {{ white-space: normal; overflow-wrap: anywhere;
  width: auto !important; }}
.wb-resource-form .wb-note small, .wb-help {{ color: {colour("muted")}; }}
.wb-resource-form .widget-hbox {{ flex-wrap: wrap; }}
.wb-differs, .wb-unapplied, .wb-origin, .wb-resource-form .wb-note .wb-differs,
.wb-resource-form .wb-warning {{ color: {colour("warn")}; }}
.wb-resource-form .wb-row > .wb-revert-field {{ justify-self: start; width: auto !important;
  height: auto; font-size: 85%; padding: 0 8px; }}
.wb-graph {{ overflow: auto; max-width: 100%; }}
.wb-launchpad .wb-step-progress {{ max-width: 100%; }}
.wb-launchpad .widget-progress .widget-label {{ overflow: visible; }}
.wb-launchpad .wb-log {{ white-space: pre-wrap; overflow-wrap: anywhere; margin: 0;
  font-size: 85%; line-height: 1.4; }}
.wb-resource-form .wb-note, .wb-resource-form .wb-label {{ line-height: 1.4; }}
.wb-runs td, .wb-runs th {{ text-align: left; padding: 1px 8px 1px 0; }}
@container (max-width: {_NARROW}) {{
  .wb-resource-form .wb-row {{ grid-template-columns: minmax(0, 1fr); }}
  .wb-resource-form .wb-row > *, .wb-resource-form .wb-row > .wb-label {{
    grid-column: 1; grid-row: auto; }}
}}
"""
"""The widgets' own style sheet (shipped inside each form, launchpad and graph view)."""
