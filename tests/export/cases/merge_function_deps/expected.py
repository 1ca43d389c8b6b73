"""Definitions exported from the notebook input.ipynb.

Edit the notebook and export it again rather than editing this module.
"""

import workbench as dg


@dg.asset(key_prefix=["raw"])
def orders() -> int:
    return 3


@dg.asset(deps=[dg.AssetKey(["raw", "orders"])])
def report() -> str:
    return "ok"


def staging() -> dg.Definitions:
    found = dg.Definitions(assets=[orders])
    return found


@dg.definitions
def everything() -> dg.Definitions:
    """The whole pipeline."""
    return dg.Definitions.merge(
        staging(),
        dg.Definitions(
            assets=[
                report,
            ],
        ),
    )
