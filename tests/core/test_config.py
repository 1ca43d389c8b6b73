from __future__ import annotations

import datetime as dt
import enum
import json
from typing import TYPE_CHECKING, Annotated, Any, Literal

import pydantic
import pytest
from pydantic import Field, PrivateAttr, SecretStr, field_validator, model_validator

import workbench as wb
from workbench.core.config import REDACTED, EnvVar, IntEnvVar
from workbench.core.plain import redact
from workbench.core.resolve import resolve

if TYPE_CHECKING:
    from workbench.core.instance import Instance


class Color(enum.Enum):
    RED = "red"
    BLUE = "blue"


class Inner(wb.Config):
    depth: int = 1
    label: str = "inner"


class Cat(wb.Config):
    kind: Literal["cat"] = "cat"
    meows: int


class Dog(wb.Config):
    kind: Literal["dog"] = "dog"
    barks: int


def _default_pet() -> Cat:
    return Cat(meows=1)


class Everything(wb.ConfigurableResource):
    name: str
    count: int = Field(default=3, ge=0, le=10, description="how many")
    ratio: float = 1.5
    enabled: bool = False
    color: Color = Color.RED
    mode: Literal["fast", "slow"] = "fast"
    limit: int | None = None
    numbers: list[int] = Field(default_factory=list)
    weights: dict[str, float] = Field(default_factory=dict)
    inner: Inner = Field(default_factory=Inner)
    pet: Annotated[Cat | Dog, Field(discriminator="kind")] = Field(default_factory=_default_pet)
    token: SecretStr = SecretStr("default-token")
    day: dt.date = dt.date(2020, 1, 1)
    at: dt.datetime = dt.datetime(2020, 1, 1, 12, 0)
    code: str = Field(default="AB", pattern=r"^[A-Z]+$")

    @field_validator("name")
    @classmethod
    def _strip(cls, value: str) -> str:
        return value.strip()

    @model_validator(mode="after")
    def _not_forbidden(self) -> Everything:
        if self.name == "forbidden":
            raise ValueError("name must not be 'forbidden'")
        return self


FULL: dict[str, Any] = {
    "name": "  ada  ",
    "count": 4,
    "ratio": 2,
    "enabled": True,
    "color": "blue",
    "mode": "slow",
    "limit": 7,
    "numbers": [1, "2"],
    "weights": {"a": 0.5},
    "inner": {"depth": 2},
    "pet": {"kind": "dog", "barks": 3},
    "token": "s3cr3t-token",
    "day": "2021-02-03",
    "at": "2021-02-03T04:05:06",
    "code": "XY",
}


def _seen_in_run(
    resource: Everything, instance: Instance, run_config: Any = None
) -> dict[str, Any]:
    seen: dict[str, Any] = {}

    @wb.asset
    def report(everything: Everything) -> int:
        seen.update(
            name=everything.name,
            count=everything.count,
            ratio=everything.ratio,
            enabled=everything.enabled,
            color=everything.color,
            mode=everything.mode,
            limit=everything.limit,
            numbers=everything.numbers,
            weights=everything.weights,
            inner=everything.inner,
            pet=everything.pet,
            token=everything.token.get_secret_value(),
            day=everything.day,
            at=everything.at,
            code=everything.code,
        )
        return 1

    wb.materialize(
        [report], resources={"everything": resource}, instance=instance, run_config=run_config
    )
    return seen


def test_every_field_type_reaches_the_asset(instance: Instance) -> None:
    seen = _seen_in_run(Everything(**FULL), instance)
    assert seen == {
        "name": "ada",
        "count": 4,
        "ratio": 2.0,
        "enabled": True,
        "color": Color.BLUE,
        "mode": "slow",
        "limit": 7,
        "numbers": [1, 2],
        "weights": {"a": 0.5},
        "inner": Inner(depth=2),
        "pet": Dog(barks=3),
        "token": "s3cr3t-token",
        "day": dt.date(2021, 2, 3),
        "at": dt.datetime(2021, 2, 3, 4, 5, 6),
        "code": "XY",
    }
    assert isinstance(seen["ratio"], float)


