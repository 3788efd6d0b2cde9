"""A custom distribution written the way PyTorch's own are (and user code copies them):
``log_prob`` starting with ``if self._validate_args: self._validate_sample(value)``, and
``expand(self, batch_shape, _instance=None)`` built on ``self._get_checked_instance(cls,
_instance)`` (or passing ``_instance=new`` up to ``Distribution.expand``). Values,
gradients and errors against PyTorch's."""

from __future__ import annotations

import numpy as np
import pytest

import autograd as ag

LOC, SCALE = np.array([0.1, -0.3]), np.array([1.0, 2.0])


def squash(T):
    D = T.distributions

    class Squash(D.Distribution):
        arg_constraints = {"loc": D.constraints.real, "scale": D.constraints.positive}
        support = D.constraints.interval(-1.0, 1.0)
        has_rsample = True

        def __init__(self, loc, scale, validate_args=None):
            self.loc, self.scale = D.utils.broadcast_all(loc, scale)
            super().__init__(tuple(self.loc.shape), validate_args=validate_args)

        def expand(self, batch_shape, _instance=None):
            new = self._get_checked_instance(Squash, _instance)
            new.loc = self.loc.expand(batch_shape)
            new.scale = self.scale.expand(batch_shape)
            super(Squash, new).__init__(batch_shape, validate_args=False)
            new._validate_args = self._validate_args
            return new

        def rsample(self, sample_shape=()):
            return T.tanh(self.loc + 0.5 * self.scale * T.ones(self._extended_shape(sample_shape)))

        def log_prob(self, value):
            if self._validate_args:
                self._validate_sample(value)
            return -((value - self.loc) / self.scale) ** 2

    class Shifted(D.Normal):  # no expand of its own: Distribution.expand fills _instance
        def expand(self, batch_shape, _instance=None):
            new = self._get_checked_instance(Shifted, _instance)
            return super().expand(batch_shape, _instance=new)

    return Squash, Shifted


def run(T) -> list[np.ndarray]:
    Squash, Shifted = squash(T)
    loc = T.tensor(LOC, requires_grad=True)
    d = Squash(loc, T.tensor(SCALE), validate_args=True)
    wide = d.expand((3, 2))
    values = [d.log_prob(T.tensor([0.5, -0.5])), wide.rsample(), wide.log_prob(T.zeros(3, 2)),
              Shifted(loc, T.tensor(SCALE)).expand((4, 2)).log_prob(T.zeros(4, 2))]
    assert type(wide) is Squash and tuple(wide.batch_shape) == (3, 2)
    sum(v.sum() for v in values).backward()
    return [v.detach().numpy() for v in values] + [loc.grad.numpy()]


def test_custom_subclass_in_pytorch_style_as_pytorch(torch) -> None:
    for ours, theirs in zip(run(ag), run(torch), strict=True):
        np.testing.assert_allclose(ours, theirs, rtol=1e-12)


@pytest.mark.parametrize("value", [np.array([2.0, 0.0]), np.ones((3, 3)) * 0.5])
def test_validate_sample_raises_a_value_error_as_pytorch(torch, value) -> None:
    for T in (ag, torch):
        d = squash(T)[0](T.tensor(LOC), T.tensor(SCALE), validate_args=True)
        with pytest.raises(ValueError):
            d.log_prob(T.tensor(value))


def test_get_checked_instance_asks_for_an_expand_as_pytorch(torch) -> None:
    """A subclass with its own __init__ and no expand cannot be expanded through
    ``_get_checked_instance`` of its parent class: PyTorch's NotImplementedError."""
    for T in (ag, torch):
        Squash = squash(T)[0]

        class Narrow(Squash):
            def __init__(self, loc):
                super().__init__(loc, T.ones(2))

        with pytest.raises(NotImplementedError, match="expand"):
            Narrow(T.zeros(2))._get_checked_instance(Squash)


def squashed_normal_expanded(T) -> list[np.ndarray]:
    """A ``SquashedNormal`` (SAC's) and an ``Independent`` subclass whose ``expand`` passes
    ``_instance=new`` up, as PyTorch's ``LogNormal`` does."""
    D = T.distributions

    class SquashedNormal(D.TransformedDistribution):
        def __init__(self, loc, scale):
            self.loc, self.scale = loc, scale
            super().__init__(D.Normal(loc, scale), [D.TanhTransform(cache_size=1)])

        def expand(self, batch_shape, _instance=None):
            new = self._get_checked_instance(SquashedNormal, _instance)
            new.loc, new.scale = self.loc.expand(batch_shape), self.scale.expand(batch_shape)
            return super().expand(batch_shape, _instance=new)

    class Diagonal(D.Independent):
        def __init__(self, loc, scale):
            super().__init__(D.Normal(loc, scale), 1)

        def expand(self, batch_shape, _instance=None):
            new = self._get_checked_instance(Diagonal, _instance)
            return super().expand(batch_shape, _instance=new)

    loc = T.tensor(LOC, requires_grad=True)
    squashed = SquashedNormal(loc, T.tensor(SCALE)).expand((3, 2))
    diagonal = Diagonal(loc, T.tensor(SCALE)).expand((3,))
    assert type(squashed) is SquashedNormal and type(diagonal) is Diagonal
    assert tuple(squashed.loc.shape) == (3, 2) and tuple(diagonal.batch_shape) == (3,)
    values = [squashed.log_prob(T.full((3, 2), 0.25)), diagonal.log_prob(T.zeros(3, 2))]
    sum(v.sum() for v in values).backward()
    return [v.detach().numpy() for v in values] + [loc.grad.numpy()]


def test_expand_passes_the_instance_up_as_pytorch(torch) -> None:
    for ours, theirs in zip(squashed_normal_expanded(ag), squashed_normal_expanded(torch),
                            strict=True):
        np.testing.assert_allclose(ours, theirs, rtol=1e-12)
