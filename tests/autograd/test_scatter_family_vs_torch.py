"""The scatter family as graph code uses it, against PyTorch with repeated indices: values
and gradients of ``scatter``, ``scatter_add``, ``index_add`` (``alpha=``), ``gather``,
``index_select``, out of place and in place on a computed tensor (``zeros_like(x)
.index_add_(0, dst, x[src])``, recorded as PyTorch records it)."""

import numpy as np
import pytest

import autograd as ag

RNG = np.random.default_rng(3)
DST = [2, 0, 2, 2, 1, 0]  # repeats, as the targets of a graph's edges


def _index(lib):
    return lib.tensor(np.array(DST)[:, None].repeat(3, axis=1))


CALLS = {
    "scatter": lambda lib, x, s: s.scatter(1, lib.tensor([[0, 2, 1]] * 6), s * 2.0)[:3] * x,
    "scatter_add": lambda lib, x, s: x.scatter_add(0, _index(lib), s),
    "scatter_add_": lambda lib, x, s: (x * 1.0).scatter_add_(0, _index(lib), s),
    "index_add": lambda lib, x, s: x.index_add(0, lib.tensor(DST), s, alpha=0.5),
    "index_add_": lambda lib, x, s: lib.zeros_like(x).index_add_(0, lib.tensor(DST), s),
    "gather": lambda lib, x, s: s.gather(0, _index(lib)[:3]) * x,
    "index_select": lambda lib, x, s: s.index_select(0, lib.tensor(DST)).sum(0) * x,
    "scatter_reduce_": lambda lib, x, s: lib.zeros_like(x).scatter_reduce_(
        0, _index(lib), s, "mean", include_self=False),
}


@pytest.mark.parametrize("name", sorted(CALLS))
def test_scatter_family_matches_torch_with_repeated_indices(torch, name):
    x, src = RNG.standard_normal((3, 3)), RNG.standard_normal((6, 3))
    g = RNG.standard_normal((3, 3))
    results = []
    for lib, make in ((ag, ag.Tensor), (torch, torch.tensor)):
        a, s = make(x, requires_grad=True), make(src, requires_grad=True)
        out = CALLS[name](lib, a, s)
        (out * make(g)).sum().backward()
        results.append([np.asarray(v.detach().numpy() if lib is torch else v.data)
                        for v in (out, a.grad if a.grad is not None else make(0.0), s.grad)])
    for ours, theirs in zip(*results):
        np.testing.assert_allclose(ours, theirs, rtol=1e-12, atol=1e-14)
