"""DCCRN's ``conv_stft.py`` (huyanxin/DeepComplexCRN, as speech-enhancement readers copy
it): an STFT as a ``Conv1d`` whose fixed kernels are the real and imaginary parts of a
windowed Fourier basis (``np.fft.rfft(np.eye(N))``, ``scipy.signal.get_window``), kept
with ``register_buffer``; magnitude and ``torch.atan2`` phase; and the inverse STFT as
``F.conv_transpose1d`` with the kernels' pseudo-inverse, divided by the overlap-added
squared window (``conv_transpose1d`` of ``self.window.repeat(1, 1, T) ** 2`` with an
identity ``enframe``). Then a small magnitude-mask denoiser trained through both with
DCCRN's ``si_snr`` loss (``torch.log10``) on generated noisy tones, through its
``torch.clamp_`` of a squeezed slice (an in-place write into a view of a view). Written
once for a library ``torch`` and run step for step next to PyTorch's from the same
weights (float64): spectra, reconstructions, losses, gradients and parameters agree to 1e-10;
the magnitudes are NumPy's ``rfft`` of the windowed frames, and the inverse gives the
signal back.

Lines written differently here, and why:
- ``init_kernels`` returns float64 (``kernel.astype(np.float32)`` in the original): the
  comparison runs in float64, and PyTorch refuses a float32 kernel on a float64 input;
- the window is ``'hann'`` (DCCRN's ``'hanning'`` is gone from SciPy);
- ``fft_len`` is passed (the original's default uses ``np.int``, gone from NumPy 2).
"""

import numpy as np

from ctc_port_helpers import (assert_same_grads, assert_same_state, copy_weights, libraries,
                              to_numpy)


def conv_stft_program(library):
    """``init_kernels``, ``ConvSTFT``, ``ConviSTFT`` and ``si_snr``."""
    torch, nn, F, _ = libraries(library)
    from scipy.signal import get_window

    def init_kernels(win_len, win_inc, fft_len, win_type=None, invers=False):
        if win_type == 'None' or win_type is None:
            window = np.ones(win_len)
        else:
            window = get_window(win_type, win_len, fftbins=True)**0.5
        N = fft_len
        fourier_basis = np.fft.rfft(np.eye(N))[:win_len]
        real_kernel = np.real(fourier_basis)
        imag_kernel = np.imag(fourier_basis)
        kernel = np.concatenate([real_kernel, imag_kernel], 1).T
        if invers:
            kernel = np.linalg.pinv(kernel).T
        kernel = kernel*window
        kernel = kernel[:, None, :]
        return (torch.from_numpy(kernel.astype(np.float64)),  # float32 in the original
                torch.from_numpy(window[None, :, None].astype(np.float64)))

    class ConvSTFT(nn.Module):
        def __init__(self, win_len, win_inc, fft_len=None, win_type='hamming',
                     feature_type='real', fix=True):
            super(ConvSTFT, self).__init__()
            if fft_len is None:
                self.fft_len = int(2**np.ceil(np.log2(win_len)))
            else:
                self.fft_len = fft_len
            kernel, _ = init_kernels(win_len, win_inc, self.fft_len, win_type)
            self.register_buffer('weight', kernel)
            self.feature_type = feature_type
            self.stride = win_inc
            self.win_len = win_len
            self.dim = self.fft_len

        def forward(self, inputs):
            if inputs.dim() == 2:
                inputs = torch.unsqueeze(inputs, 1)
            inputs = F.pad(inputs, [self.win_len-self.stride, self.win_len-self.stride])
            outputs = F.conv1d(inputs, self.weight, stride=self.stride)
            if self.feature_type == 'complex':
                return outputs
            else:
                dim = self.dim//2+1
                real = outputs[:, :dim, :]
                imag = outputs[:, dim:, :]
                mags = torch.sqrt(real**2+imag**2)
                phase = torch.atan2(imag, real)
                return mags, phase

    class ConviSTFT(nn.Module):
        def __init__(self, win_len, win_inc, fft_len=None, win_type='hamming',
                     feature_type='real', fix=True):
            super(ConviSTFT, self).__init__()
            if fft_len is None:
                self.fft_len = int(2**np.ceil(np.log2(win_len)))
            else:
                self.fft_len = fft_len
            kernel, window = init_kernels(win_len, win_inc, self.fft_len, win_type,
                                          invers=True)
            self.register_buffer('weight', kernel)
            self.feature_type = feature_type
            self.win_type = win_type
            self.win_len = win_len
            self.stride = win_inc
            self.dim = self.fft_len
            self.register_buffer('window', window)
            self.register_buffer('enframe', torch.eye(win_len)[:, None, :])

        def forward(self, inputs, phase=None):
            """inputs : [B, N+2, T] (complex spec) or [B, N//2+1, T] (mags)
            phase: [B, N//2+1, T] (if not none)"""
            if phase is not None:
                real = inputs*torch.cos(phase)
                imag = inputs*torch.sin(phase)
                inputs = torch.cat([real, imag], 1)
            outputs = F.conv_transpose1d(inputs, self.weight, stride=self.stride)
            # this is from torch-stft: https://github.com/pseeth/torch-stft
            t = self.window.repeat(1, 1, inputs.size(-1))**2
            coff = F.conv_transpose1d(t, self.enframe, stride=self.stride)
            outputs = outputs/(coff+1e-8)
            outputs = outputs[..., self.win_len-self.stride:-(self.win_len-self.stride)]
            return outputs

    def l2_norm(s1, s2):
        norm = torch.sum(s1*s2, -1, keepdim=True)
        return norm

    def si_snr(s1, s2, eps=1e-8):
        s1_s2_norm = l2_norm(s1, s2)
        s2_s2_norm = l2_norm(s2, s2)
        s_target = s1_s2_norm/(s2_s2_norm+eps)*s2
        e_nosie = s1 - s_target
        target_norm = l2_norm(s_target, s_target)
        noise_norm = l2_norm(e_nosie, e_nosie)
        snr = 10*torch.log10((target_norm)/(noise_norm+eps)+eps)
        return torch.mean(snr)

    class MaskDenoiser(nn.Module):
        """The test's small model: a mask on the magnitudes from a 1x1-conv network,
        the noisy phase kept (DCCRN's "E" mask mode, without its complex U-Net)."""
        def __init__(self, win_len=32, win_inc=8, fft_len=32, hidden=12):
            super().__init__()
            self.stft = ConvSTFT(win_len, win_inc, fft_len, 'hann', 'real')
            self.istft = ConviSTFT(win_len, win_inc, fft_len, 'hann', 'complex')
            bins = fft_len // 2 + 1
            self.mask = nn.Sequential(nn.Conv1d(bins, hidden, 3, padding=1), nn.PReLU(),
                                      nn.Conv1d(hidden, bins, 1), nn.Sigmoid())

        def forward(self, inputs):
            mags, phase = self.stft(inputs)
            out_wav = self.istft(mags * self.mask(torch.log1p(mags)), phase)
            out_wav = torch.squeeze(out_wav, 1)
            out_wav = torch.clamp_(out_wav, -1, 1)
            return out_wav

        def loss(self, inputs, labels):
            return -si_snr(inputs, labels)

    return ConvSTFT, ConviSTFT, MaskDenoiser


