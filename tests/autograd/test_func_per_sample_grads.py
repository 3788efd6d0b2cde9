"""PyTorch's tutorial "Per-sample-gradients" (torch.func), ported as its readers write
it: the program is written once for a library ``T`` (``autograd`` here, ``torch``
there) with its ``nn``, ``F`` and ``func`` (``autograd.func`` / ``torch.func``), and runs
next to PyTorch's from the same weights and data (float64): the loop of ``autograd.grad``
calls and ``vmap(grad(compute_loss))`` over ``functional_call`` agree with each other
and with PyTorch's to 1e-10.

Lines written differently here:
- ``torch.autograd.grad`` is ``autograd.grad`` (our package is the autograd namespace);
- ``device = 'cuda'`` and ``.to(device=device)`` are dropped (CPU only), and the sizes are
  small: 8x8 images, 4 and 8 channels, a batch of 8 (the tutorial's 28x28, 32/64
  channels and 64 samples, scaled down to keep the test fast);
- the data are drawn once by NumPy for both libraries (``torch.randn`` / ``randint``),
  and our model starts from PyTorch's initial weights (``load_state_dict``);
- the timing section (``torch.utils.benchmark``) is left out.
"""

import numpy as np
import pytest

import autograd as ag
import nn
import nn.functional as nnF

# torch.func imports torch._dynamo on first use, which calls torch.jit.script (deprecated)
pytestmark = pytest.mark.filterwarnings("ignore:`torch.jit.script` is deprecated")


def libraries(torch=None) -> tuple:
    """(T, nn, F, func, autograd-grad) for this library, or PyTorch's."""
    if torch is None:
        return ag, nn, nnF, ag.func, ag.grad
    return torch, torch.nn, torch.nn.functional, torch.func, torch.autograd.grad


def program(libs, start=None, data_np=None, targets_np=None):
    T, nn_, F, func, autograd_grad = libs

    class SimpleCNN(nn_.Module):
        def __init__(self):
            super(SimpleCNN, self).__init__()
            self.conv1 = nn_.Conv2d(1, 4, 3, 1)
            self.conv2 = nn_.Conv2d(4, 8, 3, 1)
            self.fc1 = nn_.Linear(32, 16)
            self.fc2 = nn_.Linear(16, 10)

        def forward(self, x):
            x = self.conv1(x)
            x = F.relu(x)
            x = self.conv2(x)
            x = F.relu(x)
            x = F.max_pool2d(x, 2)
            x = T.flatten(x, 1)
            x = self.fc1(x)
            x = F.relu(x)
            x = self.fc2(x)
            output = F.log_softmax(x, dim=1)
            output = x
            return output

    def loss_fn(predictions, targets):
        return F.nll_loss(predictions, targets)

    batch_size = 8
    data = T.tensor(data_np)  # torch.randn(batch_size, 1, 28, 28, device=device)
    targets = T.tensor(targets_np)  # torch.randint(10, (64,), device=device)
    model = SimpleCNN()
    if start is not None:
        model.load_state_dict(start)
    predictions = model(data)
    loss = loss_fn(predictions, targets)

    def compute_grad(sample, target):
        sample = sample.unsqueeze(0)  # prepend batch dimension for processing
        target = target.unsqueeze(0)
        prediction = model(sample)
        loss = loss_fn(prediction, target)
        return autograd_grad(loss, list(model.parameters()))

    def compute_sample_grads(data, targets):
        """ manually process each sample with per sample gradient """
        sample_grads = [compute_grad(data[i], targets[i]) for i in range(batch_size)]
        sample_grads = zip(*sample_grads)
        sample_grads = [T.stack(shards) for shards in sample_grads]
        return sample_grads

    per_sample_grads = compute_sample_grads(data, targets)

    functional_call, vmap, grad = func.functional_call, func.vmap, func.grad
    params = {k: v.detach() for k, v in model.named_parameters()}
    buffers = {k: v.detach() for k, v in model.named_buffers()}

    def compute_loss(params, buffers, sample, target):
        batch = sample.unsqueeze(0)
        targets = target.unsqueeze(0)
        predictions = functional_call(model, (params, buffers), (batch,))
        loss = loss_fn(predictions, targets)
        return loss

    ft_compute_grad = grad(compute_loss)
    ft_compute_sample_grad = vmap(ft_compute_grad, in_dims=(None, None, 0, 0))
    ft_per_sample_grads = ft_compute_sample_grad(params, buffers, data, targets)

    for per_sample_grad, ft_per_sample_grad in zip(per_sample_grads,
                                                   ft_per_sample_grads.values()):
        assert T.allclose(per_sample_grad, ft_per_sample_grad, atol=3e-3, rtol=1e-5)
    return model, loss, per_sample_grads, ft_per_sample_grads


