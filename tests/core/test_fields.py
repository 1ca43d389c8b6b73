from __future__ import annotations

import datetime
import enum
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Literal

import pytest
from pydantic import Field, SecretStr

from workbench.core.config import Config, EnvVar, PermissiveConfig
from workbench.core.fields import (
    KINDS,
    MISSING,
    FieldSpec,
    field_specs,
    format_annotation,
    literal_values,
    to_jsonable,
)
from workbench.core.resource import ConfigurableResource

GOLDEN = Path(__file__).parent / "golden"


class Color(enum.Enum):
    RED = "r"
    GREEN = "g"


class Scalars(Config):
    name: str = Field(description="who", pattern="^[a-z]+$", min_length=1)
    count: int = Field(3, ge=0, le=10, description="how many")
    ratio: float = Field(0.5, gt=0, lt=1, multiple_of=0.25)
    enabled: bool = True
    color: Color = Color.GREEN
    mode: Literal["fast", "slow"] = "fast"
    day: datetime.date = datetime.date(2024, 1, 2)
    at: datetime.datetime | None = None
    nickname: str | None = None


class Collections(Config):
    tags: list[str] = Field(default_factory=list)
    weights: dict[str, float] = Field(default_factory=lambda: {"a": 1.0})
    colors: list[Color] = Field(default_factory=lambda: [Color.RED])


class Credentials(Config):
    user: str = "admin"
    password: SecretStr
    token: str = Field("", json_schema_extra={"dagster__is_secret": True})


class S3(Config):
    kind: Literal["s3"] = "s3"
    bucket: str


class Local(Config):
    kind: Literal["local"] = "local"
    root: str = "/tmp/data"


class Inner(ConfigurableResource):
    host: str = "localhost"
    port: int = 5432


class Warehouse(ConfigurableResource):
    credentials: Credentials
    storage: S3 | Local = Field(default_factory=Local, discriminator="kind")
    inner: Inner = Field(default_factory=Inner)
    backup: Credentials | None = None


