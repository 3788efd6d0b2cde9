"""The functions PyTorch users reach for first: ``F.dropout``, ``F.softplus``,
``F.logsigmoid``, ``F.smooth_l1_loss``, ``F.one_hot``, ``F.normalize``,
``F.cosine_similarity`` and ``dim=`` on ``F.softmax``: values against PyTorch where it is
installed, gradients against finite differences."""

from __future__ import annotations

from typing import Any, Callable

import numpy as np
import pytest

import autograd as ag
import nn
import nn.functional as F
from autograd import Tensor
from nn.errors import ArgumentTypeError, ConfigError

X = np.random.default_rng(1).standard_normal((4, 3)) * 3
Y = np.random.default_rng(2).standard_normal((4, 3))

CASES: list[tuple[str, Callable[[Any], Any], Callable[[Any, Any], Any]]] = [
    ("softplus", lambda x: F.softplus(x), lambda t, x: t.nn.functional.softplus(x)),
    ("softplus beta", lambda x: F.softplus(x, beta=2.0, threshold=3.0),
     lambda t, x: t.nn.functional.softplus(x, beta=2.0, threshold=3.0)),
    ("logsigmoid", lambda x: F.logsigmoid(x), lambda t, x: t.nn.functional.logsigmoid(x)),
    ("smooth_l1", lambda x: F.smooth_l1_loss(x, Y, beta=0.7),
     lambda t, x: t.nn.functional.smooth_l1_loss(x, t.tensor(Y), beta=0.7)),
    ("smooth_l1 beta 0", lambda x: F.smooth_l1_loss(x, Y, reduction="sum", beta=0.0),
     lambda t, x: t.nn.functional.smooth_l1_loss(x, t.tensor(Y), reduction="sum", beta=0.0)),
    ("normalize", lambda x: F.normalize(x, dim=1), lambda t, x: t.nn.functional.normalize(x)),
    ("normalize p1", lambda x: F.normalize(x, p=1, dim=0),
     lambda t, x: t.nn.functional.normalize(x, p=1, dim=0)),
    ("cosine", lambda x: F.cosine_similarity(x, Y),
     lambda t, x: t.nn.functional.cosine_similarity(x, t.tensor(Y))),
    ("softmax dim", lambda x: F.softmax(x, dim=0), lambda t, x: t.softmax(x, dim=0)),
    ("log_softmax dim", lambda x: F.log_softmax(x, dim=1), lambda t, x: t.log_softmax(x, 1)),
]


@pytest.mark.parametrize("name, ours, theirs", CASES, ids=[c[0] for c in CASES])
def test_values_and_gradients_match_pytorch(name: str, ours: Callable, theirs: Callable) -> None:
    torch = pytest.importorskip("torch")
    x, tx = Tensor(X.copy(), requires_grad=True), torch.tensor(X, requires_grad=True)
    mine, reference = ours(x), theirs(torch, tx)
    np.testing.assert_allclose(mine.data, reference.detach().numpy(), rtol=1e-10, atol=1e-12)
    weights = np.random.default_rng(3).standard_normal(reference.shape)
    (mine * weights).sum().backward()
    (reference * torch.tensor(weights)).sum().backward()
    np.testing.assert_allclose(x.grad.data, tx.grad.numpy(), rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("name, ours, theirs", CASES, ids=[c[0] for c in CASES])
def test_gradients_against_finite_differences(name: str, ours: Callable,
                                              theirs: Callable) -> None:
    x = Tensor(X.copy(), requires_grad=True)
    assert ag.gradcheck(ours, [x]), name


def test_dropout_scales_what_it_keeps_and_follows_its_generator() -> None:
    x = Tensor(np.ones((200, 50)), requires_grad=True)
    y = F.dropout(x, 0.3, generator=np.random.default_rng(0))
    kept = y.data != 0
    np.testing.assert_allclose(y.data[kept], 1 / 0.7)
    assert abs(kept.mean() - 0.7) < 0.02  # 10,000 draws
    y.sum().backward()
    np.testing.assert_array_equal(x.grad.data, kept / 0.7)  # dy/dx = m / (1 - p)
    again = F.dropout(x, 0.3, generator=np.random.default_rng(0))
    np.testing.assert_array_equal(again.data, y.data)
    layer = nn.Dropout(0.3, rng=np.random.default_rng(0))
    np.testing.assert_array_equal(layer(x).data, y.data)  # the layer calls F.dropout


def test_dropout_without_a_generator_follows_manual_seed() -> None:
    x = Tensor(np.ones(100))
    nn.manual_seed(5)
    first = F.dropout(x, 0.5).data
    nn.manual_seed(5)
    np.testing.assert_array_equal(F.dropout(x, 0.5).data, first)


def test_dropout_edges_and_errors() -> None:
    x = Tensor(X.copy(), requires_grad=True)
    assert F.dropout(x, 0.5, training=False) is x and F.dropout(x, 0.0) is x
    assert not F.dropout(x, 1.0).data.any()
    assert F.dropout(np.ones(3), 0.5, training=False).tolist() == [1.0, 1.0, 1.0]
    for p in (-0.1, 1.5):
        with pytest.raises(ConfigError, match="dropout: p"):
            F.dropout(x, p)
    for p in ("0.5", True):  # a wrong type: ArgumentTypeError (nn._checks' rule)
        with pytest.raises(ArgumentTypeError, match="dropout: p"):
            F.dropout(x, p)


def test_one_hot() -> None:
    labels = np.array([[0, 2], [1, 0]])
    out = F.one_hot(labels)
    assert out.shape == (2, 2, 3) and out.dtype == np.int64 and not out.requires_grad
    np.testing.assert_array_equal(out.data.argmax(-1), labels)
    assert F.one_hot(Tensor(np.array([1])), num_classes=4).tolist() == [[0, 1, 0, 0]]
    with pytest.raises(ConfigError, match="num_classes"):
        F.one_hot(np.array([0, 3]), num_classes=3)
    with pytest.raises(ag.DTypeError, match="integers"):
        F.one_hot(np.array([0.0, 1.0]))


def test_normalize_and_cosine_of_a_zero_vector_stay_finite() -> None:
    x = Tensor(np.zeros((2, 3)), requires_grad=True)
    assert F.normalize(x).tolist() == [[0.0] * 3] * 2
    assert F.cosine_similarity(x, Y[:2]).tolist() == [0.0, 0.0]
    F.cosine_similarity(x, Y[:2]).sum().backward()
    assert np.isfinite(x.grad.data).all()


def test_the_modules_call_the_functions() -> None:
    x = Tensor(X.copy())
    np.testing.assert_array_equal(nn.Softplus(2.0, 3.0)(x).data,
                                  F.softplus(x, beta=2.0, threshold=3.0).data)
    np.testing.assert_array_equal(nn.LogSigmoid()(x).data, F.logsigmoid(x).data)
    np.testing.assert_array_equal(nn.SmoothL1Loss(beta=0.7)(x, Y).data,
                                  F.smooth_l1_loss(x, Y, beta=0.7).data)
    np.testing.assert_array_equal(nn.Softmax(dim=0)(x).data, F.softmax(x, dim=0).data)
    assert repr(nn.LogSoftmax(dim=1)) == "LogSoftmax(dim=1)"  # PyTorch's text
    with pytest.raises(ag.AxisError, match="pass one"):
        nn.Softmax(0, dim=1)
    with pytest.raises(ConfigError, match="beta"):
        nn.SmoothL1Loss(beta=-1.0)
