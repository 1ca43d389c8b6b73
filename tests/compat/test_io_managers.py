"""IO managers: called for op outputs, input managers, loads between assets in a run (#12)."""

from pathlib import Path
from typing import Any

import pytest


def recording_manager(dg: Any, log: list[str], suffix: str = "") -> Any:
    class Recording(dg.ConfigurableIOManager):
        def handle_output(self, context: Any, obj: Any) -> None:
            log.append(f"store {context.name}={obj}")
            STORE[tuple(context.get_identifier())] = obj

        def load_input(self, context: Any) -> Any:
            log.append(f"load {context.name}")
            return str(STORE[tuple(context.upstream_output.get_identifier())]) + suffix

    return Recording()


STORE: dict[tuple[str, ...], Any] = {}


def test_a_job_level_io_manager_stores_and_loads_op_outputs(dg: Any) -> None:
    log: list[str] = []

    @dg.op
    def emit() -> int:
        return 3

    @dg.op
    def take(value: str) -> str:
        return value

    @dg.job(resource_defs={"io_manager": recording_manager(dg, log, "!")})
    def moves() -> None:
        take(emit())

    result = moves.execute_in_process()
    assert result.output_for_node("take") == "3!"
    assert log == ["store result=3", "load value", "store result=3!"]


def test_a_definitions_level_io_manager_is_called_for_op_outputs(dg: Any) -> None:
    log: list[str] = []

    @dg.op
    def emit() -> int:
        return 4

    @dg.job
    def once() -> None:
        emit()

    defs = dg.Definitions(jobs=[once], resources={"io_manager": recording_manager(dg, log)})
    assert defs.get_job_def("once").execute_in_process().success
    assert log == ["store result=4"]


def test_an_out_chooses_its_io_manager_by_key(dg: Any) -> None:
    log: list[str] = []

    @dg.op(out=dg.Out(io_manager_key="special"))
    def emit() -> int:
        return 5

    @dg.job(resource_defs={"special": recording_manager(dg, log)})
    def once() -> None:
        emit()

    assert once.execute_in_process().success
    assert log == ["store result=5"]


def test_an_input_manager_loads_an_input_no_op_gives(dg: Any) -> None:
    class Rows(dg.ConfigurableIOManager):
        table: str

        def handle_output(self, context: Any, obj: Any) -> None:
            pass

        def load_input(self, context: Any) -> Any:
            return [f"{self.table}:{context.name}"]

    @dg.op(ins={"rows": dg.In(input_manager_key="rows_loader")})
    def count(rows: list[str]) -> list[str]:
        return rows

    @dg.job(resource_defs={"rows_loader": Rows(table="orders")})
    def counts() -> None:
        count()

    assert counts.execute_in_process().output_for_node("count") == ["orders:rows"]


def test_assets_in_one_run_pass_values_through_load_input(dg: Any) -> None:
    log: list[str] = []

    class Doubling(dg.ConfigurableIOManager):
        def handle_output(self, context: Any, obj: Any) -> None:
            log.append(f"store {context.asset_key.path[-1]}")
            STORE[tuple(context.get_asset_identifier())] = obj

        def load_input(self, context: Any) -> Any:
            log.append(f"load {context.asset_key.path[-1]}")
            return STORE[tuple(context.asset_key.path)] * 2

    @dg.asset
    def base() -> int:
        return 5

    @dg.asset
    def doubled(base: int) -> int:
        return base

    result = dg.materialize([base, doubled], resources={"io_manager": Doubling()})
    assert result.asset_value("doubled") == 10  # 5 loaded as 10 by load_input, then stored
    assert log[:3] == ["store base", "load base", "store doubled"]


def test_a_function_style_io_manager(dg: Any) -> None:
    stored: dict[str, Any] = {}

    class Memory(dg.IOManager):
        def handle_output(self, context: Any, obj: Any) -> None:
            stored[context.name] = obj

        def load_input(self, context: Any) -> Any:
            return stored[context.upstream_output.name]

    @dg.io_manager
    def memory(_init_context: Any) -> Any:
        return Memory()

    @dg.op
    def emit() -> int:
        return 6

    @dg.job(resource_defs={"io_manager": memory})
    def once() -> None:
        emit()

    assert isinstance(memory, dg.IOManagerDefinition)
    assert once.execute_in_process().success
    assert stored == {"result": 6}


def test_io_manager_factories(dg: Any) -> None:
    stored: dict[str, Any] = {}

    class Memory(dg.IOManager):
        def __init__(self, prefix: str) -> None:
            self.prefix = prefix

        def handle_output(self, context: Any, obj: Any) -> None:
            stored[self.prefix + context.name] = obj

        def load_input(self, context: Any) -> Any:
            return stored[self.prefix + context.upstream_output.name]

    class Factory(dg.ConfigurableIOManagerFactory):
        prefix: str

        def create_io_manager(self, context: Any) -> Any:
            return Memory(self.prefix)

    @dg.io_manager(config_schema={"prefix": str})
    def legacy(init_context: Any) -> Any:
        return Memory(init_context.resource_config["prefix"])

    class Adapter(dg.ConfigurableLegacyIOManagerAdapter):
        prefix: str

        @property
        def wrapped_io_manager(self) -> Any:
            return legacy

    @dg.op
    def emit() -> int:
        return 7

    for manager in (Factory(prefix="f:"), Adapter(prefix="a:")):

        @dg.job(resource_defs={"io_manager": manager})
        def once() -> None:
            emit()

        assert once.execute_in_process().success
    assert stored == {"f:result": 7, "a:result": 7}


