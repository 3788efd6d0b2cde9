"""Packaging metadata and the install hints users are given."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def project() -> dict:
    tomllib = pytest.importorskip("tomllib")  # Python 3.11+
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]


def test_license_is_an_spdx_expression():
    """A table (`{ text = "MIT" }`) is deprecated; setuptools warns on it."""
    assert project()["license"] == "MIT"


def test_extras():
    extras = project()["optional-dependencies"]
    assert set(extras) == {"viz", "test", "examples", "compare", "dev"}
    assert [r.split(">")[0] for r in extras["compare"]] == ["torch"]
    named = {r.split(">")[0] for name in ("viz", "test", "examples") for r in extras[name]}
    assert {r.split(">")[0] for r in extras["dev"]} == named  # dev: all but torch


def test_install_hints_say_what_works():
    """The package is not on PyPI: `pip install 'autograd-engine[viz]'` fails, so every
    hint in the library and the README says how to install from a checkout."""
    stale = "autograd-engine["
    files = [ROOT / "README.md", *(ROOT / "autograd").rglob("*.py"),
             *(ROOT / "nn").rglob("*.py")]
    offenders = [str(f.relative_to(ROOT)) for f in files
                 if stale in f.read_text(encoding="utf-8")]
    assert offenders == []