def noisy_tones(seed=0, batch=4, length=256):
    rng = np.random.default_rng(seed)
    t = np.arange(length) / 8000.0
    clean = 0.5 * np.sin(2 * np.pi * rng.uniform(200, 900, size=(batch, 1)) * t)
    return clean + 0.2 * rng.normal(size=clean.shape), clean


def test_conv_stft_is_the_windowed_rfft_and_inverts_as_in_pytorch(torch):
    noisy, _ = noisy_tones()
    results = []
    for library in (None, torch):
        T = libraries(library)[0]
        ConvSTFT, ConviSTFT, _ = conv_stft_program(library)
        stft, istft = ConvSTFT(32, 8, 32, 'hann'), ConviSTFT(32, 8, 32, 'hann')
        mags, phase = stft(T.tensor(noisy))
        back = istft(mags, phase)
        results.append((to_numpy(mags), to_numpy(phase), to_numpy(back)))
    for got, want in zip(*results):
        np.testing.assert_allclose(got, want, atol=1e-10)
    mags, _, back = results[0]
    from scipy.signal import get_window
    padded = np.pad(noisy, [(0, 0), (24, 24)])
    frames = np.lib.stride_tricks.sliding_window_view(padded, 32, axis=1)[:, ::8]
    spectrum = np.fft.rfft(frames * get_window('hann', 32, fftbins=True) ** 0.5)
    np.testing.assert_allclose(mags, np.abs(spectrum).transpose(0, 2, 1), atol=1e-10)
    np.testing.assert_allclose(back[:, 0], noisy, atol=1e-8)


def train_steps(library, model, steps=4):
    torch, nn, F, optim = libraries(library)
    noisy, clean = (torch.tensor(a) for a in noisy_tones(1))
    optimizer = optim.Adam(model.parameters(), lr=0.01)
    losses = []
    for _ in range(steps):
        optimizer.zero_grad()
        loss = model.loss(model(noisy), clean)
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    return losses


def test_mask_denoiser_trains_with_si_snr_step_for_step_as_pytorch(torch):
    models = []
    for library in (torch, None):
        libraries(library)[0].manual_seed(0)
        models.append(conv_stft_program(library)[2]())
    theirs, ours = models
    copy_weights(ours, theirs)
    got, want = train_steps(None, ours), train_steps(torch, theirs)
    np.testing.assert_allclose(got, want, rtol=1e-10)
    assert got[-1] < got[0]
    assert_same_grads(ours, theirs)
    assert_same_state(ours, theirs)
