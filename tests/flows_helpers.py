"""Glue shared by the flow and probabilistic-model ports (``test_pytorch_ports_flows*``):
the same standard normal noise behind both libraries' ``rsample``, and step records."""

import numpy as np

import autograd as ag
import autograd._random


class SharedNoise:
    """One NumPy generator of standard normal noise read by our default generator and by
    PyTorch's ``_standard_normal`` (``Normal``'s and ``MultivariateNormal``'s ``rsample``
    draw eps there; PyTorch's ``Normal.sample`` calls ``torch.normal``, so it becomes
    ``rsample`` under ``no_grad``, the same law), so both runs draw the same values."""

    def __init__(self, seed: int = 0) -> None:
        self.seed = seed

    def install(self, monkeypatch, torch=None) -> None:
        """Ours (``torch`` None) or PyTorch's draws from a fresh generator of ``seed``."""
        rng = np.random.default_rng(self.seed)
        if torch is None:
            class Drawn(ag.Generator):
                def standard_normal(self, shape):
                    return rng.standard_normal(shape)
            monkeypatch.setattr(autograd._random, "default_generator", Drawn())
            return

        def draw(shape, dtype, device):
            return torch.tensor(rng.standard_normal(tuple(shape)), dtype=dtype)
        for module in (torch.distributions.normal, torch.distributions.multivariate_normal):
            monkeypatch.setattr(module, "_standard_normal", draw)

        def sample(dist, sample_shape=()):
            with torch.no_grad():
                return dist.rsample(sample_shape)
        monkeypatch.setattr(torch.distributions.Normal, "sample", sample)


def assert_records(got: list, want: list, rtol: float = 1e-10, atol: float = 1e-12) -> None:
    """Two runs' records (lists of arrays per step) agree to ``rtol`` and ``atol``."""
    assert len(got) == len(want) > 0
    for step, (a, b) in enumerate(zip(got, want)):
        for i, (u, v) in enumerate(zip(a, b, strict=True)):
            np.testing.assert_allclose(u, v, rtol=rtol, atol=atol,
                                       err_msg=f"record {step}, tensor {i}")


class Draws:
    """A random draw made in both runs, PyTorch's (recorded first) used in both: wrap the
    drawing call, ``x_0 = draws(torch, torch.randn_like(x_1))``, in the program."""

    def __init__(self) -> None:
        self.recorded: list = []
        self.position = 0

    def __call__(self, torch, drawn):
        if torch is not ag:
            self.recorded.append(drawn.numpy().copy())
            return drawn
        want = self.recorded[self.position]
        assert tuple(drawn.shape) == want.shape and drawn.dtype == want.dtype
        self.position += 1
        return ag.tensor(want)
