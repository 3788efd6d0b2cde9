"""Every error the library raises is a named class: a subclass of ``AutogradError`` and
of the built-in a user would catch, so ``except ValueError`` keeps working."""

from __future__ import annotations

import importlib
import pkgutil
import re
from pathlib import Path

import numpy as np
import pytest

import autograd
import nn
import nn.functional as F
from autograd._missing import HIPS_MODULES
from autograd.errors import AutogradError, DTypeError, UsageError
from nn.errors import (ArgumentTypeError, CheckpointError, ConfigError, NameNotFoundError,
                       NonFiniteGradientError, StateDictError)

ROOT = Path(__file__).resolve().parents[2]
# Still raising bare built-ins, owned elsewhere (autograd.viz, autograd.testing): remove an
# entry when its file is converted.
PENDING_FILES: set[str] = set()  # files not yet converted (none left)
PENDING_CLASSES: set[str] = set()
BARE_RAISE = re.compile(r"raise (ValueError|TypeError|RuntimeError|IndexError|KeyError)\(")


def _error_classes() -> list[type]:
    found = []
    for package in (autograd, nn):
        prefix = package.__name__ + "."
        for info in pkgutil.walk_packages(package.__path__, prefix):
            if info.name.removeprefix("autograd.") in HIPS_MODULES:
                continue  # `import autograd.numpy` (HIPS's) raises ImportError on purpose
            module = importlib.import_module(info.name)
            for value in vars(module).values():
                if (isinstance(value, type) and issubclass(value, BaseException)
                        and not issubclass(value, Warning)
                        and value.__module__ == module.__name__):
                    found.append(value)
    return found


def test_every_error_class_is_an_autograd_error() -> None:
    classes = _error_classes()
    names = {f"{c.__module__}.{c.__qualname__}" for c in classes}
    assert {"nn.errors.ConfigError", "autograd.errors.TensorIndexError"} <= names
    stray = sorted(n for c, n in zip(classes, (f"{c.__module__}.{c.__qualname__}"
                                               for c in classes))
                   if not issubclass(c, AutogradError) and n not in PENDING_CLASSES)
    assert stray == []


def test_every_nn_error_is_also_a_builtin_error() -> None:
    for name in nn.errors.__all__:
        cls = getattr(nn.errors, name)
        builtins = [b for b in cls.__mro__ if b.__module__ == "builtins"
                    and b not in (Exception, BaseException, object)]
        assert issubclass(cls, AutogradError) and builtins, name