def test_defaults_and_default_factory_reach_the_asset(instance: Instance) -> None:
    seen = _seen_in_run(Everything(name="x"), instance)
    assert seen["count"] == 3
    assert seen["limit"] is None
    assert seen["numbers"] == []
    assert seen["inner"] == Inner()
    assert seen["pet"] == Cat(meows=1)
    assert seen["token"] == "default-token"
    first, second = Everything(name="a"), Everything(name="b")
    assert first.numbers is not second.numbers


def test_every_field_type_given_as_launch_config(instance: Instance) -> None:
    # run config names enum members and is type-checked strictly, as Dagster's is (#12)
    launch = {**FULL, "color": "BLUE", "numbers": [1, 2]}
    run_config = {"resources": {"everything": {"config": launch}}}
    seen = _seen_in_run(Everything(name="placeholder"), instance, run_config)
    assert seen["name"] == "ada"
    assert seen["pet"] == Dog(barks=3)
    assert seen["color"] is Color.BLUE
    assert seen["day"] == dt.date(2021, 2, 3)
    assert seen["token"] == "s3cr3t-token"


def test_invalid_fields_are_all_listed_in_one_validation_error() -> None:
    with pytest.raises(pydantic.ValidationError) as caught:
        Everything(
            name="x",
            count=11,
            ratio="nope",
            color="green",
            mode="medium",
            numbers=["a"],
            weights={"a": "heavy"},
            inner={"depth": "deep"},
            pet={"kind": "dog"},
            day="not a day",
            code="lower",
        )
    error = caught.value
    assert isinstance(error, ValueError)
    paths = [".".join(str(part) for part in item["loc"]) for item in error.errors()]
    assert paths == [
        "count",
        "ratio",
        "color",
        "mode",
        "numbers.0",
        "weights.a",
        "inner.depth",
        "pet.dog.barks",
        "day",
        "code",
    ]
    text = str(error)
    assert text.startswith("10 validation errors for Everything")
    for bad in ("11", "'nope'", "'green'", "'medium'", "'a'", "'heavy'", "'deep'", "'lower'"):
        assert bad in text
    assert "less than or equal to 10" in text
    assert "pet.dog.barks\n  Field required" in text


def test_missing_required_field_and_unknown_field() -> None:
    with pytest.raises(pydantic.ValidationError) as caught:
        Everything(nmae="x")  # type: ignore[call-arg]
    errors = {item["loc"][0]: item for item in caught.value.errors()}
    assert errors["name"]["type"] == "missing"
    assert errors["nmae"]["type"] == "extra_forbidden"
    assert "did you mean 'name'?" in errors["nmae"]["msg"]


def test_field_and_model_validators_raise_validation_error() -> None:
    assert Everything(name="  padded ").name == "padded"
    with pytest.raises(pydantic.ValidationError, match="must not be 'forbidden'"):
        Everything(name="forbidden")


class Secrets(wb.ConfigurableResource):
    user: str = "u"
    password: SecretStr
    api_key: str = Field(default="", json_schema_extra={"dagster__is_secret": True})


def test_bad_secret_values_are_not_quoted() -> None:
    with pytest.raises(pydantic.ValidationError) as caught:
        Secrets(password=12345678, api_key=87654321)
    text = str(caught.value)
    assert [item["loc"] for item in caught.value.errors()] == [("password",), ("api_key",)]
    assert "12345678" not in text
    assert "87654321" not in text


def test_bad_launch_value_of_a_secret_is_not_quoted(instance: Instance) -> None:
    @wb.asset
    def uses(secrets: Secrets) -> None:
        raise AssertionError("must not run")

    with pytest.raises(wb.ConfigError) as caught:
        wb.materialize(
            [uses],
            resources={"secrets": Secrets(password="p")},
            run_config={"resources": {"secrets": {"config": {"api_key": 98765432}}}},
            instance=instance,
        )
    assert "resources.secrets.config.api_key" in str(caught.value)
    assert "98765432" not in str(caught.value)


