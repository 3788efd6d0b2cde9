"""``autograd.amp``: ``GradScaler`` (dynamic loss scaling, step for step as PyTorch's CPU
scaler) and ``autocast`` (disabled: there is no mixed precision here)."""
from __future__ import annotations

import numpy as np
import pytest

import autograd as ag
import nn
from autograd.errors import DTypeError, UsageError


def _run(T, lib, scaler, steps: list[float], clip: bool) -> list:
    """A float32 least-squares step per factor in ``steps``; a factor of 1e35 makes the
    scaled gradients overflow float32, so that step is skipped and the scale backs off."""
    w = lib.Parameter(T.tensor([[0.5, -1.0, 2.0]], dtype=T.float32))
    opt = (nn.optim if T is ag else T.optim).SGD([w], lr=0.1, momentum=0.9)
    x = T.tensor([[1.0, 2.0, 3.0], [-1.0, 0.5, 0.25]], dtype=T.float32)
    record = []
    for factor in steps:
        opt.zero_grad()
        loss = ((x @ w.T) ** 2).sum() * factor
        scaler.scale(loss).backward()
        if clip:
            scaler.unscale_(opt)
            record.append(float(lib.utils.clip_grad_norm_([w], max_norm=1.0)))
        result = scaler.step(opt)
        scaler.update()
        record += [result, scaler.get_scale(), w.detach().numpy().copy(),
                   dict(scaler.state_dict())]
    return record


@pytest.mark.filterwarnings("ignore:overflow encountered:RuntimeWarning",
                            "ignore:invalid value encountered:RuntimeWarning")  # the 1e35 step
@pytest.mark.parametrize("clip", [False, True])
def test_grad_scaler_steps_as_pytorch_on_the_cpu(torch, clip) -> None:
    steps = [1.0, 1.0, 1e35, 1.0, 1.0, 1.0]
    ours = ag.amp.GradScaler("cpu", init_scale=2.0 ** 16, growth_interval=2)
    theirs = torch.amp.GradScaler("cpu", init_scale=2.0 ** 16, growth_interval=2)
    got = _run(ag, nn, ours, steps, clip)
    want = _run(torch, torch.nn, theirs, steps, clip)
    assert len(got) == len(want)
    for a, b in zip(got, want):
        if isinstance(a, np.ndarray):  # float32 matmuls may round in another order
            np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-7)
        elif isinstance(a, float) and not np.isfinite(a):
            assert not np.isfinite(b)
        elif isinstance(a, float):
            assert a == pytest.approx(b, rel=1e-6)
        else:
            assert a == b
    if not clip:  # grown after two clean steps, halved by the overflow, grown again
        assert got[1::4] == [65536.0, 131072.0, 65536.0, 65536.0, 131072.0, 131072.0]


def test_unscale_divides_the_gradients_and_step_skips_on_inf() -> None:
    w = nn.Parameter(ag.tensor([1.0, 2.0], dtype=ag.float32))
    opt = nn.optim.SGD([w], lr=0.1)
    scaler = ag.amp.GradScaler("cpu", init_scale=8.0)
    scaler.scale((w * w).sum()).backward()
    np.testing.assert_array_equal(w.grad.numpy(), [16.0, 32.0])
    scaler.unscale_(opt)
    np.testing.assert_array_equal(w.grad.numpy(), [2.0, 4.0])
    scaler.step(opt)
    scaler.update()
    np.testing.assert_allclose(w.detach().numpy(), [0.8, 1.6], rtol=1e-6)
    opt.zero_grad()
    scaler.scale((w * np.float32(np.inf)).sum()).backward()
    assert scaler.step(opt) is None
    scaler.update()
    np.testing.assert_allclose(w.detach().numpy(), [0.8, 1.6], rtol=1e-6)  # skipped
    assert scaler.get_scale() == 4.0


def test_scale_keeps_structures_and_dtypes() -> None:
    scaler = ag.amp.GradScaler("cpu", init_scale=4.0)
    a, b = ag.tensor(1.5), ag.tensor(2.0, dtype=ag.float32)
    scaled = scaler.scale([a, (b, a)])
    assert isinstance(scaled, list) and isinstance(scaled[1], tuple)
    assert (scaled[0].item(), scaled[1][0].item()) == (6.0, 8.0)
    assert (scaled[0].dtype, scaled[1][0].dtype) == (np.float64, np.float32)
    with pytest.raises(UsageError, match="takes a Tensor .* got float"):
        scaler.scale(1.5)


