"""Bad input from a clumsy user or an attacker: only clear, typed errors come back."""

from __future__ import annotations

import io
import json
from contextlib import redirect_stderr, redirect_stdout
from typing import TYPE_CHECKING, Any

import ipywidgets as widgets
import pytest
import yaml
from hypothesis import example, given
from hypothesis import strategies as st

import workbench as wb
from workbench.cli import main
from workbench.export import export_notebook
from workbench.widgets._controls import DictEditor, ListEditor
from workbench.widgets.forms import ResourceForm

from .conftest import FUZZ, load_everything

if TYPE_CHECKING:
    from pathlib import Path

# -- forms ---------------------------------------------------------------------------------

TEXT = st.text(
    st.characters(codec="utf-8", exclude_categories=["Cs"]) | st.sampled_from("{}[]\"':,\\\n"),
    max_size=40,
)
JSONISH = st.sampled_from(["", "1", "[1, 2]", '{"a": 1}', "null", "nan", "{", "\x00"]) | TEXT


@pytest.fixture(scope="module")
def everything() -> Any:
    return load_everything()["Everything"]


def type_into(form: ResourceForm, data: st.DataObject) -> None:
    """One user action on a random control: type, tick, pick, add or remove a row."""
    paths = sorted(form.fields) + [f"env:{path}" for path in sorted(form.env_fields)]
    paths += [f"unset:{path}" for path in sorted(form.unset_switches)]
    choice = data.draw(st.sampled_from(paths))
    if choice.startswith("env:"):
        path = choice[4:]
        form.sources[path].value = data.draw(st.sampled_from(["value", "env"]))
        form.env_fields[path].value = data.draw(
            TEXT | st.sampled_from(["EVERYTHING_USER", "HOME", ""])
        )
        return
    if choice.startswith("unset:"):
        form.unset_switches[choice[6:]].value = data.draw(st.booleans())
        return
    control = form.fields[choice]
    if isinstance(control, widgets.Password | widgets.Text | widgets.Textarea):
        control.value = data.draw(TEXT)
    elif isinstance(control, widgets.IntText):
        control.value = data.draw(st.integers(-(2**70), 2**70))
    elif isinstance(control, widgets.FloatText):
        control.value = data.draw(st.floats(allow_nan=True, allow_infinity=True))
    elif isinstance(control, widgets.Checkbox):
        control.value = data.draw(st.booleans())
    elif isinstance(control, widgets.Dropdown):
        options = [item[1] if isinstance(item, tuple) else item for item in control.options]
        control.value = data.draw(st.sampled_from(options))
    elif isinstance(control, widgets.DatePicker):
        control.value = data.draw(st.none() | st.dates())
    elif isinstance(control, widgets.NaiveDatetimePicker):
        control.value = data.draw(st.none() | st.datetimes())
    elif isinstance(control, ListEditor):
        action = data.draw(st.sampled_from(["add", "remove", "type"]))
        if action == "add" or not control._all:
            control.add_button.click()
        rows = control._all
        if action == "remove" and rows:
            rows[0][0].children[-1].click()
        elif rows:
            rows[-1][2].value = data.draw(TEXT)
    elif isinstance(control, DictEditor):
        if not control._all or data.draw(st.booleans()):
            control.add_button.click()
        _row, key, value = control._all[-1]
        key.value = data.draw(TEXT)
        value.value = data.draw(st.integers(-(2**40), 2**40))
    else:  # pragma: no cover - a new control kind needs a case here
        raise AssertionError(f"no way to type into {type(control).__name__} at {choice!r}")


@FUZZ
@given(data=st.data())
def test_typing_anything_into_every_control_only_ever_shows_form_errors(everything, data):
    form = ResourceForm("everything", everything(name="demo"))
    last_valid = form.value
    assert last_valid is not None
    for _ in range(data.draw(st.integers(1, 12))):
        type_into(form, data)
        assert all(text.strip() for text in form.errors.values())
        assert (form.value is None) == bool(form.errors)
        assert form.apply_button.disabled == bool(form.errors)
    applied = form.apply()
    if form.errors:
        assert applied is None
        assert form.applied.name == last_valid.name  # the last valid config stays in force
    else:
        assert isinstance(applied, everything)
    bundle = form._repr_mimebundle_()
    assert "text/plain" in bundle
    form.reset()
    form.revert()
    assert form.value is not None
    assert not form.errors


# -- run config: the CLI and materialize ------------------------------------------------------

