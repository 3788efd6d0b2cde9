"""Supervised contrast and NT-Xent as their readers write them, shrunk to scikit-learn's
8x8 digits:

- HobbitLong/SupContrast (``losses.py``, ``main_supcon.py``): ``SupConLoss`` with
  ``torch.eq(labels, labels.T).float()``, ``torch.cat(torch.unbind(features, dim=1),
  dim=0)``, ``torch.div(torch.matmul(anchor, contrast.T), temperature)``, ``logits -
  logits_max.detach()``, ``mask.repeat(anchor_count, contrast_count)``,
  ``torch.scatter(torch.ones_like(mask), 1, torch.arange(n).view(-1, 1).to(device), 0)``,
  ``torch.where(mask_pos_pairs < 1e-6, 1, mask_pos_pairs)``, both ``contrast_mode``s and
  the ``SimCLR`` method (no labels: ``torch.eye(batch_size, dtype=torch.float32)``);
  ``SupConResNet`` (``F.normalize(self.head(feat), dim=1)``), the two crops
  concatenated by ``torch.cat([images[0], images[1]], dim=0)`` and split back into
  ``torch.cat([f1.unsqueeze(1), f2.unsqueeze(1)], dim=1)``, the cosine
  ``adjust_learning_rate`` and ``AverageMeter``; and Wang & Isola's ``align_loss``
  (``(x - y).norm(p=2, dim=1).pow(alpha).mean()``) and ``uniform_loss``
  (``torch.pdist(x, p=2).pow(2).mul(-t).exp().mean().log()``) of the features;
- Spijkervet/SimCLR's ``NT_Xent``: ``torch.ones((N, N), dtype=bool)``,
  ``mask.fill_diagonal_(0)``, ``nn.CosineSimilarity(dim=2)`` of ``z.unsqueeze(1)`` and
  ``z.unsqueeze(0)``, ``torch.diag(sim, k)`` for both off-diagonals, ``sim[self.mask]
  .reshape(N, -1)``, ``torch.zeros(N).to(device).long()``, ``CrossEntropyLoss(reduction=
  "sum")`` and ``loss /= N``; its ``SimCLR`` model with ``self.encoder.fc = Identity()``.

Each program is written once for a library ``T`` and runs step for step next to PyTorch's
from the same weights (float64): losses, gradients and parameters agree to 1e-10.
Lines written differently here: ``torch.split(features, [bsz, bsz], dim=0)`` is
``features.split([bsz, bsz], dim=0)`` (``np.split`` takes split points, not sizes, so
``autograd`` leaves the name to NumPy's meaning); ``torch.device('cuda') if
features.is_cuda else torch.device('cpu')`` is kept (both give the CPU); the
``torchvision`` ResNets are small stand-ins; ``torch.utils.data`` is ``nn.data``.
"""

import math
from types import SimpleNamespace

import pytest

from contrastive_helpers import ViewsDataset, augmentations, digits, grads, libraries, state
from test_pytorch_ports_pinn import assert_same


