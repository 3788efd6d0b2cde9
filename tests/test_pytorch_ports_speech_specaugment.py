"""SpecAugment (Park et al.) as torchaudio writes it, ported as its readers write it:
``functional.mask_along_axis_iid`` (a mask per example from ``torch.rand`` draws, built
by broadcasting ``torch.arange`` against ``min_value.long()[..., None, None]``) and
``mask_along_axis`` (one mask for the batch, packed by ``reshape([-1] + list(...))`` and
unpacked by ``shape[:-2] + specgram.shape[-2:]``), the ``FrequencyMasking``/``TimeMasking``
modules and the ``SpecAugment`` transform, which fills with ``specgram.mean()`` (so the
filled cells pass gradient to every cell, through the mean). Then a small CNN trained on
augmented "spectrograms" (scikit-learn's 8x8 digits read as frequency x time). Written
once for a library ``torch`` and run step for step next to PyTorch's from the same
weights and the same draws (float64): masks, losses, input gradients and parameters
agree to 1e-10.

Lines written differently here, and why:
- ``torch.rand(shape)`` is ``rand(shape)``, a draw from one shared NumPy generator handed
  to both libraries (their generators differ), as a tensor of the library's;
- ``torchaudio.functional``/``torchaudio.transforms`` are the program's own functions.
"""

import numpy as np
from sklearn.datasets import load_digits

from ctc_port_helpers import assert_same_state, copy_weights, libraries, to_numpy


def specaugment_program(library, rand):
    """torchaudio's masking functions and transforms; ``rand(shape)`` draws uniforms."""
    torch, nn, F, _ = libraries(library)

    def _get_mask_param(mask_param: int, p: float, axis_length: int) -> int:
        if p == 1.0:
            return mask_param
        else:
            return min(mask_param, int(axis_length * p))

    def mask_along_axis_iid(specgrams, mask_param, mask_value, axis, p=1.0):
        dim = specgrams.dim()
        if dim < 3:
            raise ValueError(f"Spectrogram must have at least three dimensions ({dim} given).")
        if axis not in [dim - 2, dim - 1]:
            raise ValueError(f"Only Frequency and Time masking are supported (axis {dim-2} "
                             f"and axis {dim-1} supported; {axis} given).")
        if not 0.0 <= p <= 1.0:
            raise ValueError(f"The value of p must be between 0.0 and 1.0 ({p} given).")
        mask_param = _get_mask_param(mask_param, p, specgrams.shape[axis])
        if mask_param < 1:
            return specgrams
        dtype = specgrams.dtype
        value = rand(specgrams.shape[: (dim - 2)]) * mask_param
        min_value = rand(specgrams.shape[: (dim - 2)]) * (specgrams.size(axis) - value)
        # Create broadcastable mask
        mask_start = min_value.long()[..., None, None]
        mask_end = (min_value.long() + value.long())[..., None, None]
        mask = torch.arange(0, specgrams.size(axis), dtype=dtype)
        # Per batch example masking
        specgrams = specgrams.transpose(axis, -1)
        specgrams = specgrams.masked_fill((mask >= mask_start) & (mask < mask_end), mask_value)
        specgrams = specgrams.transpose(axis, -1)
        return specgrams

    def mask_along_axis(specgram, mask_param, mask_value, axis, p=1.0):
        dim = specgram.dim()
        if dim < 2:
            raise ValueError(f"Spectrogram must have at least two dimensions (time and "
                             f"frequency) ({dim} given).")
        if axis not in [dim - 2, dim - 1]:
            raise ValueError("Only Frequency and Time masking are supported")
        mask_param = _get_mask_param(mask_param, p, specgram.shape[axis])
        if mask_param < 1:
            return specgram
        # pack batch
        shape = specgram.size()
        specgram = specgram.reshape([-1] + list(shape[-2:]))
        value = rand((1,)) * mask_param
        min_value = rand((1,)) * (specgram.size(axis - dim + 3) - value)
        mask_start = (min_value.long()).squeeze()
        mask_end = (min_value.long() + value.long()).squeeze()
        mask = torch.arange(0, specgram.shape[axis - dim + 3], dtype=specgram.dtype)
        mask = (mask >= mask_start) & (mask < mask_end)
        # unsqueeze the mask if the axis is frequency
        if axis == dim - 2:
            mask = mask.unsqueeze(-1)
        if mask_end - mask_start >= mask_param:
            raise ValueError("Number of columns to be masked should be less than mask_param")
        specgram = specgram.masked_fill(mask, mask_value)
        # unpack batch
        specgram = specgram.reshape(shape[:-2] + specgram.shape[-2:])
        return specgram

    class _AxisMasking(nn.Module):
        def __init__(self, mask_param: int, axis: int, iid_masks: bool, p: float = 1.0):
            super(_AxisMasking, self).__init__()
            self.mask_param = mask_param
            self.axis = axis
            self.iid_masks = iid_masks
            self.p = p

        def forward(self, specgram, mask_value: float = 0.0):
            if self.iid_masks:
                return mask_along_axis_iid(specgram, self.mask_param, mask_value,
                                           self.axis + specgram.dim() - 3, p=self.p)
            else:
                return mask_along_axis(specgram, self.mask_param, mask_value,
                                       self.axis + specgram.dim() - 3, p=self.p)

    class FrequencyMasking(_AxisMasking):
        def __init__(self, freq_mask_param: int, iid_masks: bool = False):
            super(FrequencyMasking, self).__init__(freq_mask_param, 1, iid_masks)

    class TimeMasking(_AxisMasking):
        def __init__(self, time_mask_param: int, iid_masks: bool = False, p: float = 1.0):
            super(TimeMasking, self).__init__(time_mask_param, 2, iid_masks, p=p)

    class SpecAugment(nn.Module):
        def __init__(self, n_time_masks, time_mask_param, n_freq_masks, freq_mask_param,
                     iid_masks=True, p=1.0, zero_masking=False):
            super().__init__()
            self.n_time_masks = n_time_masks
            self.time_mask_param = time_mask_param
            self.n_freq_masks = n_freq_masks
            self.freq_mask_param = freq_mask_param
            self.iid_masks = iid_masks
            self.p = p
            self.zero_masking = zero_masking

        def forward(self, specgram):
            if self.zero_masking:
                mask_value = 0.0
            else:
                mask_value = specgram.mean()
            time_dim = specgram.dim() - 1
            freq_dim = time_dim - 1
            if specgram.dim() > 2 and self.iid_masks is True:
                for _ in range(self.n_time_masks):
                    specgram = mask_along_axis_iid(specgram, self.time_mask_param, mask_value,
                                                   time_dim, p=self.p)
                for _ in range(self.n_freq_masks):
                    specgram = mask_along_axis_iid(specgram, self.freq_mask_param, mask_value,
                                                   freq_dim, p=self.p)
            else:
                for _ in range(self.n_time_masks):
                    specgram = mask_along_axis(specgram, self.time_mask_param, mask_value,
                                               time_dim, p=self.p)
                for _ in range(self.n_freq_masks):
                    specgram = mask_along_axis(specgram, self.freq_mask_param, mask_value,
                                               freq_dim, p=self.p)
            return specgram

    return FrequencyMasking, TimeMasking, SpecAugment


