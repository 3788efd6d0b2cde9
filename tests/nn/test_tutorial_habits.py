"""PyTorch tutorial code ported line by line (``import nn``): Sequential built with
add_module and edited in place, Parameter(requires_grad=False), init after a forward,
clip_grad_norm_(...).item(), step(closure) under no_grad, model constructors given
activation classes or instances. Expected values come from torch where it is installed."""

import numpy as np
import pytest

import autograd as ag
import nn
from autograd.errors import InplaceError


def test_init_after_a_forward_counts_as_a_write_as_in_pytorch():
    # nn.init overwrites the weight the recorded matmul saved: torch raises on the backward;
    # silently using the new weight would give x a wrong gradient
    layer = nn.Linear(3, 2, rng=0)
    x = ag.Tensor(np.random.default_rng(1).random((4, 3)), requires_grad=True)
    y = layer(x).sum()
    nn.init.ones_(layer.weight)
    with pytest.raises(InplaceError):
        y.backward()
    for fill in (nn.init.zeros_, nn.init.xavier_uniform_, nn.init.kaiming_normal_,
                 lambda w: nn.init.normal_(w, std=0.02), lambda w: nn.init.constant_(w, 0.5)):
        y = layer(x).sum()
        fill(layer.weight)
        with pytest.raises(InplaceError):
            y.backward()
    y = layer(x).sum()  # a forward after the init is fine
    y.backward()
    assert np.allclose(x.grad.data, np.broadcast_to(layer.weight.data.sum(0), (4, 3)))


def _names(module):
    return [name for name, _ in module.named_children()]


def test_sequential_built_with_add_module_runs_those_layers():
    # the loop of many tutorials: an empty Sequential filled with add_module
    x = ag.Tensor(np.ones((1, 2)))
    seq = nn.Sequential()
    seq.add_module("fc", nn.Linear(2, 3))
    seq.add_module("act", nn.ReLU())
    seq.register_module("out", nn.Linear(3, 1))
    assert len(seq) == 3 and _names(seq) == ["fc", "act", "out"]
    assert seq(x).shape == (1, 1) and seq.out is seq[2] is seq["out"]
    seq.add_module("out", nn.Linear(3, 4))  # the same name replaces the layer
    assert len(seq) == 3 and seq(x).shape == (1, 4)
    seq.head = nn.Linear(4, 5)  # attribute assignment appends, as in PyTorch
    seq.head = nn.Linear(4, 6)  # ... and replaces
    assert _names(seq) == ["fc", "act", "out", "head"] and seq(x).shape == (1, 6)
    del seq.head
    assert len(seq) == 3 and seq(x).shape == (1, 4)


def test_sequential_item_assignment_deletion_insert_pop_extend():
    x = ag.Tensor(np.ones((2, 2)))
    seq = nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 4))
    seq[-1] = nn.Linear(3, 10)  # replacing the classifier head
    assert seq(x).shape == (2, 10) and len(list(seq.parameters())) == 4
    del seq[1]
    assert _names(seq) == ["0", "1"] and isinstance(seq[1], nn.Linear)  # renumbered
    seq.insert(1, nn.Tanh())
    assert [type(m).__name__ for m in seq] == ["Linear", "Tanh", "Linear"]
    assert _names(seq) == ["0", "1", "2"]
    popped = seq.pop(1)
    assert isinstance(popped, nn.Tanh) and len(seq) == 2
    assert seq.extend([nn.Sigmoid(), nn.Identity()]) is seq and len(seq) == 4
    del seq[2:]
    assert len(seq) == 2 and seq(x).shape == (2, 10)
    assert [n for n, _ in seq.named_parameters()] == ["0.weight", "0.bias", "1.weight",
                                                      "1.bias"]
    named = nn.Sequential({"fc": nn.Linear(2, 2), "act": nn.ReLU()})
    named["act"] = nn.Tanh()
    assert isinstance(named.act, nn.Tanh) and _names(named) == ["fc", "act"]


def test_sequential_editing_errors_are_named():
    seq = nn.Sequential(nn.Linear(2, 3))
    with pytest.raises(nn.errors.NameNotFoundError, match="no layer named 'x'"):
        seq["x"] = nn.ReLU()
    with pytest.raises(nn.errors.ArgumentTypeError, match="holds Modules"):
        seq[0] = "relu"
    with pytest.raises(nn.errors.ArgumentTypeError, match="holds Modules"):
        seq.insert(0, np.tanh)
    with pytest.raises(IndexError):
        seq[5] = nn.ReLU()
    with pytest.raises(nn.errors.ConfigError, match="without '.'"):
        seq.add_module("a.b", nn.ReLU())


