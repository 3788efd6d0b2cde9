"""``nn.modules.<sub>.<Class>``, PyTorch's module paths of its classes, as scripts spell
them (deepspeech.pytorch's ``type(m) == nn.modules.conv.Conv2d``, ``isinstance(m,
nn.modules.batchnorm._BatchNorm)``, a custom loss subclassing ``nn.modules.loss._Loss``):
each names the same class as ``nn.<Class>``, and every class of PyTorch's submodule that
``nn`` has is there."""

import pytest

import nn

SUBMODULES = nn.modules.__all__


def test_the_paths_scripts_write():
    assert nn.modules.conv.Conv2d is nn.Conv2d
    assert isinstance(nn.BatchNorm1d(3), nn.modules.batchnorm._BatchNorm)
    assert isinstance(nn.CTCLoss(), nn.modules.loss._Loss)
    assert nn.modules.rnn.GRU is nn.GRU and nn.modules.module.Module is nn.Module
    found = [type(m) == nn.modules.conv.Conv2d  # noqa: E721  (deepspeech.pytorch's spelling)
             for m in nn.Sequential(nn.Conv2d(1, 2, 3), nn.ReLU()).modules()]
    assert found == [False, True, False]


@pytest.mark.parametrize("sub", SUBMODULES)
def test_each_submodule_has_pytorchs_classes_that_nn_has(torch, sub):
    theirs = getattr(torch.nn.modules, sub)
    for name in theirs.__all__:
        if hasattr(nn, name):
            assert getattr(getattr(nn.modules, sub), name) is getattr(nn, name), (sub, name)
