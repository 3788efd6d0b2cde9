"""mravanelli/SincNet (Ravanelli and Bengio, "Speaker Recognition from Raw Waveform with
SincNet"), ported as its readers write it (the model is in ``speech_sincnet_program.py``):
``SincConv_fast``, a learnable front end whose band-pass filters are built each call
from two learned cut-offs per filter (``torch.matmul`` of the cut-offs with the time
axis, ``sin`` differences over ``n_/2``, a Hamming window from ``torch.linspace``,
``torch.flip`` for the mirrored half, ``torch.cat``, then ``F.conv1d`` with the computed
filters), SincNet's own ``LayerNorm`` (unbiased ``std``), ``act_fun``, the ``SincNet``
CNN (``F.max_pool1d(torch.abs(conv(x)))``, layer norms over ``[N_filt, length]``) and the
``MLP`` (BatchNorm, weights replaced by ``nn.Parameter``s, a bias set on a
``Linear(bias=False)``), and ``speaker_id.py``'s training loop (``NLLLoss``, three
``RMSprop`` optimizers, ``torch.max(pout, dim=1)[1]``, the error rate) on random chunks
of generated "speakers" (harmonic tones) with random gains, as ``create_batches_rnd``
draws them. Shrunk (8 sinc filters of 25 taps at 8 kHz, 200-sample windows). Written
once for a library ``torch`` and run step for step next to PyTorch's from the same
weights (float64): losses, error rates, learned cut-offs, gradients and parameters agree
to 1e-10.

Lines written differently here, and why:
- ``torch.nn.Parameter(torch.Tensor(n, m).uniform_(...))`` is
  ``nn.Parameter(torch.empty(n, m).uniform_(...))``: ``Tensor`` takes data here (by
  design; its error says to write ``empty``);
- ``create_batches_rnd`` cuts chunks of generated signals, not of TIMIT files read with
  ``soundfile``, and draws from a NumPy generator it is given; no ``.cuda()``; the input
  is made ``.double()``, not ``.float()``: the first layer norm's ``mean``/``std`` would
  run in float32, where the two libraries' sums round differently (1e-8 apart).
"""

import numpy as np

from ctc_port_helpers import assert_same_state, copy_weights, libraries, to_numpy
from speech_sincnet_program import sincnet_program

FS, WLEN, SPEAKERS = 8000, 200, 4


def speaker_signals(seed=0, seconds=0.2):
    """One signal per speaker: a few harmonics of a speaker's own pitch, plus noise."""
    rng = np.random.default_rng(seed)
    t = np.arange(int(FS * seconds)) / FS
    return [sum(np.sin(2 * np.pi * k * pitch * t) / k for k in (1, 2, 3))
            + 0.1 * rng.normal(size=t.size) for pitch in (120, 180, 260, 390)]


def create_batches_rnd(library, rng, batch_size, signals, wlen, fact_amp):
    """``speaker_id.py``'s batch maker, reading generated signals (the label of signal i
    is i)."""
    torch = libraries(library)[0]
    Variable = torch.autograd.Variable if library is not None else torch.Variable
    sig_batch = np.zeros([batch_size, wlen])
    lab_batch = np.zeros(batch_size)
    snt_id_arr = rng.integers(len(signals), size=batch_size)
    rand_amp_arr = rng.uniform(1.0-fact_amp, 1+fact_amp, batch_size)
    for i in range(batch_size):
        signal = signals[snt_id_arr[i]]
        snt_len = signal.shape[0]
        snt_beg = rng.integers(snt_len-wlen-1)
        snt_end = snt_beg+wlen
        sig_batch[i, :] = signal[snt_beg:snt_end]*rand_amp_arr[i]
        lab_batch[i] = snt_id_arr[i]
    inp = Variable(torch.from_numpy(sig_batch).double().contiguous())  # .float(): see above
    lab = Variable(torch.from_numpy(lab_batch).float().contiguous())
    return inp, lab


def build(library):
    """``speaker_id.py``'s three networks, with its TIMIT config's switches."""
    torch = libraries(library)[0]
    torch.manual_seed(0)
    _, CNN, MLP = sincnet_program(library)
    CNN_arch = {'input_dim': WLEN, 'fs': FS, 'cnn_N_filt': [8, 6], 'cnn_len_filt': [25, 5],
                'cnn_max_pool_len': [3, 2], 'cnn_use_laynorm_inp': True,
                'cnn_use_batchnorm_inp': False, 'cnn_use_laynorm': [True, True],
                'cnn_use_batchnorm': [False, False],
                'cnn_act': ['leaky_relu', 'leaky_relu'], 'cnn_drop': [0.0, 0.0]}
    CNN_net = CNN(CNN_arch)
    DNN1_arch = {'input_dim': CNN_net.out_dim, 'fc_lay': [16, 16], 'fc_drop': [0.0, 0.0],
                 'fc_use_batchnorm': [True, True], 'fc_use_laynorm': [False, False],
                 'fc_use_laynorm_inp': True, 'fc_use_batchnorm_inp': False,
                 'fc_act': ['leaky_relu', 'linear']}
    DNN1_net = MLP(DNN1_arch)
    DNN2_arch = {'input_dim': 16, 'fc_lay': [SPEAKERS], 'fc_drop': [0.0],
                 'fc_use_batchnorm': [False], 'fc_use_laynorm': [False],
                 'fc_use_laynorm_inp': False, 'fc_use_batchnorm_inp': False,
                 'fc_act': ['softmax']}
    DNN2_net = MLP(DNN2_arch)
    return CNN_net, DNN1_net, DNN2_net


