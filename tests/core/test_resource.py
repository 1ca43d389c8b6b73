from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING, Any

import pytest
from pydantic import PrivateAttr

import workbench as wb
from workbench.core.run import RunStatus

if TYPE_CHECKING:
    from collections.abc import Iterator

    from workbench.core.instance import Instance

LOG: list[str] = []


@pytest.fixture(autouse=True)
def _clear_log() -> Iterator[None]:
    LOG.clear()
    yield
    LOG.clear()


class Tracked(wb.ConfigurableResource):
    label: str = "tracked"
    fail_setup: bool = False

    def setup_for_execution(self, context: wb.InitResourceContext) -> None:
        LOG.append(f"setup {self.label} key={context.resource_key}")
        if self.fail_setup:
            raise RuntimeError(f"setup of {self.label} failed")

    def teardown_after_execution(self, context: wb.InitResourceContext) -> None:
        LOG.append(f"teardown {self.label}")


class Other(Tracked):
    pass


class Creds(wb.ConfigurableResource):
    user: str = "u"

    def setup_for_execution(self, context: wb.InitResourceContext) -> None:
        LOG.append(f"setup creds {self.user}")

    def teardown_after_execution(self, context: wb.InitResourceContext) -> None:
        LOG.append("teardown creds")


class Client(wb.ConfigurableResource):
    creds: Creds
    region: str = "eu"

    def setup_for_execution(self, context: wb.InitResourceContext) -> None:
        LOG.append(f"setup client {self.creds.user}")

    def teardown_after_execution(self, context: wb.InitResourceContext) -> None:
        LOG.append("teardown client")


class Yielding(wb.ConfigurableResource):
    name: str = "y"

    @contextlib.contextmanager
    def yield_for_execution(self, context: wb.InitResourceContext) -> Iterator[Any]:
        LOG.append("enter")
        try:
            yield {"handle": self.name}
        finally:
            LOG.append("exit")


class Factory(wb.ConfigurableResource):
    prefix: str = "p"

    def create_resource(self, context: wb.InitResourceContext) -> Any:
        LOG.append(f"create {context.resource_key}")
        return f"{self.prefix}-object"


class Connection(wb.ConfigurableResource):
    username: str
    port: int = 1

    def describe(self) -> str:
        return f"{self.username}:{self.port}"


class Stateful(wb.ConfigurableResource):
    _opened: list[str] = PrivateAttr(default_factory=list)

    def setup_for_execution(self, context: wb.InitResourceContext) -> None:
        self._opened.append("opened")


class ListIO(wb.ConfigurableIOManager):
    prefix: str = "io"

    def handle_output(self, context: wb.OutputContext, obj: Any) -> None:
        assert context.asset_key is not None
        STORE[f"{self.prefix}:{context.asset_key.to_user_string()}"] = obj
        LOG.append(f"handle {context.asset_key.to_user_string()}")
        context.add_output_metadata({"stored_by": self.prefix})

    def load_input(self, context: wb.InputContext) -> Any:
        assert context.asset_key is not None
        LOG.append(f"load {context.asset_key.to_user_string()}")
        return STORE[f"{self.prefix}:{context.asset_key.to_user_string()}"]


STORE: dict[str, Any] = {}


@wb.asset
def first(tracked: Tracked) -> int:
    LOG.append("step first")
    return 1


@wb.asset
def second(first: int, tracked: Tracked) -> int:
    LOG.append("step second")
    return first + 1


def test_lifecycle_order_once_per_run(instance: Instance) -> None:
    result = wb.materialize([first, second], resources={"tracked": Tracked()}, instance=instance)
    assert result.success
    assert LOG == [
        "setup tracked key=tracked",
        "step first",
        "step second",
        "teardown tracked",
    ]


def test_only_needed_resources_are_set_up(instance: Instance) -> None:
    resources = {"tracked": Tracked(), "other": Other(label="unused")}
    wb.materialize([first], resources=resources, instance=instance)
    assert "setup unused key=other" not in LOG
    assert LOG == ["setup tracked key=tracked", "step first", "teardown tracked"]


def test_definitions_building_sets_nothing_up() -> None:
    defs = wb.Definitions(assets=[first], resources={"tracked": Tracked()})
    defs.validate()
    assert LOG == []


