"""The package's public names: loaded on first use (PEP 562), the docstring example runs."""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest

import planner

SCENARIO = """name = "API example"
[plan]
start = 2027-01-04
weeks = 4
[inputs]
accounts = "accounts.csv"
people = "people.csv"
[solver]
time_limit_s = 2.0
workers = 1
"""


def test_every_public_name_is_its_modules_object() -> None:
    assert sorted(planner.__all__) == sorted(planner._PUBLIC)
    for name, module in planner._PUBLIC.items():
        assert getattr(planner, name) is getattr(importlib.import_module(module), name)
    assert set(planner.__all__) <= set(dir(planner))
    with pytest.raises(AttributeError, match="module 'planner' has no attribute 'nope'"):
        planner.nope  # noqa: B018


def test_star_import_gives_the_public_names() -> None:
    namespace: dict[str, object] = {}
    exec("from planner import *", namespace)
    assert {n for n in namespace if not n.startswith("__")} == set(planner.__all__)


def test_the_docstring_example_runs(tmp_path: Path) -> None:
    """The module docstring's lines, run as written, on a two-account scenario instead of the
    reference (same calls, a fraction of the time): Ana keeps both Mercury accounts."""
    (tmp_path / "accounts.csv").write_text(
        "Account ID,Account Name,Employees,CSM\nA1,Acme,50,ana@x.example\n"
        "A2,Birch,60,ana@x.example\n", encoding="utf-8")
    (tmp_path / "people.csv").write_text("Email,Name,Role,New Team\nana@x.example,Ana,CSM,"
                                         "Mercury\n", encoding="utf-8")
    (tmp_path / "example.toml").write_text(SCENARIO, encoding="utf-8")
    lines = [line.strip()[4:] for line in (planner.__doc__ or "").splitlines()
             if line.strip().startswith(">>> ")]
    assert lines[0] == "from planner import load_scenario, read_inputs, plan, build_report"
    code = "\n".join(lines).replace('"scenarios/reference.toml"',
                                    repr(str(tmp_path / "example.toml")))
    namespace: dict[str, object] = {}
    exec(code, namespace)
    report = namespace["report"]
    assert report.meta.key_figures["Accounts keeping every owner"] == 2  # type: ignore[attr-defined]
    assert len(report.handoffs) == 0  # type: ignore[attr-defined]
