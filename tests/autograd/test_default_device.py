"""``autograd.set_default_device`` / ``get_default_device``: the neural style transfer
tutorial's ``device = torch.device("cuda" if torch.cuda.is_available() else "cpu")``
then ``torch.set_default_device(device)``. The CPU is the default and the only device
here: setting it (or None, PyTorch's reset) is accepted; a GPU is the ``UsageError`` of
``x.to('cuda')``, at once rather than silently computing on the CPU."""

import pytest

import autograd as ag


def test_the_tutorials_default_device_lines_run_as_pytorchs(torch):
    for T in (ag, torch):
        device = T.device("cuda" if T.cuda.is_available() else "cpu")
        assert T.set_default_device(device) is None
        assert T.get_default_device() == T.device("cpu")
        assert str(T.get_default_device()) == "cpu"
        assert str(T.tensor([0.485, 0.456]).to(T.get_default_device()).device) == "cpu"
        for spelling in ("cpu", "cpu:0", None):
            T.set_default_device(spelling)
    assert repr(ag.get_default_device()) == repr(torch.get_default_device())


@pytest.mark.parametrize("device", ["cuda", "cuda:1", "mps", 0])
def test_a_gpu_as_default_device_is_a_usage_error(device):
    with pytest.raises(ag.UsageError, match=r"set_default_device.*no .* device.*'cpu'"):
        ag.set_default_device(device)
    assert ag.get_default_device() == "cpu"
