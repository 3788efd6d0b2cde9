"""PointNet (Qi et al.) as its PyTorch readers write it (fxia22's ``pointnet.pytorch``,
``pointnet/model.py`` and ``train_classification.py``): ``STN3d`` (the input T-Net:
``Conv1d`` with kernel 1, ``BatchNorm1d``, ``torch.max(x, 2, keepdim=True)[0]`` over the
points, then three ``Linear`` layers whose 3x3 output is added to the identity, so the
transform starts near it), ``STNkd`` (the feature T-Net, ``np.eye(k).flatten()``),
``PointNetfeat`` (``torch.bmm`` of the points with the transforms), ``PointNetCls``
(``Dropout``, ``log_softmax``), ``feature_transform_regularizer`` (the mean of
``torch.norm(A A^T - I, dim=(1, 2))``) and the training loop (``points.transpose(2, 1)``,
``F.nll_loss`` plus 0.001 times the regulariser, ``optim.Adam`` with ``StepLR``, the
accuracy ``pred_choice.eq(target.data).cpu().sum()``). The point clouds are generated
(a sphere against a cube's surface), with the data set's random rotation about the
y axis, centring and scaling to the unit ball. Widths are shrunk (1024 -> 48). It runs step
for step next to PyTorch (float64, dropout on): losses, every step's gradients and
parameters agree.

Lines written differently here, and why:
- ``torch.nn.Conv1d`` is ``nn.Conv1d``: ``nn`` is a package of its own here (``torch.nn``
  is a named error saying so);
- ``Variable(torch.from_numpy(...))`` is ``torch.from_numpy(...)``: ``Variable`` is
  PyTorch's pre-0.4 wrapper and a named error here (it is a plain Tensor in PyTorch too);
- ``.astype(np.float32)`` of the identity is ``np.float64``: the test runs in float64,
  where PyTorch's ``x + iden`` would promote, and ours keeps the float64 of the sum too;
- ``iden.view(1, 9).repeat(batchsize, 1)`` is ``.repeat((batchsize, 1))``, PyTorch's
  other spelling: ``x.repeat(6, 1)`` of a matrix is also NumPy's repeat (each element 6
  times along axis 1), so it is a named error asking which (the tuple is PyTorch's alone);
- ``pred.data.max(1)[1]`` is ``pred.detach().max(dim=1)[1]``: ``.data`` is the NumPy
  array here, whose ``max(1)`` is the values alone (``[1]`` would be row 1), and
  ``x.max(1)`` is a named error (NumPy's values or PyTorch's pair?) that ``dim=`` settles;
- the test's glue (marked): PyTorch's run starts from our weights and keeps what our
  dropout kept.
"""

import numpy as np

import autograd as ag
import nn
import nn.functional as nn_F
from pytorch_examples_helpers import assert_steps, record_dropout, record_steps, replay_dropout

WIDE = 48  # 1024 in the paper


