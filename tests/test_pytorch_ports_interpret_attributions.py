"""Gradient attributions as people write them by hand in PyTorch (the code Captum wraps),
on a small conv net trained briefly on scikit-learn's digits, run step for step next to
PyTorch from the same weights (float64): every attribution map agrees to 1e-10.

Programs: vanilla saliency (``X.requires_grad_()``, ``scores.gather(1, ...)``,
``score_max.backward(torch.ones_like(score_max))``, ``X.grad.abs().max(dim=1)``, the
min-max normalisation per image), gradient x input (``torch.autograd.grad`` of the
selected logits), integrated gradients twice: TianhongDai's ``integrated_gradients.py``
(a list of ``steps + 1`` scaled inputs, softmax probabilities, ``output.gather(1,
index)`` with an int64 index built from NumPy, ``model.zero_grad()``, ``input.grad``,
``np.average(grads[:-1])``) and the batched interpolation path (``torch.linspace``,
``alphas.view(-1, 1, 1, 1, 1)``, one forward of the whole path, left/right/middle
Riemann sums and ``torch.trapezoid(dim=0)``, the completeness check ``f(x) - f(x')``);
then SmoothGrad (``stdev = 0.15 * (x.max() - x.min())``, ``torch.normal(0,
stdev.item(), size=x.shape)`` and ``torch.randn_like(x) * stdev``, squared gradients
for the magnitude variant) and the 99th percentile clipping of the maps
(``torch.quantile(..., 0.99, dim=1, keepdim=True)``).

Lines written differently here, and why:
- ``torch.autograd.grad`` is ``autograd.grad`` (this library is the autograd package);
- ``X.grad.data.abs()``: ``.data`` is NumPy's array here, so ``X.grad.abs()`` (a Tensor
  without a graph, as ``.data`` is in PyTorch);
- ``target.repeat(steps + 1)`` of the 1-d labels is ``target.tile(steps + 1)``: here
  ``repeat`` of a 1-d tensor is a named error (NumPy's repeats each element);
- the test's glue: PyTorch's initial weights, the same 8 Adam steps in both
  (``interpret_helpers.trained_pair``); our noise draws replayed on PyTorch's side.
"""

import numpy as np

from interpret_helpers import Draws, libraries, numpy_of, trained_pair
from test_pytorch_ports_pinn import assert_same


def saliency_maps(torch, model, X, y):
    """CS231n-style saliency and gradient x input; returns the record."""
    model.eval()
    X = X.clone()
    X.requires_grad_()
    scores = model(X)
    score_max_index = scores.argmax(dim=1)
    score_max = scores.gather(1, score_max_index.view(-1, 1)).squeeze()
    score_max.backward(torch.ones_like(score_max))
    saliency, _ = torch.max(X.grad.abs(), dim=1)  # X.grad.data.abs(): see the top
    values = X.grad.abs().max(dim=1).values
    flat = saliency.view(saliency.size(0), -1)
    lo, hi = flat.min(1, keepdim=True)[0], flat.max(1, keepdim=True)[0]
    normalised = ((flat - lo) / (hi - lo + 1e-12)).view_as(saliency)
    grad_x_input = (X * X.grad).sum(dim=1)
    return [numpy_of(score_max_index), numpy_of(saliency), numpy_of(values),
            numpy_of(normalised), numpy_of(grad_x_input)]


def gradient_times_input(torch, autograd, model, x, target):
    inputs = x.clone().detach().requires_grad_(True)
    selected = model(inputs)[torch.arange(len(target)), target]
    (grads,) = autograd.grad(selected.sum(), inputs)
    return [numpy_of(grads * inputs), numpy_of(selected)]


def tianhong_integrated_gradients(torch, F, model, image, target_label_idx, steps=16):
    """TianhongDai/integrated-gradient-pytorch, NumPy images of shape (C, H, W)."""

    def pre_processing(obs):
        obs = np.expand_dims(obs, 0)
        return torch.tensor(obs, dtype=torch.float64, requires_grad=True)

    def calculate_outputs_and_gradients(inputs, model, target_label_idx):
        gradients = []
        for input in inputs:
            input = pre_processing(input)
            output = model(input)
            output = F.softmax(output, dim=1)
            if target_label_idx is None:
                target_label_idx = torch.argmax(output, 1).item()
            index = np.ones((output.size()[0], 1)) * target_label_idx
            index = torch.tensor(index, dtype=torch.int64)
            output = output.gather(1, index)
            # clear grad
            model.zero_grad()
            output.backward()
            gradient = input.grad.detach().cpu().numpy()[0]
            gradients.append(gradient)
        gradients = np.array(gradients)
        return gradients, target_label_idx

    def integrated_gradients(inputs, model, target_label_idx, predict_and_gradients,
                             baseline, steps=50):
        if baseline is None:
            baseline = 0 * inputs
        # scale inputs and compute gradients
        scaled_inputs = [baseline + (float(i) / steps) * (inputs - baseline)
                         for i in range(0, steps + 1)]
        grads, _ = predict_and_gradients(scaled_inputs, model, target_label_idx)
        avg_grads = np.average(grads[:-1], axis=0)
        avg_grads = np.transpose(avg_grads, (1, 2, 0))
        delta_X = (pre_processing(inputs) - pre_processing(baseline)).detach().squeeze(
            0).cpu().numpy()
        delta_X = np.transpose(delta_X, (1, 2, 0))
        integrated_grad = delta_X * avg_grads
        return integrated_grad

    gradients, label_index = calculate_outputs_and_gradients([image], model,
                                                             target_label_idx)
    attributions = integrated_gradients(image, model, label_index,
                                        calculate_outputs_and_gradients, baseline=None,
                                        steps=steps)
    return [gradients, label_index, attributions]


