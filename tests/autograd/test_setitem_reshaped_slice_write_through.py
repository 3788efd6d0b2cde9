"""A write into a reshape (squeeze, unsqueeze, view) of ``base[i]`` of a computed tensor,
while recording, reaches ``base[i]`` and the base, as in PyTorch: DCCRN's
``out_wav = torch.squeeze(outputs[..., a:-a], 1); out_wav = torch.clamp_(out_wav, -1, 1)``
raised InplaceError ("a view of another tensor"). The reshape writes through to the
slice, the slice to its base (as a write into a slice or a whole reshape alone already
did), and stays their view for later writes; ops that read any of them before keep their
old values. Values and gradients come from PyTorch."""

import numpy as np
import pytest

import autograd as ag

RNG = np.random.default_rng(22)


def _writes(lib, x, w):
    """Programs writing into reshapes of slices of computed tensors; each returns a loss."""
    def squeeze_of_a_slice_clamped():  # DCCRN's ConviSTFT output
        outputs = (x * w).unsqueeze(1) * 3.0
        out_wav = lib.squeeze(outputs[..., 1:-1], 1)
        before = (out_wav + w[:, 1:-1]).sum()
        out_wav = lib.clamp_(out_wav, -1, 1)
        return (out_wav ** 2).sum() + (outputs * outputs).sum() + before ** 2

    def flattened_row_written_twice():
        h = x * 2.0 + w
        flat = h[1].reshape(1, -1)
        flat += w[0]
        flat.relu_()
        return (h * x).sum() + (flat ** 3).sum()

    def unsqueezed_column_scaled():
        h = x * 3.0 + 1.0
        column = h[:, 2].unsqueeze(0)
        column.mul_(w[0, 0])
        return (h * w).sum() + column.sum()

    def view_of_a_slice_assigned():
        h = x * w
        v = h[0, 1:3].view(2, 1)
        v[1, 0] = w[1, 1] * 4.0
        return (h.sin() * x).sum() + (v * v).sum()

    return [squeeze_of_a_slice_clamped, flattened_row_written_twice, unsqueezed_column_scaled,
            view_of_a_slice_assigned]


@pytest.mark.parametrize("which", range(4))
def test_writes_into_a_reshaped_slice_reach_the_base_as_in_torch(torch, which) -> None:
    data_x, data_w = RNG.normal(size=(2, 4)), RNG.normal(size=(2, 4))
    results = []
    for lib in (ag, torch):
        x = lib.tensor(data_x, requires_grad=True)
        w = lib.tensor(data_w, requires_grad=True)
        loss = _writes(lib, x, w)[which]()
        loss.backward()
        results.append([loss.item(), x.grad.numpy().copy(), w.grad.numpy().copy()])
    for got, want in zip(*results):
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-14)


def test_the_slice_and_the_base_see_the_write() -> None:
    x = ag.tensor(RNG.normal(size=(3, 1, 4)), requires_grad=True)
    outputs = x * 5.0
    out = ag.squeeze(outputs[..., 1:3], 1)
    out.clamp_(-1, 1)
    out += 0.5
    expected = np.clip(5.0 * x.detach().numpy()[:, 0, 1:3], -1, 1) + 0.5
    np.testing.assert_allclose(outputs.detach().numpy()[:, 0, 1:3], expected)
    np.testing.assert_allclose(out.detach().numpy(), expected)
