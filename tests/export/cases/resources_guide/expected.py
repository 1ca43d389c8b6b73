"""Definitions exported from the notebook input.ipynb.

Edit the notebook and export it again rather than editing this module.
"""

import datetime
import enum
import json
import os
import tempfile
from pathlib import Path
from typing import Literal
from pydantic import Field, PrivateAttr
import workbench as wb


DATA_DIR = os.environ.get("ORDERS_DATA_DIR") or tempfile.mkdtemp(prefix="orders-")


class Region(enum.Enum):
    EU = "eu-west-1"
    US = "us-east-1"


class Tuning(wb.Config):
    batch_size: int = 10
    region: Region = Region.US


class Warehouse(wb.ConfigurableResource):
    """The orders warehouse; every field kind a form can edit."""

    host: str = "localhost"
    port: int = 5432
    user: str = "reader"
    password: str = Field(default="", json_schema_extra={"dagster__is_secret": True})
    region: Region = Region.US
    use_ssl: bool = False
    timeout: float = 1.5
    mode: Literal["read", "write"] = "read"
    schemas: list[str] = ["public"]
    options: dict[str, str] = {}
    nickname: str | None = None
    tuning: Tuning = Tuning()

    def describe(self) -> dict:
        return {
            "address": f"{self.user}@{self.host}:{self.port}",
            "password_set": bool(self.password),
            "region": self.region.value,
            "use_ssl": self.use_ssl,
            "timeout": self.timeout,
            "mode": self.mode,
            "schemas": list(self.schemas),
            "options": dict(self.options),
            "nickname": self.nickname,
            "batch_size": self.tuning.batch_size,
            "tuning_region": self.tuning.region.value,
        }


class Credentials(wb.ConfigurableResource):
    username: str = "anonymous"
    scope: str = "read"


class Bucket(wb.ConfigurableResource):
    """A storage bucket that needs credentials (a nested resource)."""

    credentials: Credentials
    name: str = "lake"

    def url(self, path: str) -> str:
        return f"s3://{self.credentials.username}:{self.credentials.scope}@{self.name}/{path}"


class Session(wb.ConfigurableResource):
    """Opened before a run and closed after it (lifecycle hooks)."""

    label: str = "orders"
    _state: str = PrivateAttr(default="new")

    def setup_for_execution(self, context) -> None:
        self._state = "open"

    def teardown_after_execution(self, context) -> None:
        self._state = "closed"

    def state(self) -> str:
        return f"{self.label}:{self._state}"


class Clock:
    """A plain object passed as a resource (ResourceParam)."""

    def __init__(self, today: datetime.date) -> None:
        self._today = today

    def today(self) -> str:
        return self._today.isoformat()


class JsonIOManager(wb.ConfigurableIOManager):
    """Stores each asset as a JSON file under base_dir."""

    base_dir: str

    def _path(self, key) -> Path:
        return Path(self.base_dir, *key.path).with_suffix(".json")

    def handle_output(self, context, obj) -> None:
        path = self._path(context.asset_key)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(obj, sort_keys=True))

    def load_input(self, context):
        return json.loads(self._path(context.asset_key).read_text())


class Ledger(wb.ConfigurableResource):
    """Where the op job writes what it computed."""

    folder: str

    def record(self, name: str, value: object) -> None:
        Path(self.folder).mkdir(parents=True, exist_ok=True)
        Path(self.folder, f"{name}.json").write_text(json.dumps(value))


@wb.asset(key_prefix=["raw"], io_manager_key="json_io")
def orders() -> list[dict]:
    return [
        {"id": 1, "amount": 30, "region": "eu-west-1"},
        {"id": 2, "amount": 12, "region": "us-east-1"},
        {"id": 3, "amount": 8, "region": "eu-west-1"},
    ]


@wb.asset(io_manager_key="json_io")
def warehouse_info(warehouse: Warehouse) -> dict:
    return warehouse.describe()


@wb.asset(ins={"orders": wb.AssetIn(key=["raw", "orders"])}, io_manager_key="json_io")
def regional_orders(orders: list[dict], warehouse: Warehouse) -> list[dict]:
    return [order for order in orders if order["region"] == warehouse.region.value]


