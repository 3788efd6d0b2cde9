"""SimCLR as its readers write it, in two versions, shrunk to scikit-learn's 8x8 digits:

- sthalles/SimCLR (``simclr.py``, ``models/resnet_simclr.py``, ``utils.py``): a backbone
  whose ``fc`` becomes the projection head ``nn.Sequential(nn.Linear(dim_mlp, dim_mlp),
  nn.ReLU(), self.backbone.fc)``; ``info_nce_loss`` with labels by
  ``torch.cat([torch.arange(b) for i in range(n_views)], dim=0)`` and
  ``(labels.unsqueeze(0) == labels.unsqueeze(1)).float()``, ``F.normalize``, the
  similarity matrix by ``torch.matmul(features, features.T)``, the diagonal dropped by
  ``x[~mask].view(n, -1)`` with ``mask = torch.eye(n, dtype=torch.bool)``, positives and
  negatives by boolean indexing, logits by ``torch.cat`` over the temperature, targets
  ``torch.zeros(n, dtype=torch.long)``; ``CrossEntropyLoss``, Adam with weight decay,
  ``CosineAnnealingLR``, a disabled ``GradScaler`` (``scaler.scale(loss).backward()``), and
  ``accuracy`` by ``output.topk(maxk, 1, True, True)``, ``pred.t()``, ``pred.eq(
  target.view(1, -1).expand_as(pred))`` and ``correct_k.mul_(100.0 / batch_size)``;
- the UvA deep-learning tutorial 17: ``F.cosine_similarity(feats[:, None, :],
  feats[None, :, :], dim=-1)``, ``cos_sim.masked_fill_(self_mask, -9e15)``, the positives'
  mask by ``self_mask.roll(shifts=n // 2, dims=0)``, ``-cos_sim[pos_mask] +
  torch.logsumexp(cos_sim, dim=-1)``, and the ranking metrics by ``comb_sim.argsort(dim=-1,
  descending=True).argmin(dim=-1)``; AdamW with ``CosineAnnealingLR(eta_min=lr / 50)``.

The views come from ``contrastive_helpers``' hand-written augmentations (crop by padding
and slicing, ``torch.flip``, noise) through a ``DataLoader`` whose default collate turns
``([view_1, view_2], label)`` samples into ``[[views_1, views_2], labels]``. Each program
is written once for a library ``T`` and runs step for step next to PyTorch's from the same
weights (float64): losses, accuracies, logits, gradients and parameters agree to 1e-10.

Lines written differently here: ``torchvision.models.resnet18(num_classes=out_dim)`` is a
small stand-in with ResNet's ``conv1``/``bn1``/``relu``/``avgpool``/``fc``;
``torch.utils.data`` and ``torch.optim`` are ``nn.data`` and ``nn.optim`` (``autograd``
does not import ``nn``: its error says so); PyTorch's ``GradScaler`` is ``torch.amp``'s (its
``torch.cuda.amp`` spelling warns there), ours is ``T.cuda.amp.GradScaler`` as sthalles
writes it; sthalles logs ``scheduler.get_lr()[0]``, which outside ``step()`` PyTorch
computes by applying the schedule's step rule once more to the current lr (0.004 for the
current 0.003 here) and warns to use ``get_last_lr()``; ours warns and gives
``get_last_lr()`` (by design), so the port logs ``get_last_lr()[0]``.
"""

from types import SimpleNamespace

from contrastive_helpers import ViewsDataset, augmentations, digits, grads, libraries, state
from test_pytorch_ports_pinn import assert_same


def backbone(lib, T, num_classes):
    """A stand-in for ``torchvision.models.resnet18(num_classes=...)``, sized for 8x8."""
    class ResNet(lib.Module):
        def __init__(self):
            super().__init__()
            self.conv1 = lib.Conv2d(1, 6, kernel_size=3, stride=1, padding=1, bias=False)
            self.bn1 = lib.BatchNorm2d(6)
            self.relu = lib.ReLU(inplace=True)
            self.avgpool = lib.AdaptiveAvgPool2d((1, 1))
            self.fc = lib.Linear(6, num_classes)

        def forward(self, x):
            x = self.relu(self.bn1(self.conv1(x)))
            return self.fc(T.flatten(self.avgpool(x), 1))

    return ResNet()