def pointnet_program(torch, nn, F, optim, clouds, labels, glue, epochs=2, batch=6):
    """The model file and the training loop for the library ``torch``."""

    class STN3d(nn.Module):
        def __init__(self):
            super(STN3d, self).__init__()
            self.conv1 = nn.Conv1d(3, 16, 1)
            self.conv2 = nn.Conv1d(16, 24, 1)
            self.conv3 = nn.Conv1d(24, WIDE, 1)
            self.fc1 = nn.Linear(WIDE, 24)
            self.fc2 = nn.Linear(24, 12)
            self.fc3 = nn.Linear(12, 9)
            self.relu = nn.ReLU()

            self.bn1 = nn.BatchNorm1d(16)
            self.bn2 = nn.BatchNorm1d(24)
            self.bn3 = nn.BatchNorm1d(WIDE)
            self.bn4 = nn.BatchNorm1d(24)
            self.bn5 = nn.BatchNorm1d(12)

        def forward(self, x):
            batchsize = x.size()[0]
            x = F.relu(self.bn1(self.conv1(x)))
            x = F.relu(self.bn2(self.conv2(x)))
            x = F.relu(self.bn3(self.conv3(x)))
            x = torch.max(x, 2, keepdim=True)[0]
            x = x.view(-1, WIDE)

            x = F.relu(self.bn4(self.fc1(x)))
            x = F.relu(self.bn5(self.fc2(x)))
            x = self.fc3(x)

            iden = torch.from_numpy(np.array([1, 0, 0, 0, 1, 0, 0, 0, 1]).astype(
                np.float64)).view(1, 9).repeat((batchsize, 1))  # Variable, float32, repeat(b, 1)
            if x.is_cuda:
                iden = iden.cuda()
            x = x + iden
            x = x.view(-1, 3, 3)
            return x

    class STNkd(nn.Module):
        def __init__(self, k=16):
            super(STNkd, self).__init__()
            self.conv1 = nn.Conv1d(k, 16, 1)
            self.conv2 = nn.Conv1d(16, 24, 1)
            self.conv3 = nn.Conv1d(24, WIDE, 1)
            self.fc1 = nn.Linear(WIDE, 24)
            self.fc2 = nn.Linear(24, 12)
            self.fc3 = nn.Linear(12, k * k)
            self.relu = nn.ReLU()

            self.bn1 = nn.BatchNorm1d(16)
            self.bn2 = nn.BatchNorm1d(24)
            self.bn3 = nn.BatchNorm1d(WIDE)
            self.bn4 = nn.BatchNorm1d(24)
            self.bn5 = nn.BatchNorm1d(12)

            self.k = k

        def forward(self, x):
            batchsize = x.size()[0]
            x = F.relu(self.bn1(self.conv1(x)))
            x = F.relu(self.bn2(self.conv2(x)))
            x = F.relu(self.bn3(self.conv3(x)))
            x = torch.max(x, 2, keepdim=True)[0]
            x = x.view(-1, WIDE)

            x = F.relu(self.bn4(self.fc1(x)))
            x = F.relu(self.bn5(self.fc2(x)))
            x = self.fc3(x)

            iden = torch.from_numpy(np.eye(self.k).flatten().astype(np.float64)).view(
                1, self.k * self.k).repeat((batchsize, 1))  # Variable, float32, repeat(b, 1)
            if x.is_cuda:
                iden = iden.cuda()
            x = x + iden
            x = x.view(-1, self.k, self.k)
            return x

    class PointNetfeat(nn.Module):
        def __init__(self, global_feat=True, feature_transform=False):
            super(PointNetfeat, self).__init__()
            self.stn = STN3d()
            self.conv1 = nn.Conv1d(3, 16, 1)
            self.conv2 = nn.Conv1d(16, 24, 1)
            self.conv3 = nn.Conv1d(24, WIDE, 1)
            self.bn1 = nn.BatchNorm1d(16)
            self.bn2 = nn.BatchNorm1d(24)
            self.bn3 = nn.BatchNorm1d(WIDE)
            self.global_feat = global_feat
            self.feature_transform = feature_transform
            if self.feature_transform:
                self.fstn = STNkd(k=16)

        def forward(self, x):
            n_pts = x.size()[2]
            trans = self.stn(x)
            x = x.transpose(2, 1)
            x = torch.bmm(x, trans)
            x = x.transpose(2, 1)
            x = F.relu(self.bn1(self.conv1(x)))

            if self.feature_transform:
                trans_feat = self.fstn(x)
                x = x.transpose(2, 1)
                x = torch.bmm(x, trans_feat)
                x = x.transpose(2, 1)
            else:
                trans_feat = None

            pointfeat = x
            x = F.relu(self.bn2(self.conv2(x)))
            x = self.bn3(self.conv3(x))
            x = torch.max(x, 2, keepdim=True)[0]
            x = x.view(-1, WIDE)
            if self.global_feat:
                return x, trans, trans_feat
            else:
                x = x.view(-1, WIDE, 1).repeat(1, 1, n_pts)
                return torch.cat([x, pointfeat], 1), trans, trans_feat

    class PointNetCls(nn.Module):
        def __init__(self, k=2, feature_transform=False):
            super(PointNetCls, self).__init__()
            self.feature_transform = feature_transform
            self.feat = PointNetfeat(global_feat=True, feature_transform=feature_transform)
            self.fc1 = nn.Linear(WIDE, 24)
            self.fc2 = nn.Linear(24, 12)
            self.fc3 = nn.Linear(12, k)
            self.dropout = nn.Dropout(p=0.3)
            self.bn1 = nn.BatchNorm1d(24)
            self.bn2 = nn.BatchNorm1d(12)
            self.relu = nn.ReLU()

        def forward(self, x):
            x, trans, trans_feat = self.feat(x)
            x = F.relu(self.bn1(self.fc1(x)))
            x = F.relu(self.bn2(self.dropout(self.fc2(x))))
            x = self.fc3(x)
            return F.log_softmax(x, dim=1), trans, trans_feat

    def feature_transform_regularizer(trans):
        d = trans.size()[1]
        batchsize = trans.size()[0]  # noqa: F841 (as written)
        I = torch.eye(d)[None, :, :]  # noqa: E741 (as written)
        if trans.is_cuda:
            I = I.cuda()  # noqa: E741
        loss = torch.mean(torch.norm(torch.bmm(trans, trans.transpose(2, 1)) - I, dim=(1, 2)))
        return loss

    classifier = PointNetCls(k=2, feature_transform=True)
    glue["model"](classifier)  # the test's glue: same weights, same dropout
    optimizer = optim.Adam(classifier.parameters(), lr=0.001, betas=(0.9, 0.999))
    scheduler = optim.lr_scheduler.StepLR(optimizer, step_size=2, gamma=0.5)
    glue["optimizer"](optimizer)
    losses = []
    for epoch in range(epochs):
        for i in range(0, len(labels), batch):
            points = torch.tensor(clouds[i:i + batch])
            target = torch.tensor(labels[i:i + batch])
            points = points.transpose(2, 1)
            optimizer.zero_grad()
            classifier = classifier.train()
            pred, trans, trans_feat = classifier(points)
            loss = F.nll_loss(pred, target)
            loss += feature_transform_regularizer(trans_feat) * 0.001
            loss += feature_transform_regularizer(trans) * 0.001  # the 3x3 T-Net's too
            loss.backward()
            optimizer.step()
            pred_choice = pred.detach().max(dim=1)[1]  # pred.data.max(1)[1]: see the docstring
            correct = pred_choice.eq(target.data).cpu().sum()
            losses.append((loss.item(), correct.item()))
        scheduler.step()
    classifier = classifier.eval()
    pred, _, _ = classifier(torch.tensor(clouds).transpose(2, 1))
    losses.append(pred.detach().numpy())
    return losses