def test_teardown_runs_after_a_step_fails(instance: Instance) -> None:
    @wb.asset
    def broken(tracked: Tracked) -> None:
        LOG.append("step broken")
        raise ValueError("boom")

    result = wb.materialize(
        [broken], resources={"tracked": Tracked()}, instance=instance, raise_on_error=False
    )
    assert not result.success
    assert LOG == ["setup tracked key=tracked", "step broken", "teardown tracked"]
    assert result.run.status is RunStatus.FAILURE


def test_teardown_runs_when_another_resource_fails_to_set_up(instance: Instance) -> None:
    @wb.asset
    def both(alpha: Tracked, beta: Other) -> None:
        LOG.append("step both")

    resources = {"alpha": Tracked(label="good"), "beta": Other(label="bad", fail_setup=True)}
    result = wb.materialize([both], resources=resources, instance=instance, raise_on_error=False)
    assert not result.success
    assert LOG == ["setup good key=alpha", "setup bad key=beta", "teardown good"]
    record = instance.run_store.get_run(result.run_id)
    assert record.status is RunStatus.FAILURE
    assert record.error is not None
    assert "setup of bad failed" in record.error

    with pytest.raises(wb.ExecutionError, match="setup of bad failed") as caught:
        wb.materialize([both], resources=resources, instance=instance)
    assert isinstance(caught.value.__cause__, RuntimeError)


def test_keyboard_interrupt_tears_down_records_canceled_and_propagates(
    instance: Instance,
) -> None:
    @wb.asset
    def interrupted(tracked: Tracked) -> None:
        LOG.append("step interrupted")
        raise KeyboardInterrupt

    @wb.asset
    def after(interrupted: None) -> None:
        LOG.append("step after")

    with pytest.raises(KeyboardInterrupt):
        wb.materialize([interrupted, after], resources={"tracked": Tracked()}, instance=instance)
    assert LOG == ["setup tracked key=tracked", "step interrupted", "teardown tracked"]
    (record,) = instance.run_store.list_runs()
    assert record.status is RunStatus.CANCELED
    assert record.end_time is not None
    types = [event.event_type.value for event in instance.run_store.get_events(record.run_id)]
    assert types[-1] == "RUN_CANCELED"


def test_nested_resource_is_set_up_first_and_torn_down_last(instance: Instance) -> None:
    @wb.asset
    def uses_client(client: Client) -> str:
        LOG.append("step")
        return client.creds.user

    result = wb.materialize(
        [uses_client], resources={"client": Client(creds=Creds(user="ann"))}, instance=instance
    )
    assert result.asset_value("uses_client") == "ann"
    assert LOG == [
        "setup creds ann",
        "setup client ann",
        "step",
        "teardown client",
        "teardown creds",
    ]


def test_nested_resource_bound_at_top_level_is_set_up_once(instance: Instance) -> None:
    creds = Creds(user="shared")

    @wb.asset
    def uses_both(client: Client, creds: Creds) -> str:
        LOG.append("step")
        return client.creds.user + creds.user

    wb.materialize(
        [uses_both], resources={"client": Client(creds=creds), "creds": creds}, instance=instance
    )
    assert LOG.count("setup creds shared") == 1
    assert LOG.count("teardown creds") == 1
    assert LOG.index("setup creds shared") < LOG.index("setup client shared")
    assert LOG.index("teardown client") < LOG.index("teardown creds")


def test_yield_for_execution_override_replaces_setup_and_teardown(instance: Instance) -> None:
    @wb.asset
    def uses(yielding: ResourceParamAny) -> Any:
        LOG.append("step")
        return yielding

    result = wb.materialize([uses], resources={"yielding": Yielding(name="n")}, instance=instance)
    assert result.asset_value("uses") == {"handle": "n"}
    assert LOG == ["enter", "step", "exit"]


ResourceParamAny = wb.ResourceParam[Any]


def test_create_resource_hands_steps_another_object(instance: Instance) -> None:
    @wb.asset
    def uses(factory: wb.ResourceParam[str]) -> str:
        return factory

    result = wb.materialize([uses], resources={"factory": Factory(prefix="q")}, instance=instance)
    assert result.asset_value("uses") == "q-object"
    assert LOG == ["create factory"]