def test_filesystem_io_manager_pickles_asset_values(dg: Any, tmp_path: Path) -> None:
    @dg.asset
    def numbers() -> list[int]:
        return [1, 2]

    @dg.asset
    def total(numbers: list[int]) -> int:
        return sum(numbers)

    manager = dg.FilesystemIOManager(base_dir=str(tmp_path))
    assert dg.materialize([numbers, total], resources={"io_manager": manager}).success
    assert (tmp_path / "numbers").exists()
    alone = dg.materialize([numbers, total], resources={"io_manager": manager}, selection=["total"])
    assert alone.asset_value("total") == 3


@pytest.fixture(autouse=True)
def _clear_store() -> None:
    STORE.clear()


def test_input_and_output_config_reach_the_io_manager(dg: Any) -> None:
    storage: dict[str, str] = {}

    class InputSettings(dg.Config):
        prefix_input: str

    class OutputSettings(dg.Config):
        postfix_output: str

    class Wrapping(dg.ConfigurableIOManager):
        prefix_output: str

        @classmethod
        def input_config_schema(cls) -> Any:
            return InputSettings

        @classmethod
        def output_config_schema(cls) -> Any:
            return OutputSettings

        def load_input(self, context: Any) -> Any:
            return f"{context.config['prefix_input']}{storage[context.name]}"

        def handle_output(self, context: Any, obj: Any) -> None:
            storage[context.name] = f"{self.prefix_output}{obj}{context.config['postfix_output']}"

    @dg.op(out={"first": dg.Out(io_manager_key="io_manager")})
    def first() -> str:
        return "foo"

    @dg.op(ins={"first": dg.In(input_manager_key="io_manager")})
    def second(first: str) -> str:
        return first

    @dg.job(resource_defs={"io_manager": Wrapping(prefix_output="pre")})
    def chain() -> None:
        second(first())

    run_config = {
        "ops": {
            "first": {"outputs": {"first": {"postfix_output": "post"}}},
            "second": {
                "inputs": {"first": {"prefix_input": "bar"}},
                "outputs": {"result": {"postfix_output": "!"}},
            },
        }
    }
    assert chain.execute_in_process(run_config=run_config).output_for_node("second") == (
        "barprefoopost"
    )
    assert storage == {"first": "prefoopost", "result": "prebarprefoopost!"}
    bad = {"ops": {"second": {"inputs": {"first": {"prefix_input": 3}}}}}
    with pytest.raises(dg.DagsterInvalidConfigError):
        chain.execute_in_process(run_config=bad)


def test_a_source_assets_own_io_manager_loads_it_for_downstream_assets(
    dg: Any, tmp_path: Path
) -> None:
    class FileText(dg.ConfigurableIOManager):
        base_path: str

        def load_input(self, context: Any) -> Any:
            return Path(self.base_path, *context.asset_key.path).read_text(encoding="utf-8")

        def handle_output(self, context: Any, obj: Any) -> None:
            Path(self.base_path, *context.asset_key.path).write_text(str(obj), encoding="utf-8")

    (tmp_path / "observed").write_text("foo", encoding="utf-8")

    @dg.observable_source_asset(io_manager_def=FileText(base_path=str(tmp_path)))
    def observed() -> Any:
        return dg.DataVersion("alpha")

    @dg.asset
    def downstream(observed: str) -> str:
        return observed + "bar"

    defs = dg.Definitions(assets=[observed, downstream])
    result = defs.get_implicit_global_asset_job_def().execute_in_process()
    assert result.output_for_node("downstream") == "foobar"


def test_filesystem_io_manager_stores_op_outputs_per_run(tmp_path: Path) -> None:
    import workbench as wb

    @wb.op
    def emit() -> int:
        return 9

    @wb.op
    def take(value: int) -> int:
        return value + 1

    manager = wb.FilesystemIOManager(base_dir=str(tmp_path))

    @wb.job(resource_defs={"io_manager": manager})
    def chain() -> None:
        take(emit())

    result = chain.execute_in_process()
    assert result.output_for_node("take") == 10
    assert (tmp_path / result.run_id / "emit" / "result").exists()


def test_io_config_for_an_unknown_input_is_refused() -> None:
    import workbench as wb

    @wb.op
    def emit() -> int:
        return 1

    @wb.op
    def take(value: int) -> int:
        return value

    @wb.job
    def chain() -> None:
        take(emit())

    with pytest.raises(wb.DagsterInvalidConfigError, match="has no input 'valeu'"):
        chain.execute_in_process(run_config={"ops": {"take": {"inputs": {"valeu": {}}}}})


def test_an_asset_with_its_own_io_manager(dg: Any, tmp_path: Path) -> None:
    @dg.asset(io_manager_def=dg.FilesystemIOManager(base_dir=str(tmp_path)))
    def greeting() -> str:
        return "hello"

    @dg.asset
    def shout(greeting: str) -> str:
        return greeting.upper()

    defs = dg.Definitions(assets=[greeting, shout])
    assert not (tmp_path / "greeting").exists()
    result = defs.get_implicit_global_asset_job_def().execute_in_process()
    assert result.output_for_node("shout") == "HELLO"
    assert (tmp_path / "greeting").exists()
