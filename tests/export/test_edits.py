"""Secret fields: only EnvVar, None or a variable reach the module, never the secret."""

from __future__ import annotations

import pytest

from workbench.errors import ExportError
from workbench.export import export_source

SECRET = "hunter2-do-not-export"
HEAD = "import os\n\nimport workbench as wb\nfrom pydantic import Field, SecretStr"
DB = (
    "class Db(wb.ConfigurableResource):\n"
    "    password: str = Field(json_schema_extra={'dagster__is_secret': True})\n"
    "    host: str = 'h'\n\n\n"
    "PREFIX = 'p'\n\n\n"
    "def make() -> str:\n"
    "    return os.environ['DB_PASSWORD']"
)
TARGETS = ["workbench", "dagster"]


def notebook_binding(make_notebook, value_cell: str):
    return make_notebook(HEAD, DB, value_cell)


@pytest.mark.parametrize("target", TARGETS)
@pytest.mark.parametrize(
    ("call", "kind"),
    [
        (f"Db(password={SECRET!r})", "a literal"),
        (f"Db(password=SecretStr({SECRET!r}))", "a literal"),
        (f"Db(password=f'{SECRET}')", "a literal"),
        (f"Db(password=f'{SECRET}{{1}}')", "a literal"),
        (f"Db(host='x', **{{'password': {SECRET!r}}})", "a literal"),
        (f"Db(**{{**{{'password': {SECRET!r}}}}})", "a literal"),
        (f"Db(**dict(password={SECRET!r}))", "a literal"),
        ("Db(password=1234)", "a literal"),
        ("Db(password=os.environ['DB_PASSWORD'])", "an expression"),
        ("Db(password=PREFIX + 'x')", "an expression"),
    ],
)
def test_a_secret_field_given_anything_but_an_env_var_is_refused(make_notebook, target, call, kind):
    nb = notebook_binding(make_notebook, f"d = wb.Definitions(\n    resources={{'db': {call}}}\n)")
    with pytest.raises(ExportError) as caught:
        export_source(nb, name="n.ipynb", target=target)
    message = str(caught.value)
    assert f"secret field 'password' of Db is {kind}" in message
    assert "set DB_PASSWORD and pass password=EnvVar('DB_PASSWORD')" in message
    assert "(cell [3] (by execution count), line 2)" in message
    assert (caught.value.cell, caught.value.line) == (3, 2)
    assert SECRET not in message


@pytest.mark.parametrize("target", TARGETS)
def test_a_variable_assigned_a_secret_literal_is_refused(make_notebook, target):
    nb = make_notebook(
        HEAD,
        DB,
        f"PASSWORD = {SECRET!r}",
        "d = wb.Definitions(resources={'db': Db(password=PASSWORD)})",
    )
    with pytest.raises(ExportError) as caught:
        export_source(nb, name="n.ipynb", target=target)
    message = str(caught.value)
    assert (
        "secret field 'password' of Db is PASSWORD, which is assigned a literal "
        "(cell [3] (by execution count), line 1)"
    ) in message
    assert "(cell [4] (by execution count), line 1)" in message
    assert SECRET not in message


@pytest.mark.parametrize("target", TARGETS)
def test_a_mapping_key_that_is_not_a_string_is_refused(make_notebook, target):
    nb = make_notebook(
        HEAD, DB, "KEY = 'password'", "d = wb.Definitions(resources={'db': Db(**{KEY: 'x'})})"
    )
    with pytest.raises(ExportError, match=r"a \*\* mapping passed to Db has a key that is not"):
        export_source(nb, name="n.ipynb", target=target)


@pytest.mark.parametrize("target", TARGETS)
@pytest.mark.parametrize(
    "call",
    [
        "Db(password=EnvVar('DB_PASSWORD'))",
        "Db(password=wb.EnvVar('DB_PASSWORD'))",
        "Db(password=wb.EnvVar.int('DB_PASSWORD'))",
        "Db(password=None)",
        "Db(password=FROM_ENV)",
        "Db(password=UNKNOWN)",
        "Db(**{'password': wb.EnvVar('DB_PASSWORD'), 'host': 'literal-host'})",
        "Db(**dict(password=FROM_ENV, host='literal-host'))",
        "Db(**SETTINGS)",
        "Db(host='literal-host')",
    ],
)
def test_a_secret_field_given_an_env_var_none_or_a_variable_exports(make_notebook, target, call):
    nb = make_notebook(
        HEAD + "\nfrom workbench import EnvVar",
        DB,
        "FROM_ENV = wb.EnvVar('DB_PASSWORD')\nSETTINGS = {'host': 'h'}\nUNKNOWN = make()",
        f"d = wb.Definitions(resources={{'db': {call}}})",
    )
    source = export_source(nb, name="n.ipynb", target=target)
    assert call.replace("wb.", "dg." if target == "dagster" else "wb.") in source


def test_a_secret_literal_passed_to_a_class_without_secrets_exports(make_notebook):
    nb = make_notebook(
        HEAD,
        "class Plain(wb.ConfigurableResource):\n    password: str = ''",
        "d = wb.Definitions(resources={'p': Plain(password='not-marked-secret')})",
    )
    assert "Plain(password='not-marked-secret')" in export_source(nb, name="n.ipynb")
