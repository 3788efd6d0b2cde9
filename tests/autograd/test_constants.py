"""PyTorch's module-level constants ``torch.pi``, ``torch.e``, ``torch.inf`` and ``torch.nan``
(a DDPM's cosine schedule writes ``torch.cos(... * torch.pi * 0.5)``): Python floats,
as PyTorch's."""

import math

import numpy as np
import pytest

import autograd as ag


@pytest.mark.parametrize("name", ["pi", "e", "inf"])
def test_constants_are_pytorchs_floats(name: str, torch) -> None:
    got, want = getattr(ag, name), getattr(torch, name)
    assert type(got) is type(want) is float
    assert got == want
    assert name in ag.__all__


def test_nan_is_a_float_nan(torch) -> None:
    assert type(ag.nan) is type(torch.nan) is float
    assert math.isnan(ag.nan) and "nan" in ag.__all__


def test_cosine_schedule_with_pi_matches_pytorch(torch) -> None:
    x = np.linspace(0, 10, 11)
    got = ag.cos((ag.tensor(x) / 10 + 0.008) / 1.008 * ag.pi * 0.5) ** 2
    want = torch.cos((torch.tensor(x) / 10 + 0.008) / 1.008 * torch.pi * 0.5) ** 2
    np.testing.assert_allclose(got.numpy(), want.numpy(), rtol=1e-15)