@wb.multi_asset(
    outs={"order_total": wb.AssetOut(), "order_count": wb.AssetOut()},
    ins={"orders": wb.AssetIn(key=["raw", "orders"])},
)
def order_stats(orders: list[dict]):
    return sum(order["amount"] for order in orders), len(orders)


@wb.asset(io_manager_key="json_io")
def order_summary(order_total: int, order_count: int) -> dict:
    return {"total": order_total, "count": order_count, "mean": order_total / order_count}


@wb.asset(deps=[wb.AssetKey(["raw", "orders"]), "order_count"], io_manager_key="json_io")
def exported_at(
    bucket: Bucket,
    mirror: Bucket,
    credentials: Credentials,
    clock: wb.ResourceParam[Clock],
    session: Session,
) -> dict:
    return {
        "url": bucket.url("orders.json"),
        "mirror": mirror.url("orders.json"),
        "by": credentials.username,
        "day": clock.today(),
        "session": session.state(),
    }


class ScaleConfig(wb.Config):
    factor: int = 2


@wb.op
def base_number(warehouse: Warehouse) -> int:
    return warehouse.port % 100 + warehouse.tuning.batch_size


@wb.op
def scaled(config: ScaleConfig, number: int, ledger: Ledger) -> int:
    value = number * config.factor
    ledger.record(f"scaled-by-{config.factor}", value)
    return value


@wb.job
def scale_job():
    scaled(base_number())


class LabelConfig(wb.PermissiveConfig):
    """Labels for a run: a prefix, and any extra labels the run config adds."""

    prefix: str = "run"


@wb.op
def labels(config: LabelConfig, ledger: Ledger) -> None:
    ledger.record("labels", {"prefix": config.prefix, **(config.model_extra or {})})


@wb.job(
    config=wb.RunConfig(ops={"labels": LabelConfig(prefix="nightly", team="core", limit=3)})
)
def label_job():
    labels()


orders_job = wb.define_asset_job("orders_job", selection=["raw/orders", "regional_orders"])


@wb.sensor(job=scale_job)
def port_sensor(context, warehouse: Warehouse):
    return wb.RunRequest(
        run_key=f"port-{warehouse.port}",
        run_config={"ops": {"scaled": {"config": {"factor": warehouse.port % 7}}}},
    )


@wb.schedule(cron_schedule="0 6 * * *", job=orders_job)
def morning(context, warehouse: Warehouse):
    return wb.RunRequest(
        run_key=context.scheduled_execution_time.isoformat(),
        tags={"region": warehouse.region.value},
    )


credentials = Credentials.configure_at_launch()


@wb.definitions
def defs() -> wb.Definitions:
    """Every asset, job, sensor, schedule and resource of the notebook."""
    return wb.Definitions(
        assets=[
            orders,
            warehouse_info,
            regional_orders,
            order_stats,
            order_summary,
            exported_at,
        ],
        jobs=[
            scale_job,
            orders_job,
            label_job,
        ],
        sensors=[
            port_sensor,
        ],
        schedules=[
            morning,
        ],
        resources={
            "warehouse": Warehouse(
                host="warehouse.internal",
                password=wb.EnvVar("WAREHOUSE_PASSWORD"),
                port=6543,
                user="analyst",
                region=Region.EU,
                use_ssl=True,
                timeout=2.5,
                mode="write",
                schemas=["public", "sales"],
                options={"sslmode": "require"},
                nickname="primary",
                tuning=Tuning(batch_size=25, region=Region.EU),
            ),
            "credentials": credentials,
            "bucket": Bucket(
                credentials=Credentials(username="loader", scope="admin"),
                name="archive",
            ),
            "mirror": Bucket(credentials=credentials, name="mirror"),
            "session": Session(),
            "clock": Clock(datetime.date(2024, 5, 1)),
            "json_io": JsonIOManager(base_dir=DATA_DIR),
            "ledger": Ledger(folder=os.path.join(DATA_DIR, "ledger")),
        },
    )
