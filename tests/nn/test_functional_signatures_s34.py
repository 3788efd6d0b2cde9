"""Every public function of nn.functional that torch.nn.functional also has names its
first parameter(s) as PyTorch does (``input`` for most), so keyword calls such as
``F.dropout(input=h, p=0.1, training=False)`` or ``F.linear(input=x, weight=w)`` work;
a sample of such calls gives PyTorch's values."""

import inspect
import re

import numpy as np
import pytest

import nn.functional as F
from autograd import Tensor

torch = pytest.importorskip("torch")
TF = torch.nn.functional

SHARED = sorted(name for name in F.__all__
                if hasattr(TF, name) and inspect.isfunction(getattr(F, name)))


def _torch_parameters(name: str) -> list[str]:
    """The leading required parameter names of ``torch.nn.functional.<name>``: from its
    signature, or, for a builtin or a dispatching wrapper (*args, **kwargs), from the
    TypeError a call without arguments raises, which names them."""
    function = getattr(TF, name)
    try:
        parameters = list(inspect.signature(function).parameters.values())
        if parameters[0].kind is not inspect.Parameter.VAR_POSITIONAL:
            return [p.name for p in parameters]
    except (TypeError, ValueError):  # a builtin without a signature
        pass
    with pytest.raises(TypeError) as caught:
        function()
    message = str(caught.value)
    # "missing 2 required positional arguments: 'input' and ..." or, for overloads,
    # "expected one of: * (Tensor input, Tensor weight, ...)"
    found = re.findall(r"\(Tensor (\w+)", message) or re.findall(r"""["'](\w+)["']""", message)
    assert found, message
    return found


def test_the_shared_functions_are_many():
    assert len(SHARED) > 100  # the walk below covers the whole module


@pytest.mark.parametrize("name", SHARED)
def test_first_parameter_is_named_as_in_pytorch(name):
    ours = list(inspect.signature(getattr(F, name)).parameters)
    theirs = _torch_parameters(name)
    count = 2 if theirs[:2] in (["input1", "input2"], ["x1", "x2"]) else 1
    assert ours[:count] == theirs[:count], (name, ours, theirs)


RNG = np.random.default_rng(34)
X = RNG.standard_normal((2, 4, 3))
W = RNG.standard_normal((5, 3))


def _as(value, to_torch):
    return (torch.tensor(value) if to_torch else Tensor(value)) \
        if isinstance(value, np.ndarray) else value


# name: keyword arguments of a call, ``input`` (or PyTorch's first names) by keyword
KEYWORD_CALLS = {
    "relu": dict(input=X), "sigmoid": dict(input=X), "tanh": dict(input=X),
    "gelu": dict(input=X), "silu": dict(input=X), "elu": dict(input=X, alpha=0.5),
    "celu": dict(input=X), "selu": dict(input=X), "mish": dict(input=X),
    "relu6": dict(input=X * 4), "hardtanh": dict(input=X), "hardsigmoid": dict(input=X * 3),
    "hardswish": dict(input=X * 3), "softsign": dict(input=X), "tanhshrink": dict(input=X),
    "logsigmoid": dict(input=X), "softplus": dict(input=X, beta=2.0),
    "leaky_relu": dict(input=X, negative_slope=0.2), "hardshrink": dict(input=X, lambd=0.3),
    "softshrink": dict(input=X, lambd=0.3), "threshold": dict(input=X, threshold=0.1,
                                                               value=-2.0),
    "rrelu": dict(input=X, training=False), "prelu": dict(input=X, weight=np.full(4, 0.2)),
    "softmax": dict(input=X, dim=1), "log_softmax": dict(input=X, dim=-1),
    "softmin": dict(input=X, dim=0), "glu": dict(input=X[:, :, :2], dim=-1),
    "normalize": dict(input=X, p=3.0, dim=1), "linear": dict(input=X, weight=W),
    "bilinear": dict(input1=X, input2=X, weight=RNG.standard_normal((2, 3, 3))),
    "pdist": dict(input=X[0], p=1.0), "one_hot": dict(input=np.array([0, 2, 1])),
    "layer_norm": dict(input=X, normalized_shape=(3,)),
    "rms_norm": dict(input=X, normalized_shape=(3,)),
    "group_norm": dict(input=X, num_groups=2),
    "instance_norm": dict(input=X), "local_response_norm": dict(input=X, size=2),
    "batch_norm": dict(input=X, running_mean=np.zeros(4), running_var=np.ones(4)),
    "dropout": dict(input=X, p=0.3, training=False),
    "alpha_dropout": dict(input=X, p=0.3, training=False),
    "feature_alpha_dropout": dict(input=X, p=0.3, training=False),
    "dropout1d": dict(input=X, p=0.3, training=False),
    "dropout2d": dict(input=X[None], p=0.3, training=False),
    "dropout3d": dict(input=X[None, None], p=0.3, training=False),
}


@pytest.mark.parametrize("name", sorted(KEYWORD_CALLS))
def test_calling_with_input_by_keyword_gives_pytorchs_values(name):
    kwargs = KEYWORD_CALLS[name]
    ours = getattr(F, name)(**{k: _as(v, False) for k, v in kwargs.items()})
    theirs = getattr(TF, name)(**{k: _as(v, True) for k, v in kwargs.items()})
    np.testing.assert_allclose(ours.data, theirs.numpy(), rtol=1e-10, atol=1e-12)