def test_sequential_editing_matches_torch():
    torch = pytest.importorskip("torch")

    def edit(M):
        seq = M.Sequential()
        seq.add_module("fc", M.Linear(2, 3))
        seq.add_module("act", M.ReLU())
        seq.extra = M.Linear(3, 4)
        seq[-1] = M.Linear(3, 5)
        seq.append(M.Tanh())
        del seq[1]
        seq.insert(0, M.Identity())
        seq.extend([M.Sigmoid()])
        seq.pop(0)
        return seq

    ours, theirs = edit(nn), edit(torch.nn)
    assert repr(ours) == repr(theirs)
    assert list(ours.state_dict()) == list(theirs.state_dict())


def test_parameter_takes_requires_grad_as_pytorch():
    frozen = nn.Parameter(np.arange(3.0), requires_grad=False)
    assert not frozen.requires_grad and frozen.is_leaf and "requires_grad=False" in repr(frozen)
    assert not nn.Parameter(np.zeros(2), False).requires_grad  # torch's positional order
    assert nn.Parameter(np.zeros(2), np.float32).dtype == np.float32  # ours still works
    model = nn.Linear(3, 1, rng=0)
    model.scale = nn.Parameter(np.ones(1), requires_grad=False)  # e.g. a fixed encoding
    assert [n for n, _ in model.named_parameters()] == ["weight", "bias", "scale"]
    opt = nn.optim.SGD(model.parameters(), lr=0.1)
    (model(np.ones((2, 3))) * model.scale).sum().backward()
    opt.step()
    assert model.scale.grad is None and model.scale.data[0] == 1.0
    with pytest.raises(nn.errors.ArgumentTypeError, match="requires_grad must be a bool"):
        nn.Parameter(np.zeros(2), requires_grad="no")


def test_clip_grad_norm_result_has_item_and_equals_torchs():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(0)
    x, y = rng.random((10, 3)), rng.random((10, 1))
    ours = nn.Sequential(nn.Linear(3, 4, rng=1), nn.Tanh(), nn.Linear(4, 1, rng=2))
    theirs = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.Tanh(),
                                 torch.nn.Linear(4, 1)).double()
    for p, q in zip(ours.parameters(), theirs.parameters()):
        q.data = torch.tensor(p.data.copy())
    nn.functional.mse_loss(ours(x), y, reduction="sum").backward()
    ((theirs(torch.tensor(x)) - torch.tensor(y)) ** 2).sum().backward()
    for norm_type in (2.0, 1.0, float("inf")):
        total = nn.clip_grad_norm_(ours.parameters(), 1e9, norm_type=norm_type)
        expected = torch.nn.utils.clip_grad_norm_(theirs.parameters(), 1e9, norm_type)
        assert np.isclose(total.item(), expected.item(), rtol=1e-12)  # the torch habit
        assert isinstance(total, float) and f"{total:.3f}" == f"{expected.item():.3f}"
    total = nn.clip_grad_norm_(ours.parameters(), 0.5)
    expected = torch.nn.utils.clip_grad_norm_(theirs.parameters(), 0.5)
    assert np.isclose(total.item(), expected.item(), rtol=1e-12)
    for p, q in zip(ours.parameters(), theirs.parameters()):
        assert np.allclose(p.grad.data, q.grad.numpy(), rtol=1e-12, atol=0)
    assert nn.clip_grad_norm_([nn.Parameter(np.zeros(2))], 1.0).item() == 0.0


@pytest.mark.parametrize("name", ["SGD", "Adam", "RMSprop"])
def test_step_closure_runs_with_gradients_enabled_as_in_torch(name):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(0)
    x, y = rng.random((10, 3)), rng.random((10, 1))
    ours = nn.Linear(3, 1, rng=0)
    theirs = torch.nn.Linear(3, 1).double()
    theirs.weight.data = torch.tensor(ours.weight.data.copy())
    theirs.bias.data = torch.tensor(ours.bias.data.copy())
    opt = getattr(nn.optim, name)(ours.parameters(), lr=0.1)
    topt = getattr(torch.optim, name)(theirs.parameters(), lr=0.1)

    def closure():
        opt.zero_grad()
        loss = nn.functional.mse_loss(ours(x), y)
        loss.backward()
        return loss

    def tclosure():
        topt.zero_grad()
        loss = ((theirs(torch.tensor(x)) - torch.tensor(y)) ** 2).mean()
        loss.backward()
        return loss

    for _ in range(3):
        with ag.no_grad():  # e.g. a whole evaluation-style block; torch enables grad
            loss = opt.step(closure)
        with torch.no_grad():
            tloss = topt.step(tclosure)
        assert np.isclose(loss.item(), tloss.item(), rtol=1e-12)
    assert ag.is_grad_enabled()
    assert np.allclose(ours.weight.data, theirs.weight.detach().numpy(), rtol=1e-12, atol=0)