def test_no_bare_builtin_raises_left() -> None:
    bare = []
    for folder in ("nn", "autograd"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            rel = path.relative_to(ROOT).as_posix()
            if rel in PENDING_FILES:
                continue
            for number, line in enumerate(path.read_text().splitlines(), 1):
                if BARE_RAISE.search(line):
                    bare.append(f"{rel}:{number}: {line.strip()}")
    assert bare == []


def test_moved_classes_are_still_importable_from_their_old_modules() -> None:
    from nn.checkpoint import CheckpointError as old_checkpoint
    from nn.module import StateDictError as old_state
    assert old_checkpoint is CheckpointError and old_state is StateDictError
    assert nn.StateDictError is StateDictError and nn.CheckpointError is CheckpointError


# ------------------------------------------------------------------ a sample of raises
def test_bad_hyper_parameter_is_config_error_and_value_error() -> None:
    with pytest.raises(ConfigError, match=r"Dropout: p .* got 1.5"):
        nn.Dropout(1.5)
    with pytest.raises(ValueError, match=r"SGD: lr must be a finite number >= 0; got -1.0"):
        nn.optim.SGD(nn.Linear(2, 1).parameters(), lr=-1.0)


def test_unknown_reduction_is_config_error() -> None:
    x = autograd.tensor(np.zeros(3))
    with pytest.raises(ConfigError, match="reduction must be 'mean', 'sum' or 'none'; "
                                          "got 'avg'"):
        F.mse_loss(x, np.zeros(3), reduction="avg")


def test_pytorch_positional_loss_arguments_are_named_errors() -> None:
    """PyTorch's losses take weight where these take reduction, and HuberLoss takes
    (reduction, delta): such calls raise a named TypeError, not NumPy's "truth value of
    an array is ambiguous" or "'>' not supported between str and int"."""
    logits, labels, weight = np.zeros((2, 3)), np.array([0, 2]), np.ones(3)
    with pytest.raises(ArgumentTypeError, match="reduction must be .* got a value of type "
                                                "ndarray.* reduction by keyword"):
        F.cross_entropy(logits, labels, weight)
    for build in (nn.CrossEntropyLoss, nn.NLLLoss, nn.BCELoss, nn.MSELoss):
        with pytest.raises(TypeError, match=f"{build.__name__}: reduction must be"):
            build(weight)
    with pytest.raises(ArgumentTypeError, match="HuberLoss: delta must be a number > 0; got "
                                                "'sum' .str.. PyTorch puts reduction before "
                                                "delta"):
        nn.HuberLoss("sum")
    with pytest.raises(ArgumentTypeError, match="huber_loss: delta must be a number"):
        F.huber_loss(logits, logits, "sum")
    with pytest.raises(ArgumentTypeError, match="smooth_l1_loss: beta must be a number"):
        F.smooth_l1_loss(logits, logits, "sum", "0.5")
    by_keyword = nn.HuberLoss(reduction="sum", delta=0.5)(logits, logits + 1)
    assert by_keyword.item() == F.huber_loss(logits, logits + 1, 0.5, "sum").item()


def test_wrong_argument_type_is_argument_type_error_and_type_error() -> None:
    with pytest.raises(ArgumentTypeError, match=r"train\(mode\) needs a bool; got int"):
        nn.Linear(2, 1).train(1)
    with pytest.raises(TypeError, match="Residual.*needs a Module; got list"):
        nn.Residual([])


def test_unknown_layer_name_is_name_not_found_error_and_key_error() -> None:
    model = nn.Sequential(nn.Linear(2, 2))
    with pytest.raises(NameNotFoundError, match="no layer named 'head'"):
        model["head"]
    with pytest.raises(KeyError):
        model["head"]


def test_parameter_before_super_init_is_usage_error_and_runtime_error() -> None:
    class Broken(nn.Module):
        def __init__(self) -> None:
            self.w = nn.Parameter(np.zeros(2))

    with pytest.raises(UsageError, match=r"call super\(\).__init__\(\) first in Broken"):
        Broken()
    with pytest.raises(RuntimeError):
        Broken()


def test_optimizer_state_dict_mismatch_is_state_dict_error() -> None:
    opt = nn.optim.SGD(nn.Linear(2, 1).parameters(), lr=0.1)
    with pytest.raises(StateDictError, match="exactly the keys 'state' and 'param_groups'"):
        opt.load_state_dict({"state": {}})
    saved = opt.state_dict()
    saved["param_groups"] = saved["param_groups"] * 2
    with pytest.raises(ValueError, match="2 parameter groups, this optimizer has 1"):
        opt.load_state_dict(saved)


def test_non_finite_gradient_norm_is_named() -> None:
    p = nn.Parameter(np.ones(2))
    p.grad = np.array([np.inf, 1.0])
    with pytest.raises(NonFiniteGradientError, match="error_if_nonfinite=False"):
        nn.clip_grad_norm_([p], 1.0, error_if_nonfinite=True)


def test_object_array_in_data_loader_is_dtype_error() -> None:
    with pytest.raises(DTypeError, match="dtype object"):
        nn.data.DataLoader(np.array([1, "a"], dtype=object))


def test_save_without_objects_is_usage_error(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="at least one object"):
        nn.save(tmp_path / "empty.npz")



def test_key_errors_print_their_message_without_quotes() -> None:
    """KeyError's str() shows its message in quotes with escaped quotes inside:
    "Sequential has no layer named 'x'..." printed as '"Sequential has no layer named \\'x\\'"'."""
    import nn
    from autograd.testing import domain
    from autograd.errors import UnknownOpError
    from nn.errors import NameNotFoundError
    for call, cls in ((lambda: nn.Sequential(nn.Linear(2, 2))["x"], NameNotFoundError),
                      (lambda: domain("nope"), UnknownOpError),
                      (lambda: nn.Linear(2, 2).get_submodule("a.b"), NameNotFoundError)):
        try:
            call()
        except cls as err:
            text = str(err)
            assert text == err.args[0] and not text.startswith(('"', "'")), text
        else:
            raise AssertionError("no error")
