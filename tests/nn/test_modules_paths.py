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


def test_modules_utils_as_torch(torch):
    """``nn.modules.utils`` (it was missing): ``_pair`` and friends, which custom
    convolutions import, and ``consume_prefix_in_state_dict_if_present``."""
    from torch.nn.modules import utils as theirs
    ours = nn.modules.utils
    for name in ("_single", "_pair", "_triple", "_quadruple"):
        for value in (3, (1, 2), [4, 5, 6]):
            assert getattr(ours, name)(value) == getattr(theirs, name)(value)
    assert ours._reverse_repeat_tuple((1, 2), 2) == theirs._reverse_repeat_tuple((1, 2), 2)
    states = []
    for lib, T in ((nn, None), (torch.nn, torch)):
        model = lib.DataParallel(lib.Sequential(lib.Linear(2, 3), lib.BatchNorm1d(3)))
        state = model.state_dict()
        getattr(lib.modules.utils, "consume_prefix_in_state_dict_if_present")(state,
                                                                               "module.")
        states.append(list(state))
        lib.Sequential(lib.Linear(2, 3), lib.BatchNorm1d(3)).load_state_dict(state)
    assert states[0] == states[1] == ["0.weight", "0.bias", "1.weight", "1.bias",
                                      "1.running_mean", "1.running_var",
                                      "1.num_batches_tracked"]