def test_resource_param_passes_a_plain_object(instance: Instance) -> None:
    client = {"kind": "plain"}

    @wb.asset
    def uses(client: wb.ResourceParam[dict[str, str]]) -> str:
        return client["kind"]

    defs = wb.Definitions(assets=[uses], resources={"client": client})
    assert uses.required_resource_keys == {"client"}
    result = wb.materialize(defs.assets, resources=defs.resources, instance=instance)
    assert result.asset_value("uses") == "plain"


def test_private_state_set_during_setup_is_visible_to_steps(instance: Instance) -> None:
    @wb.asset
    def uses(stateful: Stateful) -> list[str]:
        return list(stateful._opened)

    result = wb.materialize([uses], resources={"stateful": Stateful()}, instance=instance)
    assert result.asset_value("uses") == ["opened"]


class Contextual(wb.ConfigurableResource):
    def key(self) -> str | None:
        return self.get_resource_context().resource_key


def test_resource_context_in_a_run_and_outside(instance: Instance) -> None:
    @wb.asset
    def uses(contextual: Contextual) -> str | None:
        return contextual.key()

    result = wb.materialize([uses], resources={"contextual": Contextual()}, instance=instance)
    assert result.asset_value("uses") == "contextual"
    with pytest.raises(wb.ConfigError, match="outside a run"):
        Contextual().get_resource_context()
    context = wb.build_init_resource_context(config={"a": 1}, resources={"x": 2})
    assert context.resource_config == {"a": 1}
    assert context.resources.x == 2


def test_nested_resource_with_env_var_bound_at_top_level_is_set_up_once(
    monkeypatch: pytest.MonkeyPatch, instance: Instance
) -> None:
    monkeypatch.setenv("WB_CREDS_USER", "from-env")
    creds = Creds(user=wb.EnvVar("WB_CREDS_USER"))

    @wb.asset
    def uses_both(client: Client, creds: Creds) -> str:
        return f"{client.creds.user}/{creds.user}"

    result = wb.materialize(
        [uses_both], resources={"client": Client(creds=creds), "creds": creds}, instance=instance
    )
    assert result.asset_value("uses_both") == "from-env/from-env"
    assert LOG.count("setup creds from-env") == 1
    assert LOG.count("teardown creds") == 1


def test_launch_config_of_a_top_level_resource_reaches_its_nested_use(
    instance: Instance,
) -> None:
    creds = Creds(user="built")

    @wb.asset
    def uses_client(client: Client, creds: Creds) -> str:
        return f"{client.creds.user}/{creds.user}"

    result = wb.materialize(
        [uses_client],
        resources={"client": Client(creds=creds), "creds": creds},
        run_config={"resources": {"creds": {"config": {"user": "launched"}}}},
        instance=instance,
    )
    assert result.asset_value("uses_client") == "launched/launched"
    assert LOG.count("setup creds launched") == 1


def test_configure_at_launch_without_config_is_an_error_with_an_example(
    instance: Instance,
) -> None:
    @wb.asset
    def uses(conn: Connection) -> str:
        LOG.append("step")
        return conn.describe()

    with pytest.raises(wb.ConfigError) as caught:
        wb.materialize(
            [uses], resources={"conn": Connection.configure_at_launch()}, instance=instance
        )
    text = str(caught.value)
    assert "resources.conn.config.username: required" in text
    assert "{'resources': {'conn': {'config': {'username': '...'}}}}" in text
    assert LOG == []


def test_configure_at_launch_with_run_config(instance: Instance) -> None:
    @wb.asset
    def uses(conn: Connection) -> str:
        return conn.describe()

    resources = {"conn": Connection.configure_at_launch(port=9)}
    result = wb.materialize(
        [uses],
        resources=resources,
        run_config={"resources": {"conn": {"config": {"username": "launch"}}}},
        instance=instance,
    )
    assert result.asset_value("uses") == "launch:9"
    result = wb.materialize(
        [uses],
        resources=resources,
        run_config=wb.RunConfig(resources={"conn": Connection(username="typed", port=3)}),
        instance=instance,
    )
    assert result.asset_value("uses") == "typed:3"


