"""DGCNN (Wang et al., dynamic graph CNN on point clouds) as its PyTorch code writes it
(WangYueFT's ``dgcnn/pytorch``: ``model.py``'s ``knn`` (pairwise distances by
``-2 * torch.matmul(x.transpose(2, 1), x)`` and ``topk(k=k, dim=-1)[1]``),
``get_graph_feature`` (the EdgeConv features: neighbours picked from the flattened batch
with ``idx + idx_base``, ``torch.cat((feature - x, x), dim=3).permute(0, 3, 1, 2)``),
``DGCNN`` (four ``Conv2d`` with kernel 1, ``BatchNorm2d`` and ``LeakyReLU`` in
``nn.Sequential``, each followed by ``max(dim=-1)`` over the neighbours; ``Conv1d``;
``F.adaptive_max_pool1d`` and ``F.adaptive_avg_pool1d``; ``Dropout``), ``util.py``'s
``cal_loss`` (label smoothing through ``torch.zeros_like(pred).scatter(1, gold.view(-1,
1), 1)``) and ``data.py``'s ``translate_pointcloud``, trained by SGD with momentum and
``CosineAnnealingLR``). The clouds are generated (a sphere, a cube's surface, a
cylinder); widths are shrunk (64 -> 8, emb_dims 1024 -> 24, k 20 -> 4). It runs step for
step next to PyTorch (float64, dropout on): losses, every step's gradients and parameters
agree.

Lines written differently here, and why:
- ``torch.device('cuda')`` is ``torch.device('cpu')``: no GPU in either run;
- ``.astype('float32')`` in ``translate_pointcloud`` is ``'float64'``: the test runs in
  float64;
- ``np.random`` is a seeded ``RandomState`` (the same augmentation in both runs);
- the test's glue (marked): PyTorch's model starts from our weights and keeps what our
  dropout kept; both record each optimizer step.
"""

import numpy as np

from graph_ports_helpers import assert_same_run


def knn_program(torch, nn, F):
    """``model.py``'s functions and model for the library ``torch``."""

    def knn(x, k):
        inner = -2 * torch.matmul(x.transpose(2, 1), x)
        xx = torch.sum(x ** 2, dim=1, keepdim=True)
        pairwise_distance = -xx - inner - xx.transpose(2, 1)

        idx = pairwise_distance.topk(k=k, dim=-1)[1]   # (batch_size, num_points, k)
        return idx

    def get_graph_feature(x, k=20, idx=None):
        batch_size = x.size(0)
        num_points = x.size(2)
        x = x.view(batch_size, -1, num_points)
        if idx is None:
            idx = knn(x, k=k)   # (batch_size, num_points, k)
        device = torch.device('cpu')  # 'cuda'

        idx_base = torch.arange(0, batch_size, device=device).view(-1, 1, 1) * num_points

        idx = idx + idx_base

        idx = idx.view(-1)

        _, num_dims, _ = x.size()

        x = x.transpose(2, 1).contiguous()
        feature = x.view(batch_size * num_points, -1)[idx, :]
        feature = feature.view(batch_size, num_points, k, num_dims)
        x = x.view(batch_size, num_points, 1, num_dims).repeat(1, 1, k, 1)

        feature = torch.cat((feature - x, x), dim=3).permute(0, 3, 1, 2).contiguous()

        return feature

    class DGCNN(nn.Module):
        def __init__(self, args, output_channels=40):
            super(DGCNN, self).__init__()
            self.args = args
            self.k = args.k

            self.bn1 = nn.BatchNorm2d(8)
            self.bn2 = nn.BatchNorm2d(8)
            self.bn3 = nn.BatchNorm2d(12)
            self.bn4 = nn.BatchNorm2d(16)
            self.bn5 = nn.BatchNorm1d(args.emb_dims)

            self.conv1 = nn.Sequential(nn.Conv2d(6, 8, kernel_size=1, bias=False),
                                       self.bn1,
                                       nn.LeakyReLU(negative_slope=0.2))
            self.conv2 = nn.Sequential(nn.Conv2d(8 * 2, 8, kernel_size=1, bias=False),
                                       self.bn2,
                                       nn.LeakyReLU(negative_slope=0.2))
            self.conv3 = nn.Sequential(nn.Conv2d(8 * 2, 12, kernel_size=1, bias=False),
                                       self.bn3,
                                       nn.LeakyReLU(negative_slope=0.2))
            self.conv4 = nn.Sequential(nn.Conv2d(12 * 2, 16, kernel_size=1, bias=False),
                                       self.bn4,
                                       nn.LeakyReLU(negative_slope=0.2))
            self.conv5 = nn.Sequential(nn.Conv1d(44, args.emb_dims, kernel_size=1, bias=False),
                                       self.bn5,
                                       nn.LeakyReLU(negative_slope=0.2))
            self.linear1 = nn.Linear(args.emb_dims * 2, 16, bias=False)
            self.bn6 = nn.BatchNorm1d(16)
            self.dp1 = nn.Dropout(p=args.dropout)
            self.linear2 = nn.Linear(16, 12)
            self.bn7 = nn.BatchNorm1d(12)
            self.dp2 = nn.Dropout(p=args.dropout)
            self.linear3 = nn.Linear(12, output_channels)

        def forward(self, x):
            batch_size = x.size(0)
            x = get_graph_feature(x, k=self.k)
            x = self.conv1(x)
            x1 = x.max(dim=-1, keepdim=False)[0]

            x = get_graph_feature(x1, k=self.k)
            x = self.conv2(x)
            x2 = x.max(dim=-1, keepdim=False)[0]

            x = get_graph_feature(x2, k=self.k)
            x = self.conv3(x)
            x3 = x.max(dim=-1, keepdim=False)[0]

            x = get_graph_feature(x3, k=self.k)
            x = self.conv4(x)
            x4 = x.max(dim=-1, keepdim=False)[0]

            x = torch.cat((x1, x2, x3, x4), dim=1)

            x = self.conv5(x)
            x1 = F.adaptive_max_pool1d(x, 1).view(batch_size, -1)
            x2 = F.adaptive_avg_pool1d(x, 1).view(batch_size, -1)
            x = torch.cat((x1, x2), 1)

            x = F.leaky_relu(self.bn6(self.linear1(x)), negative_slope=0.2)
            x = self.dp1(x)
            x = F.leaky_relu(self.bn7(self.linear2(x)), negative_slope=0.2)
            x = self.dp2(x)
            x = self.linear3(x)
            return x

    return knn, DGCNN


