"""MoCo and SimSiam as their readers write them (facebookresearch/moco's and simsiam's
``builder.py`` and ``main_*.py``), shrunk to scikit-learn's 8x8 digits:

- MoCo (v2 with ``mlp=True``): the key encoder's ``fc`` replaced by the "brute-force"
  ``nn.Sequential(nn.Linear(dim_mlp, dim_mlp), nn.ReLU(), self.encoder_k.fc)`` after
  ``dim_mlp = self.encoder_q.fc.weight.shape[1]``, the key encoder initialised from the
  query one and frozen (``param_k.requires_grad = False``), the queue
  ``register_buffer("queue", torch.randn(dim, K))`` then ``self.queue =
  nn.functional.normalize(self.queue, dim=0)``, ``queue_ptr`` a long buffer read by
  ``int(self.queue_ptr)`` and written by ``self.queue_ptr[0] = ptr``, ``@torch.no_grad()``
  methods: the momentum update ``param_k.data = param_k.data * self.m + param_q.data *
  (1. - self.m)``, ``self.queue[:, ptr:ptr + batch_size] = keys.T``, the single-GPU batch
  shuffle (``torch.randperm``, ``torch.argsort``); ``torch.einsum('nc,nc->n', [q, k])``
  and ``torch.einsum('nc,ck->nk', [q, self.queue.clone().detach()])`` (operands in a
  list), ``logits /= self.T``; SGD over ``model.parameters()`` (the frozen key encoder's
  included) with weight decay, the cosine ``adjust_learning_rate``, ``accuracy`` with
  ``topk``;
- SimSiam: the projector built around ``self.encoder.fc`` with ``nn.BatchNorm1d(dim,
  affine=False)`` last, ``self.encoder.fc[6].bias.requires_grad = False``, the predictor,
  ``z1.detach()``; ``nn.CosineSimilarity(dim=1)`` and ``-(criterion(p1, z2).mean() +
  criterion(p2, z1).mean()) * 0.5``; SGD over two param groups with an extra key
  (``{'params': ..., 'fix_lr': True}``) that ``adjust_learning_rate`` reads.

Each program is written once for a library ``torch`` and runs step for step next to
PyTorch's from the same weights and queue (float64): losses, accuracies, gradients,
parameters and buffers agree to 1e-10. Lines written differently here: ``.data`` is the
NumPy array here (by design), so ``param_k.data.copy_(param_q.data)`` is ``param_k.data
= param_q.data.copy()``; ``.cuda()`` and ``concat_all_gather`` (one process) are left out;
``torchvision.models.__dict__[args.arch]`` is a small stand-in.
"""

import math

from contrastive_helpers import ViewsDataset, augmentations, digits, grads, libraries, state
from test_pytorch_ports_pinn import assert_same


def resnet(nn, torch):
    """A stand-in for ``torchvision.models.resnet50(num_classes=..., ...)``."""
    def base_encoder(num_classes=1000, zero_init_residual=False):
        class ResNet(nn.Module):
            def __init__(self):
                super().__init__()
                self.conv1 = nn.Conv2d(1, 6, 3, stride=2, padding=1, bias=False)
                self.bn1 = nn.BatchNorm2d(6)
                self.avgpool = nn.AdaptiveAvgPool2d((1, 1))
                self.fc = nn.Linear(6, num_classes)

            def forward(self, x):
                x = self.avgpool(torch.relu(self.bn1(self.conv1(x))))
                return self.fc(torch.flatten(x, 1))

        return ResNet()
    return base_encoder


def accuracy(torch, output, target, topk=(1,)):
    """Computes the accuracy over the k top predictions for the specified values of k"""
    with torch.no_grad():
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


