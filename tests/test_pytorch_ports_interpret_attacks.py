"""White-box attacks as people write them in PyTorch, on a small conv net trained briefly on
scikit-learn's digits, run step for step next to PyTorch from the same weights and noise
(float64): every loss, gradient, perturbed image and prediction agrees to 1e-10.

Programs: torchattacks' ``PGD`` (L-inf, random start ``torch.empty_like(adv_images)
.uniform_(-eps, eps)``, ``adv_images.requires_grad = True``, ``torch.autograd.grad(cost,
adv_images, retain_graph=False, create_graph=False)[0]``, the projection by
``torch.clamp(adv_images - images, min=-eps, max=eps)``); the adversarial-robustness
tutorial's ``pgd_linf`` on a ``delta`` (``torch.rand_like(X, requires_grad=True)``,
``delta.data = delta.data * 2 * epsilon - epsilon``, ``delta.data = (delta + alpha *
delta.grad.detach().sign()).clamp(-epsilon, epsilon)``, ``delta.grad.zero_()``), its L2
version (``norms(Z)`` by ``Z.view(Z.shape[0], -1).norm(dim=1)[:, None, None, None]``,
``delta.data *= epsilon / norms(delta.detach()).clamp(min=epsilon)``, ``torch.min(
torch.max(delta.detach(), -X), 1 - X)``) and one epoch of adversarial training with it
(``epoch_adversarial``: ``(yp.max(dim=1)[1] != y).sum().item()``); torchattacks' ``CW``
(``w`` in tanh space, ``optim.Adam([w])``, ``nn.MSELoss(reduction="none")`` of
``nn.Flatten()`` images, ``torch.eye(10)[labels]``, the best-L2 bookkeeping with masks,
early abort on a rising cost); LTS4's ``deepfool`` (``fs[0, I[k]].backward(retain_graph=
True)`` for each of the top classes, the hand-written ``zero_gradients`` its readers paste
since PyTorch dropped it: ``x.grad.detach_()``, ``x.grad.zero_()``, the step in NumPy,
``np.float32(r_tot + r_i)``, ``torch.from_numpy``).

Lines written differently here, and why (``.data`` is NumPy's array here, by design):
- ``delta.grad.detach().sign()`` and ``delta.data = (...)`` run as written; ``x.grad.data
  .cpu().numpy()`` is ``x.grad.cpu().numpy()`` and ``fs.data.cpu().numpy()`` is
  ``fs.detach().cpu().numpy()`` (NumPy arrays have no ``cpu``);
- ``torch.autograd.grad`` is ``autograd.grad`` (this library is the autograd package);
- ``Variable(t, requires_grad=True)`` is ``t.clone().requires_grad_(True)``;
- C&W attacks a tanh MLP (trained in PyTorch, loaded here) on images it classifies
  right, not the ReLU conv net:
  from ``w = atanh(x)`` its L2 term's gradient is the roundoff of ``tanh(atanh(x)) - x``
  (the two libraries' tanh differ in the last bit), and where the conv net's input
  gradient is exactly 0 (dead ReLUs, max-pooling, C&W's clamped loss of an image
  already misclassified) Adam divides that roundoff by its own
  size and the pixel leaves a point PyTorch's run never leaves (3e-17 against 0, then
  1e-4 after 20 steps);
- the test's glue: PyTorch's initial weights, the same 8 Adam steps in both
  (``interpret_helpers.trained_pair``); our random starts replayed on PyTorch's side.
"""

import copy

import numpy as np

import autograd as ag
import nn
import nn.data
from interpret_helpers import Draws, libraries, numpy_of, trained_pair
from test_pytorch_ports_pinn import assert_same


def torchattacks_pgd(torch, nn, autograd, model, images, labels, eps=0.1, alpha=0.03,
                     steps=5, record=None):
    images = images.clone().detach()
    labels = labels.clone().detach()
    loss = nn.CrossEntropyLoss()
    adv_images = images.clone().detach()
    adv_images = adv_images + torch.empty_like(adv_images).uniform_(-eps, eps)
    adv_images = torch.clamp(adv_images, min=0, max=1).detach()
    for _ in range(steps):
        adv_images.requires_grad = True
        outputs = model(adv_images)
        cost = loss(outputs, labels)
        grad = autograd.grad(cost, adv_images, retain_graph=False, create_graph=False)[0]
        record += [cost.item(), numpy_of(grad)]
        adv_images = adv_images.detach() + alpha * grad.sign()
        delta = torch.clamp(adv_images - images, min=-eps, max=eps)
        adv_images = torch.clamp(images + delta, min=0, max=1).detach()
    return adv_images


def pgd_linf(torch, nn, model, X, y, epsilon=0.1, alpha=0.02, num_iter=5, randomize=True):
    if randomize:
        delta = torch.rand_like(X, requires_grad=True)
        delta.data = delta.data * 2 * epsilon - epsilon
    else:
        delta = torch.zeros_like(X, requires_grad=True)
    for t in range(num_iter):
        loss = nn.CrossEntropyLoss()(model(X + delta), y)
        loss.backward()
        delta.data = (delta + alpha * delta.grad.detach().sign()).clamp(-epsilon, epsilon)
        delta.grad.zero_()
    return delta.detach()


