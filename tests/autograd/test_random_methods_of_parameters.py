"""``p.multinomial(n)`` and ``p.bernoulli()`` of a Parameter (a learned categorical's
weights, a learned keep probability): plain tensors of draws, as PyTorch's, not
Parameters (an int64 Parameter was a DTypeError)."""

import nn
import autograd as ag


def test_draws_from_a_parameter_are_plain_tensors(torch) -> None:
    ours = nn.Parameter(ag.tensor([0.2, 0.8]))
    theirs = torch.nn.Parameter(torch.tensor([0.2, 0.8]))
    a, b = ours.multinomial(1), theirs.multinomial(1)
    assert type(a) is ag.Tensor and type(b) is torch.Tensor
    assert str(a.dtype) == str(b.dtype).removeprefix("torch.") == "int64"
    assert a.requires_grad is b.requires_grad is False
    assert a.shape == tuple(b.shape) == (1,)
    draws = ours.bernoulli()
    assert type(draws) is ag.Tensor and draws.dtype == ours.dtype
    assert set(draws.tolist()) <= {0.0, 1.0}
    assert type(theirs.bernoulli()) is torch.Tensor