def sthalles(torch, images, labels, start=None, batch_size=8, epochs=2):
    """sthalles/SimCLR's ``ResNetSimCLR`` and ``SimCLR.train``, returning its records."""
    T, lib, F, optim, data = libraries(torch)
    T.manual_seed(0)
    args = SimpleNamespace(batch_size=batch_size, n_views=2, temperature=0.07, device="cpu",
                           fp16_precision=False, epochs=epochs, log_every_n_steps=1)

    class ResNetSimCLR(lib.Module):
        def __init__(self, base_model, out_dim):
            super(ResNetSimCLR, self).__init__()
            self.backbone = backbone(lib, T, num_classes=out_dim)
            dim_mlp = self.backbone.fc.in_features
            # add mlp projection head
            self.backbone.fc = lib.Sequential(lib.Linear(dim_mlp, dim_mlp), lib.ReLU(),
                                              self.backbone.fc)

        def forward(self, x):
            return self.backbone(x)

    def accuracy(output, target, topk=(1,)):
        """Computes the accuracy over the k top predictions for the specified values of k"""
        with T.no_grad():
            maxk = max(topk)
            batch_size = target.size(0)
            _, pred = output.topk(maxk, 1, True, True)
            pred = pred.t()
            correct = pred.eq(target.view(1, -1).expand_as(pred))
            res = []
            for k in topk:
                correct_k = correct[:k].reshape(-1).float().sum(0, keepdim=True)
                res.append(correct_k.mul_(100.0 / batch_size))
            return res

    def info_nce_loss(features):
        labels = T.cat([T.arange(args.batch_size) for i in range(args.n_views)], dim=0)
        labels = (labels.unsqueeze(0) == labels.unsqueeze(1)).float()
        labels = labels.to(args.device)
        features = F.normalize(features, dim=1)
        similarity_matrix = T.matmul(features, features.T)
        # discard the main diagonal from both: labels and similarities matrix
        mask = T.eye(labels.shape[0], dtype=T.bool).to(args.device)
        labels = labels[~mask].view(labels.shape[0], -1)
        similarity_matrix = similarity_matrix[~mask].view(similarity_matrix.shape[0], -1)
        # select and combine multiple positives
        positives = similarity_matrix[labels.bool()].view(labels.shape[0], -1)
        # select only the negatives the negatives
        negatives = similarity_matrix[~labels.bool()].view(similarity_matrix.shape[0], -1)
        logits = T.cat([positives, negatives], dim=1)
        labels = T.zeros(logits.shape[0], dtype=T.long).to(args.device)
        logits = logits / args.temperature
        return logits, labels

    model = ResNetSimCLR(base_model="resnet18", out_dim=4)
    if start is not None:
        model.load_state_dict({k: T.tensor(v) for k, v in start.items()})
    record = [state(model)]
    dataset = ViewsDataset(T, images, labels, augmentations(T, F))
    train_loader = data.DataLoader(dataset, batch_size=args.batch_size,
                                           shuffle=False, drop_last=True)
    optimizer = optim.Adam(model.parameters(), 3e-3, weight_decay=1e-4)
    scheduler = optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=len(train_loader),
                                                       eta_min=0, last_epoch=-1)
    criterion = lib.CrossEntropyLoss().to(args.device)
    if torch is None:
        scaler = T.cuda.amp.GradScaler(enabled=args.fp16_precision)
    else:  # torch.cuda.amp.GradScaler warns that it is deprecated
        scaler = T.amp.GradScaler("cuda", enabled=args.fp16_precision)
    n_iter = 0
    for epoch_counter in range(args.epochs):
        for images_, _ in train_loader:
            images_ = T.cat(images_, dim=0)
            images_ = images_.to(args.device)
            features = model(images_)
            logits, labels_ = info_nce_loss(features)
            loss = criterion(logits, labels_)
            optimizer.zero_grad()
            scaler.scale(loss).backward()
            record.append(grads(model))
            scaler.step(optimizer)
            scaler.update()
            if n_iter % args.log_every_n_steps == 0:
                top1, top5 = accuracy(logits, labels_, topk=(1, 5))
                # sthalles logs scheduler.get_lr()[0]: see the module's docstring
                record += [loss.item(), top1[0].item(), top5[0].item(),
                           scheduler.get_last_lr()[0], logits.detach().numpy()]
            n_iter += 1
        # warmup for the first 10 epochs
        if epoch_counter >= 1:
            scheduler.step()
    return record + [state(model)]


