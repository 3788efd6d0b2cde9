"""``nn.utils.stateless.functional_call``: PyTorch's older spelling of
``torch.func.functional_call``, still in MAML code; the same call with the same
arguments (``args`` a tuple or one argument, ``kwargs``, ``tie_weights``, ``strict``)."""

import numpy as np
import pytest

import autograd as ag
import nn


@pytest.mark.filterwarnings("ignore:.*stateless.functional_call.*deprecated:FutureWarning")
def test_stateless_functional_call_is_torch_funcs(torch):
    torch.manual_seed(0)
    theirs = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.Tanh(), torch.nn.Linear(4, 2))
    ours = nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 2))
    ours.load_state_dict({k: ag.tensor(v.numpy()) for k, v in theirs.state_dict().items()})
    x = np.random.RandomState(0).rand(5, 3)
    weights = {k: 2 * v.detach().numpy() for k, v in theirs.named_parameters()}
    theirs_params = {k: torch.tensor(v, requires_grad=True) for k, v in weights.items()}
    ours_params = {k: ag.tensor(v, requires_grad=True) for k, v in weights.items()}
    want = torch.nn.utils.stateless.functional_call(theirs, theirs_params, (torch.tensor(x),))
    got = nn.utils.stateless.functional_call(ours, ours_params, (ag.tensor(x),))
    np.testing.assert_allclose(got.detach().numpy(), want.detach().numpy(), rtol=1e-12)
    want.sum().backward()
    got.sum().backward()
    for name in weights:
        np.testing.assert_allclose(ours_params[name].grad.numpy(),
                                   theirs_params[name].grad.numpy(), rtol=1e-12)
    one = nn.utils.stateless.functional_call(ours, ours_params, ag.tensor(x))  # not a tuple
    np.testing.assert_allclose(one.detach().numpy(), want.detach().numpy(), rtol=1e-12)
    assert ours[0].weight.grad is None  # the module's own parameters were put back


def test_stateless_functional_call_strict_names_the_missing_keys():
    model = nn.Linear(2, 2)
    with pytest.raises(ag.UsageError, match="missing key"), \
            pytest.warns(FutureWarning, match="autograd.func.functional_call"):
        nn.utils.stateless.functional_call(model, {"weight": ag.zeros(2, 2)},
                                           (ag.zeros(1, 2),), strict=True)
