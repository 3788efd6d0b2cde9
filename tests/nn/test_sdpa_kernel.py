"""``torch.nn.attention``'s ``SDPBackend`` and ``sdpa_kernel``: code picks the attention
kernel with ``with sdpa_kernel(SDPBackend.MATH):`` (or a list of backends), and
``from torch.nn.attention import SDPBackend, sdpa_kernel`` was an ImportError here. One
kernel computes attention here (NumPy's matmuls and softmax, PyTorch's MATH): the
context manager checks its argument and the results are the same inside and out."""

import numpy as np
import pytest

import autograd as ag
import nn.functional as F
from nn.attention import SDPBackend, sdpa_kernel


def test_backend_names_and_values_are_torch_s(torch) -> None:
    from torch.nn.attention import SDPBackend as TorchBackend
    assert [(b.name, b.value) for b in SDPBackend] == [
        (b.name, b.value) for b in TorchBackend.__members__.values()]


@pytest.mark.parametrize("backends", [SDPBackend.MATH, [SDPBackend.FLASH_ATTENTION,
                                                        SDPBackend.MATH]])
def test_sdpa_kernel_changes_nothing_here(torch, backends) -> None:
    q = np.random.default_rng(0).standard_normal((1, 2, 4, 3))
    outside = F.scaled_dot_product_attention(ag.tensor(q), ag.tensor(q), ag.tensor(q),
                                             is_causal=True)
    with sdpa_kernel(backends, set_priority=True):
        inside = F.scaled_dot_product_attention(ag.tensor(q), ag.tensor(q), ag.tensor(q),
                                                is_causal=True)
    np.testing.assert_array_equal(inside.numpy(), outside.numpy())
    from torch.nn.attention import SDPBackend as TorchBackend, sdpa_kernel as torch_kernel
    with torch_kernel(TorchBackend.MATH):
        t = torch.tensor(q)
        want = torch.nn.functional.scaled_dot_product_attention(t, t, t, is_causal=True)
    np.testing.assert_allclose(inside.numpy(), want.numpy(), rtol=1e-12)


def test_sdpa_kernel_refuses_what_is_not_a_backend() -> None:
    with pytest.raises(TypeError, match="sdpa_kernel: .*SDPBackend"):
        with sdpa_kernel("math"):
            pass