@pytest.mark.parametrize("misuse, message", [
    (lambda s, o: (s.unscale_(o), s.unscale_(o)), r"unscale_\(\) has already been called"),
    (lambda s, o: (s.step(o), s.unscale_(o)), r"unscale_\(\) is being called after step"),
    (lambda s, o: (s.step(o), s.step(o)), r"step\(\) has already been called"),
    (lambda s, o: s.update(), r"no inf checks were recorded"),
    (lambda s, o: s.step(o, closure=lambda: 0.0), "a closure is not supported"),
    (lambda s, o: s.load_state_dict({}), "the state dict is empty"),
])
def test_grad_scaler_misuse_is_a_usage_error(misuse, message) -> None:
    w = nn.Parameter(ag.tensor([1.0], dtype=ag.float32))
    opt = nn.optim.SGD([w], lr=0.1)
    scaler = ag.amp.GradScaler("cpu")
    scaler.scale((w * 3.0).sum()).backward()
    with pytest.raises(UsageError, match=message):
        misuse(scaler, opt)


def test_float16_gradients_are_refused_as_in_pytorch() -> None:
    w = nn.Parameter(ag.tensor([1.0], dtype=ag.float16))
    opt = nn.optim.SGD([w], lr=0.1)
    scaler = ag.amp.GradScaler("cpu", init_scale=4.0)
    scaler.scale((w * 3.0).sum()).backward()
    with pytest.raises(DTypeError, match="cannot unscale float16 gradients"):
        scaler.step(opt)


@pytest.mark.parametrize("kwargs, message", [
    (dict(growth_factor=1.0), "growth_factor must be > 1"),
    (dict(backoff_factor=1.5), r"backoff_factor must be in \(0, 1\)"),
    (dict(growth_interval=0), "growth_interval must be a positive int"),
])
def test_bad_scaler_settings_are_named(kwargs, message) -> None:
    with pytest.raises(UsageError, match=message):
        ag.amp.GradScaler("cpu", **kwargs)


def test_a_cuda_scaler_warns_and_passes_through_as_pytorch_without_a_gpu(torch) -> None:
    """nanoGPT's ``scaler = torch.cuda.amp.GradScaler(enabled=(dtype == 'float16'))`` and
    its ``scale(loss).backward()``, ``unscale_``, ``step``, ``update`` lines."""
    with pytest.warns(UserWarning, match="GradScaler is enabled, but device 'cuda' is not"):
        scaler = ag.cuda.amp.GradScaler(enabled=True)
    with pytest.warns(UserWarning, match="CUDA is not available"):
        assert not torch.amp.GradScaler("cuda", enabled=True).is_enabled()
    assert not scaler.is_enabled() and scaler.get_scale() == 1.0
    assert scaler.state_dict() == {} == ag.amp.GradScaler(enabled=False).state_dict()
    w = nn.Parameter(ag.tensor([1.0, 2.0]))
    opt = nn.optim.SGD([w], lr=0.5)
    loss = (w * w).sum()
    assert scaler.scale(loss) is loss
    scaler.scale(loss).backward()
    scaler.unscale_(opt)
    scaler.step(opt)
    scaler.update()
    np.testing.assert_array_equal(w.detach().numpy(), [0.0, 0.0])


def test_scaler_state_round_trips_through_a_checkpoint(tmp_path) -> None:
    scaler = ag.amp.GradScaler("cpu", init_scale=32.0, growth_interval=3)
    w = nn.Parameter(ag.tensor([1.0], dtype=ag.float32))
    opt = nn.optim.SGD([w], lr=0.1)
    scaler.scale((w * 2.0).sum()).backward()
    scaler.step(opt)
    scaler.update()
    nn.save(tmp_path / "c.npz", scaler=scaler)
    again = ag.amp.GradScaler("cpu")
    nn.load_into(tmp_path / "c.npz", scaler=again)
    assert again.state_dict() == scaler.state_dict()
    assert again.state_dict()["_growth_tracker"] == 1


def test_autocast_is_disabled_or_refused() -> None:
    with ag.autocast("cpu", enabled=False):
        assert (ag.tensor([1.0], dtype=ag.float32) * 2).dtype == np.float32
    with pytest.warns(UserWarning, match="device_type 'cuda' is not available"):
        context = ag.autocast("cuda", dtype=ag.float16)
    with context:
        pass
    with pytest.warns(UserWarning, match="Disabling autocast"):
        ag.cuda.amp.autocast()
    with pytest.raises(UsageError, match=r"no mixed precision here .* enabled=False"):
        ag.autocast("cpu")
    with pytest.raises(UsageError, match="device_type must be a string"):
        ag.autocast(None)

    @ag.autocast("cpu", enabled=False)
    def double(x):
        return x * 2

    assert double(ag.tensor(2.0)).item() == 4.0
    assert ag.amp.autocast is ag.autocast
