"""``autograd.use_deterministic_algorithms(True)``: the reproducibility helper of training
scripts (``torch.manual_seed(s); torch.use_deterministic_algorithms(True)``) was a
MissingNameError. Every op here is NumPy's on the CPU, deterministic already: the switch
is kept and read back as PyTorch's, with PyTorch's checks."""

import pytest

import autograd as ag


def test_the_switch_is_read_back_as_pytorch_s(torch):
    try:
        for lib in (ag, torch):
            assert lib.use_deterministic_algorithms(True) is None
            assert lib.are_deterministic_algorithms_enabled() is True
            assert lib.is_deterministic_algorithms_warn_only_enabled() is False
            lib.use_deterministic_algorithms(True, warn_only=True)
            assert lib.is_deterministic_algorithms_warn_only_enabled() is True
            lib.use_deterministic_algorithms(False)
            assert lib.are_deterministic_algorithms_enabled() is False
            assert lib.is_deterministic_algorithms_warn_only_enabled() is False
    finally:
        torch.use_deterministic_algorithms(False)
        ag.use_deterministic_algorithms(False)
    assert "use_deterministic_algorithms" in ag.__all__


@pytest.mark.parametrize("args, kwargs", [((1,), {}), ((True,), {"warn_only": "yes"})])
def test_the_switch_takes_bools_only_as_pytorch_s(torch, args, kwargs):
    with pytest.raises(TypeError):
        torch.use_deterministic_algorithms(*args, **kwargs)
    with pytest.raises(ag.UsageError, match="bool"):  # a TypeError too
        ag.use_deterministic_algorithms(*args, **kwargs)
    assert ag.are_deterministic_algorithms_enabled() is False
