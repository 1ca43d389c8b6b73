"""Launch config in Dagster's shape: env references and enum names, for resources and ops."""

from __future__ import annotations

import enum

import pytest

import workbench as wb


class Mode(enum.Enum):
    FAST = "fast-mode"
    SAFE = "safe-mode"


class Inner(wb.Config):
    token: str = "t"


class Service(wb.ConfigurableResource):
    user: str = "a"
    port: int = 1
    mode: Mode = Mode.SAFE
    inner: Inner = Inner()


class StepConfig(wb.Config):
    mode: Mode = Mode.SAFE
    label: str = "x"


@wb.asset
def described(service: Service, config: StepConfig) -> str:
    return (
        f"{service.user}:{service.port}:{service.mode.name}:{service.inner.token}:"
        f"{config.mode.name}:{config.label}"
    )


def test_env_references_and_enum_names_are_read_like_dagster(monkeypatch, instance):
    monkeypatch.setenv("SVC_USER", "from-env")
    monkeypatch.setenv("SVC_PORT", "8080")
    monkeypatch.setenv("SVC_TOKEN", "t0k3n-value")
    run_config = {
        "resources": {
            "service": {
                "config": {
                    "user": {"env": "SVC_USER"},
                    "port": {"env": "SVC_PORT"},
                    "mode": "FAST",
                    "inner": {"token": {"env": "SVC_TOKEN"}},
                }
            }
        },
        "ops": {"described": {"config": {"mode": "FAST", "label": {"env": "SVC_USER"}}}},
    }
    result = wb.materialize(
        [described], run_config=run_config, resources={"service": Service()}, instance=instance
    )
    assert result.asset_value("described") == "from-env:8080:FAST:t0k3n-value:FAST:from-env"
    snapshot = result.run.config_snapshot["resources"]["service"]["config"]
    assert snapshot["user"] == {"env": "SVC_USER"}
    assert snapshot["port"] == {"env": "SVC_PORT"}
    assert "from-env" not in str(result.run.config_snapshot)
    assert snapshot["inner"] == {"token": {"env": "SVC_TOKEN"}}
    assert "t0k3n-value" not in str(result.run.config_snapshot)


def test_redacted_snapshot_can_be_launched_again(monkeypatch, instance):
    monkeypatch.setenv("SVC_USER", "ada")
    bound = Service(user=wb.EnvVar("SVC_USER"), mode=Mode.FAST)
    first = wb.materialize([described], resources={"service": bound}, instance=instance)
    again = {
        "resources": {
            "service": {"config": first.run.config_snapshot["resources"]["service"]["config"]}
        }
    }
    second = wb.materialize(
        [described], run_config=again, resources={"service": Service()}, instance=instance
    )
    assert second.asset_value("described") == first.asset_value("described")


def test_a_missing_variable_in_launch_config_names_it(instance):
    run_config = {"resources": {"service": {"config": {"user": {"env": "NOT_SET_ANYWHERE"}}}}}
    with pytest.raises(wb.ConfigError, match="NOT_SET_ANYWHERE") as raised:
        wb.materialize(
            [described],
            run_config=run_config,
            resources={"service": Service()},
            instance=instance,
        )
    assert "resources.service.config.user" in str(raised.value)


def test_an_unknown_enum_name_is_a_config_error(instance):
    run_config = {"resources": {"service": {"config": {"mode": "TURBO"}}}}
    with pytest.raises(wb.ConfigError, match=r"resources\.service\.config\.mode"):
        wb.materialize(
            [described],
            run_config=run_config,
            resources={"service": Service()},
            instance=instance,
        )
