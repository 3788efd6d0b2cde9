"""``autograd.backends``: PyTorch's ``torch.backends.mps.is_available()`` device test,
answered for an engine on the CPU (False), so the device line of PyTorch's tutorials
(``"cuda" if torch.cuda.is_available() else "mps" if torch.backends.mps.is_available()
else "cpu"``, the DQN tutorial's) is written as it is; the backends' switches (cuDNN,
TF32) stay a ``MissingNameError`` saying to drop the line."""

from __future__ import annotations

import pytest

import autograd as ag


def test_mps_is_not_available_as_pytorch_s_without_an_apple_gpu(torch) -> None:
    for lib in (ag, torch):
        device = lib.device(
            "cuda" if lib.cuda.is_available() else
            "mps" if lib.backends.mps.is_available() else
            "cpu"
        )
        assert str(device) == "cpu"
        assert lib.backends.mps.is_built() in (True, False)
    assert ag.backends.mps.is_available() is False and ag.backends.mps.is_built() is False
    assert "backends" in ag.__all__ and ag.backends.__all__ == ["mps"]


@pytest.mark.parametrize("name", ["cudnn", "cuda", "mkldnn"])
def test_the_switches_say_to_drop_the_line(name: str) -> None:
    with pytest.raises(ag.MissingNameError, match="drop the line") as caught:
        getattr(ag.backends, name)
    assert f"'autograd.backends' has no attribute {name!r}" in str(caught.value)
    with pytest.raises(AttributeError) as plain:  # Python's own look-ups
        ag.backends.__wrapped__
    assert not isinstance(plain.value, ag.MissingNameError)
