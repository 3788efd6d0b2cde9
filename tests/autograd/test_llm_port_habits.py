"""Habits of the LLM ports (mamba-minimal, llama2.c, minGPT, minLoRA) that broke here,
each compared with PyTorch."""

import numpy as np

import autograd as ag


def test_split_takes_pytorchs_keyword_split_size(torch) -> None:
    """mamba-minimal writes ``x.split(split_size=[d, d], dim=1)``: ``Tensor.split``'s
    parameter is ``split_size`` in PyTorch (``torch.split``'s is
    ``split_size_or_sections``)."""
    values = np.arange(12.0).reshape(2, 6)
    ours = ag.tensor(values).split(split_size=[2, 4], dim=1)
    theirs = torch.tensor(values).split(split_size=[2, 4], dim=1)
    assert len(ours) == len(theirs) == 2
    for a, b in zip(ours, theirs):
        np.testing.assert_array_equal(a.numpy(), b.numpy())
    assert [p.shape for p in ag.tensor(values).split(split_size=4, dim=-1)] == [(2, 4), (2, 2)]