DEFS = """
import workbench as wb

class Conn(wb.ConfigurableResource):
    user: str
    port: int = 5432

class Knobs(wb.Config):
    limit: int = 10
    label: str = "x"

@wb.asset
def numbers(conn: Conn, config: Knobs) -> list:
    return list(range(config.limit % 50))

@wb.asset
def total(numbers: list) -> int:
    return sum(numbers)

defs = wb.Definitions(assets=[numbers, total], resources={"conn": Conn(user="ada")})
"""

NAMES = st.sampled_from(["resources", "ops", "conn", "numbers", "total", "config", "user", "port"])
NAMES |= st.sampled_from(["limit", "label", "execution", "loggers", "nope"])
SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(-(2**70), 2**70)
    | st.floats()
    | TEXT
    | st.dates()
    | st.binary(max_size=8)
)
KEYS = NAMES | st.integers(-3, 3) | st.booleans() | TEXT
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(KEYS, inner, max_size=4),
    max_leaves=12,
)
RUN_CONFIGS = (
    st.fixed_dictionaries(
        {},
        optional={
            "resources": st.dictionaries(NAMES, VALUES, max_size=3)
            | st.fixed_dictionaries(
                {
                    "conn": st.fixed_dictionaries(
                        {"config": st.dictionaries(KEYS, VALUES, max_size=3)}
                    )
                }
            ),
            "ops": st.dictionaries(NAMES, VALUES, max_size=3)
            | st.fixed_dictionaries(
                {
                    "numbers": st.fixed_dictionaries(
                        {"config": st.dictionaries(KEYS, VALUES, max_size=3)}
                    )
                }
            ),
        },
    )
    | VALUES
)

YAML_BYTES = (
    TEXT.map(str.encode)
    | st.binary(max_size=64)
    | st.sampled_from(
        [
            "resources: {conn: {config: 1}}",
            "resources:\n  conn:\n    config:\n      1: 2",
            "ops: {numbers: {config: {limit: 1, limit: 2}}}",
            "!!python/object/apply:os.system ['echo hacked']",
            "a: &a [*a]",
            "resources: {conn: {config: {port: .nan}}}",
            "ops: {numbers: {config: {limit: 99999999999999999999999}}}",
            "- resources",
            "resources: [conn]",
            "\ufeffops: {}",
            "ops: {numbers: {config: {label: !!binary aGk=}}}",
            "resources:\n\tconn: {}",
        ]
    ).map(str.encode)
)


@pytest.fixture(scope="module")
def defs_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("defs") / "pipeline.py"
    path.write_text(DEFS)
    return path


def run_cli(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = main(list(args))
    return code, out.getvalue(), err.getvalue()


def check_cli(defs_file: Path, config: Path) -> None:
    code, out, err = run_cli("materialize", str(defs_file), "-c", str(config))
    assert code in (0, 1, 2), (code, err)
    assert "Traceback" not in out + err
    if code:
        assert err.strip()
        assert not err.startswith("Error:")


@FUZZ
@given(raw=YAML_BYTES)
@example(raw=b"\xed\xb3\xbf")
def test_any_run_config_text_given_to_the_cli_gives_an_exit_code_never_a_traceback(
    defs_file, tmp_path, raw
):
    config = tmp_path / "run.yaml"
    config.write_bytes(raw)
    check_cli(defs_file, config)


@FUZZ
@given(run_config=RUN_CONFIGS)
def test_any_run_config_structure_given_to_the_cli_gives_an_exit_code(
    defs_file, tmp_path, run_config
):
    config = tmp_path / "run.yaml"
    try:
        config.write_text(yaml.safe_dump(run_config, allow_unicode=True))
    except yaml.YAMLError:
        return  # not expressible in YAML
    check_cli(defs_file, config)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (b"\xff\xfeops: {}", "is not UTF-8 text"),
        # a plain value is a function-style resource's config (`config_schema=int`, #12)
        (b"resources: {conn: 1}", "resources.conn: must look like {'config'"),
        (b"resources:\n  conn:\n    config:\n      1: 2", "the field name 1 must be text"),
        (b"ops: {numbers: {config: {limit: 1, limit: 2}}}", "key 'limit' is given twice"),
        # a list is an op's whole config only for `config: list` ops (#12); a date never is
        (b"ops: {numbers: {config: 2026-01-01}}", "ops.numbers.config: must map field names"),
    ],
)
def test_malformed_run_config_files_name_the_file_and_the_problem(
    defs_file, tmp_path, text, message
):
    config = tmp_path / "run.yaml"
    config.write_bytes(text)
    code, _out, err = run_cli("materialize", str(defs_file), "-c", str(config))
    assert code == 1
    assert repr(str(config)) in err
    assert message in err


