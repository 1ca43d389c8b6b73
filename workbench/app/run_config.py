"""Run-config files: YAML in Dagster's run-config shape, read safely and checked once."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

from workbench.core.run_config import normalize_run_config
from workbench.errors import ConfigError

__all__ = ["MAX_NODES", "read_run_config"]

MAX_NODES = 100_000
"""How many values a run-config file may hold once its aliases are expanded.

A YAML alias repeats a value without writing it again, so a few lines of anchors can stand
for billions of values (an "alias bomb"); the file is refused before anything walks them.
"""

_SHAPE = "write it as resources: {KEY: {config: {...}}}, ops: {NAME: {config: {...}}}"


def read_run_config(path: str | None) -> dict[str, Any] | None:
    """Read a run-config YAML file in Dagster's shape; errors name the file and the line.

    Raises:
        ConfigError: the file cannot be read, is not UTF-8 YAML, repeats a key, holds too many
            values once its aliases are expanded, or is not in the run-config shape (every
            problem is listed).
    """
    if path is None:
        return None
    import yaml

    file = Path(path)
    try:
        text = file.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise ConfigError(
            f"run config {path!r} is not UTF-8 text (byte {exc.start}: {exc.reason}); "
            "save it as UTF-8 YAML"
        ) from None
    except OSError as exc:
        raise ConfigError(
            f"cannot read run config {path!r}: {exc.strerror or exc}; check the path"
        ) from exc
    try:
        data = yaml.load(text, Loader=_safe_loader())
    except _TooBig as exc:
        raise ConfigError(
            f"run config {path!r} {exc}; write the values out, or use fewer anchors and aliases"
        ) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" line {mark.line + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise ConfigError(
            f"run config {path!r}{where} is not valid YAML: {problem}; {_SHAPE}"
        ) from None
    except RecursionError:
        raise ConfigError(f"run config {path!r} nests too deeply to read; {_SHAPE}") from None
    except ValueError as exc:  # an int past Python's 4300-digit limit, a date like 2026-13-01
        reason = str(exc).split(";")[0]
        raise ConfigError(
            f"run config {path!r} holds a value that cannot be read ({reason}); "
            "quote it to give it as text"
        ) from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ConfigError(
            f"run config {path!r} must be a mapping with resources: and/or ops:, "
            f"got {type(data).__name__}"
        )
    try:
        normalize_run_config(data)
    except ConfigError as exc:
        raise ConfigError.from_errors(
            f"run config {path!r} is not in the run-config shape:", exc.errors or [("", str(exc))]
        ) from None
    return data


class _TooBig(Exception):
    """A YAML document whose aliases expand past :data:`MAX_NODES`, or into themselves."""


def _expanded_size(node: Any, sizes: dict[int, int], open_nodes: set[int]) -> int:
    """How many values ``node`` stands for with every alias expanded (each node counted once)."""
    import yaml

    key = id(node)
    if key in sizes:
        return sizes[key]
    if key in open_nodes:
        raise _TooBig("has an alias inside the value it names, which never ends")
    open_nodes.add(key)
    total = 1
    if isinstance(node, yaml.SequenceNode):
        for item in node.value:
            total += _expanded_size(item, sizes, open_nodes)
    elif isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            total += _expanded_size(key_node, sizes, open_nodes)
            total += _expanded_size(value_node, sizes, open_nodes)
    open_nodes.discard(key)
    sizes[key] = min(total, MAX_NODES + 1)  # past the bound the exact count does not matter
    return sizes[key]


def _construct_unique_mapping(loader: Any, node: Any, deep: bool = False) -> Any:
    """Build a YAML mapping, refusing a key written twice (YAML keeps the last one silently)."""
    import yaml

    seen: set[Any] = set()
    for key_node, _value_node in node.value:
        key = loader.construct_object(key_node, deep=deep)
        try:
            repeated = key in seen
            seen.add(key)
        except TypeError:  # an unhashable key: the constructor below reports it
            continue
        if repeated:
            raise yaml.constructor.ConstructorError(
                None,
                None,
                f"key {key!r} is given twice; keep one",
                key_node.start_mark,
            )
    return yaml.SafeLoader.construct_mapping(loader, node, deep=deep)


@functools.cache
def _safe_loader() -> Any:
    import yaml

    class SafeRunConfigLoader(yaml.SafeLoader):
        """A safe loader that refuses duplicate keys and aliases that expand too far."""

        def get_single_data(self) -> Any:
            node = self.get_single_node()
            if node is None:
                return None
            if _expanded_size(node, {}, set()) > MAX_NODES:
                raise _TooBig(f"has aliases that expand to more than {MAX_NODES:,} values")
            return self.construct_document(node)

    SafeRunConfigLoader.add_constructor(
        yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_unique_mapping
    )
    return SafeRunConfigLoader
