"""``autograd.amp`` next to ``torch.amp``: the scale's float32 arithmetic, the scale before
the first ``scale()``, the settings PyTorch refuses, and autocast's device types, its
decorator and its query functions (``is_autocast_enabled``, ``custom_fwd``...)."""
from __future__ import annotations

import warnings

import numpy as np
import pytest

import autograd as ag
import nn
from autograd.errors import MissingNameError, UnsupportedError, UsageError


def _parameter(T, lib):
    return lib.Parameter(T.tensor([1.0, 2.0], dtype=T.float32))


def _scales(T, lib, scaler, loss_factor: float, steps: int) -> list[float]:
    """``get_scale()`` after each of ``steps`` iterations of scale/backward/step/update."""
    w = _parameter(T, lib)
    opt = (nn.optim if T is ag else T.optim).SGD([w], lr=0.1)
    scales = []
    for _ in range(steps):
        opt.zero_grad()
        scaler.scale((w * loss_factor).sum()).backward()
        scaler.step(opt)
        scaler.update()
        scales.append(scaler.get_scale())
    return scales


@pytest.mark.parametrize("settings, loss_factor", [
    (dict(backoff_factor=0.9), float("inf")),  # three skipped steps: 0.9 is no float32
    (dict(init_scale=3.0, growth_factor=1.1, growth_interval=1), 1.0),  # three growths
    (dict(init_scale=1000.0, growth_factor=1.3, growth_interval=2), 1.0),
])
def test_the_scale_is_the_float32_scale_times_the_factor_rounded_once(
        torch, settings, loss_factor) -> None:
    ours = _scales(ag, nn, ag.amp.GradScaler("cpu", **settings), loss_factor, 6)
    theirs = _scales(torch, torch.nn, torch.amp.GradScaler("cpu", **settings), loss_factor, 6)
    assert ours == theirs


def test_the_scale_is_init_scale_until_the_first_scale(torch) -> None:
    """PyTorch makes the float32 scale in the first ``scale()``; before it ``get_scale()``
    and ``state_dict()`` give ``init_scale`` (and a loaded scale) as given."""
    ours, theirs = ag.amp.GradScaler("cpu", init_scale=0.1), \
        torch.amp.GradScaler("cpu", init_scale=0.1)
    assert ours.get_scale() == theirs.get_scale()
    assert ours.state_dict() == theirs.state_dict()
    state = dict(theirs.state_dict(), scale=0.3)
    ours.load_state_dict(state)
    theirs.load_state_dict(state)
    assert ours.get_scale() == theirs.get_scale()
    ours.scale(ag.tensor(1.0, dtype=ag.float32))
    theirs.scale(torch.tensor(1.0, dtype=torch.float32))
    assert ours.get_scale() == theirs.get_scale()  # now float32's 0.3
    ours.load_state_dict(dict(state, scale=0.7))
    theirs.load_state_dict(dict(state, scale=0.7))
    assert ours.state_dict() == theirs.state_dict()


def test_a_cpu_scaler_with_an_index_is_enabled(torch) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no "device 'cpu:0' is not available"
        ours = ag.amp.GradScaler("cpu:0", init_scale=8.0)
    theirs = torch.amp.GradScaler("cpu:0", init_scale=8.0)
    assert ours.is_enabled() == theirs.is_enabled()
    assert _scales(ag, nn, ours, 1.0, 2) == _scales(torch, torch.nn, theirs, 1.0, 2)


def test_step_with_no_gradient_is_refused_as_in_pytorch(torch) -> None:
    """No parameter has a gradient (no backward): PyTorch's AssertionError "No inf checks
    were recorded for this optimizer", here a UsageError; update() then refuses too."""
    theirs = torch.amp.GradScaler("cpu")
    w = _parameter(torch, torch.nn)
    theirs.scale(w.sum())
    with pytest.raises(AssertionError, match="No inf checks were recorded"):
        theirs.step(torch.optim.SGD([w], lr=0.1))
    scaler = ag.amp.GradScaler("cpu")
    w = _parameter(ag, nn)
    scaler.scale(w.sum())
    with pytest.raises(UsageError, match="no inf checks were recorded for this optimizer"):
        scaler.step(nn.optim.SGD([w], lr=0.1))
    with pytest.raises(UsageError, match="no inf checks were recorded"):
        scaler.update()
    assert scaler.get_scale() == theirs.get_scale()