@pytest.fixture(scope="module")
def pipeline(defs_file: Path) -> Any:
    return wb.load_definitions(defs_file)


def check_materialize(pipeline: Any, run_config: Any) -> None:
    try:
        result = wb.materialize(
            pipeline.assets,
            run_config,
            resources=pipeline.resources,
            instance=wb.Instance.ephemeral(),
        )
    except wb.ConfigError as exc:
        text = str(exc)
        assert text
        assert "Traceback" not in text
        return
    assert result.success


BAD_SHAPES = [
    {1: 2, "bogus": 3},
    {"resources": {"conn": {"config": 1}}},
    {"resources": {"conn": {"config": [1]}}},
    {"resources": {"conn": {"config": {1: 2}}}},
]


@pytest.mark.parametrize("run_config", BAD_SHAPES)
def test_a_resource_config_that_is_not_a_mapping_is_a_config_error(pipeline, run_config):
    check_materialize(pipeline, run_config)


@FUZZ
@given(run_config=RUN_CONFIGS)
def test_any_run_config_given_to_materialize_is_run_or_a_config_error(pipeline, run_config):
    check_materialize(pipeline, run_config)


# -- export of malformed notebooks ----------------------------------------------------------


def notebook_json(cells: list[Any], nbformat: Any = 4, minor: Any = 5) -> bytes:
    return json.dumps(
        {
            "nbformat": nbformat,
            "nbformat_minor": minor,
            "metadata": {},
            "cells": [
                {
                    "cell_type": "code",
                    "metadata": {},
                    "source": source,
                    "outputs": [],
                    "execution_count": None,
                    "id": f"cell-{index}",
                }
                for index, source in enumerate(cells)
            ],
        }
    ).encode()


GOOD_CELL = "import workbench as wb\n\n@wb.asset\ndef a() -> int:\n    return 1\n"

MALFORMED = {
    "not json": b"{not json",
    "empty file": b"",
    "a json list": b"[]",
    "a json string": b'"notebook"',
    "nul bytes": b"\x00" * 64,
    "utf-16": notebook_json([GOOD_CELL]).decode().encode("utf-16"),
    "nbformat 3": notebook_json([GOOD_CELL], nbformat=3),
    "nbformat 5": notebook_json([GOOD_CELL], nbformat=5),
    "nbformat as text": notebook_json([GOOD_CELL], nbformat="4"),
    "nbformat missing": json.dumps({"cells": [], "metadata": {}}).encode(),
    "cells not a list": json.dumps({"nbformat": 4, "nbformat_minor": 5, "cells": {}}).encode(),
    "cell not an object": json.dumps(
        {"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [1]}
    ).encode(),
    "source a number": notebook_json([7]),
    "source with nul": notebook_json(["x = 1\x00\n"]),
    "syntax error": notebook_json([GOOD_CELL, "def broken(:\n"]),
    "deep nesting": notebook_json(["x = " + "(" * 400 + "1" + ")" * 400]),
    "huge cell": notebook_json([GOOD_CELL + "\n".join(f"v{i} = {i}" for i in range(3_000))]),
    "huge literal": notebook_json([GOOD_CELL + "blob = '" + "x" * 2_000_000 + "'\n"]),
    "many cells": notebook_json([GOOD_CELL] + [f"c{i} = {i}" for i in range(1_500)]),
}


@pytest.mark.parametrize("target", ["workbench", "dagster"])
@pytest.mark.parametrize("name", list(MALFORMED))
def test_a_malformed_notebook_exports_or_is_an_export_error(tmp_path, name, target):
    path = tmp_path / "broken.ipynb"
    path.write_bytes(MALFORMED[name])
    out = tmp_path / "out.py"
    error: wb.ExportError | None = None
    try:
        source = export_notebook(path, out, target=target)
    except wb.ExportError as exc:
        error = exc
    if error is not None:
        assert str(error)
        assert error.path is not None
        assert not out.exists()  # a failed export writes nothing
        return
    assert out.read_text() == source
    compile(source, str(out), "exec")


def test_a_notebook_with_cells_missing_their_ids_exports_without_warnings(tmp_path):
    path = tmp_path / "old.ipynb"
    raw = json.loads(notebook_json([GOOD_CELL]))
    del raw["cells"][0]["id"]
    path.write_text(json.dumps(raw))
    export_notebook(path, tmp_path / "out.py")  # warnings are errors in this suite


@FUZZ
@given(junk=st.binary(max_size=512))
def test_binary_junk_is_an_export_error(tmp_path, junk):
    path = tmp_path / "junk.ipynb"
    path.write_bytes(junk)
    with pytest.raises(wb.ExportError):
        export_notebook(path, target="workbench")


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=10),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=8,
)


