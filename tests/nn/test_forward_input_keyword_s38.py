"""Every nn module names its forward's leading parameters as PyTorch's class of the same
name does: ``input`` for most, so ``nn.ReLU()(input=t)`` or ``model(input=t)`` works and a
forward hook registered ``with_kwargs=True`` sees PyTorch's keyword. The names are checked
against lists written here (PyTorch is not needed); with PyTorch installed the lists
themselves are checked against ``inspect.signature(torch.nn.<Name>.forward)``."""

import inspect
import os

import numpy as np
import pytest

import nn
from autograd import Tensor

# PyTorch's leading forward parameter names, for the classes where they are not (input,):
# inspect.signature(torch.nn.<Name>.forward) in PyTorch 2.13 (Permute, SqueezeExcitation,
# StochasticDepth: torchvision.ops; the _-classes: torch.nn.utils.parametrizations)
PYTORCH_NAMES = {
    "MultiheadAttention": ("query", "key", "value"),
    "Transformer": ("src", "tgt"),
    "TransformerEncoder": ("src",),
    "TransformerEncoderLayer": ("src",),
    "TransformerDecoder": ("tgt", "memory"),
    "TransformerDecoderLayer": ("tgt", "memory"),
    "Bilinear": ("input1", "input2"),
    "CosineSimilarity": ("x1", "x2"),
    "PairwiseDistance": ("x1", "x2"),
    "RMSNorm": ("x",),
    "CosineEmbeddingLoss": ("input1", "input2", "target"),
    "MarginRankingLoss": ("input1", "input2", "target"),
    "TripletMarginLoss": ("anchor", "positive", "negative"),
    "TripletMarginWithDistanceLoss": ("anchor", "positive", "negative"),
    "CTCLoss": ("log_probs", "targets", "input_lengths", "target_lengths"),
    "PoissonNLLLoss": ("log_input", "target"),
    "AdaptiveLogSoftmaxWithLoss": ("input_", "target_"),
    "Permute": ("x",),
    "_Orthogonal": ("X",),
    "_SpectralNorm": ("weight",),
    "_WeightNorm": ("weight_g", "weight_v"),
    "ParametrizationList": (),
}

# nn's own classes, without a PyTorch counterpart: their names are nn's choice
OWN_NAMES = {
    "Step": ("x",),
    "Heaviside": ("x",),
    "Swish": ("x",),
    "Residual": ("x",),
    "Autoencoder": ("x",),
    "VAE": ("x",),
    "BernoulliKLLoss": ("rho_hat",),
    "GaussianKLLoss": ("mu", "logvar"),
    "GaussianKLDivLoss": ("mu1", "logvar1", "mu2", "logvar2"),
}

# ours still differ from PyTorch's names above: nn's names
NOT_YET_RENAMED: dict[str, tuple[str, ...]] = {}  # (none left)


def _subclasses(cls: type) -> list[type]:
    found = []
    for sub in cls.__subclasses__():
        found += [sub] + _subclasses(sub)
    return found


NN_ROOT = os.path.dirname(nn.__file__)
# the Module classes nn defines (not the ones tests define), each once
NN_CLASSES = sorted({cls for cls in _subclasses(nn.Module)
                     if inspect.getfile(cls).startswith(NN_ROOT)},
                    key=lambda cls: (cls.__module__, cls.__qualname__))


def _named_parameters(cls: type) -> tuple[str, ...] | None:
    """The names of forward's parameters after self, None for a forward taking *args (a
    container without forward, DataParallel's *inputs: nothing to name)."""
    parameters = list(inspect.signature(cls.forward).parameters.values())[1:]
    if parameters and parameters[0].kind is inspect.Parameter.VAR_POSITIONAL:
        return None
    return tuple(p.name for p in parameters)


def _expected(name: str) -> tuple[str, ...]:
    for names in (NOT_YET_RENAMED, PYTORCH_NAMES, OWN_NAMES):
        if name in names:
            return names[name]
    return ("input",)


def test_the_walk_finds_the_modules():
    names = {cls.__name__ for cls in NN_CLASSES}
    assert len(NN_CLASSES) > 150
    assert {"Linear", "ReLU", "Sequential", "BatchNorm2d", "Permute", "VAE"} <= names


@pytest.mark.parametrize("cls", NN_CLASSES, ids=lambda cls: cls.__qualname__)
def test_forward_names_its_leading_parameters_as_pytorch(cls):
    ours = _named_parameters(cls)
    if ours is None:
        return
    expected = _expected(cls.__name__)
    assert ours[:len(expected)] == expected, (
        f"{cls.__module__}.{cls.__qualname__}.forward{ours}: PyTorch's names are "
        f"{expected}; a class without a PyTorch counterpart goes into OWN_NAMES")


