"""Mixup and CutMix training as their readers write them: ``mixup_data`` /
``mixup_criterion`` and the training loop of facebookresearch/mixup-cifar10 (Zhang et al.,
"mixup: Beyond Empirical Risk Minimization"), CutMix's ``rand_bbox`` and box pasting from
clovaai/CutMix-PyTorch (Yun et al.), and timm's batch ``Mixup`` (soft one-hot targets by
``scatter_``, pairs by ``flip(0)``, in-place ``mul_``/``add_`` mixing, a mixup/CutMix
switch, label smoothing) with ``SoftTargetCrossEntropy`` and, the newer spelling,
``nn.CrossEntropyLoss`` on class probabilities (this one needed ``flip`` to copy, as
PyTorch's: it was NumPy's view, and ``x.flip(0).mul_(1 - lam)`` scaled the batch). Each
program is written once for a library ``torch`` (``autograd`` here, PyTorch there) and
trains a small CNN on scikit-learn's 8x8 digits next to PyTorch's from the same weights
(float64): every loss, accuracy count and final parameter agrees to 1e-10.

Lines written differently here, and why:
- ``torch.randperm`` draws from one NumPy generator that both runs seed alike
  (``SharedRandom``: the libraries' generators differ); ``np.random`` (the repositories'
  Beta and box draws) is seeded alike before each run;
- ``Variable(...)``, ``.cuda()`` and ``loss.data[0]`` (pre-0.4 PyTorch) are dropped or
  ``loss.item()``; ``np.int`` (gone from NumPy) is ``int``;
- ``torch.max(outputs.data, 1)`` is ``torch.max(outputs.data, dim=1)``: a positional axis
  means NumPy's values-only max here (``UsageError`` names both spellings).
"""

import numpy as np
import pytest

import autograd as ag
import nn
import nn.data
import nn.functional as nn_F


class SharedRandom:
    """A library's namespace whose ``randperm(n)`` comes from a NumPy generator."""

    def __init__(self, library) -> None:
        self.library = library
        self.rng = np.random.default_rng(0)

    def __getattr__(self, name: str):
        return getattr(self.library, name)

    def randperm(self, n: int):
        return self.library.tensor(self.rng.permutation(n))


def libraries(torch=None) -> tuple:
    """(torch, nn, F, optim, data) for this library, or PyTorch's when ``torch`` is given."""
    if torch is None:
        return SharedRandom(ag), nn, nn_F, nn.optim, nn.data
    return SharedRandom(torch), torch.nn, torch.nn.functional, torch.optim, torch.utils.data


