"""A buffer keeps the Tensor it is given, as PyTorch's does: one that requires grad, or is
computed (a graph tensor), stays so. Meta-learning code relies on it: the ``MetaModule``
pattern (Meta-Weight-Net, learning to reweight, the learning-to-learn notebooks)
registers a layer's weights as buffers with ``requires_grad=True``, then puts the
one-step-updated weights ``w - lr * grad`` (computed with ``create_graph=True``) back with
``setattr`` and differentiates a later loss through them. Here they were detached (the
second ``grad`` found nothing to differentiate). Compared with PyTorch."""

import numpy as np

import autograd as ag
import nn


def meta_step(T, lib, F, grad, weight, bias, x):
    """The MetaModule pattern: the gradient of the loss after one look-ahead step with
    respect to the step size ``eps``, and the buffers' flags along the way."""

    class MetaLinear(lib.Module):
        def __init__(self):
            super().__init__()
            self.register_buffer('weight', T.tensor(weight).requires_grad_(True))
            self.register_buffer('bias', T.tensor(bias).requires_grad_(True))

        def forward(self, x):
            return F.linear(x, self.weight, self.bias)

    layer = MetaLinear()
    flags = [layer.weight.requires_grad]
    loss = layer(T.tensor(x)).pow(2).sum()
    grad_w, grad_b = grad(loss, (layer.weight, layer.bias), create_graph=True)
    eps = T.tensor(0.1, requires_grad=True)
    setattr(layer, 'weight', layer.weight - eps * grad_w)
    setattr(layer, 'bias', layer.bias - eps * grad_b)
    flags += [layer.weight.requires_grad, layer.weight.grad_fn is not None,
              [n for n, _ in layer.named_buffers()]]
    (grad_eps,) = grad(layer(T.tensor(x)).pow(2).sum(), eps)
    flags.append(sorted(k for k, v in layer.state_dict().items() if v.requires_grad))
    return flags, grad_eps.detach().numpy()


def test_a_buffer_that_requires_grad_keeps_its_graph_as_torch(torch) -> None:
    rng = np.random.default_rng(0)
    weight, bias, x = rng.standard_normal((2, 3)), rng.standard_normal(2), rng.standard_normal(
        (4, 3))
    ours = meta_step(ag, nn, nn.functional, ag.grad, weight, bias, x)
    theirs = meta_step(torch, torch.nn, torch.nn.functional, torch.autograd.grad, weight,
                       bias, x)
    assert ours[0] == theirs[0] == [True, True, True, ['weight', 'bias'], []]
    np.testing.assert_allclose(ours[1], theirs[1], rtol=1e-12)


def test_a_constant_buffer_stays_a_constant_and_casts(torch) -> None:
    layer = nn.BatchNorm1d(3)
    assert not layer.running_mean.requires_grad
    layer.register_buffer('scale', ag.ones(3, requires_grad=True) * 2)
    layer.double()
    theirs = torch.nn.BatchNorm1d(3)
    theirs.register_buffer('scale', torch.ones(3, requires_grad=True) * 2)
    theirs.double()
    assert layer.scale.requires_grad == theirs.scale.requires_grad
    assert list(layer.state_dict()) == list(theirs.state_dict())