def pgd_l2(torch, nn, model, X, y, epsilon=1.0, alpha=0.3, num_iter=4):
    def norms(Z):
        """Compute norms over all but the first dimension"""
        return Z.view(Z.shape[0], -1).norm(dim=1)[:, None, None, None]

    delta = torch.zeros_like(X, requires_grad=True)
    for t in range(num_iter):
        loss = nn.CrossEntropyLoss()(model(X + delta), y)
        loss.backward()
        delta.data += alpha * delta.grad.detach() / norms(delta.grad.detach())
        delta.data = torch.min(torch.max(delta.detach(), -X), 1 - X)  # clip X+delta to [0,1]
        delta.data *= epsilon / norms(delta.detach()).clamp(min=epsilon)
        delta.grad.zero_()
    return delta.detach()


def epoch_adversarial(nn, loader, model, attack, opt=None, **kwargs):
    """Adversarial training/evaluation epoch over the dataset"""
    total_loss, total_err = 0., 0.
    for X, y in loader:
        delta = attack(model, X, y, **kwargs)
        yp = model(X + delta)
        loss = nn.CrossEntropyLoss()(yp, y)
        if opt:
            opt.zero_grad()
            loss.backward()
            opt.step()
        total_err += (yp.max(dim=1)[1] != y).sum().item()
        total_loss += loss.item() * X.shape[0]
    return total_err / len(loader.dataset), total_loss / len(loader.dataset)


