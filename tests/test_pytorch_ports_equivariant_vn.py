"""Vector Neurons (Deng et al. 2021, "Vector Neurons: A General Framework for
SO(3)-Equivariant Networks") as its readers write them: features are lists of 3-vectors
(B, C, 3, N, ...), a VN-Linear mixes channels by ``nn.Linear(bias=False)`` on the
transposed channel axis, a VN-LeakyReLU projects out the negative half-space of a
learned direction, VN-BatchNorm normalises the vectors' norms, VN-MaxPool picks the
vector with the largest projection (``meshgrid`` + advanced indexing), and an invariant
VN-StdFeature frame (``einsum``) ends a VN-PointNet on DGCNN's cross-product edge
features (``knn`` by ``topk``). The classifier is trained on small generated point clouds
of three shapes, randomly rotated.

Written once for a library ``torch`` and run step for step next to PyTorch from the same
weights in float64: losses, gradients and parameters agree to 1e-10; the layers are
checked SO(3)-equivariant and the classifier invariant in both libraries.

Lines written differently here: ``torch.nn`` is ``nn``, a package of its own here;
``torch.meshgrid([...])`` names its ``indexing='ij'`` (PyTorch's default, with a warning;
this library makes it explicit, see its error); the classifier head's ``Dropout`` is left
out (the two libraries draw different masks); models start from PyTorch's weights.
"""

import numpy as np
import pytest

from equivariant_helpers import (assert_records, libraries, numpy_of, random_rotations,
                                 weight_sync)

EPS = 1e-6


