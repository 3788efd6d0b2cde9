"""The README's nn sections name what nn offers: every nn error class (in the prose and
in the error tree), each loss option with the losses that take it; nn.hooks' methods
are documented."""

import inspect
import re
from pathlib import Path

import pytest

import nn.errors
import nn.functional as F
from nn.hooks import ForwardHooks, HookMethods

README = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")


def section(title: str) -> str:
    return re.search(rf"\n## {title}\n(.*?)\n## ", README, re.S).group(1)


@pytest.mark.parametrize("name", nn.errors.__all__)
def test_every_nn_error_is_in_the_errors_prose_and_tree(name):
    errors = section("Errors")
    tree = re.search(r"```\nAutogradError\n(.*?)```", errors, re.S).group(1)
    prose = errors.split("```")[0]
    assert f"`{name}`" in prose
    assert name in tree


def losses_bullet() -> str:
    return re.search(r"\n- \*\*Losses\*\*(.*?)\n- ", section("nn"), re.S).group(1)


@pytest.mark.parametrize("option, functions", [
    ("ignore_index", [F.cross_entropy, F.nll_loss]),
    ("weight", [F.cross_entropy, F.nll_loss, F.binary_cross_entropy,
                F.binary_cross_entropy_with_logits]),
])
def test_readme_names_each_loss_that_takes_an_option(option, functions):
    """The clause that introduces ``option=`` names every loss taking it."""
    text = re.sub(r"\s+", " ", losses_bullet())
    clause = re.search(rf"`{option}=`[^;]*", text).group(0)
    spoken = {F.cross_entropy: "cross-entropy", F.nll_loss: "nll",
              F.binary_cross_entropy: "binary cross-entropy",
              F.binary_cross_entropy_with_logits: "on logits"}
    for function in functions:
        assert option in inspect.signature(function).parameters
        assert spoken[function] in clause, (function.__name__, clause)


@pytest.mark.parametrize("cls", [ForwardHooks, HookMethods])
def test_hook_methods_have_docstrings(cls):
    for name, member in vars(cls).items():
        if callable(member) and not name.startswith("_"):
            assert inspect.getdoc(member), f"{cls.__name__}.{name}"
