"""``autograd.accelerator``: PyTorch 2.6+'s device-neutral test (pytorch/examples' MNIST,
DCGAN and VAE scripts write ``use_accel = not args.no_accel and
torch.accelerator.is_available()``), answered for an engine on the CPU, as ``autograd.cuda``;
anything else under it is a ``MissingNameError`` saying so."""

from __future__ import annotations

import pytest

import autograd as ag


def test_no_accelerator_is_available(torch) -> None:
    assert ag.accelerator.is_available() is False
    assert ag.accelerator.device_count() == 0
    assert ag.accelerator.current_accelerator() is None
    assert ag.accelerator.current_accelerator(check_available=True) is None
    no_accel = False
    use_accel = not no_accel and ag.accelerator.is_available()
    device = ag.accelerator.current_accelerator() if use_accel else "cpu"
    assert ag.arange(3, device=device).tolist() == [0, 1, 2]
    assert "accelerator" in ag.__all__
    assert ag.accelerator.__all__ == ["is_available", "device_count", "current_accelerator"]
    # PyTorch's answers on this (CPU) build are the same
    assert (torch.accelerator.is_available(), torch.accelerator.device_count(),
            torch.accelerator.current_accelerator()) == (False, 0, None)


@pytest.mark.parametrize("name", ["set_device_index", "current_device_index", "synchronize",
                                  "device_index", "memory"])
def test_anything_else_under_accelerator_says_the_engine_runs_on_the_cpu(name: str) -> None:
    with pytest.raises(ag.MissingNameError, match="on the CPU.*device = 'cpu'") as caught:
        getattr(ag.accelerator, name)
    assert f"'autograd.accelerator' has no attribute {name!r}" in str(caught.value)
    with pytest.raises(AttributeError, match="__wrapped__") as plain:  # Python's own look-ups
        ag.accelerator.__wrapped__
    assert not isinstance(plain.value, ag.MissingNameError)


@pytest.mark.parametrize("name", ["xpu", "mps"])
def test_other_device_namespaces_say_to_write_cpu(name: str) -> None:
    """mnist_forward_forward's ``use_xpu = not args.no_xpu and torch.xpu.is_available()``:
    the error says what to write instead of listing ``__all__``."""
    with pytest.raises(ag.MissingNameError, match=r"on the CPU: write device = 'cpu'"):
        getattr(ag, name)
