"""The deprecated number-first ``x.add_(alpha, other)`` with a 0-d tensor for ``alpha``:
DARTS' ``architect.py`` writes ``p.data.add_(R, v)`` with ``R = r / _concat(vector).norm()``.
PyTorch takes a 0-d tensor that needs no gradient as the number (with its deprecation
warning); here the 0-d tensor was refused ("alpha is a keyword argument"). A one-element
1-d tensor, or a 0-d one that requires grad, is refused by both."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import autograd as ag
from autograd import UsageError

X = np.random.default_rng(0).standard_normal(5)
V = np.random.default_rng(1).standard_normal(5)
CALLS = [("add_", lambda t, a, v: t.add_(a, v)), ("sub_", lambda t, a, v: t.sub_(a, v)),
         ("add", lambda t, a, v: t.add(a, v)), ("sub", lambda t, a, v: t.sub(a, v))]


@pytest.mark.parametrize("name, call", CALLS, ids=[c[0] for c in CALLS])
def test_zero_dim_tensor_first_is_alpha_as_torch(torch, name, call):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        want = call(torch.tensor(X), torch.tensor(0.25) / torch.tensor(V).norm(),
                    torch.tensor(V))
    with pytest.warns(FutureWarning, match=rf"x.{name}\(alpha, other\) .* deprecated"):
        got = call(ag.tensor(X), ag.tensor(0.25) / ag.tensor(V).norm(), ag.tensor(V))
    np.testing.assert_allclose(got.numpy(), want.numpy(), rtol=1e-15)


@pytest.mark.parametrize("alpha", [ag.tensor([0.5]), ag.tensor(0.5, requires_grad=True)],
                         ids=["one-element", "requires-grad"])
def test_other_tensors_first_are_refused_as_torch(torch, alpha):
    with pytest.raises(TypeError):
        torch.ones(3).add_(torch.tensor(alpha.numpy(), requires_grad=alpha.requires_grad),
                           torch.ones(3))
    with pytest.raises(UsageError, match="alpha is a keyword argument"):
        ag.ones(3).add_(alpha, ag.ones(3))
