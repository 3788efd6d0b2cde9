"""Glue shared by the world-model ports (``test_pytorch_ports_world_models*``): the same
noise in both runs, PyTorch's initial weights in ours, and step records."""

import numpy as np

import autograd as ag

__all__ = ["Noise", "Replay", "copy_weights", "assert_records", "grads_and_params"]


class Noise:
    """The program still calls its own draw (``torch.randn_like(x)``, ``.rsample()``); the
    values used are replaced by one NumPy generator's, the same sequence in both runs (the
    two libraries' generators differ). ``noise(torch, drawn)`` keeps shape and dtype."""

    def __init__(self, seed: int = 0) -> None:
        self.rng = np.random.default_rng(seed)

    def __call__(self, torch, drawn, kind: str = "normal"):
        shape = tuple(drawn.shape)
        if kind == "normal":
            values = self.rng.standard_normal(shape)
        else:
            values = self.rng.uniform(size=shape)
        return torch.tensor(values, dtype=drawn.dtype)


def copy_weights(ours, theirs) -> None:
    """PyTorch's initial weights into our module (``load_state_dict``)."""
    ours.load_state_dict({k: ag.tensor(v.detach().numpy())
                          for k, v in theirs.state_dict().items()})


def grads_and_params(loss, model) -> list:
    """A step's record: the loss, then each parameter's gradient."""
    return [np.asarray(loss.item())] + [p.grad.numpy().copy() for p in model.parameters()]


def assert_records(got: list, want: list, rtol: float = 1e-10) -> None:
    """Two runs' records (lists of arrays per step) agree to ``rtol``."""
    assert len(got) == len(want) > 0
    for step, (a, b) in enumerate(zip(got, want)):
        for i, (u, v) in enumerate(zip(a, b, strict=True)):
            np.testing.assert_allclose(u, v, rtol=rtol, atol=1e-12,
                                       err_msg=f"record {step}, tensor {i}")


class Replay:
    """A random draw made in both runs, PyTorch's (run first, recorded) replayed in ours:
    the program keeps its own call, ``stoch = replay(torch, dist.sample())``."""

    def __init__(self) -> None:
        self.recorded: list = []
        self.position = 0

    def __call__(self, torch, drawn):
        if torch is not ag:
            self.recorded.append(drawn.detach().numpy().copy())
            return drawn
        want = self.recorded[self.position]
        assert tuple(drawn.shape) == want.shape
        self.position += 1
        return ag.tensor(want, dtype=drawn.dtype)