def _one_iteration(T, lib, scaler) -> None:
    _scales(T, lib, scaler, 1.0, 1)


def _after(scaler, method: str, *args):
    """``scaler``, once ``scaler.method(*args)`` has run."""
    getattr(scaler, method)(*args)
    return scaler


_STATE = dict(scale=4.0, growth_factor=2.0, backoff_factor=0.5, growth_interval=3,
              _growth_tracker=0)


@pytest.mark.parametrize("misuse, message", [
    (lambda amp: amp.GradScaler("cpu", init_scale="2"), "init_scale must be a positive"),
    (lambda amp: amp.GradScaler("cpu", init_scale=1e40), "init_scale must be .* float32"),
    (lambda amp: amp.GradScaler("cpu", growth_factor="2"), "growth_factor must be > 1"),
    (lambda amp: _after(amp.GradScaler("cpu"), "set_growth_interval", 2.7),
     "growth_interval must be a positive int"),
    (lambda amp: _after(amp.GradScaler("cpu"), "load_state_dict",
                        dict(_STATE, growth_interval=1.5)),
     r"state_dict\['growth_interval'\] must be a positive int"),
    (lambda amp: _after(amp.GradScaler("cpu"), "load_state_dict",
                        dict(_STATE, scale="8")),
     r"state_dict\['scale'\] must be a positive number"),
    (lambda amp: _after(amp.GradScaler("cpu"), "load_state_dict",
                        dict(_STATE, growth_factor="2")),
     r"state_dict\['growth_factor'\] must be > 1"),
])
def test_values_pytorch_refuses_are_named(torch, misuse, message) -> None:
    """PyTorch fails on them, at once or in the next iteration; here at once."""
    with pytest.raises((TypeError, RuntimeError)):
        _one_iteration(torch, torch.nn, misuse(torch.amp))
    with pytest.raises(UsageError, match=message):
        misuse(ag.amp)


def test_update_with_a_string_is_named(torch) -> None:
    theirs = torch.amp.GradScaler("cpu")
    _one_iteration(torch, torch.nn, theirs)
    with pytest.raises(AttributeError):
        theirs.update("4")
    scaler = ag.amp.GradScaler("cpu")
    _one_iteration(ag, nn, scaler)
    with pytest.raises(UsageError, match="new_scale must be a positive number"):
        scaler.update("4")
    assert scaler.get_scale() == theirs.get_scale()