def moco(theirs, images, labels, start=None, batch_size=4, epochs=2):
    torch, nn, F, optim, data = libraries(theirs)
    torch.manual_seed(0)

    class MoCo(nn.Module):
        """
        Build a MoCo model with: a query encoder, a key encoder, and a queue
        https://arxiv.org/abs/1911.05722
        """
        def __init__(self, base_encoder, dim=128, K=65536, m=0.999, T=0.07, mlp=False):
            super(MoCo, self).__init__()
            self.K = K
            self.m = m
            self.T = T
            # create the encoders
            # num_classes is the output fc dimension
            self.encoder_q = base_encoder(num_classes=dim)
            self.encoder_k = base_encoder(num_classes=dim)
            if mlp:  # hack: brute-force replacement
                dim_mlp = self.encoder_q.fc.weight.shape[1]
                self.encoder_q.fc = nn.Sequential(nn.Linear(dim_mlp, dim_mlp), nn.ReLU(),
                                                  self.encoder_q.fc)
                self.encoder_k.fc = nn.Sequential(nn.Linear(dim_mlp, dim_mlp), nn.ReLU(),
                                                  self.encoder_k.fc)
            for param_q, param_k in zip(self.encoder_q.parameters(),
                                        self.encoder_k.parameters()):
                if theirs is not None:
                    param_k.data.copy_(param_q.data)  # initialize
                else:  # .data is the NumPy array: assign a copy
                    param_k.data = param_q.data.copy()
                param_k.requires_grad = False  # not update by gradient
            # create the queue
            self.register_buffer("queue", torch.randn(dim, K))
            self.queue = nn.functional.normalize(self.queue, dim=0)
            self.register_buffer("queue_ptr", torch.zeros(1, dtype=torch.long))

        @torch.no_grad()
        def _momentum_update_key_encoder(self):
            """
            Momentum update of the key encoder
            """
            for param_q, param_k in zip(self.encoder_q.parameters(),
                                        self.encoder_k.parameters()):
                param_k.data = param_k.data * self.m + param_q.data * (1. - self.m)

        @torch.no_grad()
        def _dequeue_and_enqueue(self, keys):
            # gather keys before updating queue: one process
            batch_size = keys.shape[0]
            ptr = int(self.queue_ptr)
            assert self.K % batch_size == 0  # for simplicity
            # replace the keys at ptr (dequeue and enqueue)
            self.queue[:, ptr:ptr + batch_size] = keys.T
            ptr = (ptr + batch_size) % self.K  # move pointer
            self.queue_ptr[0] = ptr

        @torch.no_grad()
        def _batch_shuffle_single_gpu(self, x):
            """
            Batch shuffle, for making use of BatchNorm.
            """
            # random shuffle index
            idx_shuffle = torch.randperm(x.shape[0])
            # index for restoring
            idx_unshuffle = torch.argsort(idx_shuffle)
            return x[idx_shuffle], idx_unshuffle

        @torch.no_grad()
        def _batch_unshuffle_single_gpu(self, x, idx_unshuffle):
            """
            Undo batch shuffle.
            """
            return x[idx_unshuffle]

        def forward(self, im_q, im_k):
            """
            Input:
                im_q: a batch of query images
                im_k: a batch of key images
            Output:
                logits, targets
            """
            # compute query features
            q = self.encoder_q(im_q)  # queries: NxC
            q = nn.functional.normalize(q, dim=1)
            # compute key features
            with torch.no_grad():  # no gradient to keys
                self._momentum_update_key_encoder()  # update the key encoder
                # shuffle for making use of BN
                im_k, idx_unshuffle = self._batch_shuffle_single_gpu(im_k)
                k = self.encoder_k(im_k)  # keys: NxC
                k = nn.functional.normalize(k, dim=1)
                # undo shuffle
                k = self._batch_unshuffle_single_gpu(k, idx_unshuffle)
            # compute logits
            # Einstein sum is more intuitive
            # positive logits: Nx1
            l_pos = torch.einsum('nc,nc->n', [q, k]).unsqueeze(-1)
            # negative logits: NxK
            l_neg = torch.einsum('nc,ck->nk', [q, self.queue.clone().detach()])
            # logits: Nx(1+K)
            logits = torch.cat([l_pos, l_neg], dim=1)
            # apply temperature
            logits /= self.T
            # labels: positive key indicators
            labels = torch.zeros(logits.shape[0], dtype=torch.long)
            # dequeue and enqueue
            self._dequeue_and_enqueue(k)
            return logits, labels

    def adjust_learning_rate(optimizer, epoch, lr):
        """Decay the learning rate based on schedule"""
        lr *= 0.5 * (1. + math.cos(math.pi * epoch / epochs))
        for param_group in optimizer.param_groups:
            param_group['lr'] = lr

    model = MoCo(resnet(nn, torch), dim=4, K=8, m=0.9, T=0.2, mlp=True)
    if start is not None:
        model.load_state_dict({k: torch.tensor(v) for k, v in start.items()})
    record = [state(model), [p.requires_grad for p in model.parameters()]]
    criterion = nn.CrossEntropyLoss()
    optimizer = optim.SGD(model.parameters(), 0.03, momentum=0.9, weight_decay=1e-4)
    train_loader = data.DataLoader(ViewsDataset(torch, images, labels, augmentations(torch, F)),
                                   batch_size=batch_size, shuffle=False, drop_last=True)
    for epoch in range(epochs):
        adjust_learning_rate(optimizer, epoch, 0.03)
        model.train()
        for i, (images_, _) in enumerate(train_loader):
            # compute output
            output, target = model(im_q=images_[0], im_k=images_[1])
            loss = criterion(output, target)
            # acc1/acc5 are (K+1)-way contrast classifier accuracy
            acc1, acc5 = accuracy(torch, output, target, topk=(1, 5))
            # compute gradient and do SGD step
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            record += [loss.item(), acc1[0].item(), acc5[0].item(), grads(model),
                       state(model)]
    return record