def point_clouds(n=12, points=20, seed=0):
    """Clouds of ``points`` points: class 0 on a sphere, class 1 on a cube's surface;
    each rotated about y, centred and scaled to the unit ball (the data set's steps)."""
    rng = np.random.default_rng(seed)
    clouds, labels = [], []
    for i in range(n):
        label = i % 2
        p = rng.standard_normal((points, 3))
        if label == 0:
            p /= np.linalg.norm(p, axis=1, keepdims=True)
        else:
            p /= np.abs(p).max(axis=1, keepdims=True)
        theta = rng.uniform(0, np.pi * 2)
        rotation_matrix = np.array([[np.cos(theta), -np.sin(theta)],
                                    [np.sin(theta), np.cos(theta)]])
        p[:, [0, 2]] = p[:, [0, 2]].dot(rotation_matrix)
        p = p - np.expand_dims(np.mean(p, axis=0), 0)
        dist = np.max(np.sqrt(np.sum(p ** 2, axis=1)), 0)
        clouds.append(p / dist)
        labels.append(label)
    return np.stack(clouds), np.array(labels)


def test_pointnet_classification_runs_step_for_step_with_pytorch(torch):
    clouds, labels = point_clouds()
    masks, states, theirs, ours = [], [], [], []

    def keep_state(model):  # the test's glue
        record_dropout(model, masks)
        states.append({k: v.numpy().copy() for k, v in model.state_dict().items()})

    ours_losses = pointnet_program(ag, nn, nn_F, nn.optim, clouds, labels, {
        "model": keep_state, "optimizer": lambda opt: record_steps(opt, ours)})

    def start_from_ours(model):
        model.load_state_dict({k: torch.tensor(v) for k, v in states[0].items()})
        replay_dropout(torch, model, masks)

    theirs_losses = pointnet_program(torch, torch.nn, torch.nn.functional, torch.optim,
                                     clouds, labels, {
                                         "model": start_from_ours,
                                         "optimizer": lambda opt: record_steps(opt, theirs)})
    # gradients before each step, parameters after it: the conv biases before a batch norm
    # get gradients of rounding size (~1e-17, the norm removes them), which Adam divides by
    # their own size, so these parameters agree to 1e-7 (only); the first gradients to
    # 1e-10, the later ones (computed from those parameters) to 1e-8: a run of the whole
    # suite once saw 1.5e-10 at step 4
    assert_steps(ours[0:1], theirs[0:1], rtol=1e-9, atol=1e-10)
    assert_steps(ours[2::2], theirs[2::2], rtol=1e-9, atol=1e-8)
    assert_steps(ours[1::2], theirs[1::2], rtol=1e-9, atol=1e-7)
    np.testing.assert_allclose([x for x, _ in ours_losses[:-1]],
                               [x for x, _ in theirs_losses[:-1]], rtol=1e-10)
    assert [c for _, c in ours_losses[:-1]] == [c for _, c in theirs_losses[:-1]]
    np.testing.assert_allclose(ours_losses[-1], theirs_losses[-1], rtol=1e-9, atol=1e-11)