def vn_program(torch, nn, F):
    """The VN layers of the authors' ``vn_layers.py`` / ``vn_dgcnn_util.py``."""

    class VNLinear(nn.Module):
        def __init__(self, in_channels, out_channels):
            super(VNLinear, self).__init__()
            self.map_to_feat = nn.Linear(in_channels, out_channels, bias=False)

        def forward(self, x):
            """x: point features of shape [B, N_feat, 3, N_samples, ...]"""
            return self.map_to_feat(x.transpose(1, -1)).transpose(1, -1)

    class VNBatchNorm(nn.Module):
        def __init__(self, num_features, dim):
            super(VNBatchNorm, self).__init__()
            self.dim = dim
            if dim == 3 or dim == 4:
                self.bn = nn.BatchNorm1d(num_features)
            elif dim == 5:
                self.bn = nn.BatchNorm2d(num_features)

        def forward(self, x):
            norm = torch.norm(x, dim=2) + EPS
            norm_bn = self.bn(norm)
            norm = norm.unsqueeze(2)
            norm_bn = norm_bn.unsqueeze(2)
            return x / norm * norm_bn

    class VNLeakyReLU(nn.Module):
        def __init__(self, in_channels, share_nonlinearity=False, negative_slope=0.2):
            super(VNLeakyReLU, self).__init__()
            out = 1 if share_nonlinearity else in_channels
            self.map_to_dir = nn.Linear(in_channels, out, bias=False)
            self.negative_slope = negative_slope

        def forward(self, x):
            d = self.map_to_dir(x.transpose(1, -1)).transpose(1, -1)
            dotprod = (x * d).sum(2, keepdim=True)
            mask = (dotprod >= 0).float()
            d_norm_sq = (d * d).sum(2, keepdim=True)
            return self.negative_slope * x + (1 - self.negative_slope) * (
                mask * x + (1 - mask) * (x - (dotprod / (d_norm_sq + EPS)) * d))

    class VNLinearLeakyReLU(nn.Module):
        def __init__(self, in_channels, out_channels, dim=5, share_nonlinearity=False,
                     negative_slope=0.2):
            super(VNLinearLeakyReLU, self).__init__()
            self.negative_slope = negative_slope
            self.map_to_feat = nn.Linear(in_channels, out_channels, bias=False)
            self.batchnorm = VNBatchNorm(out_channels, dim=dim)
            out = 1 if share_nonlinearity else out_channels
            self.map_to_dir = nn.Linear(in_channels, out, bias=False)

        def forward(self, x):
            p = self.map_to_feat(x.transpose(1, -1)).transpose(1, -1)
            p = self.batchnorm(p)
            d = self.map_to_dir(x.transpose(1, -1)).transpose(1, -1)
            dotprod = (p * d).sum(2, keepdims=True)
            mask = (dotprod >= 0).float()
            d_norm_sq = (d * d).sum(2, keepdims=True)
            return self.negative_slope * p + (1 - self.negative_slope) * (
                mask * p + (1 - mask) * (p - (dotprod / (d_norm_sq + EPS)) * d))

    class VNMaxPool(nn.Module):
        def __init__(self, in_channels):
            super(VNMaxPool, self).__init__()
            self.map_to_dir = nn.Linear(in_channels, in_channels, bias=False)

        def forward(self, x):
            d = self.map_to_dir(x.transpose(1, -1)).transpose(1, -1)
            dotprod = (x * d).sum(2, keepdims=True)
            idx = dotprod.max(dim=-1, keepdim=False)[1]
            index_tuple = torch.meshgrid([torch.arange(j) for j in x.size()[:-1]],
                                         indexing="ij") + (idx,)
            return x[index_tuple]

    class VNStdFeature(nn.Module):
        def __init__(self, in_channels, dim=4, negative_slope=0.2):
            super(VNStdFeature, self).__init__()
            self.dim = dim
            self.vn1 = VNLinearLeakyReLU(in_channels, in_channels // 2, dim=dim,
                                         negative_slope=negative_slope)
            self.vn2 = VNLinearLeakyReLU(in_channels // 2, in_channels // 4, dim=dim,
                                         negative_slope=negative_slope)
            self.vn_lin = nn.Linear(in_channels // 4, 3, bias=False)

        def forward(self, x):
            z0 = self.vn2(self.vn1(x))
            z0 = self.vn_lin(z0.transpose(1, -1)).transpose(1, -1)
            z0 = z0.transpose(1, 2)
            x_std = torch.einsum('bijm,bjkm->bikm', x, z0)
            return x_std, z0

    def knn(x, k):
        inner = -2 * torch.matmul(x.transpose(2, 1), x)
        xx = torch.sum(x ** 2, dim=1, keepdim=True)
        pairwise_distance = -xx - inner - xx.transpose(2, 1)
        return pairwise_distance.topk(k=k, dim=-1)[1]  # (batch_size, num_points, k)

    def get_graph_feature_cross(x, k=20, idx=None):
        batch_size, num_points = x.size(0), x.size(3)
        x = x.view(batch_size, -1, num_points)
        if idx is None:
            idx = knn(x, k=k)
        idx_base = torch.arange(0, batch_size).view(-1, 1, 1) * num_points
        idx = (idx + idx_base).view(-1)
        _, num_dims, _ = x.size()
        num_dims = num_dims // 3
        x = x.transpose(2, 1).contiguous()
        feature = x.view(batch_size * num_points, -1)[idx, :]
        feature = feature.view(batch_size, num_points, k, num_dims, 3)
        x = x.view(batch_size, num_points, 1, num_dims, 3).repeat(1, 1, k, 1, 1)
        cross = torch.cross(feature, x, dim=-1)
        return torch.cat((feature - x, x, cross), dim=3).permute(0, 3, 4, 1, 2).contiguous()

    class VNPointNet(nn.Module):
        def __init__(self, k=10, n_knn=4, c=(12, 24, 48)):
            super(VNPointNet, self).__init__()
            self.n_knn = n_knn
            self.conv_pos = VNLinearLeakyReLU(3, c[0] // 3, dim=5, negative_slope=0.0)
            self.pool = VNMaxPool(c[0] // 3)
            self.conv1 = VNLinearLeakyReLU(c[0] // 3, c[0] // 3, dim=4, negative_slope=0.0)
            self.conv2 = VNLinearLeakyReLU(c[0] // 3, c[1] // 3, dim=4, negative_slope=0.0)
            self.conv3 = VNLinear(c[1] // 3, c[2] // 3)
            self.bn3 = VNBatchNorm(c[2] // 3, dim=4)
            self.std_feature = VNStdFeature(c[2] // 3 * 2, dim=4, negative_slope=0.0)
            self.fc1 = nn.Linear(c[2] // 3 * 6, 16)
            self.bn1 = nn.BatchNorm1d(16)
            self.fc2 = nn.Linear(16, k)

        def forward(self, x):
            B, D, N = x.size()
            x = x.unsqueeze(1)
            feat = get_graph_feature_cross(x, k=self.n_knn)
            x = self.pool(self.conv_pos(feat))
            x = self.conv2(self.conv1(x))
            x = self.bn3(self.conv3(x))
            x_mean = x.mean(dim=-1, keepdim=True).expand(x.size())
            x = torch.cat((x, x_mean), 1)
            x, trans = self.std_feature(x)
            x = x.view(B, -1, N)
            x = torch.max(x, -1, keepdim=False)[0]
            x = F.relu(self.bn1(self.fc1(x)))
            return F.log_softmax(self.fc2(x), dim=1)

    return VNLinear, VNLeakyReLU, VNMaxPool, VNPointNet


def point_clouds(n: int, n_points: int = 16, seed: int = 0) -> tuple:
    """(n, 3, n_points) clouds on a sphere, a flat disc or a line, randomly rotated."""
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, 3, n)
    scales = np.array([[1.0, 1.0, 1.0], [1.0, 1.0, 0.1], [1.0, 0.1, 0.1]])
    clouds = rng.standard_normal((n, n_points, 3)) * scales[labels][:, None]
    clouds = np.einsum("nji,npi->njp", random_rotations(n, seed + 1), clouds)
    return clouds, labels


def train_vn_pointnet(torch, sync, steps: int = 3) -> list:
    torch, nn, F, optim = libraries(torch)
    *_, VNPointNet = vn_program(torch, nn, F)
    clouds, labels = point_clouds(24)
    model = VNPointNet(k=3)
    sync(model)
    optimizer = optim.Adam(model.parameters(), lr=1e-3)
    records = []
    for step in range(steps):
        batch = slice(8 * step, 8 * step + 8)
        points, target = torch.tensor(clouds[batch]), torch.tensor(labels[batch])
        optimizer.zero_grad()
        loss = F.nll_loss(model(points), target)
        loss.backward()
        # VNMaxPool's direction only selects (argmax): its weight gets no gradient
        records += [loss.item()] + [p.grad.clone() for p in model.parameters()
                                    if p.grad is not None]
        optimizer.step()
    records += [p.detach().clone() for p in model.parameters()]
    model.eval()
    points = torch.tensor(clouds[:4])
    rotation = torch.tensor(random_rotations(1, seed=9)[0])
    with torch.no_grad():
        out = model(points)
        records += [out, model(rotation @ points)]
    return records


def test_vn_pointnet_trains_step_for_step_and_is_invariant(torch) -> None:
    ours, theirs = weight_sync()
    want = train_vn_pointnet(torch, theirs)
    got = train_vn_pointnet(None, ours)
    assert_records(got, want)
    np.testing.assert_allclose(numpy_of(got[-1]), numpy_of(got[-2]), atol=1e-9)


@pytest.mark.parametrize("layer", ["VNLinear", "VNLeakyReLU", "VNMaxPool"])
def test_vn_layers_are_equivariant_with_matching_gradients(torch, layer: str) -> None:
    rng = np.random.default_rng(3)
    features = rng.standard_normal((2, 4, 3, 5, 6))
    rotation = random_rotations(1, seed=4)[0]
    upstream = rng.standard_normal((2, 3 if layer == "VNLinear" else 4, 3, 5)
                                   + (() if layer == "VNMaxPool" else (6,)))
    ours, theirs = weight_sync()
    records = []
    for T, sync in ((torch, theirs), (None, ours)):
        T, nn, F, optim = libraries(T)
        VNLinear, VNLeakyReLU, VNMaxPool, _ = vn_program(T, nn, F)
        module = {"VNLinear": lambda: VNLinear(4, 3), "VNLeakyReLU": lambda: VNLeakyReLU(4),
                  "VNMaxPool": lambda: VNMaxPool(4)}[layer]()
        sync(module)
        x = T.tensor(features, requires_grad=True)
        R = T.tensor(rotation)
        y = module(x)
        rotate = lambda v: T.einsum("ij,bcj...->bci...", R, v)  # noqa: E731
        y_of_rotated = module(rotate(x))
        (y * T.tensor(upstream)).sum().backward()
        records.append([y, y_of_rotated, rotate(y), x.grad])
    assert_records(records[1], records[0])
    np.testing.assert_allclose(numpy_of(records[1][1]), numpy_of(records[1][2]), atol=1e-12)
