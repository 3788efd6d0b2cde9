"""PyTorch's accessors of complex parts on real tensors (every tensor here is real):
``x.real`` and ``torch.real(x)`` are x, ``x.imag`` is refused (an AttributeError here, so
``hasattr`` answers False), ``isreal`` is True everywhere; ``dim_order()`` lists the
axes from outermost to innermost in memory, as PyTorch's."""

import numpy as np
import pytest

import autograd as ag

DATA = np.arange(24.0).reshape(2, 3, 4)


def test_real_is_the_tensor_and_imag_is_refused_as_pytorch(torch):
    x, t = ag.tensor(DATA, requires_grad=True), torch.tensor(DATA)
    assert x.real is x and ag.real(x) is x
    assert torch.equal(t.real, t)
    with pytest.raises(RuntimeError, match="imag is not implemented"):
        t.imag
    with pytest.raises(ag.AutogradError, match="imag is not implemented") as refused:
        ag.imag(x)
    assert isinstance(refused.value, AttributeError) and not hasattr(x, "imag")
    np.testing.assert_array_equal(ag.isreal(x).numpy(), torch.isreal(t).numpy())
    assert x.isreal().dtype == np.bool_


VIEWS = {"itself": lambda a: a, "permute": lambda a: a.permute(2, 0, 1),
         "transpose": lambda a: a.transpose(0, 2), "steps": lambda a: a[:, 1:, ::2],
         "expand": lambda a: a[:, :1].expand(2, 5, 4),
         "expand a permute": lambda a: a.permute(1, 2, 0)[:1].expand(6, 4, 2),
         "unsqueeze": lambda a: a.unsqueeze(1), "matrix.T": lambda a: a[0].T}


@pytest.mark.parametrize("view", list(VIEWS))
def test_dim_order_follows_the_strides_as_pytorch(torch, view):
    ours = VIEWS[view](ag.tensor(DATA))
    theirs = VIEWS[view](torch.tensor(DATA))
    assert ours.stride() == theirs.stride()
    assert ours.dim_order() == theirs.dim_order()


def test_numpys_functions_of_complex_parts_answer_as_numpy():
    """NumPy-style programs: ``np.real(t)`` is t, ``np.imag(t)`` zeros (NumPy's answer for
    a real array, a constant), ``np.isreal(t)`` True everywhere."""
    x = ag.tensor(DATA, requires_grad=True)
    assert np.real(x) is x
    imag = np.imag(x)
    assert isinstance(imag, ag.Tensor) and not imag.requires_grad
    np.testing.assert_array_equal(imag.numpy(), np.imag(DATA))
    np.testing.assert_array_equal(np.isreal(x).numpy(), np.isreal(DATA))