def uva(torch, images, labels, start=None, batch_size=8, epochs=2, temperature=0.1):
    """The UvA tutorial 17's ``SimCLR.info_nce_loss`` and its metrics, in a plain loop."""
    T, lib, F, optim, data = libraries(torch)
    T.manual_seed(1)
    hidden_dim = 4
    # The MLP for g(.) consists of Linear->ReLU->Linear
    convnet = backbone(lib, T, num_classes=4 * hidden_dim)
    convnet.fc = lib.Sequential(convnet.fc, lib.ReLU(inplace=True),
                                lib.Linear(4 * hidden_dim, hidden_dim))
    if start is not None:
        convnet.load_state_dict({k: T.tensor(v) for k, v in start.items()})
    record = [state(convnet)]
    optimizer = optim.AdamW(convnet.parameters(), lr=5e-3, weight_decay=1e-4)
    lr_scheduler = optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=epochs,
                                                        eta_min=5e-3 / 50)
    loader = data.DataLoader(ViewsDataset(T, images, labels, augmentations(T, F)),
                                     batch_size=batch_size, shuffle=False, drop_last=True)
    for epoch in range(epochs):
        for batch in loader:
            imgs, _ = batch
            imgs = T.cat(imgs, dim=0)
            # Encode all images
            feats = convnet(imgs)
            # Calculate cosine similarity
            cos_sim = F.cosine_similarity(feats[:, None, :], feats[None, :, :], dim=-1)
            # Mask out cosine similarity to itself
            self_mask = T.eye(cos_sim.shape[0], dtype=T.bool, device=cos_sim.device)
            cos_sim.masked_fill_(self_mask, -9e15)
            # Find positive example -> batch_size//2 away from the original example
            pos_mask = self_mask.roll(shifts=cos_sim.shape[0] // 2, dims=0)
            # InfoNCE loss
            cos_sim = cos_sim / temperature
            nll = -cos_sim[pos_mask] + T.logsumexp(cos_sim, dim=-1)
            nll = nll.mean()
            # Get ranking position of positive example
            comb_sim = T.cat([cos_sim[pos_mask][:, None],  # First position positive example
                              cos_sim.masked_fill(pos_mask, -9e15)], dim=-1)
            sim_argsort = comb_sim.argsort(dim=-1, descending=True).argmin(dim=-1)
            record += [nll.item(), (sim_argsort == 0).float().mean().item(),
                       (sim_argsort < 5).float().mean().item(),
                       1 + sim_argsort.float().mean().item()]
            optimizer.zero_grad()
            nll.backward()
            record.append(grads(convnet))
            optimizer.step()
        lr_scheduler.step()
    return record + [state(convnet)]


def test_sthalles_simclr_trains_as_torch(torch):
    images, labels = digits(24)
    want = sthalles(torch, images, labels)
    got = sthalles(None, images, labels, start=want[0])
    assert_same(got[1:], want[1:])


def test_uva_simclr_info_nce_trains_as_torch(torch):
    images, labels = digits(24)
    want = uva(torch, images, labels)
    got = uva(None, images, labels, start=want[0])
    assert_same(got[1:], want[1:])