def cal_loss(torch, F, pred, gold, smoothing=True):
    ''' Calculate cross entropy loss, apply label smoothing if needed. '''

    gold = gold.contiguous().view(-1)

    if smoothing:
        eps = 0.2
        n_class = pred.size(1)

        one_hot = torch.zeros_like(pred).scatter(1, gold.view(-1, 1), 1)
        one_hot = one_hot * (1 - eps) + (1 - one_hot) * eps / (n_class - 1)
        log_prb = F.log_softmax(pred, dim=1)

        loss = -(one_hot * log_prb).sum(dim=1).mean()
    else:
        loss = F.cross_entropy(pred, gold, reduction='mean')

    return loss


def translate_pointcloud(pointcloud, random=np.random):
    xyz1 = random.uniform(low=2. / 3., high=3. / 2., size=[3])
    xyz2 = random.uniform(low=-0.2, high=0.2, size=[3])

    translated_pointcloud = np.add(np.multiply(pointcloud, xyz1), xyz2).astype('float64')
    return translated_pointcloud


def shapes(n=6, points=16, seed=0):
    """Clouds of three classes: a sphere, a cube's surface, a cylinder's side."""
    rng = np.random.default_rng(seed)
    clouds = []
    for i in range(n):
        p = rng.standard_normal((points, 3))
        if i % 3 == 0:
            p /= np.linalg.norm(p, axis=1, keepdims=True)
        elif i % 3 == 1:
            p /= np.abs(p).max(axis=1, keepdims=True)
        else:
            p[:, :2] /= np.linalg.norm(p[:, :2], axis=1, keepdims=True)
        clouds.append(p)
    return np.stack(clouds), np.arange(n) % 3


class Args:
    k, emb_dims, dropout, lr, momentum, epochs = 4, 24, 0.5, 0.01, 0.9, 3


def dgcnn_train(torch, nn, F, optim, glue, args=Args()):
    _, DGCNN = knn_program(torch, nn, F)
    clouds, labels = shapes()
    model = DGCNN(args, output_channels=3)
    opt = optim.SGD(model.parameters(), lr=args.lr * 100, momentum=args.momentum,
                    weight_decay=1e-4)
    scheduler = optim.lr_scheduler.CosineAnnealingLR(opt, args.epochs, eta_min=args.lr)
    glue(model, opt)  # the test's glue
    random = np.random.RandomState(0)  # np.random: see the module's docstring
    record = []
    for epoch in range(args.epochs):
        model.train()
        data = torch.tensor(np.stack([translate_pointcloud(c, random) for c in clouds]))
        label = torch.tensor(labels)
        data = data.permute(0, 2, 1)
        batch_size = data.size()[0]
        opt.zero_grad()
        logits = model(data)
        loss = cal_loss(torch, F, logits, label)
        loss.backward()
        opt.step()
        preds = logits.max(dim=1)[1]
        record += [loss.item() * batch_size, (preds == label).sum().item()]
        scheduler.step()
    model.eval()
    record.append(model(torch.tensor(clouds).permute(0, 2, 1)).detach())
    return record


def test_dgcnn_edge_convolution_runs_step_for_step(torch):
    assert_same_run(torch, dgcnn_train)


def test_knn_picks_the_nearest_points_as_torch(torch):
    """``knn``'s indices are the k nearest points of each point (itself first)."""
    import autograd as ag
    import nn
    clouds, _ = shapes()
    x = clouds.transpose(0, 2, 1)
    found = [knn_program(T, module, None)[0](T.tensor(x), 4).numpy()
             for T, module in ((ag, nn), (torch, torch.nn))]
    np.testing.assert_array_equal(found[0], found[1])
    distances = ((clouds[:, :, None] - clouds[:, None]) ** 2).sum(-1)
    np.testing.assert_array_equal(found[0], np.argsort(distances, axis=-1)[..., :4])
