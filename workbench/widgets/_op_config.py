"""The launchpad's op and asset config editor: YAML validated with the step's Config class."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import ipywidgets as widgets
import yaml
from pydantic import BaseModel, ValidationError

from workbench.core.config import Config, build_config, from_launch_config
from workbench.core.fields import literal_value
from workbench.errors import ConfigError
from workbench.widgets._display import esc
from workbench.widgets._theme import colour

__all__ = ["OpConfigEditor"]


class OpConfigEditor:
    """A YAML editor for one step's Config, validated with the Config class as the user types.

    Attributes:
        step_key: the op or asset step the config is for.
        config_class: the step's Config class.
        text: the Textarea holding the YAML.
        error: the HTML beside it showing what is wrong.
        errors: ``(field path, message)`` pairs of the current text (empty when valid).
        value: the validated Config, or None while the text is invalid.
    """

    def __init__(self, step_key: str, config_class: type[Config], given: Any = None) -> None:
        self.step_key = step_key
        self.config_class = config_class
        self.errors: list[tuple[str, str]] = []
        self.value: Config | None = None
        self.text = widgets.Textarea(
            value=_initial_yaml(config_class, given),
            description=step_key,
            layout=widgets.Layout(width="95%", height="6em"),
        )
        self.error = widgets.HTML()
        self.widget = widgets.VBox(
            [
                widgets.HTML(f"<small>{esc(config_class.__name__)} (YAML)</small>"),
                self.text,
                self.error,
            ]
        )
        self.text.observe(lambda _change: self.validate(), names="value")
        self.validate()

    def validate(self) -> Config | None:
        """Parse and validate the text; show and keep the errors."""
        self.errors = []
        self.value = None
        try:
            data = yaml.safe_load(self.text.value) if self.text.value.strip() else {}
            if data is None:
                data = {}
            if not isinstance(data, Mapping):
                raise ConfigError(
                    "config must be a mapping",
                    [
                        (
                            "",
                            f"config must be a mapping of field names to values, got "
                            f"{type(data).__name__}; write one 'field: value' per line",
                        )
                    ],
                )
            config = from_launch_config(self.config_class, data)
            self.value = build_config(self.config_class, config)
        except yaml.YAMLError as exc:
            self.errors = [("", f"not valid YAML: {exc}")]
        except ConfigError as exc:
            self.errors = list(exc.errors) or [("", str(exc))]
        except Exception as exc:  # a validator may raise anything; show it beside the field
            self.errors = [("", f"{type(exc).__name__}: {exc}")]
        self.error.value = "<br>".join(
            f"<span style='color:{colour('error')}'>"
            f"{esc(f'{path}: {text}' if path else text)}</span>"
            for path, text in self.errors
        )
        return self.value


def _initial_yaml(config_class: type[Config], given: Any) -> str:
    if isinstance(given, BaseModel | Mapping):
        data = literal_value(given)
    else:
        try:
            data = literal_value(config_class())
        except (ValidationError, TypeError):
            data = {
                name: None
                if info.is_required()
                else literal_value(info.get_default(call_default_factory=True))
                for name, info in config_class.model_fields.items()
            }
    try:
        return yaml.safe_dump(data, sort_keys=False) if data else ""
    except yaml.YAMLError:
        return yaml.safe_dump(_stringify(data), sort_keys=False)


def _stringify(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _stringify(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_stringify(item) for item in value]
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)