def shared_rand(library, seed):
    """``torch.rand(shape)`` for both runs: the same NumPy draws, as the library's tensor."""
    T = libraries(library)[0]
    rng = np.random.default_rng(seed)
    return lambda shape: T.tensor(rng.random(tuple(shape)))


def digits_spectrograms(n=32):
    """(n, 1, 8, 8) "spectrograms" (frequency x time) and their labels."""
    digits = load_digits()
    return digits.images[:n, None] / 16.0, digits.target[:n]


def test_masking_modules_agree_with_pytorch(torch):
    spec = np.random.default_rng(0).normal(size=(3, 2, 10, 12))
    results = []
    for library in (None, torch):
        T = libraries(library)[0]
        FrequencyMasking, TimeMasking, _ = specaugment_program(library, shared_rand(library, 1))
        x = T.tensor(spec)
        got = [FrequencyMasking(4)(x), TimeMasking(5)(x), FrequencyMasking(4, True)(x, 9.0),
               TimeMasking(30, True, p=0.5)(x[0])]
        results.append([to_numpy(g) for g in got])
    for got, want in zip(*results):
        np.testing.assert_array_equal(got, want)
    assert any((got == 9.0).any() for got in results[0])


def train_with_specaugment(library, model, steps=4):
    torch, nn, F, optim = libraries(library)
    _, _, SpecAugment = specaugment_program(library, shared_rand(library, 2))
    augment = SpecAugment(n_time_masks=2, time_mask_param=3, n_freq_masks=1,
                          freq_mask_param=2)
    images, labels = digits_spectrograms()
    optimizer = optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    losses, input_grads = [], []
    for step in range(steps):
        batch = slice(8 * step, 8 * step + 8)
        x = torch.tensor(images[batch], requires_grad=True)
        optimizer.zero_grad()
        loss = F.cross_entropy(model(augment(x)), torch.tensor(labels[batch]))
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
        input_grads.append(to_numpy(x.grad))
    return losses, input_grads


def small_cnn(library):
    torch, nn, F, _ = libraries(library)
    torch.manual_seed(0)
    return nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                         nn.Flatten(), nn.Linear(64, 10))


def test_cnn_trains_on_specaugmented_digits_step_for_step_as_pytorch(torch):
    theirs, ours = small_cnn(torch), small_cnn(None)
    copy_weights(ours, theirs)
    got_losses, got_grads = train_with_specaugment(None, ours)
    want_losses, want_grads = train_with_specaugment(torch, theirs)
    np.testing.assert_allclose(got_losses, want_losses, rtol=1e-10)
    for got, want in zip(got_grads, want_grads):
        np.testing.assert_allclose(got, want, atol=1e-12)
    assert_same_state(ours, theirs)