def setup(torch, state: dict | None) -> tuple:
    """(T, nn, F, net, optimizer, trainloader, state): a CNN and digits (1x8x8)."""
    T, nn, F, optim, data = libraries(torch)
    datasets = pytest.importorskip("sklearn.datasets")
    images, labels = datasets.load_digits(return_X_y=True)
    images = T.tensor(images[:160].reshape(-1, 1, 8, 8) / 16.0)
    trainset = data.TensorDataset(images, T.tensor(labels[:160]))
    trainloader = data.DataLoader(trainset, batch_size=40, shuffle=False)
    T.manual_seed(0)
    net = nn.Sequential(nn.Conv2d(1, 8, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                        nn.Flatten(), nn.Linear(8 * 4 * 4, 10))
    if state is None:
        state = {k: v.detach().numpy().copy() for k, v in net.state_dict().items()}
    net.load_state_dict({k: T.tensor(v) for k, v in state.items()})
    optimizer = optim.SGD(net.parameters(), lr=0.1, momentum=0.9, weight_decay=1e-4)
    np.random.seed(0)
    return T, nn, F, net, optimizer, trainloader, state


def mixup_program(torch, state: dict | None) -> tuple[list, dict]:
    """facebookresearch/mixup-cifar10's train(epoch), three epochs."""
    torch, nn, F, net, optimizer, trainloader, state = setup(torch, state)
    criterion = nn.CrossEntropyLoss()
    record = []

    def mixup_data(x, y, alpha=1.0):
        '''Returns mixed inputs, pairs of targets, and lambda'''
        if alpha > 0:
            lam = np.random.beta(alpha, alpha)
        else:
            lam = 1
        batch_size = x.size()[0]
        index = torch.randperm(batch_size)
        mixed_x = lam * x + (1 - lam) * x[index, :]
        y_a, y_b = y, y[index]
        return mixed_x, y_a, y_b, lam

    def mixup_criterion(criterion, pred, y_a, y_b, lam):
        return lam * criterion(pred, y_a) + (1 - lam) * criterion(pred, y_b)

    def train(epoch):
        net.train()
        train_loss = 0
        correct = 0
        total = 0
        for batch_idx, (inputs, targets) in enumerate(trainloader):
            inputs, targets_a, targets_b, lam = mixup_data(inputs, targets, 1.0)
            outputs = net(inputs)
            loss = mixup_criterion(criterion, outputs, targets_a, targets_b, lam)
            train_loss += loss.item()
            _, predicted = torch.max(outputs.data, dim=1)  # repository: (outputs.data, 1)
            total += targets.size(0)
            correct += (lam * predicted.eq(targets_a.data).cpu().sum().float()
                        + (1 - lam) * predicted.eq(targets_b.data).cpu().sum().float())
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
        return (train_loss / batch_idx, reg_loss(), 100. * correct / total)

    def reg_loss():
        return sum(p.pow(2).sum() for p in net.parameters()).item()

    for epoch in range(3):
        record.append(train(epoch))
    record += list(net.parameters())
    return record, state


def cutmix_program(torch, state: dict) -> list:
    """clovaai/CutMix-PyTorch's box pasting in its train loop (cutmix_prob 0.7)."""
    torch, nn, F, model, optimizer, train_loader, _ = setup(torch, state)
    criterion = nn.CrossEntropyLoss()
    record = []

    def rand_bbox(size, lam):
        W = size[2]
        H = size[3]
        cut_rat = np.sqrt(1. - lam)
        cut_w = int(W * cut_rat)  # repository: np.int
        cut_h = int(H * cut_rat)
        # uniform
        cx = np.random.randint(W)
        cy = np.random.randint(H)
        bbx1 = np.clip(cx - cut_w // 2, 0, W)
        bby1 = np.clip(cy - cut_h // 2, 0, H)
        bbx2 = np.clip(cx + cut_w // 2, 0, W)
        bby2 = np.clip(cy + cut_h // 2, 0, H)
        return bbx1, bby1, bbx2, bby2

    for epoch in range(3):
        model.train()
        for i, (input, target) in enumerate(train_loader):
            r = np.random.rand(1)
            if r < 0.7:
                # generate mixed sample
                lam = np.random.beta(1.0, 1.0)
                rand_index = torch.randperm(input.size()[0])
                target_a = target
                target_b = target[rand_index]
                bbx1, bby1, bbx2, bby2 = rand_bbox(input.size(), lam)
                input[:, :, bbx1:bbx2, bby1:bby2] = input[rand_index, :, bbx1:bbx2, bby1:bby2]
                # adjust lambda to exactly match pixel ratio
                lam = 1 - ((bbx2 - bbx1) * (bby2 - bby1) / (input.size()[-1] * input.size()[-2]))
                # compute output
                output = model(input)
                loss = criterion(output, target_a) * lam + criterion(output, target_b) * (1. - lam)
            else:
                output = model(input)
                loss = criterion(output, target)
            record += [input.sum(), loss]
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
    # the pasted boxes changed the batches, never the data set the loader reads
    record.append(sum(x.sum() for x, _ in train_loader))
    return record + list(model.parameters())


def timm_mixup_program(torch, state: dict) -> list:
    """timm's Mixup (mixup or CutMix per batch, label smoothing 0.1) with
    SoftTargetCrossEntropy, and nn.CrossEntropyLoss on the same soft targets."""
    torch, nn, F, model, optimizer, loader, _ = setup(torch, state)
    record = []

    def one_hot(x, num_classes, on_value=1., off_value=0.):
        x = x.long().view(-1, 1)
        return torch.full((x.size()[0], num_classes), off_value, device=x.device).scatter_(
            1, x, on_value)

    def mixup_target(target, num_classes, lam=1., smoothing=0.0):
        off_value = smoothing / num_classes
        on_value = 1. - smoothing + off_value
        y1 = one_hot(target, num_classes, on_value=on_value, off_value=off_value)
        y2 = one_hot(target.flip(0), num_classes, on_value=on_value, off_value=off_value)
        return y1 * lam + y2 * (1. - lam)

    def rand_bbox(img_shape, lam, margin=0., count=None):
        ratio = np.sqrt(1 - lam)
        img_h, img_w = img_shape[-2:]
        cut_h, cut_w = int(img_h * ratio), int(img_w * ratio)
        margin_y, margin_x = int(margin * cut_h), int(margin * cut_w)
        cy = np.random.randint(0 + margin_y, img_h - margin_y, size=count)
        cx = np.random.randint(0 + margin_x, img_w - margin_x, size=count)
        yl = np.clip(cy - cut_h // 2, 0, img_h)
        yh = np.clip(cy + cut_h // 2, 0, img_h)
        xl = np.clip(cx - cut_w // 2, 0, img_w)
        xh = np.clip(cx + cut_w // 2, 0, img_w)
        return yl, yh, xl, xh

    class Mixup:
        def __init__(self, mixup_alpha=1., cutmix_alpha=0., switch_prob=0.5,
                     label_smoothing=0.1, num_classes=1000):
            self.mixup_alpha = mixup_alpha
            self.cutmix_alpha = cutmix_alpha
            self.switch_prob = switch_prob
            self.label_smoothing = label_smoothing
            self.num_classes = num_classes

        def _params_per_batch(self):
            use_cutmix = np.random.rand() < self.switch_prob
            lam_mix = np.random.beta(self.cutmix_alpha, self.cutmix_alpha) if use_cutmix \
                else np.random.beta(self.mixup_alpha, self.mixup_alpha)
            return float(lam_mix), use_cutmix

        def _mix_batch(self, x):
            lam, use_cutmix = self._params_per_batch()
            if use_cutmix:
                yl, yh, xl, xh = rand_bbox(x.shape, lam)
                lam = 1. - (yh - yl) * (xh - xl) / float(x.shape[-2] * x.shape[-1])
                x[:, :, yl:yh, xl:xh] = x.flip(0)[:, :, yl:yh, xl:xh]
            else:
                x_flipped = x.flip(0).mul_(1. - lam)
                x.mul_(lam).add_(x_flipped)
            return lam

        def __call__(self, x, target):
            assert len(x) % 2 == 0, 'Batch size should be even when using this'
            lam = self._mix_batch(x)
            target = mixup_target(target, self.num_classes, lam, self.label_smoothing)
            return x, target

    class SoftTargetCrossEntropy(nn.Module):
        def forward(self, x, target):
            loss = torch.sum(-target * F.log_softmax(x, dim=-1), dim=-1)
            return loss.mean()

    mixup_fn = Mixup(mixup_alpha=0.8, cutmix_alpha=1.0, num_classes=10)
    train_loss_fn = SoftTargetCrossEntropy()
    for epoch in range(2):
        for input, target in loader:
            input, target = mixup_fn(input, target)
            output = model(input)
            loss = train_loss_fn(output, target)
            record += [loss, nn.CrossEntropyLoss()(output, target)]
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
    return record + list(model.parameters())


def assert_records(got: list, want: list) -> None:
    assert len(got) == len(want)
    for i, (a, b) in enumerate(zip(got, want)):
        a, b = (v.detach().numpy() if hasattr(v, "detach") else v for v in (a, b))
        np.testing.assert_allclose(np.asarray(a, float), np.asarray(b, float), rtol=1e-10,
                                   atol=1e-12, err_msg=f"record {i}")


def test_mixup_cifar10_training_loop(torch):
    want, state = mixup_program(torch, None)
    got, _ = mixup_program(None, state)
    assert_records(got, want)


def test_cutmix_box_pasting_training_loop(torch):
    _, state = mixup_program(torch, None)
    assert_records(cutmix_program(None, state), cutmix_program(torch, state))


def test_timm_mixup_soft_targets(torch):
    _, state = mixup_program(torch, None)
    got, want = timm_mixup_program(None, state), timm_mixup_program(torch, state)
    assert_records(got, want)
    np.testing.assert_allclose(got[0].item(), got[1].item(), rtol=1e-12)  # the same loss
