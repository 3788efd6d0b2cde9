"""``nn.Buffer`` (PyTorch 2.5's): ``self.cos_cached = nn.Buffer(emb.cos(),
persistent=False)`` registers a buffer by assignment, as ``register_buffer`` does (an
AttributeError here before). Compared with PyTorch: buffers, state_dict keys, casts."""

import numpy as np

import autograd as ag
import nn


def rotary_cache(torch_nn, lib):
    class Cache(torch_nn.Module):
        def __init__(self):
            super().__init__()
            self.inv_freq = torch_nn.Buffer(lib.tensor([1.0, 0.5]))
            self.cos_cached = torch_nn.Buffer(lib.tensor([[1.0, 0.0]]), persistent=False)
            self.linear = torch_nn.Linear(2, 2)

    return Cache()


def test_buffer_assignment_registers_a_buffer_as_torch(torch) -> None:
    ours, theirs = rotary_cache(nn, ag), rotary_cache(torch.nn, torch)
    assert [n for n, _ in ours.named_buffers()] == [n for n, _ in theirs.named_buffers()]
    assert list(ours.state_dict()) == list(theirs.state_dict())
    assert "cos_cached" not in ours.state_dict() and not list(ours.parameters())[2:]
    np.testing.assert_array_equal((ours.inv_freq + 1).numpy(), (theirs.inv_freq + 1).numpy())
    ours.float()
    assert ours.cos_cached.dtype == np.float32 and not ours.inv_freq.requires_grad
    assert nn.Buffer().shape == tuple(torch.nn.Buffer().shape)