@pytest.mark.parametrize("device", ["cpu", "cuda"])
def test_a_disabled_scaler_takes_any_factors_as_pytorch(torch, device) -> None:
    """nanoGPT's ``GradScaler(enabled=False, ...)``: the settings matter only enabled."""
    settings = dict(growth_factor=0.5, backoff_factor=2.0, growth_interval=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "cuda" enabled warns and disables, as PyTorch
        theirs = torch.amp.GradScaler(device, enabled=device == "cuda", **settings)
        ours = ag.amp.GradScaler(device, enabled=device == "cuda", **settings)
    assert ours.is_enabled() == theirs.is_enabled() is False
    assert ours.get_scale() == theirs.get_scale()
    assert ours.state_dict() == theirs.state_dict()


@pytest.mark.parametrize("device_type", ["foo", "CPU", "meta", "cuda:x"])
@pytest.mark.parametrize("enabled", [True, False])
def test_autocast_refuses_the_device_types_pytorch_refuses(torch, device_type,
                                                           enabled) -> None:
    with pytest.raises(RuntimeError):
        torch.autocast(device_type, enabled=enabled)
    with pytest.raises(UsageError, match=f"autocast: .*'{device_type.split(':')[0]}"):
        ag.autocast(device_type, enabled=enabled)


def test_autocast_on_a_cpu_with_an_index_is_autocast_on_the_cpu(torch) -> None:
    """PyTorch enables ``autocast("cpu:0")`` as ``autocast("cpu")``: here both refuse."""
    assert torch.autocast("cpu:0")._enabled
    with pytest.raises(UsageError, match="no mixed precision here"):
        ag.autocast("cpu:0")


def test_autocast_decorates_only_a_callable(torch) -> None:
    with pytest.raises(TypeError, match="requires a callable"):
        torch.autocast("cpu", enabled=False)(42)
    with pytest.raises(UsageError, match="decorates a function; got int"):
        ag.autocast("cpu", enabled=False)(42)


@pytest.mark.parametrize("device_type", ["cpu", "cuda", "cuda:1", "mps", "meta", "hip"])
def test_autocast_queries_answer_as_pytorch_without_a_gpu(torch, device_type) -> None:
    assert ag.amp.is_autocast_available(device_type) == \
        torch.amp.is_autocast_available(device_type)
    if torch.amp.is_autocast_available(device_type):
        assert ag.is_autocast_enabled(device_type) == torch.is_autocast_enabled(device_type)
    assert ag.is_autocast_enabled() == torch.is_autocast_enabled()


def test_autocast_queries_refuse_what_pytorch_refuses(torch) -> None:
    for query in ("is_autocast_enabled", "get_autocast_dtype"):
        with pytest.raises(RuntimeError):
            getattr(torch, query)("foo")
        with pytest.raises(UsageError, match=f"{query}: device"):
            getattr(ag, query)("foo")
    with pytest.raises(RuntimeError):
        torch.amp.is_autocast_available("foo")
    with pytest.raises(UsageError, match="is_autocast_available: device"):
        ag.amp.is_autocast_available("foo")


def test_get_autocast_dtype_is_pytorch_s_where_numpy_has_it(torch) -> None:
    assert np.dtype(ag.get_autocast_dtype("cuda")).name == \
        str(torch.get_autocast_dtype("cuda")).split(".")[-1]
    theirs = str(torch.get_autocast_dtype("cpu")).split(".")[-1]
    with pytest.raises(UnsupportedError, match=f"for 'cpu' is {theirs}, which NumPy has not"):
        ag.get_autocast_dtype("cpu")


def _square_class(base, amp):
    class Square(base):
        @staticmethod
        @amp.custom_fwd(device_type="cpu")
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x * x

        @staticmethod
        @amp.custom_bwd(device_type="cpu")
        def backward(ctx, grad):
            (x,) = ctx.saved_tensors
            return 2.0 * x * grad
    return Square


def test_custom_fwd_and_custom_bwd_pass_through_outside_autocast(torch) -> None:
    data = np.array([0.5, -1.5, 3.0])
    x, tx = ag.tensor(data, requires_grad=True), torch.tensor(data, requires_grad=True)
    y = _square_class(ag.Function, ag.amp).apply(x)
    ty = _square_class(torch.autograd.Function, torch.amp).apply(tx)
    y.sum().backward()
    ty.sum().backward()
    np.testing.assert_array_equal(y.detach().numpy(), ty.detach().numpy())
    np.testing.assert_array_equal(x.grad.numpy(), tx.grad.numpy())
    with pytest.raises(ValueError, match="device_type"):
        torch.amp.custom_fwd(device_type=3)
    with pytest.raises(UsageError, match="custom_bwd: device_type must be a string"):
        ag.amp.custom_bwd(device_type=3)


def test_torch_cpu_amp_names_the_autocast_here() -> None:
    with pytest.raises(MissingNameError, match=r"torch\.cpu\.amp\.autocast.* "
                                               r"autograd\.autocast\('cpu'"):
        ag.cpu


def test_cuda_amp_has_custom_fwd_and_custom_bwd_too() -> None:
    """torch.cuda.amp.custom_fwd/custom_bwd, the older spelling of device_type='cuda'."""
    import autograd

    def forward(x):
        return x * 2

    for decorate in (autograd.cuda.amp.custom_fwd, autograd.cuda.amp.custom_bwd):
        assert decorate(forward) is forward