def encoder(nn, T):
    """A stand-in for SupContrast's ``resnet18()`` / torchvision's: features of size 6."""
    class ResNet(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv1 = nn.Conv2d(1, 6, 3, stride=2, padding=1, bias=False)
            self.bn1 = nn.BatchNorm2d(6)
            self.avgpool = nn.AdaptiveAvgPool2d((1, 1))
            self.fc = nn.Linear(6, 10)

        def forward(self, x):
            x = self.avgpool(F_relu(self.bn1(self.conv1(x))))
            return self.fc(T.flatten(x, 1))

    F_relu = nn.functional.relu
    return ResNet()


def supcon(torch, images, labels, method, contrast_mode="all", start=None):
    T, nn, F, optim, data = libraries(torch)
    T.manual_seed(0)
    opt = SimpleNamespace(learning_rate=0.05, lr_decay_rate=0.1, cosine=True, epochs=2,
                          batch_size=8, temp=0.1, method=method)

    class SupConLoss(nn.Module):
        """Supervised Contrastive Learning: https://arxiv.org/pdf/2004.11362.pdf.
        It also supports the unsupervised contrastive loss in SimCLR"""
        def __init__(self, temperature=0.07, contrast_mode='all', base_temperature=0.07):
            super(SupConLoss, self).__init__()
            self.temperature = temperature
            self.contrast_mode = contrast_mode
            self.base_temperature = base_temperature

        def forward(self, features, labels=None, mask=None):
            device = (T.device('cuda') if features.is_cuda else T.device('cpu'))
            if len(features.shape) < 3:
                raise ValueError('`features` needs to be [bsz, n_views, ...],'
                                 'at least 3 dimensions are required')
            if len(features.shape) > 3:
                features = features.view(features.shape[0], features.shape[1], -1)
            batch_size = features.shape[0]
            if labels is not None and mask is not None:
                raise ValueError('Cannot define both `labels` and `mask`')
            elif labels is None and mask is None:
                mask = T.eye(batch_size, dtype=T.float32).to(device)
            elif labels is not None:
                labels = labels.contiguous().view(-1, 1)
                if labels.shape[0] != batch_size:
                    raise ValueError('Num of labels does not match num of features')
                mask = T.eq(labels, labels.T).float().to(device)
            else:
                mask = mask.float().to(device)
            contrast_count = features.shape[1]
            contrast_feature = T.cat(T.unbind(features, dim=1), dim=0)
            if self.contrast_mode == 'one':
                anchor_feature = features[:, 0]
                anchor_count = 1
            elif self.contrast_mode == 'all':
                anchor_feature = contrast_feature
                anchor_count = contrast_count
            else:
                raise ValueError('Unknown mode: {}'.format(self.contrast_mode))
            # compute logits
            anchor_dot_contrast = T.div(T.matmul(anchor_feature, contrast_feature.T),
                                        self.temperature)
            # for numerical stability
            logits_max, _ = T.max(anchor_dot_contrast, dim=1, keepdim=True)
            logits = anchor_dot_contrast - logits_max.detach()
            # tile mask
            mask = mask.repeat(anchor_count, contrast_count)
            # mask-out self-contrast cases
            logits_mask = T.scatter(T.ones_like(mask), 1,
                                    T.arange(batch_size * anchor_count).view(-1, 1).to(device),
                                    0)
            mask = mask * logits_mask
            # compute log_prob
            exp_logits = T.exp(logits) * logits_mask
            log_prob = logits - T.log(exp_logits.sum(1, keepdim=True))
            # compute mean of log-likelihood over positive
            # modified to handle edge cases when there is no positive pair
            # for an anchor point.
            # Edge case e.g.:-
            # features of shape: [4,1,...]
            # labels:            [0,1,1,2]
            # loss before mean:  [nan, ..., ..., nan]
            mask_pos_pairs = mask.sum(1)
            mask_pos_pairs = T.where(mask_pos_pairs < 1e-6, 1, mask_pos_pairs)
            mean_log_prob_pos = (mask * log_prob).sum(1) / mask_pos_pairs
            # loss
            loss = - (self.temperature / self.base_temperature) * mean_log_prob_pos
            loss = loss.view(anchor_count, batch_size).mean()
            return loss

    class SupConResNet(nn.Module):
        """backbone + projection head"""
        def __init__(self, name='resnet18', head='mlp', feat_dim=4):
            super(SupConResNet, self).__init__()
            self.encoder = encoder(nn, T)
            self.encoder.fc = nn.Identity()
            dim_in = 6
            self.head = nn.Sequential(nn.Linear(dim_in, dim_in), nn.ReLU(inplace=True),
                                      nn.Linear(dim_in, feat_dim))

        def forward(self, x):
            feat = self.encoder(x)
            feat = F.normalize(self.head(feat), dim=1)
            return feat

    class AverageMeter(object):
        """Computes and stores the average and current value"""
        def __init__(self):
            self.reset()

        def reset(self):
            self.val = 0
            self.avg = 0
            self.sum = 0
            self.count = 0

        def update(self, val, n=1):
            self.val = val
            self.sum += val * n
            self.count += n
            self.avg = self.sum / self.count

    def adjust_learning_rate(args, optimizer, epoch):
        lr = args.learning_rate
        if args.cosine:
            eta_min = lr * (args.lr_decay_rate ** 3)
            lr = eta_min + (lr - eta_min) * (1 + math.cos(math.pi * epoch / args.epochs)) / 2
        for param_group in optimizer.param_groups:
            param_group['lr'] = lr

    def align_loss(x, y, alpha=2):
        return (x - y).norm(p=2, dim=1).pow(alpha).mean()

    def uniform_loss(x, t=2):
        return T.pdist(x, p=2).pow(2).mul(-t).exp().mean().log()

    model = SupConResNet()
    if start is not None:
        model.load_state_dict({k: T.tensor(v) for k, v in start.items()})
    record = [state(model)]
    criterion = SupConLoss(temperature=opt.temp, contrast_mode=contrast_mode)
    optimizer = optim.SGD(model.parameters(), lr=opt.learning_rate, momentum=0.9,
                          weight_decay=1e-4)
    train_loader = data.DataLoader(ViewsDataset(T, images, labels, augmentations(T, F)),
                                   batch_size=opt.batch_size, shuffle=False)
    for epoch in range(1, opt.epochs + 1):
        adjust_learning_rate(opt, optimizer, epoch)
        model.train()
        losses = AverageMeter()
        for idx, (images_, labels_) in enumerate(train_loader):
            images_ = T.cat([images_[0], images_[1]], dim=0)
            bsz = labels_.shape[0]
            # compute loss
            features = model(images_)
            f1, f2 = features.split([bsz, bsz], dim=0)  # torch.split(features, ...)
            features = T.cat([f1.unsqueeze(1), f2.unsqueeze(1)], dim=1)
            if opt.method == 'SupCon':
                loss = criterion(features, labels_)
            elif opt.method == 'SimCLR':
                loss = criterion(features)
            losses.update(loss.item(), bsz)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            with T.no_grad():
                metrics = [align_loss(f1, f2).item(), uniform_loss(f1).item()]
            record += [loss.item(), metrics, grads(model)]
        record.append(losses.avg)
    return record + [state(model)]


def spijkervet(torch, images, labels, start=None, batch_size=8, temperature=0.5):
    T, nn, F, optim, data = libraries(torch)
    T.manual_seed(1)

    class Identity(nn.Module):
        def __init__(self):
            super(Identity, self).__init__()

        def forward(self, x):
            return x

    class SimCLR(nn.Module):
        """We opt for simplicity and adopt the commonly used ResNet (He et al., 2016) to
        obtain hi = f(x_i) = ResNet(x_i) where hi is the output after the average pooling
        layer."""
        def __init__(self, encoder, projection_dim, n_features):
            super(SimCLR, self).__init__()
            self.encoder = encoder
            self.n_features = n_features
            # Replace the fc layer with an Identity function
            self.encoder.fc = Identity()
            # We use a MLP with one hidden layer to obtain z_i = g(h_i) = W(2)σ(W(1)h_i)
            # where σ is a ReLU non-linearity.
            self.projector = nn.Sequential(
                nn.Linear(self.n_features, self.n_features, bias=False), nn.ReLU(),
                nn.Linear(self.n_features, projection_dim, bias=False))

        def forward(self, x_i, x_j):
            h_i = self.encoder(x_i)
            h_j = self.encoder(x_j)
            z_i = self.projector(h_i)
            z_j = self.projector(h_j)
            return h_i, h_j, z_i, z_j

    class NT_Xent(nn.Module):
        def __init__(self, batch_size, temperature, world_size):
            super(NT_Xent, self).__init__()
            self.batch_size = batch_size
            self.temperature = temperature
            self.world_size = world_size
            self.mask = self.mask_correlated_samples(batch_size, world_size)
            self.criterion = nn.CrossEntropyLoss(reduction="sum")
            self.similarity_f = nn.CosineSimilarity(dim=2)

        def mask_correlated_samples(self, batch_size, world_size):
            N = 2 * batch_size * world_size
            mask = T.ones((N, N), dtype=bool)
            mask = mask.fill_diagonal_(0)
            for i in range(batch_size * world_size):
                mask[i, batch_size * world_size + i] = 0
                mask[batch_size * world_size + i, i] = 0
            return mask

        def forward(self, z_i, z_j):
            """We do not sample negative examples explicitly. Instead, given a positive
            pair, similar to (Chen et al., 2017), we treat the other 2(N - 1) augmented
            examples within a minibatch as negative examples."""
            N = 2 * self.batch_size * self.world_size
            z = T.cat((z_i, z_j), dim=0)
            sim = self.similarity_f(z.unsqueeze(1), z.unsqueeze(0)) / self.temperature
            sim_i_j = T.diag(sim, self.batch_size * self.world_size)
            sim_j_i = T.diag(sim, -self.batch_size * self.world_size)
            # We have 2N samples, but with Distributed training every GPU gets N examples
            positive_samples = T.cat((sim_i_j, sim_j_i), dim=0).reshape(N, 1)
            negative_samples = sim[self.mask].reshape(N, -1)
            labels = T.zeros(N).to(positive_samples.device).long()
            logits = T.cat((positive_samples, negative_samples), dim=1)
            loss = self.criterion(logits, labels)
            loss /= N
            return loss

    model = SimCLR(encoder(nn, T), projection_dim=4, n_features=6)
    if start is not None:
        model.load_state_dict({k: T.tensor(v) for k, v in start.items()})
    record = [state(model)]
    optimizer = optim.Adam(model.parameters(), lr=3e-3)
    criterion = NT_Xent(batch_size, temperature, world_size=1)
    train_loader = data.DataLoader(ViewsDataset(T, images, labels, augmentations(T, F)),
                                   batch_size=batch_size, shuffle=False, drop_last=True)
    for epoch in range(2):
        loss_epoch = 0
        for step, ((x_i, x_j), _) in enumerate(train_loader):
            optimizer.zero_grad()
            # positive pair, with encoding
            h_i, h_j, z_i, z_j = model(x_i, x_j)
            loss = criterion(z_i, z_j)
            loss.backward()
            optimizer.step()
            loss_epoch += loss.item()
            record += [loss.item(), grads(model)]
        record.append(loss_epoch)
    return record + [state(model)]


def test_spijkervet_nt_xent_trains_as_torch(torch):
    images, labels = digits(24)
    want = spijkervet(torch, images, labels)
    got = spijkervet(None, images, labels, start=want[0])
    assert_same(got[1:], want[1:])


@pytest.mark.parametrize("method, contrast_mode", [("SupCon", "all"), ("SupCon", "one"),
                                                   ("SimCLR", "all")])
def test_supcon_trains_as_torch(torch, method, contrast_mode):
    images, labels = digits(16)
    want = supcon(torch, images, labels, method, contrast_mode)
    got = supcon(None, images, labels, method, contrast_mode, start=want[0])
    assert_same(got[1:], want[1:])
