"""Older ways of gathering definitions: @repository, BindResourcesToJobs, source assets.

Dagster code still uses ``@repository``, ``BindResourcesToJobs`` and
``@observable_source_asset``; they build on Definitions and AssetSpec here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, overload

from workbench.core._params import Param, Role, read_params
from workbench.core.asset import Asset, AssetKey, AssetSpec, with_io_manager
from workbench.core.definitions import Definitions
from workbench.core.job import Job
from workbench.core.schedule import Schedule
from workbench.core.sensor import Sensor
from workbench.errors import DagsterInvalidDefinitionError

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Mapping, Sequence

    from workbench.core.instance import Instance
    from workbench.core.loading import AssetValueLoader

__all__ = [
    "BindResourcesToJobs",
    "ObservableSourceAsset",
    "RepositoryDefinition",
    "observable_source_asset",
    "repository",
]


class BindResourcesToJobs(list[Job]):
    """Jobs that get the Definitions' resources (``Definitions(jobs=BindResourcesToJobs(...))``).

    In workbench every job of a Definitions gets its resources, so this is a plain list.
    """


class RepositoryDefinition:
    """What ``@repository`` makes: named definitions, looked up by name.

    Attributes:
        name: the repository's name.
        definitions: the Definitions it holds.
    """

    def __init__(self, name: str, definitions: Definitions, description: str | None) -> None:
        self.name = name
        self.definitions = definitions
        self.description = description

    def get_job(self, name: str) -> Job:
        """The job ``name``, with the repository's resources."""
        return self.definitions.resolve_job_def(name)

    def has_job(self, name: str) -> bool:
        """Whether the repository holds a job ``name``."""
        return any(job.name == name for job in self.get_all_jobs())

    def get_all_jobs(self) -> list[Job]:
        """Every job the repository holds."""
        return list(self.definitions.jobs)

    def get_sensor_def(self, name: str) -> Sensor:
        """The sensor ``name``."""
        return self.definitions.get_sensor_def(name)

    def get_asset_value_loader(self, instance: Instance | None = None) -> AssetValueLoader:
        """A loader of materialized asset values (see Definitions.get_asset_value_loader)."""
        return self.definitions.get_asset_value_loader(instance)

    def load_asset_value(self, asset_key: Any, **options: Any) -> Any:
        """Load one asset's value through its IO manager (see Definitions.load_asset_value)."""
        return self.definitions.load_asset_value(asset_key, **options)

    def get_schedule_def(self, name: str) -> Schedule:
        """The schedule ``name``."""
        return self.definitions.get_schedule_def(name)

    def __repr__(self) -> str:
        return f"<RepositoryDefinition {self.name}>"


def _gather(items: Iterable[Any], owner: str) -> Definitions:
    assets: list[Asset | AssetSpec] = []
    jobs: list[Job] = []
    sensors: list[Sensor] = []
    schedules: list[Schedule] = []
    for item in items:
        if isinstance(item, Asset | AssetSpec):
            assets.append(item)
        elif isinstance(item, Job):
            jobs.append(item)
        elif isinstance(item, Sensor):
            sensors.append(item)
        elif isinstance(item, Schedule):
            schedules.append(item)
        elif hasattr(item, "to_job"):
            jobs.append(item.to_job())
        else:
            raise DagsterInvalidDefinitionError(
                f"repository {owner!r} returned {item!r}; return assets, jobs, graphs, sensors "
                "and schedules (or a Definitions)"
            )
    return Definitions(assets=assets, jobs=jobs, sensors=sensors, schedules=schedules)


@overload
def repository(fn: Callable[[], Any], /) -> RepositoryDefinition: ...


@overload
def repository(
    fn: None = None, /, *, name: str | None = None, description: str | None = None
) -> Callable[[Callable[[], Any]], RepositoryDefinition]: ...


def repository(
    fn: Callable[[], Any] | None = None,
    /,
    *,
    name: str | None = None,
    description: str | None = None,
) -> Any:
    """Declare a repository: a function returning a list of definitions (or a Definitions)."""

    def decorate(function: Callable[[], Any]) -> RepositoryDefinition:
        owner = name or function.__name__
        returned = function()
        if isinstance(returned, Definitions):
            defs = returned
        elif isinstance(returned, dict):
            defs = _gather([item for group in returned.values() for item in _values(group)], owner)
        else:
            defs = _gather(returned, owner)
        return RepositoryDefinition(owner, defs, description or function.__doc__)

    return decorate(fn) if fn is not None else decorate


def _values(group: Any) -> list[Any]:
    return list(group.values()) if isinstance(group, dict) else list(group)


class ObservableSourceAsset(AssetSpec):
    """A source asset whose function observes its data version (``@observable_source_asset``).

    workbench does not materialize or observe it yet: steps depend on it like on any
    AssetSpec (see #12).
    """

    fn: Callable[..., Any]
    params: tuple[Param, ...]
    required_resource_keys: frozenset[str]
    resource_defs: dict[str, Any]
    io_manager_key: str

    def __init__(
        self,
        fn: Callable[..., Any],
        key: AssetKey,
        *,
        description: str | None,
        metadata: Mapping[str, Any] | None,
        group_name: str | None,
        required_resource_keys: Iterable[str],
        resource_defs: Mapping[str, Any] | None,
        io_manager_key: str | None,
    ) -> None:
        super().__init__(key, description=description, metadata=metadata, group_name=group_name)
        params = read_params(fn, f"observable source asset {key.to_user_string()!r}")
        set_ = object.__setattr__
        set_(self, "fn", fn)
        set_(self, "params", params)
        set_(
            self,
            "required_resource_keys",
            frozenset(
                {param.name for param in params if param.role is Role.RESOURCE}
                | set(required_resource_keys)
            ),
        )
        set_(self, "resource_defs", dict(resource_defs or {}))
        set_(self, "io_manager_key", io_manager_key or "io_manager")


def observable_source_asset(
    fn: Callable[..., Any] | None = None,
    /,
    *,
    name: str | None = None,
    key: AssetKey | str | Sequence[str] | None = None,
    key_prefix: str | Sequence[str] | None = None,
    description: str | None = None,
    metadata: Mapping[str, Any] | None = None,
    group_name: str | None = None,
    required_resource_keys: Iterable[str] | None = None,
    resource_defs: Mapping[str, Any] | None = None,
    io_manager_key: str | None = None,
    io_manager_def: Any = None,
) -> Any:
    """Declare a source asset whose function returns its current ``DataVersion``.

    ``io_manager_def`` is the IO manager that loads its value for downstream assets.
    """

    def decorate(function: Callable[..., Any]) -> ObservableSourceAsset:
        if key is not None:
            asset_key = AssetKey.from_coercible(key)
        else:
            prefix = [key_prefix] if isinstance(key_prefix, str) else list(key_prefix or ())
            asset_key = AssetKey([*prefix, name or function.__name__])
        manager_key, carried = with_io_manager(
            asset_key, io_manager_key, io_manager_def, resource_defs
        )
        return ObservableSourceAsset(
            function,
            asset_key,
            description=description if description is not None else function.__doc__,
            metadata=metadata,
            group_name=group_name,
            required_resource_keys=required_resource_keys or (),
            resource_defs=carried,
            io_manager_key=manager_key,
        )

    return decorate(fn) if fn is not None else decorate