CASES = {
    "scalars_class": Scalars,
    "collections_class": Collections,
    "warehouse_class": Warehouse,
    "warehouse_instance": Warehouse(
        credentials=Credentials(user="ada", password=EnvVar("WH_PASSWORD"), token="t0ps3cret"),
        storage=S3(bucket="b1"),
        inner=Inner(host=EnvVar("WH_HOST"), port=EnvVar.int("WH_PORT")),
    ),
    "scalars_instance": Scalars(
        name="abc", color=Color.RED, at=datetime.datetime(2024, 5, 6, 7, 8)
    ),
    "partial": Warehouse.configure_at_launch(storage={"kind": "s3", "bucket": "late"}),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_field_specs_match_golden_files(name):
    found = [to_jsonable(spec) for spec in field_specs(CASES[name])]
    path = GOLDEN / f"{name}.json"
    text = json.dumps(found, indent=2, ensure_ascii=False) + "\n"
    if os.environ.get("WORKBENCH_UPDATE_GOLDEN") == "1":
        path.parent.mkdir(exist_ok=True)
        path.write_text(text, encoding="utf-8")
    assert path.exists(), f"no golden file {path}; run with WORKBENCH_UPDATE_GOLDEN=1 to write it"
    assert json.loads(path.read_text(encoding="utf-8")) == found


def by_path(specs: tuple[FieldSpec, ...]) -> dict[str, FieldSpec]:
    out: dict[str, FieldSpec] = {}
    for spec in specs:
        out[spec.path] = spec
        out.update(by_path(spec.children))
        for children in spec.variants.values():
            out.update(by_path(children))
    return out


def test_every_kind_is_covered_by_the_golden_cases():
    kinds = set()
    for target in CASES.values():
        for spec in by_path(field_specs(target)).values():
            kinds.add(spec.kind)
            if spec.item is not None:
                kinds.add(spec.item.kind)
    assert kinds >= set(KINDS) - {"any"}


def test_scalar_kinds_constraints_and_defaults():
    specs = by_path(field_specs(Scalars))
    assert specs["name"].required is True
    assert specs["name"].default is MISSING
    assert specs["name"].value is MISSING
    assert specs["name"].constraints == {"min_length": 1, "pattern": "^[a-z]+$"}
    assert specs["count"].constraints == {"ge": 0, "le": 10}
    assert specs["count"].description == "how many"
    assert specs["ratio"].constraints == {"gt": 0, "lt": 1, "multiple_of": 0.25}
    assert specs["color"].kind == "enum"
    assert specs["color"].choices == ("RED", "GREEN")
    assert specs["color"].default == "GREEN"
    assert specs["mode"].choices == ("fast", "slow")
    assert specs["at"].kind == "datetime"
    assert specs["at"].optional is True
    assert specs["day"].kind == "date"
    assert specs["nickname"].env_capable is True
    assert specs["enabled"].env_capable is False


def test_default_factory_is_called_for_the_default():
    specs = by_path(field_specs(Collections))
    assert specs["weights"].default == {"a": 1.0}
    assert specs["colors"].default == ["RED"]
    assert specs["tags"].item is not None
    assert specs["tags"].item.kind == "str"
    assert specs["tags"].item.env_capable is False


def test_a_secret_value_never_enters_a_spec():
    resource = Warehouse(credentials=Credentials(password="hunter2", token="t0ps3cret"))
    specs = by_path(field_specs(resource))
    assert specs["credentials.password"].secret is True
    assert specs["credentials.password"].value is None
    assert specs["credentials.token"].secret is True
    assert specs["credentials.token"].value is None
    dumped = json.dumps([to_jsonable(spec) for spec in field_specs(resource)])
    assert "hunter2" not in dumped
    assert "t0ps3cret" not in dumped
    assert "hunter2" not in repr(field_specs(resource))


def test_a_field_given_as_envvar_is_secret_and_names_the_variable():
    resource = Inner(host=EnvVar("DB_HOST"))
    spec = field_specs(resource)[0]
    assert spec.env_var == "DB_HOST"
    assert spec.secret is True
    assert spec.value is None


def test_union_variants_follow_the_instance():
    spec = by_path(field_specs(Warehouse(credentials={"password": "x"}, storage=S3(bucket="b"))))
    storage = spec["storage"]
    assert storage.kind == "union"
    assert storage.discriminator == "kind"
    assert list(storage.variants) == ["s3", "local"]
    assert storage.variant_classes["s3"] is S3
    assert storage.variant_classes["local"] is Local
    assert storage.value == {"kind": "s3", "bucket": "b"}
    assert [child.name for child in storage.children] == ["kind", "bucket"]
    assert storage.variants["local"][1].value is MISSING


def test_nested_resource_and_config_have_children():
    specs = by_path(field_specs(Warehouse))
    assert specs["inner"].kind == "resource"
    assert specs["inner"].child("port").kind == "int"
    assert specs["credentials"].kind == "config"
    assert specs["backup"].optional is True
    with pytest.raises(KeyError, match="fields: user, password, token"):
        specs["credentials"].child("nope")


def test_partial_resource_gives_only_the_partial_values():
    specs = by_path(field_specs(Warehouse.configure_at_launch(inner={"host": "h"})))
    assert specs["inner.host"].value == "h"
    assert specs["inner.port"].value is MISSING
    assert specs["credentials"].value is MISSING


def test_literal_values_keep_env_names_and_drop_literal_secrets():
    resource = Warehouse(
        credentials=Credentials(user="ada", password=EnvVar("PW"), token="t0ps3cret"),
        storage=S3(bucket="b"),
    )
    assert literal_values(resource) == {
        "credentials": {"user": "ada", "password": {"env": "PW"}},
        "storage": {"kind": "s3", "bucket": "b"},
        "inner": {"host": "localhost", "port": 5432},
        "backup": None,
    }
    scalars = literal_values(Scalars(name="x", at=datetime.datetime(2024, 1, 1, 12)))
    assert scalars["color"] == "GREEN"
    assert scalars["day"] == "2024-01-02"
    assert scalars["at"] == "2024-01-01T12:00:00"
    json.dumps(scalars)


def test_literal_values_of_partial_and_permissive_config():
    assert literal_values(Inner.configure_at_launch(port=EnvVar.int("P"))) == {"port": {"env": "P"}}

    class Loose(PermissiveConfig):
        a: int = 1

    assert literal_values(Loose(b=2)) == {"a": 1, "b": 2}


def test_unknown_types_are_kind_any():
    class Odd(Config):
        value: int | str = 1
        thing: object = None

    specs = by_path(field_specs(Odd))
    assert specs["value"].kind == "any"
    assert specs["thing"].kind == "any"


def test_field_specs_rejects_other_objects():
    with pytest.raises(TypeError, match="got int"):
        field_specs(3)


def test_format_annotation_reads_like_source():
    assert format_annotation(dict[str, list[int]]) == "dict[str, list[int]]"
    assert format_annotation(int | None) == "int | None"
    assert format_annotation(Literal["a", 1]) == "Literal['a', 1]"


def test_missing_is_a_falsy_singleton():
    assert not MISSING
    assert repr(MISSING) == "MISSING"
    assert type(MISSING)() is MISSING


def test_importing_fields_loads_no_widgets():
    code = (
        "import sys, workbench.core.fields\n"
        "bad = [m for m in ('ipywidgets', 'IPython') if m in sys.modules]\n"
        "print(','.join(bad))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == ""
