"""Differentiable top-k by perturbed optimizers (Berthet et al., "Learning with
Differentiable Perturbed Optimizers"), as Cordonnier et al.'s "Differentiable Patch
Selection for Image Recognition" writes it for PyTorch: ``PerturbedTopKFunction`` (a
``torch.autograd.Function``) returns the expected top-k indicator matrix
E[one_hot(sort(topk(x + sigma Z)))] over Gaussian noise Z, and its backward is the
perturbed-optimizer estimate E[one_hot(...) Z^T] / sigma. Written once for a library
``T`` and run step for step next to PyTorch in float64 from the same noise and weights:
the indicators, their gradients and a patch-selection classifier's training on
scikit-learn's digits (scorer on unfolded patches, top-k patches, linear head) agree.

Written differently here:
- ``torch.normal(mean=0.0, std=1.0, size=...)`` draws from a shared NumPy generator
  (``SharedNormal``) so that both runs see the same noise (the generators differ);
- ``one_hot(...).float()`` is ``.to(x.dtype)`` in both: ``.float()`` is float32, which
  would stop the float64 comparison at float32's rounding;
- ``torch.autograd.Function`` is ``autograd.Function`` (the library is the package).
"""

import numpy as np

import autograd as ag
import nn


def libraries(torch=None) -> tuple:
    return (ag, nn, ag) if torch is None else (torch, torch.nn, torch.autograd)


class SharedNormal:
    """``normal(mean, std, size)`` from a seeded NumPy generator, as a ``T`` tensor."""

    def __init__(self, T, seed: int = 0) -> None:
        self.T, self.rng = T, np.random.default_rng(seed)

    def normal(self, mean: float, std: float, size: tuple):
        return self.T.tensor(self.rng.normal(mean, std, size))


def make_perturbed_topk(T, lib, autograd, noise_source):
    class PerturbedTopKFunction(autograd.Function):
        @staticmethod
        def forward(ctx, x, k: int, num_samples: int = 1000, sigma: float = 0.05):
            b, d = x.shape
            # for Gaussian: noise and gradient are the same.
            noise = noise_source.normal(mean=0.0, std=1.0, size=(b, num_samples, d)).to(x.device)
            perturbed_x = x[:, None, :] + noise * sigma  # b, nS, d
            topk_results = T.topk(perturbed_x, k=k, dim=-1, sorted=False)
            indices = topk_results.indices  # b, nS, k
            indices = T.sort(indices, dim=-1).values  # b, nS, k
            # b, nS, k, d
            perturbed_output = lib.functional.one_hot(indices, num_classes=d).to(x.dtype)
            indicators = perturbed_output.mean(dim=1)  # b, k, d
            ctx.k = k
            ctx.num_samples = num_samples
            ctx.sigma = sigma
            ctx.perturbed_output = perturbed_output
            ctx.noise = noise
            return indicators

        @staticmethod
        def backward(ctx, grad_output):
            if grad_output is None:
                return tuple([None] * 5)
            noise_gradient = ctx.noise
            expected_gradient = (
                T.einsum("bnkd,bnd->bkd", ctx.perturbed_output, noise_gradient)
                / ctx.num_samples
                / ctx.sigma)
            grad_input = T.einsum("bkd,bkd->bd", grad_output, expected_gradient)
            return (grad_input,) + tuple([None] * 5)

    class PerturbedTopK(lib.Module):
        def __init__(self, k: int, num_samples: int = 1000, sigma: float = 0.05):
            super(PerturbedTopK, self).__init__()
            self.num_samples = num_samples
            self.sigma = sigma
            self.k = k

        def __call__(self, x):
            return PerturbedTopKFunction.apply(x, self.k, self.num_samples, self.sigma)

    return PerturbedTopK


def make_patch_selector(T, lib, autograd, noise_source):
    PerturbedTopK = make_perturbed_topk(T, lib, autograd, noise_source)

    class PatchSelector(lib.Module):
        """Score the 4x4 patches (stride 2) of an 8x8 image, keep the top k, classify."""

        def __init__(self, k: int = 3, num_samples: int = 50, sigma: float = 0.5):
            super().__init__()
            self.scorer = lib.Linear(16, 1)
            self.topk = PerturbedTopK(k, num_samples, sigma)
            self.head = lib.Linear(k * 16, 4)

        def forward(self, images):
            patches = lib.functional.unfold(images, kernel_size=4, stride=2)  # b, 16, n
            patches = patches.transpose(1, 2)  # b, n, 16
            scores = self.scorer(patches).squeeze(-1)  # b, n
            indicators = self.topk(scores)  # b, k, n
            selected = T.einsum("bkn,bnc->bkc", indicators, patches)
            return self.head(selected.flatten(1))

    return PatchSelector


def indicators_and_gradient(torch=None):
    T, lib, autograd = libraries(torch)
    PerturbedTopK = make_perturbed_topk(T, lib, autograd, SharedNormal(T))
    rng = np.random.default_rng(1)
    x = T.tensor(rng.standard_normal((3, 7)), requires_grad=True)
    indicators = PerturbedTopK(k=3, num_samples=200, sigma=0.3)(x)
    (indicators * T.tensor(rng.standard_normal((3, 3, 7)))).sum().backward()
    return indicators.detach().numpy(), x.grad.numpy()


def test_perturbed_topk_indicators_and_gradient_match_pytorch(torch):
    indicators, grad = indicators_and_gradient()
    indicators_ref, grad_ref = indicators_and_gradient(torch)
    np.testing.assert_allclose(indicators, indicators_ref, rtol=1e-12)
    np.testing.assert_allclose(grad, grad_ref, rtol=1e-10, atol=1e-12)
    # each indicator row is a distribution over positions, and the k rows select k positions
    np.testing.assert_allclose(indicators.sum(-1), 1.0)
    assert np.all(indicators.sum(1) <= 1.0 + 1e-12)


def train_patch_selector(torch=None, steps: int = 5):
    from sklearn.datasets import load_digits

    T, lib, autograd = libraries(torch)
    digits = load_digits(n_class=4)
    images = T.tensor(digits.images[:32, None] / 16.0)
    labels = T.tensor(digits.target[:32])
    model = make_patch_selector(T, lib, autograd, SharedNormal(T))()
    weights = np.random.default_rng(2)
    with (torch or ag).no_grad():  # the same initial weights in both runs
        for param in model.parameters():
            param.copy_(T.tensor(weights.uniform(-0.3, 0.3, tuple(param.shape))))
    optimizer = (torch.optim if torch else nn.optim).SGD(model.parameters(), lr=0.5,
                                                         momentum=0.9)
    losses = []
    for step in range(steps):
        optimizer.zero_grad()
        loss = lib.functional.cross_entropy(model(images), labels)
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    return losses, [p.detach().numpy().copy() for p in model.parameters()]


def test_patch_selection_classifier_trains_like_pytorch(torch):
    losses, params = train_patch_selector()
    losses_ref, params_ref = train_patch_selector(torch)
    np.testing.assert_allclose(losses, losses_ref, rtol=1e-10)
    assert losses[-1] < losses[0]
    for param, param_ref in zip(params, params_ref):
        np.testing.assert_allclose(param, param_ref, rtol=1e-9, atol=1e-11)