def train(library, nets, N_epochs=2, N_batches=3, batch_size=8, lr=0.001):
    torch, nn, F, optim = libraries(library)
    CNN_net, DNN1_net, DNN2_net = nets
    rng = np.random.default_rng(1)
    signals = speaker_signals()
    cost = nn.NLLLoss()
    optimizer_CNN = optim.RMSprop(CNN_net.parameters(), lr=lr, alpha=0.95, eps=1e-8)
    optimizer_DNN1 = optim.RMSprop(DNN1_net.parameters(), lr=lr, alpha=0.95, eps=1e-8)
    optimizer_DNN2 = optim.RMSprop(DNN2_net.parameters(), lr=lr, alpha=0.95, eps=1e-8)
    history = []
    for epoch in range(N_epochs):
        CNN_net.train()
        DNN1_net.train()
        DNN2_net.train()
        loss_sum = 0
        err_sum = 0
        for i in range(N_batches):
            [inp, lab] = create_batches_rnd(library, rng, batch_size, signals, WLEN, 0.2)
            pout = DNN2_net(DNN1_net(CNN_net(inp)))
            pred = torch.max(pout, dim=1)[1]
            loss = cost(pout, lab.long())
            err = torch.mean((pred != lab.long()).float())
            optimizer_CNN.zero_grad()
            optimizer_DNN1.zero_grad()
            optimizer_DNN2.zero_grad()
            loss.backward()
            optimizer_CNN.step()
            optimizer_DNN1.step()
            optimizer_DNN2.step()
            loss_sum = loss_sum+loss.detach()
            err_sum = err_sum+err.detach()
        loss_tot = loss_sum/N_batches
        err_tot = err_sum/N_batches
        history.append((float(loss_tot), float(err_tot)))
    return history


def assert_same_grads_of_used_parameters(ours, theirs):
    """The parameters without a gradient (the layers built but switched off by the
    config: SincNet's ``bn``, the MLP's ``ln``) are the same; the others agree."""
    unused = [name for name, p in theirs.named_parameters() if p.grad is None]
    assert unused == [name for name, p in ours.named_parameters() if p.grad is None]
    for (name, p), (_, q) in zip(ours.named_parameters(), theirs.named_parameters()):
        if name not in unused:
            np.testing.assert_allclose(to_numpy(p.grad), to_numpy(q.grad), atol=1e-10,
                                       err_msg=name)


def test_sincnet_speaker_id_trains_step_for_step_as_pytorch(torch):
    theirs, ours = build(torch), build(None)
    for mine, want in zip(ours, theirs):
        copy_weights(mine, want)
    got, want = train(None, ours), train(torch, theirs)
    np.testing.assert_allclose(got, want, rtol=1e-10)
    for mine, want in zip(ours, theirs):
        assert_same_grads_of_used_parameters(mine, want)
        assert_same_state(mine, want)
    np.testing.assert_allclose(to_numpy(ours[0].conv[0].filters),
                               to_numpy(theirs[0].conv[0].filters), atol=1e-10)


def test_sinc_filters_are_symmetric_band_passes_as_in_pytorch(torch):
    """The computed filters: symmetric, their response largest inside each band."""
    results = []
    for library in (None, torch):
        T = libraries(library)[0]
        SincConv_fast = sincnet_program(library)[0]
        sinc = SincConv_fast(4, 24, FS)  # an even size is made odd
        out = sinc(T.tensor(speaker_signals()[0][None, None, :400]))
        results.append((to_numpy(sinc.filters), to_numpy(out), to_numpy(sinc.low_hz_)))
    for got, want in zip(*results):
        np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-12)
    filters, _, low = results[0]
    assert filters.shape == (4, 1, 25)
    np.testing.assert_allclose(filters, filters[..., ::-1], atol=1e-12)
    response = np.abs(np.fft.rfft(filters[:, 0], n=FS))  # 1 Hz bins
    assert (np.argmax(response, axis=1) >= low[:, 0] + 50 - 1).all()