def simsiam(theirs, images, labels, start=None, batch_size=8, epochs=2, fix_pred_lr=True):
    torch, nn, F, optim, data = libraries(theirs)
    torch.manual_seed(1)

    class SimSiam(nn.Module):
        """
        Build a SimSiam model.
        """
        def __init__(self, base_encoder, dim=2048, pred_dim=512):
            """
            dim: feature dimension (default: 2048)
            pred_dim: hidden dimension of the predictor (default: 512)
            """
            super(SimSiam, self).__init__()
            # create the encoder
            # num_classes is the output fc dimension, zero-initialize last BNs
            self.encoder = base_encoder(num_classes=dim, zero_init_residual=True)
            # build a 3-layer projector
            prev_dim = self.encoder.fc.weight.shape[1]
            self.encoder.fc = nn.Sequential(nn.Linear(prev_dim, prev_dim, bias=False),
                                            nn.BatchNorm1d(prev_dim),
                                            nn.ReLU(inplace=True),  # first layer
                                            nn.Linear(prev_dim, prev_dim, bias=False),
                                            nn.BatchNorm1d(prev_dim),
                                            nn.ReLU(inplace=True),  # second layer
                                            self.encoder.fc,
                                            nn.BatchNorm1d(dim, affine=False))  # output layer
            self.encoder.fc[6].bias.requires_grad = False  # hack: not use bias as it is followed by BN  # noqa: E501
            # build a 2-layer predictor
            self.predictor = nn.Sequential(nn.Linear(dim, pred_dim, bias=False),
                                           nn.BatchNorm1d(pred_dim),
                                           nn.ReLU(inplace=True),  # hidden layer
                                           nn.Linear(pred_dim, dim))  # output layer

        def forward(self, x1, x2):
            """
            Input:
                x1: first views of images
                x2: second views of images
            Output:
                p1, p2, z1, z2: predictors and targets of the network
                See Sec. 3 of https://arxiv.org/abs/2011.10566 for detailed notations
            """
            # compute features for one view
            z1 = self.encoder(x1)  # NxC
            z2 = self.encoder(x2)  # NxC
            p1 = self.predictor(z1)  # NxC
            p2 = self.predictor(z2)  # NxC
            return p1, p2, z1.detach(), z2.detach()

    def adjust_learning_rate(optimizer, init_lr, epoch):
        """Decay the learning rate based on schedule"""
        cur_lr = init_lr * 0.5 * (1. + math.cos(math.pi * epoch / epochs))
        for param_group in optimizer.param_groups:
            if 'fix_lr' in param_group and param_group['fix_lr']:
                param_group['lr'] = init_lr
            else:
                param_group['lr'] = cur_lr

    model = SimSiam(resnet(nn, torch), dim=6, pred_dim=3)
    if start is not None:
        model.load_state_dict({k: torch.tensor(v) for k, v in start.items()})
    record = [state(model)]
    init_lr = 0.05 * batch_size / 256 * 50
    criterion = nn.CosineSimilarity(dim=1)
    if fix_pred_lr:
        optim_params = [{'params': model.encoder.parameters(), 'fix_lr': False},
                        {'params': model.predictor.parameters(), 'fix_lr': True}]
    else:
        optim_params = model.parameters()
    optimizer = optim.SGD(optim_params, init_lr, momentum=0.9, weight_decay=1e-4)
    train_loader = data.DataLoader(ViewsDataset(torch, images, labels, augmentations(torch, F)),
                                   batch_size=batch_size, shuffle=False, drop_last=True)
    for epoch in range(epochs):
        adjust_learning_rate(optimizer, init_lr, epoch)
        model.train()
        for i, (images_, _) in enumerate(train_loader):
            # compute output and loss
            p1, p2, z1, z2 = model(x1=images_[0], x2=images_[1])
            loss = -(criterion(p1, z2).mean() + criterion(p2, z1).mean()) * 0.5
            # compute gradient and do SGD step
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            record += [loss.item(), [g['lr'] for g in optimizer.param_groups], grads(model)]
    return record + [state(model)]


def test_moco_trains_as_torch(torch):
    images, labels = digits(24)
    want = moco(torch, images, labels)
    got = moco(None, images, labels, start=want[0])
    assert_same(got[1:], want[1:])
    assert want[1].count(False) == len(want[1]) // 2  # the key encoder's


def test_simsiam_trains_as_torch(torch):
    images, labels = digits(24)
    want = simsiam(torch, images, labels)
    got = simsiam(None, images, labels, start=want[0])
    assert_same(got[1:], want[1:])