def numpy_of(t) -> np.ndarray:
    return np.asarray(t.detach().numpy() if hasattr(t, "detach") else t)


def test_per_sample_gradients_match_pytorch(torch):
    rng = np.random.default_rng(0)
    data_np = rng.standard_normal((8, 1, 8, 8))
    targets_np = rng.integers(0, 10, 8)
    torch.manual_seed(0)
    t_model, t_loss, t_loop, t_ft = program(libraries(torch), None, data_np, targets_np)
    start = {k: v.detach().numpy().copy() for k, v in t_model.state_dict().items()}
    model, loss, loop, ft = program(libraries(), start, data_np, targets_np)
    np.testing.assert_allclose(loss.item(), t_loss.item(), rtol=1e-12)
    assert list(ft) == list(t_ft) == [n for n, _ in model.named_parameters()]
    for a, b, c, d in zip(loop, ft.values(), t_loop, t_ft.values()):
        assert a.shape == b.shape == tuple(c.shape) == tuple(d.shape)
        np.testing.assert_allclose(numpy_of(b), numpy_of(a), rtol=1e-10, atol=1e-12)
        np.testing.assert_allclose(numpy_of(b), numpy_of(d), rtol=1e-10, atol=1e-12)
        np.testing.assert_allclose(numpy_of(a), numpy_of(c), rtol=1e-10, atol=1e-12)
    # functional_call put the parameters back, and left them alone
    for (name, p), (_, tp) in zip(model.named_parameters(), t_model.named_parameters()):
        assert isinstance(p, nn.Parameter), name
        np.testing.assert_allclose(p.data, numpy_of(tp), rtol=0, atol=0)


def test_per_sample_gradients_match_finite_differences():
    """One sample's gradient of the loss, from vmap(grad(...)), against central
    differences of functional_call in each parameter (a random direction each)."""
    rng = np.random.default_rng(1)
    model = nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 2))
    params = {k: v.detach() for k, v in model.named_parameters()}
    data = ag.tensor(rng.standard_normal((3, 3)))
    targets = ag.tensor(np.array([0, 1, 1]))

    def compute_loss(params, sample, target):
        out = ag.func.functional_call(model, params, (sample.unsqueeze(0),))
        return nnF.cross_entropy(out, target.unsqueeze(0))

    grads = ag.func.vmap(ag.func.grad(compute_loss), in_dims=(None, 0, 0))(params, data,
                                                                           targets)
    eps = 1e-6
    for i in range(3):
        for name, p in params.items():
            v = rng.standard_normal(p.shape)

            def loss_at(step, name=name, v=v, i=i):
                moved = dict(params, **{name: ag.tensor(params[name].data + step * v)})
                return compute_loss(moved, data[i], targets[i]).item()

            numeric = (loss_at(eps) - loss_at(-eps)) / (2 * eps)
            np.testing.assert_allclose((grads[name].data[i] * v).sum(), numeric,
                                       rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("dims", [(None, 0, 0), (None, 1, 0)])
def test_per_sample_gradients_with_a_buffer_and_in_dims(dims):
    """A model with a buffer ((params, buffers) as the tutorial passes them), batched
    along axis 1 of the data too: each sample's gradient is the loop's."""
    rng = np.random.default_rng(2)

    class Scaled(nn.Module):
        def __init__(self):
            super().__init__()
            self.lin = nn.Linear(3, 2)
            self.register_buffer("scale", np.array([2.0, -1.0]))

        def forward(self, x):
            return self.lin(x) * self.scale

    model = Scaled()
    params = {k: v.detach() for k, v in model.named_parameters()}
    buffers = {k: v.detach() for k, v in model.named_buffers()}
    data = rng.standard_normal((4, 3))
    y = ag.tensor(rng.standard_normal((4, 2)))

    def loss(params, buffers, x, t):
        out = ag.func.functional_call(model, (params, buffers), (x,))
        return ((out - t) ** 2).sum()

    x = ag.tensor(data if dims[1] == 0 else data.T)
    got = ag.func.vmap(ag.func.grad(loss), in_dims=(None,) + dims)(params, buffers, x, y)
    for i in range(4):
        model.zero_grad()
        ((model(ag.tensor(data[i])) - y[i]) ** 2).sum().backward()
        for name, p in model.named_parameters():
            np.testing.assert_allclose(got[name].data[i], p.grad, rtol=1e-12, atol=1e-14)