def test_setting_a_field_raises_an_invalid_invocation_with_a_fix() -> None:
    resource = Everything(name="x")
    with pytest.raises(wb.DagsterInvalidInvocationError) as caught:
        resource.name = "y"  # type: ignore[misc]
    text = str(caught.value)
    assert "'Everything' is immutable" in text
    assert "'name'" in text
    assert "model_copy(update=" in text
    assert "PrivateAttr" in text
    assert resource.name == "x"
    assert resource.model_copy(update={"name": "y"}).name == "y"
    with pytest.raises(wb.DagsterInvalidInvocationError):
        Inner().depth = 5  # type: ignore[misc]


class Stateful(wb.ConfigurableResource):
    url: str = "http://x"
    _client: Any = PrivateAttr(default=None)


def test_private_attributes_are_settable() -> None:
    resource = Stateful()
    resource._client = "connected"
    assert resource._client == "connected"
    assert "_client" not in resource.model_dump()


class Creds(wb.Config):
    user: str
    pin: int = 0


class Warehouse(wb.ConfigurableResource):
    host: str
    port: int = 5432
    creds: Creds = Field(default_factory=lambda: Creds(user="anon"))


SIDE_EFFECTS: list[str] = []


class Tracked(wb.ConfigurableResource):
    host: str
    creds: Creds

    def setup_for_execution(self, context: wb.InitResourceContext) -> None:
        SIDE_EFFECTS.append("setup")


class UserApi(wb.ConfigurableResource):
    user: str
    password: SecretStr
    api_key: str = Field(default="", json_schema_extra={"dagster__is_secret": True})


class Login(wb.Config):
    user: str
    password: SecretStr


class Api(wb.ConfigurableResource):
    token: str
    password: SecretStr


class Loose(wb.PermissiveConfig):
    known: int = 1