@FUZZ
@given(
    where=st.sampled_from(["nbformat", "nbformat_minor", "metadata", "cells", "cell", "source"]),
    value=JSON_VALUES,
)
def test_a_notebook_with_any_field_replaced_exports_or_is_an_export_error(tmp_path, where, value):
    raw = json.loads(notebook_json([GOOD_CELL, "b = 2"]))
    if where == "cell":
        raw["cells"][1] = value
    elif where == "source":
        raw["cells"][1]["source"] = value
    else:
        raw[where] = value
    path = tmp_path / "mutated.ipynb"
    path.write_text(json.dumps(raw))
    error: wb.ExportError | None = None
    try:
        source = export_notebook(path, target="workbench")
    except wb.ExportError as exc:
        error = exc
    if error is not None:
        assert "mutated.ipynb" in str(error)  # the message names the notebook
    else:
        compile(source, "mutated.py", "exec")  # what exports is a module that compiles


# -- definitions that cannot work together --------------------------------------------------


class Conn(wb.ConfigurableResource):
    user: str


def test_every_definition_problem_is_listed_in_one_error(tmp_path):
    @wb.asset(deps=["loop_b"])
    def loop_a() -> int:
        return 1

    @wb.asset(deps=["loop_a"])
    def loop_b() -> int:
        return 1

    @wb.asset(name="twice")
    def twice_one() -> int:
        return 1

    @wb.asset(name="twice")
    def twice_two() -> int:
        return 2

    @wb.asset
    def needs(conn: Conn, archive: Conn) -> int:
        return 1

    @wb.asset
    def orphan(never_defined: int) -> int:
        return never_defined

    assets = [loop_a, loop_b, twice_one, twice_two, needs, orphan]
    bound = {"conn": "a plain string, not a Conn"}
    with pytest.raises(wb.DefinitionError) as caught:
        wb.Definitions(assets=assets, resources=bound).validate()
    problems = caught.value.problems
    text = str(caught.value)
    expected = [
        "dependency cycle: loop_a -> loop_b -> loop_a",
        "asset key 'twice' is defined twice",
        "resource 'archive' required by asset 'needs' is not bound",
        "resource 'conn' used by asset 'needs' must be a Conn, but str is bound",
        "asset 'orphan' depends on 'never_defined', which is not defined",
    ]
    for part in expected:
        assert sum(part in line for line in problems) == 1, (part, problems)
        assert part in text
    assert len(problems) == len(expected)
    with pytest.raises(wb.DefinitionError) as again:
        wb.materialize(assets, resources=bound, instance=wb.Instance.ephemeral())
    assert sorted(again.value.problems) == sorted(problems)


def test_the_cli_check_lists_every_problem_and_exits_1(tmp_path):
    module = tmp_path / "broken.py"
    module.write_text(
        "import workbench as wb\n\n"
        "@wb.asset(deps=['b'])\ndef a() -> int:\n    return 1\n\n"
        "@wb.asset(deps=['a'])\ndef b() -> int:\n    return 1\n\n"
        "@wb.asset\ndef c(missing: wb.ResourceParam[str]) -> int:\n    return 1\n\n"
        "@wb.asset\ndef d(ghost: int) -> int:\n    return ghost\n"
    )
    code, out, err = run_cli("check", str(module))
    assert code == 1
    assert "Traceback" not in out + err
    assert "dependency cycle: a -> b -> a" in err
    assert "resource 'missing' required by asset 'c' is not bound" in err
    assert "asset 'd' depends on 'ghost'" in err


@pytest.mark.parametrize(
    "annotation", ["'NotDefinedAnywhere'", "list[", "1 +", "int[str]", "'lambda: 1'"]
)
def test_a_wrong_annotation_is_a_definition_error_naming_asset_and_parameter(annotation):
    namespace: dict[str, Any] = {"wb": wb}
    source = f"@wb.asset\ndef broken(value: {annotation}) -> int:\n    return 1\n"
    if annotation in ("list[", "1 +"):
        source = f"@wb.asset\ndef broken(value: '{annotation}') -> int:\n    return 1\n"

    def define_and_check() -> None:
        exec(compile(source, "<cell>", "exec"), namespace)
        wb.Definitions(assets=[namespace["broken"]]).validate()

    with pytest.raises(wb.DefinitionError) as caught:
        define_and_check()
    assert "'broken'" in str(caught.value)