def torchattacks_cw(torch, nn, optim, model, images, labels, c=1.0, kappa=0, steps=20,
                    lr=0.05, record=None):
    def tanh_space(x):
        return 1 / 2 * (torch.tanh(x) + 1)

    def atanh(x):
        return 0.5 * torch.log((1 + x) / (1 - x))

    def inverse_tanh_space(x):
        # torch.atanh ranges from -inf to inf.
        return atanh(torch.clamp(x * 2 - 1, min=-1, max=1))

    def f(outputs, labels):
        one_hot_labels = torch.eye(outputs.shape[1])[labels]
        other = torch.max((1 - one_hot_labels) * outputs, dim=1)[0]
        real = torch.max(one_hot_labels * outputs, dim=1)[0]
        return torch.clamp((real - other), min=-kappa)

    images = images.clone().detach()
    labels = labels.clone().detach()
    w = inverse_tanh_space(images.clamp(0.01, 0.99)).detach()
    w.requires_grad = True
    best_adv_images = images.clone().detach()
    best_L2 = 1e10 * torch.ones((len(images)))
    prev_cost = 1e10
    dim = len(images.shape)
    MSELoss = nn.MSELoss(reduction="none")
    Flatten = nn.Flatten()
    optimizer = optim.Adam([w], lr=lr)
    for step in range(steps):
        adv_images = tanh_space(w)
        current_L2 = MSELoss(Flatten(adv_images), Flatten(images)).sum(dim=1)
        L2_loss = current_L2.sum()
        outputs = model(adv_images)
        f_loss = f(outputs, labels).sum()
        cost = L2_loss + c * f_loss
        optimizer.zero_grad()
        cost.backward()
        optimizer.step()
        record += [cost.item(), numpy_of(w)]
        pre = torch.argmax(outputs.detach(), 1)
        condition = (pre != labels).float()
        mask = condition * (best_L2 > current_L2.detach())
        best_L2 = mask * current_L2.detach() + (1 - mask) * best_L2
        mask = mask.view([-1] + [1] * (dim - 1))
        best_adv_images = mask * adv_images.detach() + (1 - mask) * best_adv_images
        if step % max(steps // 10, 1) == 0:
            if cost.item() > prev_cost:
                return best_adv_images, best_L2
            prev_cost = cost.item()
    return best_adv_images, best_L2


def zero_gradients(torch, x):
    if isinstance(x, torch.Tensor):
        if x.grad is not None:
            x.grad.detach_()
            x.grad.zero_()


def deepfool(torch, image, net, num_classes=10, overshoot=0.02, max_iter=50):
    f_image = net.forward(image[None, :, :, :].clone().requires_grad_(True)).detach().cpu(
        ).numpy().flatten()
    I = (np.array(f_image)).flatten().argsort()[::-1]  # noqa: E741 (LTS4's name)
    I = I[0:num_classes]  # noqa: E741
    label = I[0]
    input_shape = image[None].cpu().numpy().shape
    pert_image = copy.deepcopy(image[None])
    w = np.zeros(input_shape)
    r_tot = np.zeros(input_shape)
    loop_i = 0
    x = pert_image.clone().requires_grad_(True)  # Variable(pert_image, requires_grad=True)
    fs = net.forward(x)
    k_i = label
    while k_i == label and loop_i < max_iter:
        pert = np.inf
        fs[0, I[0]].backward(retain_graph=True)
        grad_orig = x.grad.cpu().numpy().copy()  # x.grad.data.cpu(): see the top
        for k in range(1, num_classes):
            zero_gradients(torch, x)
            fs[0, I[k]].backward(retain_graph=True)
            cur_grad = x.grad.cpu().numpy().copy()
            # set new w_k and new f_k
            w_k = cur_grad - grad_orig
            f_k = (fs[0, I[k]] - fs[0, I[0]]).detach().cpu().numpy()
            pert_k = abs(f_k) / np.linalg.norm(w_k.flatten())
            # determine which w_k to use
            if pert_k < pert:
                pert = pert_k
                w = w_k
        # compute r_i and r_tot; added 1e-4 for numerical stability
        r_i = (pert + 1e-4) * w / np.linalg.norm(w)
        r_tot = np.float32(r_tot + r_i)
        pert_image = image[None] + (1 + overshoot) * torch.from_numpy(r_tot)
        x = pert_image.clone().requires_grad_(True)
        fs = net.forward(x)
        k_i = np.argmax(fs.detach().cpu().numpy().flatten())
        loop_i += 1
    r_tot = (1 + overshoot) * r_tot
    return r_tot, loop_i, label, k_i, pert_image


def program(T, optim, data, model, mlp, images, labels, right):
    torch, nn, _, autograd = T
    X, y = torch.tensor(images[:8]), torch.tensor(labels[:8])
    record = {"pgd": []}
    adv = torchattacks_pgd(torch, nn, autograd, model, X, y, record=record["pgd"])
    record["pgd_adv"] = [numpy_of(adv), numpy_of(model(adv).argmax(1))]
    delta = pgd_linf(torch, nn, model, X, y)
    record["pgd_linf"] = [numpy_of(delta), numpy_of(model(X + delta).max(dim=1)[1])]
    record["pgd_l2"] = numpy_of(pgd_l2(torch, nn, model, X, y))
    record["cw"] = []
    best, best_L2 = torchattacks_cw(torch, nn, optim, mlp, torch.tensor(images[right[:4]]),
                                    torch.tensor(labels[right[:4]]),
                                    record=record["cw"])
    record["cw_best"] = [numpy_of(best), numpy_of(best_L2)]
    record["deepfool"] = []
    for i in range(3):
        r_tot, loop_i, label, k_i, pert_image = deepfool(torch, X[i], model)
        record["deepfool"] += [r_tot, loop_i, int(label), int(k_i), numpy_of(pert_image)]
    student = copy.deepcopy(model)
    student.train()
    opt = optim.SGD(student.parameters(), lr=0.1)
    loader = data.DataLoader(data.TensorDataset(torch.tensor(images[8:]),
                                                torch.tensor(labels[8:])), batch_size=8)
    record["epoch"] = [epoch_adversarial(nn, loader, student,
                                         lambda *a: pgd_linf(torch, nn, *a), opt),
                       [numpy_of(p) for p in student.parameters()]]
    return record


def tanh_mlp(nn):
    """C&W's classifier: a smooth MLP (its input gradient is nowhere exactly 0; see the
    top)."""
    return nn.Sequential(nn.Flatten(), nn.Linear(64, 32), nn.Tanh(), nn.Linear(32, 10))


def test_attacks_run_step_for_step_as_pytorch(torch):
    ours, theirs, images, labels = trained_pair(torch)
    their_mlp = tanh_mlp(torch.nn)
    optimizer = torch.optim.Adam(their_mlp.parameters(), lr=1e-2)
    train = torch.tensor(images), torch.tensor(labels)
    for step in range(30):  # PyTorch's model, trained, then ours loads it (the glue)
        optimizer.zero_grad()
        torch.nn.functional.cross_entropy(their_mlp(train[0]), train[1]).backward()
        optimizer.step()
    with torch.no_grad():
        right = (their_mlp(torch.tensor(images)).argmax(1).numpy() == labels).nonzero()[0]
    our_mlp = tanh_mlp(nn)
    our_mlp.load_state_dict({k: ag.tensor(v.detach().numpy())
                             for k, v in their_mlp.state_dict().items()})
    draws = []
    T = libraries()
    got = program((Draws(T[0], draws=draws), *T[1:]), nn.optim, nn.data, ours, our_mlp,
                  images, labels, right)
    T = libraries(torch)
    want = program((Draws(T[0], replay=draws), *T[1:]), torch.optim, torch.utils.data,
                   theirs, their_mlp, images, labels, right)
    assert draws == []
    assert_same(got, want)
    assert (got["pgd_adv"][1] != labels[:8]).sum() > 0
    assert len(got["cw"]) > 2 and (got["cw_best"][1] < 1e10).any()  # C&W found some
    assert all(label != k_i for label, k_i in zip(got["deepfool"][2::5],
                                                  got["deepfool"][3::5]))  # all fooled