def test_env_var_construction_works_with_the_variable_unset(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("WB_HOST", raising=False)
    monkeypatch.delenv("WB_PORT", raising=False)
    resource = Warehouse(host=EnvVar("WB_HOST"), port=EnvVar.int("WB_PORT"))
    assert repr(EnvVar.int("WB_PORT")) == "IntEnvVar('WB_PORT')"
    assert isinstance(EnvVar.int("WB_PORT"), IntEnvVar)
    assert redact(resource) == {
        "host": {"env": "WB_HOST"},
        "port": {"env": "WB_PORT"},
        "creds": {"user": "anon", "pin": 0},
    }


def test_env_var_field_outside_a_run_gives_value_or_clear_error(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("WB_HOST", raising=False)
    resource = Warehouse(host=EnvVar("WB_HOST"), port=EnvVar.int("WB_PORT"))
    with pytest.raises(wb.ConfigError) as caught:
        _ = resource.host
    text = str(caught.value)
    assert "Warehouse.host" in text
    assert "'WB_HOST'" in text
    monkeypatch.setenv("WB_HOST", "db.internal")
    monkeypatch.setenv("WB_PORT", "6543")
    assert resource.host == "db.internal"
    assert resource.port == 6543
    monkeypatch.setenv("WB_HOST", "db2.internal")
    assert resource.host == "db2.internal"


def test_env_var_never_formats_as_its_name() -> None:
    var = EnvVar("WB_NAME_ONLY")
    with pytest.raises(wb.ConfigError, match="WB_NAME_ONLY"):
        str(var)
    with pytest.raises(wb.ConfigError):
        f"{var}"
    assert var.env_var_name == "WB_NAME_ONLY"


def test_env_var_is_resolved_when_the_run_starts(
    monkeypatch: pytest.MonkeyPatch, instance: Instance
) -> None:
    monkeypatch.setenv("WB_HOST", "at-construction")
    resource = Warehouse(host=EnvVar("WB_HOST"), port=EnvVar.int("WB_PORT"))
    monkeypatch.setenv("WB_HOST", "at-run")
    monkeypatch.setenv("WB_PORT", "7000")
    seen: list[tuple[str, int]] = []

    @wb.asset
    def probe(warehouse: Warehouse) -> None:
        seen.append((warehouse.host, warehouse.port))

    wb.materialize([probe], resources={"warehouse": resource}, instance=instance)
    assert seen == [("at-run", 7000)]
    assert isinstance(seen[0][1], int)


def test_missing_env_var_at_run_start_names_key_path_and_variable(
    monkeypatch: pytest.MonkeyPatch, instance: Instance
) -> None:
    monkeypatch.delenv("WB_HOST", raising=False)
    monkeypatch.delenv("WB_PIN", raising=False)
    side_effects = SIDE_EFFECTS
    side_effects.clear()

    @wb.asset
    def step(warehouse: Tracked) -> None:
        side_effects.append("step")

    resource = Tracked(host=EnvVar("WB_HOST"), creds={"user": "u", "pin": EnvVar.int("WB_PIN")})
    with pytest.raises(wb.ConfigError) as caught:
        wb.materialize([step], resources={"warehouse": resource}, instance=instance)
    text = str(caught.value)
    assert "resources.warehouse.config.host" in text
    assert "'WB_HOST'" in text
    assert "resources.warehouse.config.creds.pin" in text
    assert "'WB_PIN'" in text
    assert side_effects == []
    assert instance.run_store.list_runs() == []


def test_env_var_int_holding_text_is_a_config_error(
    monkeypatch: pytest.MonkeyPatch, instance: Instance
) -> None:
    monkeypatch.setenv("WB_HOST", "h")
    monkeypatch.setenv("WB_PORT", "not-a-number")

    @wb.asset
    def probe(warehouse: Warehouse) -> None:
        raise AssertionError("must not run")

    resource = Warehouse(host=EnvVar("WB_HOST"), port=EnvVar.int("WB_PORT"))
    with pytest.raises(wb.ConfigError, match=r"resources\.warehouse\.config\.port.*'WB_PORT'"):
        wb.materialize([probe], resources={"warehouse": resource}, instance=instance)


def test_env_value_invalid_for_its_field_is_reported_without_the_value(
    monkeypatch: pytest.MonkeyPatch, instance: Instance
) -> None:
    monkeypatch.setenv("WB_RATIO", "not-a-float-value")

    @wb.asset
    def probe(everything: Everything) -> None:
        raise AssertionError("must not run")

    resource = Everything(name="x", ratio=EnvVar("WB_RATIO"))
    with pytest.raises(wb.ConfigError) as caught:
        wb.materialize([probe], resources={"everything": resource}, instance=instance)
    assert "resources.everything.config.ratio" in str(caught.value)
    assert "not-a-float-value" not in str(caught.value)


def test_redact_replaces_every_secret() -> None:
    resource = Secrets(user="bob", password="hunter2-pass", api_key="key-123456")
    snapshot = redact(resource)
    assert snapshot == {"user": "bob", "password": REDACTED, "api_key": REDACTED}
    assert redact({"nested": [SecretStr("xyz-secret")]}) == {"nested": [REDACTED]}
    dumped = json.dumps(snapshot)
    assert "hunter2-pass" not in dumped
    assert "key-123456" not in dumped


def test_run_snapshot_never_holds_secret_or_env_values(
    monkeypatch: pytest.MonkeyPatch, instance: Instance
) -> None:
    monkeypatch.setenv("WB_USER_VALUE", "env-user-value-123")

    @wb.asset
    def call(api: UserApi) -> str:
        return api.user

    result = wb.materialize(
        [call],
        resources={"api": UserApi(user=EnvVar("WB_USER_VALUE"), password="pw-abcdef")},
        instance=instance,
    )
    assert result.asset_value("call") == "env-user-value-123"
    # run config replaces the constructor's config, as in Dagster: it gives every field
    launch = {
        "user": {"env": "WB_USER_VALUE"},
        "password": "pw-abcdef",
        "api_key": "launch-key-999",
    }
    result = wb.materialize(
        [call],
        resources={"api": UserApi(user=EnvVar("WB_USER_VALUE"), password="pw-abcdef")},
        run_config={"resources": {"api": {"config": launch}}},
        instance=instance,
    )
    assert result.asset_value("call") == "env-user-value-123"
    stored = instance.run_store.get_run(result.run_id).config_snapshot
    for snapshot in (result.run.config_snapshot, stored):
        text = json.dumps(snapshot)
        for secret in ("env-user-value-123", "pw-abcdef", "launch-key-999"):
            assert secret not in text
        config = snapshot["resources"]["api"]["config"]
        assert config["user"] == {"env": "WB_USER_VALUE"}
        assert config["password"] == REDACTED
        assert config["api_key"] == REDACTED


def test_op_config_secrets_are_redacted_in_the_snapshot(instance: Instance) -> None:
    @wb.asset
    def login(config: Login) -> str:
        return config.password.get_secret_value()

    result = wb.materialize(
        [login],
        run_config={"ops": {"login": {"config": {"user": "u", "password": "op-secret-42"}}}},
        instance=instance,
    )
    assert result.asset_value("login") == "op-secret-42"
    stored = instance.run_store.get_run(result.run_id).config_snapshot
    assert stored["ops"]["login"]["config"] == {"user": "u", "password": REDACTED}
    assert "op-secret-42" not in json.dumps(stored)


def test_secrets_are_scrubbed_from_logs_and_failures(
    monkeypatch: pytest.MonkeyPatch, instance: Instance
) -> None:
    monkeypatch.setenv("WB_TOKEN", "env-token-7777")

    @wb.asset
    def leaky(context: wb.AssetExecutionContext, api: Api) -> None:
        context.log.info("token=%s password=%s", api.token, api.password.get_secret_value())
        raise RuntimeError(f"login failed for {api.token} / {api.password.get_secret_value()}")

    resources = {"api": Api(token=EnvVar("WB_TOKEN"), password="pass-8888")}
    result = wb.materialize([leaky], resources=resources, instance=instance, raise_on_error=False)
    assert not result.success
    logs = [event for event in result.all_events if event.event_type.value == "LOG"]
    assert logs[0].message == f"token={REDACTED} password={REDACTED}"
    stored_events = instance.run_store.get_events(result.run_id)
    record = instance.run_store.get_run(result.run_id)
    everything = json.dumps(
        [[event.message, event.data] for event in stored_events] + [record.error], default=str
    )
    assert "login failed for" in everything
    assert "env-token-7777" not in everything
    assert "pass-8888" not in everything

    with pytest.raises(RuntimeError, match="login failed for") as caught:
        wb.materialize([leaky], resources=resources, instance=instance)
    import traceback

    shown = "".join(traceback.format_exception(caught.value))
    assert "login failed for" in shown
    assert "env-token-7777" not in shown
    assert "pass-8888" not in shown


def test_permissive_config_keeps_undeclared_fields() -> None:
    loose = Loose(known=2, extra_field="x")
    assert loose.model_dump() == {"known": 2, "extra_field": "x"}
    with pytest.raises(pydantic.ValidationError, match="Extra inputs are not permitted"):
        Inner(unknown=1)  # type: ignore[call-arg]


def test_an_envvar_inside_a_union_variant_builds_the_variant_the_discriminator_names(
    monkeypatch,
):

    from pydantic import Field

    class ToBucket(wb.Config):
        kind: Literal["s3"] = "s3"
        bucket: str

    class ToFolder(wb.Config):
        kind: Literal["local"] = "local"
        folder: str

    class Sink(wb.ConfigurableResource):
        target: ToBucket | ToFolder = Field(discriminator="kind")

    sink = Sink(target={"kind": "local", "folder": wb.EnvVar("SINK_FOLDER")})
    assert type(sink.target) is ToFolder
    monkeypatch.setenv("SINK_FOLDER", "/data/out")
    assert resolve(sink, "resource 'sink'").target == ToFolder(folder="/data/out")
