"""Every ``AutogradError`` subclass the ``autograd`` package defines lives in
``autograd.errors`` (so ``from autograd.errors import X`` works for each error the library
raises), is exported by ``autograd`` and appears in the README's error tree."""

from __future__ import annotations

import importlib
import pkgutil
import re
from pathlib import Path

import numpy as np
import pytest

import autograd
from autograd import errors
from autograd._missing import HIPS_MODULES

README = Path(__file__).resolve().parents[2] / "README.md"


def _defined_errors() -> list[type]:
    """The AutogradError subclasses of every module of the autograd package."""
    for module in pkgutil.walk_packages(autograd.__path__, "autograd."):
        if module.name.removeprefix("autograd.") in HIPS_MODULES:
            continue  # HIPS autograd's names: importing them raises ImportError on purpose
        importlib.import_module(module.name)
    found, stack = [], [errors.AutogradError]
    while stack:
        cls = stack.pop()
        stack.extend(cls.__subclasses__())
        if cls.__module__.split(".")[0] == "autograd":
            found.append(cls)
    return found


ERRORS = _defined_errors()


def test_the_walk_finds_the_errors_of_ops_and_creation() -> None:
    names = {cls.__name__ for cls in ERRORS}
    assert {"AutogradError", "ShapeError", "EinsumError", "NormOrderError",
            "GeneratorError", "SingularMatrixError", "IndependentError"} <= names


@pytest.mark.parametrize("cls", ERRORS, ids=lambda cls: cls.__name__)
def test_every_error_is_importable_from_autograd_errors(cls: type) -> None:
    name = cls.__name__
    assert cls.__module__ == "autograd.errors"
    assert name in errors.__all__ and getattr(errors, name) is cls
    assert name in autograd.__all__ and getattr(autograd, name) is cls


def test_the_viz_error_is_also_viz_s_own_name() -> None:
    from autograd import viz
    assert viz.GraphvizNotFoundError is errors.GraphvizNotFoundError


@pytest.mark.parametrize("cls", ERRORS, ids=lambda cls: cls.__name__)
def test_every_error_is_in_the_readme_error_tree(cls: type) -> None:
    tree = re.search(r"```\nAutogradError\n(.*?)```", README.read_text(encoding="utf-8"),
                     re.S).group(0)
    assert cls.__name__ in re.findall(r"\w+Error", tree)


def test_moved_errors_keep_their_bases_and_old_import_paths() -> None:
    from autograd.creation import GeneratorError
    from autograd.functional import IndependentError
    from autograd.ops.linalg_more import EinsumError, SingularMatrixError
    from autograd.ops.scans import NormOrderError
    assert issubclass(EinsumError, ValueError) and issubclass(NormOrderError, ValueError)
    assert issubclass(GeneratorError, TypeError)
    assert issubclass(SingularMatrixError, np.linalg.LinAlgError)
    assert issubclass(IndependentError, RuntimeError)
    with pytest.raises(errors.SingularMatrixError):
        autograd.inv(autograd.zeros(2, 2))
    with pytest.raises(errors.EinsumError):
        autograd.einsum("ij,jk", autograd.ones(2, 2))


@pytest.mark.parametrize("name, hint", [
    ("expand_as", "t.expand_as("), ("view_as", "t.view_as("),  # Tensor methods
    ("fabs", "np.fabs(t) runs the differentiable op"),
    ("array_equal", "np.array_equal takes Tensors"), ("typecodes", "autograd.__all__"),
    ("no_such_function", "autograd.__all__"),
    ("autograd", "autograd.Function"),  # torch's
    ("bfloat16", "autograd.float32"),  # nanoGPT's (its backends: test_backends_namespace)
    ("nn", "import nn"), ("optim", "nn.optim.SGD"), ("utils", "nn.data.DataLoader"),
    ("save", "nn.save(model.state_dict(), 'model.pth')"), ("load", "nn.load(path)"),
    ("dtype", "autograd.float32"),
    ("quantize_per_tensor", "fake_quantize_per_tensor_affine"), ("qint8", "int tensor"),
    ("quantization", "no quantized tensors"),  # torch.quantization.FakeQuantize...
    ("hub", "nothing is fetched here"), ("onnx", "no ONNX exporter"),
    ("fx", "delete torchvision's module-level torch.fx.wrap('name') lines"),  # its Swin
    ("as_strided", "x.unfold(-1, frame_length, hop_length)")])  # a signal framed
def test_a_missing_autograd_name_says_what_does_it_here(name: str, hint: str) -> None:
    with pytest.raises(autograd.MissingNameError, match=re.escape(hint)) as caught:
        getattr(autograd, name)
    assert isinstance(caught.value, AttributeError) and not hasattr(autograd, name)
    for alternative in re.findall(r"autograd\.(\w+)", str(caught.value)):
        assert alternative == "__all__" or callable(getattr(autograd, alternative))
    with pytest.raises(ImportError):
        exec(f"from autograd import {name}")
    with pytest.raises(AttributeError, match="__wrapped__") as plain:  # Python's own look-ups
        autograd.__wrapped__
    assert not isinstance(plain.value, autograd.MissingNameError)