def batched_integrated_gradients(torch, autograd, model, x, target, steps=16):
    """One forward of the whole interpolation path; the four Riemann sums."""
    baseline = torch.zeros_like(x)
    alphas = torch.linspace(0, 1, steps + 1)
    path = baseline.unsqueeze(0) + alphas.view(-1, 1, 1, 1, 1) * (x - baseline).unsqueeze(0)
    path = path.reshape(-1, *x.shape[1:]).requires_grad_(True)
    logits = model(path)
    scores = logits.gather(1, target.tile(steps + 1).unsqueeze(1)).sum()  # see the top
    grads = autograd.grad(scores, path)[0].view(steps + 1, *x.shape)
    left, right = grads[:-1].mean(dim=0), grads[1:].mean(dim=0)
    trapezoid = (grads[:-1] + grads[1:]).mean(0) / 2
    by_trapezoid = torch.trapezoid(grads, dx=1.0 / steps, dim=0)
    midpoints = ((torch.arange(steps) + 0.5) / steps)[:, None, None, None, None]
    middle_path = (baseline + midpoints * (x - baseline)).flatten(0, 1).requires_grad_()
    middle_scores = model(middle_path).view(steps, len(x), -1)[:, torch.arange(len(x)), target]
    middle = autograd.grad(middle_scores.sum(), middle_path)[0].view(steps, *x.shape).mean(0)
    attributions = (x - baseline) * trapezoid
    with torch.no_grad():
        out_x = model(x).gather(1, target[:, None]).squeeze(1)
        out_base = model(baseline).gather(1, target[:, None]).squeeze(1)
    delta = attributions.sum(dim=(1, 2, 3)) - (out_x - out_base)
    return [numpy_of(v) for v in (left, right, trapezoid, by_trapezoid, middle,
                                  attributions, delta)]


def smooth_grad(torch, model, x, target, n_samples=6, stdev_spread=0.15,
                magnitude=False):
    stdev = stdev_spread * (x.max() - x.min())
    total_gradients = torch.zeros_like(x)
    for i in range(n_samples):
        if i % 2:
            noise = torch.normal(0, stdev.item(), size=x.shape)
        else:
            noise = torch.randn_like(x) * stdev
        x_plus_noise = (x + noise).detach().requires_grad_(True)
        out = model(x_plus_noise)
        out[torch.arange(len(target)), target].sum().backward()
        grad = x_plus_noise.grad
        total_gradients += grad * grad if magnitude else grad
    avg = total_gradients / n_samples
    flat = avg.abs().flatten(1)
    vmax = torch.quantile(flat, 0.99, dim=1, keepdim=True)
    clipped = (flat / vmax).clamp(0, 1).view_as(avg)
    return [numpy_of(avg), numpy_of(clipped)]


def attributions(T, model, images, labels):
    torch, _, F, autograd = T
    x, y = torch.tensor(images[:8]), torch.tensor(labels[:8])
    record = [saliency_maps(torch, model, x, y),
              gradient_times_input(torch, autograd, model, x, y),
              tianhong_integrated_gradients(torch, F, model, images[3], None),
              tianhong_integrated_gradients(torch, F, model, images[5], int(labels[5])),
              batched_integrated_gradients(torch, autograd, model, x[:4], y[:4])]
    for magnitude in (False, True):
        record.append(smooth_grad(torch, model, x[:4], y[:4], magnitude=magnitude))
    return record


def test_attributions_run_step_for_step_as_pytorch(torch):
    ours, theirs, images, labels = trained_pair(torch)
    draws = []
    T = libraries()
    got = attributions((Draws(T[0], draws=draws), *T[1:]), ours, images, labels)
    T = libraries(torch)
    want = attributions((Draws(T[0], replay=draws), *T[1:]), theirs, images, labels)
    assert draws == []
    assert_same(got, want)
    delta = got[4][-1]  # completeness: the trapezoid sum's error is small
    assert np.abs(delta).max() < 0.1 * np.abs(got[4][-2]).sum(axis=(1, 2, 3)).max()
