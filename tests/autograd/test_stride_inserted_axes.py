"""``stride()`` of a size-1 axis inserted by indexing with None or by ``expand``: NumPy's
step there is 0, PyTorch's the next axis's step times its size; we report PyTorch's."""

import numpy as np

import autograd as ag

VIEWS = {
    "x[None]": lambda x: x[None],
    "x[:, None]": lambda x: x[:, None],
    "x[..., None]": lambda x: x[..., None],
    "x[None, :, None]": lambda x: x[None, :, None],
    "x.t()[:, None]": lambda x: x.t()[:, None],
    "x[:, ::2][:, None]": lambda x: x[:, ::2][:, None],
    "x.expand(1, 2, 3)": lambda x: x.expand(1, 2, 3),
    "x[:1, None]": lambda x: x[:1, None],
    "x[None][None]": lambda x: x[None][None],
    "x.unsqueeze(0)": lambda x: x.unsqueeze(0),
    "x[:, None].expand(2, 4, 3)": lambda x: x[:, None].expand(2, 4, 3),
    "x.reshape(2, 1, 3)": lambda x: x.reshape(2, 1, 3),
}


def test_inserted_axes_stride_as_pytorch(torch) -> None:
    values = np.arange(6.0).reshape(2, 3)
    ours, theirs = ag.tensor(values), torch.tensor(values)
    for name, view in VIEWS.items():
        a, b = view(ours), view(theirs)
        assert a.stride() == b.stride(), name
        assert a.stride(-1) == b.stride(-1) and a.stride(0) == b.stride(0), name
        assert a.is_contiguous() == b.is_contiguous(), name
        assert a.storage_offset() == b.storage_offset(), name
