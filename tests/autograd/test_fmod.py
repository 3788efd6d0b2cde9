"""``torch.fmod(input, other)``: the remainder with the dividend's sign (C's), where ``%``
takes the divisor's. The Sparse Transformer's PyTorch port keeps the keys a multiple of
the stride back with ``torch.eq(torch.fmod(q - k, stride), 0)`` (a MissingNameError here
before). Values and gradients (1 for input, -trunc(input / other) for other) as PyTorch."""

import numpy as np

import autograd as ag


def test_fmod_and_its_gradients_as_torch(torch) -> None:
    rng = np.random.default_rng(0)
    a, b = rng.uniform(-5, 5, (3, 4)), rng.choice([-2.5, -1.0, 1.5, 3.0], (4,))
    x, y = ag.tensor(a, requires_grad=True), ag.tensor(b, requires_grad=True)
    tx, ty = torch.tensor(a, requires_grad=True), torch.tensor(b, requires_grad=True)
    got, want = ag.fmod(x, y), torch.fmod(tx, ty)
    np.testing.assert_array_equal(got.detach().numpy(), want.detach().numpy())
    upstream = rng.standard_normal((3, 4))
    (got * ag.tensor(upstream)).sum().backward()
    (want * torch.tensor(upstream)).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy(), rtol=1e-12)
    np.testing.assert_allclose(y.grad.numpy(), ty.grad.numpy(), rtol=1e-12)


def test_fmod_of_integers_and_numbers_as_torch(torch) -> None:
    ints = np.array([[3, -3, 7], [-8, 0, 5]])
    got = ag.fmod(ag.tensor(ints), 3)
    assert got.dtype == np.int64
    np.testing.assert_array_equal(got.numpy(), torch.fmod(torch.tensor(ints), 3).numpy())
    x = ag.tensor([3.5, -3.5], requires_grad=True)
    ag.fmod(x, 2.0).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [1.0, 1.0])