def test_the_lists_are_pytorchs_names():
    torch = pytest.importorskip("torch")
    import torch.nn.utils.parametrizations as parametrizations
    import torch.nn.utils.parametrize as parametrize
    homes = (torch.nn, parametrizations, parametrize)
    checked = 0
    for cls in NN_CLASSES:
        theirs = next((getattr(home, cls.__name__) for home in homes
                       if isinstance(getattr(home, cls.__name__, None), type)), None)
        if theirs is None or not issubclass(theirs, torch.nn.Module):
            continue
        assert cls.__name__ not in OWN_NAMES, f"{cls.__name__} has a PyTorch counterpart"
        names = _named_parameters(theirs)
        if names is None or _named_parameters(cls) is None:
            continue  # forward(*input): not implemented, or DataParallel's *inputs
        expected = PYTORCH_NAMES.get(cls.__name__, ("input",))
        assert names[:len(expected)] == expected, (cls.__name__, names, expected)
        checked += 1
    assert checked > 100


RNG = np.random.default_rng(38)


def _same(a, b):
    np.testing.assert_array_equal(np.asarray(a.data), np.asarray(b.data))


# constructor, input shape: called as m(input=t), it gives m(t)
KEYWORD_LAYERS = {
    "Linear": (lambda: nn.Linear(3, 2, rng=0), (4, 3)),
    "LazyLinear": (lambda: nn.LazyLinear(2, rng=0), (4, 3)),
    "ReLU": (nn.ReLU, (4, 3)),
    "GELU": (nn.GELU, (4, 3)),
    "Tanh": (nn.Tanh, (4, 3)),
    "Softmax": (lambda: nn.Softmax(dim=-1), (4, 3)),
    "Softmax2d": (nn.Softmax2d, (2, 3, 2, 2)),
    "ReLU6": (nn.ReLU6, (4, 3)),
    "Dropout": (lambda: nn.Dropout(0.5).eval(), (4, 3)),
    "Flatten": (nn.Flatten, (2, 3, 2)),
    "Unflatten": (lambda: nn.Unflatten(1, (3, 2)), (2, 6)),
    "Identity": (nn.Identity, (4, 3)),
    "LayerNorm": (lambda: nn.LayerNorm(3), (4, 3)),
    "BatchNorm1d": (lambda: nn.BatchNorm1d(3), (4, 3)),
    "InstanceNorm1d": (lambda: nn.InstanceNorm1d(3), (2, 3, 4)),
    "GroupNorm": (lambda: nn.GroupNorm(1, 3), (2, 3, 4)),
    "LocalResponseNorm": (lambda: nn.LocalResponseNorm(2), (2, 3, 4)),
    "Conv1d": (lambda: nn.Conv1d(3, 2, 2), (2, 3, 4)),
    "Sequential": (lambda: nn.Sequential(nn.Linear(3, 2, rng=0), nn.ReLU()), (4, 3)),
}


@pytest.mark.parametrize("name", sorted(KEYWORD_LAYERS))
def test_input_by_keyword_gives_the_positional_result(name):
    make, shape = KEYWORD_LAYERS[name]
    x = Tensor(RNG.standard_normal(shape))
    module = make()
    _same(module(input=x), module(x))


def test_relu_by_keyword_by_hand():
    out = nn.ReLU()(input=Tensor(np.array([-1.0, 0.0, 2.0])))
    np.testing.assert_array_equal(out.data, [0.0, 0.0, 2.0])


def test_bilinear_takes_pytorchs_input1_and_input2():
    layer = nn.Bilinear(2, 3, 1, rng=0)
    a, b = RNG.standard_normal((4, 2)), RNG.standard_normal((4, 3))
    # y[n] = a[n]^T W[0] b[n] + bias[0], by NumPy
    expected = np.einsum("ni,ij,nj->n", a, layer.weight.data[0], b) + layer.bias.data[0]
    out = layer(input1=Tensor(a), input2=Tensor(b))
    np.testing.assert_allclose(out.data[:, 0], expected, rtol=1e-12)


def test_a_forward_hook_with_kwargs_sees_input():
    seen = {}

    def hook(module, args, kwargs, output):
        seen.update(kwargs)

    layer = nn.Linear(3, 2, rng=0)
    layer.register_forward_hook(hook, with_kwargs=True)
    x = Tensor(RNG.standard_normal((2, 3)))
    layer(input=x)
    assert list(seen) == ["input"] and seen["input"] is x


def test_a_subclass_calling_super_forward_positionally_still_works():
    class Doubled(nn.Linear):
        def forward(self, x):
            return super().forward(x) * 2

    layer = Doubled(3, 2, rng=0)
    x = Tensor(RNG.standard_normal((2, 3)))
    _same(layer(x), nn.Linear.forward(layer, input=x) * 2)