def test_launch_config_replaces_constructor_values(instance: Instance) -> None:
    @wb.asset
    def uses(conn: Connection) -> str:
        return conn.describe()

    result = wb.materialize(
        [uses],
        resources={"conn": Connection(username="built", port=5)},
        run_config={"resources": {"conn": {"config": {"username": "override"}}}},
        instance=instance,
    )
    # as in Dagster: port, left out of the run config, takes the class default (#12)
    assert result.asset_value("uses") == "override:1"


def test_configurable_io_manager_bound_as_io_manager(instance: Instance) -> None:
    STORE.clear()

    @wb.asset
    def source() -> list[int]:
        return [1, 2]

    @wb.asset
    def total(source: list[int]) -> int:
        return sum(source)

    io = ListIO(prefix="default")
    result = wb.materialize([source, total], resources={"io_manager": io}, instance=instance)
    assert STORE == {"default:source": [1, 2], "default:total": 3}
    (event, _) = result.get_asset_materialization_events()
    assert event.data["metadata"]["stored_by"] == "default"

    LOG.clear()
    result = wb.materialize(
        [source, total], resources={"io_manager": io}, selection=["total"], instance=instance
    )
    assert result.asset_value("total") == 3
    assert LOG == ["load source", "handle total"]


def test_configurable_io_manager_via_io_manager_key(instance: Instance) -> None:
    STORE.clear()

    @wb.asset(io_manager_key="lake")
    def stored() -> str:
        return "value"

    @wb.asset
    def plain() -> str:
        return "memory"

    wb.materialize([stored, plain], resources={"lake": ListIO(prefix="lake")}, instance=instance)
    assert STORE == {"lake:stored": "value"}


def test_binding_the_wrong_type_names_key_expected_and_given(instance: Instance) -> None:
    @wb.asset
    def uses(conn: Connection) -> None:
        LOG.append("step")

    with pytest.raises(wb.DefinitionError) as caught:
        wb.materialize([uses], resources={"conn": Tracked()}, instance=instance)
    text = str(caught.value)
    assert "'conn'" in text
    assert "must be a Connection" in text
    assert "Tracked is bound" in text
    with pytest.raises(wb.DefinitionError, match="dict is bound"):
        wb.Definitions(assets=[uses], resources={"conn": {"username": "x"}}).validate()
    assert LOG == []


def test_binding_a_subclass_or_partial_of_the_right_type_is_fine(instance: Instance) -> None:
    class Special(Connection):
        pass

    @wb.asset
    def uses(conn: Connection) -> str:
        return conn.describe()

    wb.Definitions(assets=[uses], resources={"conn": Connection.configure_at_launch()}).validate()
    result = wb.materialize([uses], resources={"conn": Special(username="s")}, instance=instance)
    assert result.asset_value("uses") == "s:1"


def test_resource_methods_use_config() -> None:
    assert Connection(username="me", port=2).describe() == "me:2"
    assert Connection(username="a") == Connection(username="a")


class Counter(wb.ConfigurableResource):
    def setup_for_execution(self, context: wb.InitResourceContext) -> None:
        LOG.append(f"setup run={context.run_id is not None}")


def test_each_run_sets_up_again(instance: Instance) -> None:
    @wb.asset
    def uses(counter: Counter) -> None:
        pass

    resources = {"counter": Counter()}
    wb.materialize([uses], resources=resources, instance=instance)
    wb.materialize([uses], resources=resources, instance=instance)
    assert LOG == ["setup run=True", "setup run=True"]


def test_a_resource_displays_its_config_with_secrets_masked(monkeypatch):
    from pydantic import SecretStr

    class Warehouse(wb.ConfigurableResource):
        user: str
        password: SecretStr
        host: str = "db.internal"

    monkeypatch.setenv("WH_USER", "visible-only-by-name")
    shown = Warehouse(user=wb.EnvVar("WH_USER"), password=SecretStr("hunter2-canary"))
    bundle = shown._repr_mimebundle_()
    assert bundle["text/plain"].splitlines() == [
        "Warehouse",
        "  user: {'env': 'WH_USER'}",
        "  password: '**********'",
        "  host: 'db.internal'",
    ]
    assert "hunter2-canary" not in bundle["text/html"]
    assert "visible-only-by-name" not in bundle["text/html"]
    assert "db.internal" in bundle["text/html"]