def test_model_activation_given_as_an_instance_gets_a_named_error():
    from nn.models import MLP, VAE, Autoencoder
    for build in (lambda a: MLP([4, 3, 2], activation=a), lambda a: VAE(4, [3], 2, activation=a),
                  lambda a: Autoencoder(4, [3], 2, activation=a)):
        with pytest.raises(nn.errors.ArgumentTypeError, match=r"pass its class \(nn.LeakyReLU\)"):
            build(nn.LeakyReLU(0.2))
        model = build(lambda: nn.LeakyReLU(0.2))  # what the message suggests
        slopes = [m.negative_slope for m in model.modules() if isinstance(m, nn.LeakyReLU)]
        assert slopes and set(slopes) == {0.2}


def test_sparse_autoencoder_takes_the_sigmoid_class_for_its_code():
    from nn.models import Autoencoder
    x = np.random.default_rng(0).random((5, 4))
    by_name = Autoencoder(4, [3], 2, sparsity="kl", rng=0)
    by_class = Autoencoder(4, [3], 2, sparsity="kl", code_activation=nn.Sigmoid, rng=0)
    assert isinstance(by_class.encoder[-1], nn.Sigmoid)
    assert by_class.loss(x).loss.item() == by_name.loss(x).loss.item()
    with pytest.raises(nn.errors.ConfigError, match="code_activation='sigmoid'"):
        Autoencoder(4, [3], 2, sparsity="kl", code_activation=nn.Tanh)


def test_repr_shows_a_shared_layer_at_each_place_it_runs():
    shared = nn.Linear(2, 2)
    seq = nn.Sequential(shared, nn.ReLU(), shared)
    assert repr(seq).count("Linear(") == 2  # printed at both places forward runs it
    assert [n for n, _ in seq.named_children()] == ["0", "1"]  # still unique, as torch's
    holder = nn.Module()
    holder.a = holder.b = shared
    assert "(a): Linear" in repr(holder) and "(b): Linear" in repr(holder)
    torch = pytest.importorskip("torch")
    tshared = torch.nn.Linear(2, 2)
    assert repr(seq) == repr(torch.nn.Sequential(tshared, torch.nn.ReLU(), tshared))
    theirs = torch.nn.Module()
    theirs.a = theirs.b = tshared
    assert repr(holder) == repr(theirs)


def test_sgd_takes_pytorchs_positional_order_and_default_lr():
    torch = pytest.importorskip("torch")
    ours = nn.optim.SGD([nn.Parameter(np.zeros(1))], 0.1, 0.9, 0.0, 1e-4, True)
    theirs = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], 0.1, 0.9, 0.0, 1e-4, True)
    for key, value in theirs.defaults.items():
        if key in ours.defaults:
            assert ours.defaults[key] == value, key
    plain = nn.optim.SGD([nn.Parameter(np.zeros(1))])
    assert plain.defaults["lr"] == torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))]
                                                   ).defaults["lr"]


def test_identity_ignores_its_arguments_as_pytorchs():
    layer = nn.Identity(54, unused_argument1=0.1, unused_argument2=False)
    x = ag.Tensor(np.arange(3.0))
    assert layer(x) is x and repr(layer) == "Identity()"


@pytest.mark.parametrize("build", [
    lambda: nn.models.MLP([2, 2], activation="relus"),  # no hidden layer to use it
    lambda: nn.models.MLP([2, 3, 2], activation="relus"),
    lambda: nn.models.Autoencoder(4, [], 2, activation="relus")])
def test_a_misspelt_activation_is_named_even_without_hidden_layers(build):
    """MLP([2, 2], activation='relus') was accepted silently: only hidden layers built one."""
    with pytest.raises(nn.errors.ConfigError, match="unknown activation 'relus'"):
        build()
