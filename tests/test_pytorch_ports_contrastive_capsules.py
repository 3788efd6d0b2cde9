"""Capsule networks (dynamic routing between capsules, Sabour et al. 2017) as their readers
write them, in two versions, shrunk to scikit-learn's 8x8 digits:

- higgsfield's "Capsule-Network-Tutorial": ``PrimaryCaps`` as an ``nn.ModuleList`` of
  convolutions stacked by ``torch.stack(u, dim=1)`` and ``u.view(x.size(0), n, -1)``,
  ``squash`` by ``squared_norm * input / ((1. + squared_norm) * torch.sqrt(squared_norm))``
  with ``sum(-1, keepdim=True)``, ``DigitCaps`` with ``W`` of shape (1, routes, capsules,
  out, in) repeated by ``torch.cat([self.W] * batch_size, dim=0)``, ``torch.stack([x] *
  num_capsules, dim=2).unsqueeze(4)``, ``u_hat = torch.matmul(W, x)``, the routing loop
  (``F.softmax(b_ij, dim=1)``, ``torch.cat([c_ij] * batch_size, dim=0).unsqueeze(4)``,
  agreement ``torch.matmul(u_hat.transpose(3, 4), torch.cat([v_j] * num_routes, dim=1))``
  averaged over the batch into ``b_ij``), the ``Decoder`` masking with
  ``torch.eye(10).index_select(dim=0, index=max_length_indices)`` and
  ``masked[:, :, None, None]``, the margin loss ``F.relu(0.9 - v_c).view(batch_size, -1)``,
  the reconstruction MSE; one-hot targets by ``torch.eye(10).index_select``, Adam, and the
  accuracy by ``np.argmax(masked.cpu().numpy(), 1)``;
- XifengGuo's "CapsNet-Pytorch": ``squash`` by ``torch.norm(inputs, p=2, dim=axis,
  keepdim=True)``, ``DenseCapsule`` with ``weight`` (out caps, in caps, out dim, in dim)
  broadcast against ``x[:, None, :, :, None]``, ``torch.squeeze(..., dim=-1)``, the
  routing's ``x_hat.detach()`` in all but the last iteration, ``F.softmax(b, dim=1)``,
  the length ``x.norm(dim=-1)``, the mask of the longest capsule by
  ``torch.zeros(length.size()).scatter_(1, index.view(-1, 1).cpu().data, 1.)``,
  ``caps_loss`` with ``torch.clamp(0.9 - y_pred, min=0.) ** 2``, Adam with
  ``ExponentialLR``, one-hot targets by ``scatter_``.

Each program is written once for a library ``T`` and runs step for step next to PyTorch's
from the same weights (float64): losses, lengths, reconstructions, gradients and
parameters agree to 1e-10.

Lines written differently here (PyTorch's lines there are the same as ours):
- ``Variable(...)`` (pre-0.4) is dropped (``autograd.Variable`` exists too); ``.cuda()``
  and ``USE_CUDA`` are left out;
- higgsfield's ``F.softmax(b_ij)`` and ``F.softmax(classes)`` pass PyTorch's implicit dims
  (1 for the 4-d logits, 0 for the 3-d lengths: the tutorial's softmax over the batch),
  which it deprecates and which raise a ``UsageError`` here; ``torch.sparse.torch.eye`` is
  ``torch.eye`` (no sparse tensors here), ``loss.data[0]`` (pre-0.4) is ``loss.item()``;
- ``.data`` is the NumPy array here (by design), so ``masked.data.cpu().numpy()`` is
  ``masked.cpu().numpy()`` and XifengGuo's ``y_pred.data.max(1)[1]`` is
  ``y_pred.max(dim=1)[1]`` (NumPy's ``max(1)`` gives the maxima, and ``[1]`` would
  silently pick the second one: no error can catch it; on a Tensor ``max(1)`` raises a
  ``UsageError`` asking for ``dim=`` or ``axis=``, as it means either here).
"""

import numpy as np

from contrastive_helpers import digits, grads, libraries, state
from test_pytorch_ports_pinn import assert_same


def higgsfield(torch, images, labels, start=None, batch_size=8, steps=3):
    T, nn, F, optim, data = libraries(torch)
    T.manual_seed(0)
    primary_caps, primary_dim, routes, out_dim = 4, 8, 8 * 2 * 2, 4

    class ConvLayer(nn.Module):
        def __init__(self, in_channels=1, out_channels=16, kernel_size=3):
            super(ConvLayer, self).__init__()
            self.conv = nn.Conv2d(in_channels=in_channels, out_channels=out_channels,
                                  kernel_size=kernel_size, stride=1)

        def forward(self, x):
            return F.relu(self.conv(x))

    class PrimaryCaps(nn.Module):
        def __init__(self, num_capsules=primary_caps, in_channels=16,
                     out_channels=primary_dim, kernel_size=3):
            super(PrimaryCaps, self).__init__()
            self.capsules = nn.ModuleList([
                nn.Conv2d(in_channels=in_channels, out_channels=out_channels,
                          kernel_size=kernel_size, stride=2, padding=0)
                for _ in range(num_capsules)])

        def forward(self, x):
            u = [capsule(x) for capsule in self.capsules]
            u = T.stack(u, dim=1)
            u = u.view(x.size(0), routes, -1)
            return self.squash(u)

        def squash(self, input_tensor):
            squared_norm = (input_tensor ** 2).sum(-1, keepdim=True)
            output_tensor = squared_norm * input_tensor / ((1. + squared_norm)
                                                           * T.sqrt(squared_norm))
            return output_tensor

    class DigitCaps(nn.Module):
        def __init__(self, num_capsules=10, num_routes=routes, in_channels=primary_caps,
                     out_channels=out_dim):
            super(DigitCaps, self).__init__()
            self.in_channels = in_channels
            self.num_routes = num_routes
            self.num_capsules = num_capsules
            self.W = nn.Parameter(T.randn(1, num_routes, num_capsules, out_channels,
                                          in_channels))

        def forward(self, x):
            batch_size = x.size(0)
            x = T.stack([x] * self.num_capsules, dim=2).unsqueeze(4)
            W = T.cat([self.W] * batch_size, dim=0)
            u_hat = T.matmul(W, x)
            b_ij = T.zeros(1, self.num_routes, self.num_capsules, 1)  # Variable(...)
            num_iterations = 3
            for iteration in range(num_iterations):
                c_ij = F.softmax(b_ij, dim=1)  # F.softmax(b_ij): PyTorch's implicit dim
                c_ij = T.cat([c_ij] * batch_size, dim=0).unsqueeze(4)
                s_j = (c_ij * u_hat).sum(dim=1, keepdim=True)
                v_j = self.squash(s_j)
                if iteration < num_iterations - 1:
                    a_ij = T.matmul(u_hat.transpose(3, 4),
                                    T.cat([v_j] * self.num_routes, dim=1))
                    b_ij = b_ij + a_ij.squeeze(4).mean(dim=0, keepdim=True)
            return v_j.squeeze(1)

        def squash(self, input_tensor):
            squared_norm = (input_tensor ** 2).sum(-1, keepdim=True)
            output_tensor = squared_norm * input_tensor / ((1. + squared_norm)
                                                           * T.sqrt(squared_norm))
            return output_tensor

    class Decoder(nn.Module):
        def __init__(self):
            super(Decoder, self).__init__()
            self.reconstraction_layers = nn.Sequential(
                nn.Linear(out_dim * 10, 32), nn.ReLU(inplace=True), nn.Linear(32, 48),
                nn.ReLU(inplace=True), nn.Linear(48, 64), nn.Sigmoid())

        def forward(self, x, data):
            classes = T.sqrt((x ** 2).sum(2))
            classes = F.softmax(classes, dim=0)  # F.softmax(classes): the implicit dim
            _, max_length_indices = classes.max(dim=1)
            masked = T.eye(10)  # Variable(torch.sparse.torch.eye(10))
            masked = masked.index_select(dim=0, index=max_length_indices.squeeze(1).data)
            t = (x * masked[:, :, None, None]).view(x.size(0), -1)
            reconstructions = self.reconstraction_layers(t)
            reconstructions = reconstructions.view(-1, 1, 8, 8)
            return reconstructions, masked

    class CapsNet(nn.Module):
        def __init__(self):
            super(CapsNet, self).__init__()
            self.conv_layer = ConvLayer()
            self.primary_capsules = PrimaryCaps()
            self.digit_capsules = DigitCaps()
            self.decoder = Decoder()
            self.mse_loss = nn.MSELoss()

        def forward(self, data):
            output = self.digit_capsules(self.primary_capsules(self.conv_layer(data)))
            reconstructions, masked = self.decoder(output, data)
            return output, reconstructions, masked

        def loss(self, data, x, target, reconstructions):
            return (self.margin_loss(x, target)
                    + self.reconstruction_loss(data, reconstructions))

        def margin_loss(self, x, labels, size_average=True):
            batch_size = x.size(0)
            v_c = T.sqrt((x ** 2).sum(dim=2, keepdim=True))
            left = F.relu(0.9 - v_c).view(batch_size, -1)
            right = F.relu(v_c - 0.1).view(batch_size, -1)
            loss = labels * left + 0.5 * (1.0 - labels) * right
            loss = loss.sum(dim=1).mean()
            return loss

        def reconstruction_loss(self, data, reconstructions):
            loss = self.mse_loss(reconstructions.view(reconstructions.size(0), -1),
                                 data.view(reconstructions.size(0), -1))
            return loss * 0.0005

    capsule_net = CapsNet()
    if start is not None:
        capsule_net.load_state_dict({k: T.tensor(v) for k, v in start.items()})
    record = [state(capsule_net)]
    optimizer = optim.Adam(capsule_net.parameters())
    capsule_net.train()
    train_loss = 0
    for batch_id in range(steps):
        data_ = T.tensor(images[batch_id * batch_size:(batch_id + 1) * batch_size])
        target = T.tensor(labels[batch_id * batch_size:(batch_id + 1) * batch_size])
        target = T.eye(10).index_select(dim=0, index=target)  # torch.sparse.torch.eye
        optimizer.zero_grad()
        output, reconstructions, masked = capsule_net(data_)
        loss = capsule_net.loss(data_, output, target, reconstructions)
        loss.backward()
        optimizer.step()
        train_loss += loss.item()  # loss.data[0]
        accuracy = sum(np.argmax(masked.cpu().numpy(), 1)  # masked.data.cpu().numpy()
                       == np.argmax(target.cpu().numpy(), 1)) / float(batch_size)
        record += [loss.item(), accuracy, output.detach().numpy(),
                   reconstructions.detach().numpy(), grads(capsule_net)]
    return record + [train_loss, state(capsule_net)]


def xifengguo(torch, images, labels, start=None, batch_size=8, steps=3, routings=3):
    T, nn, F, optim, data = libraries(torch)
    T.manual_seed(1)

    def squash(inputs, axis=-1):
        """
        The non-linear activation used in Capsule. It drives the length of a large vector
        to near 1 and small vector to 0
        """
        norm = T.norm(inputs, p=2, dim=axis, keepdim=True)
        scale = norm**2 / (1 + norm**2) / (norm + 1e-8)
        return scale * inputs

    class DenseCapsule(nn.Module):
        def __init__(self, in_num_caps, in_dim_caps, out_num_caps, out_dim_caps, routings=3):
            super(DenseCapsule, self).__init__()
            self.in_num_caps = in_num_caps
            self.in_dim_caps = in_dim_caps
            self.out_num_caps = out_num_caps
            self.out_dim_caps = out_dim_caps
            self.routings = routings
            self.weight = nn.Parameter(0.01 * T.randn(out_num_caps, in_num_caps,
                                                      out_dim_caps, in_dim_caps))

        def forward(self, x):
            x_hat = T.squeeze(T.matmul(self.weight, x[:, None, :, :, None]), dim=-1)
            # In forward pass, `x_hat_detached` = `x_hat`;
            # In backward, no gradient can flow from `x_hat_detached` back to `x_hat`.
            x_hat_detached = x_hat.detach()
            # The prior for coupling coefficient, initialized as zeros.
            b = T.zeros(x.size(0), self.out_num_caps, self.in_num_caps)  # Variable(...)
            assert self.routings > 0, 'The \'routings\' should be > 0.'
            for i in range(self.routings):
                c = F.softmax(b, dim=1)
                # At last iteration, use `x_hat` to compute `outputs` in order to
                # backpropagate gradient
                if i == self.routings - 1:
                    outputs = squash(T.sum(c[:, :, :, None] * x_hat, dim=-2, keepdim=True))
                else:  # Otherwise, use `x_hat_detached` to update `b`. No gradients flow.
                    outputs = squash(T.sum(c[:, :, :, None] * x_hat_detached, dim=-2,
                                           keepdim=True))
                    b = b + T.sum(outputs * x_hat_detached, dim=-1)
            return T.squeeze(outputs, dim=-2)

    class PrimaryCapsule(nn.Module):
        def __init__(self, in_channels, out_channels, dim_caps, kernel_size, stride=1,
                     padding=0):
            super(PrimaryCapsule, self).__init__()
            self.dim_caps = dim_caps
            self.conv2d = nn.Conv2d(in_channels, out_channels, kernel_size=kernel_size,
                                    stride=stride, padding=padding)

        def forward(self, x):
            outputs = self.conv2d(x)
            outputs = outputs.view(x.size(0), -1, self.dim_caps)
            return squash(outputs)

    class CapsuleNet(nn.Module):
        def __init__(self, input_size, classes, routings):
            super(CapsuleNet, self).__init__()
            self.input_size = input_size
            self.classes = classes
            self.routings = routings
            # Layer 1: Just a conventional Conv2D layer
            self.conv1 = nn.Conv2d(input_size[0], 16, kernel_size=3, stride=1, padding=0)
            # Layer 2: Conv2D layer with `squash` activation, then reshape to
            # [None, num_caps, dim_caps]
            self.primarycaps = PrimaryCapsule(16, 16, 4, kernel_size=3, stride=2, padding=0)
            # Layer 3: Capsule layer. Routing algorithm works here.
            self.digitcaps = DenseCapsule(in_num_caps=16 * 2 * 2 // 4, in_dim_caps=4,
                                          out_num_caps=classes, out_dim_caps=6,
                                          routings=routings)
            # Decoder network.
            self.decoder = nn.Sequential(
                nn.Linear(6 * classes, 32), nn.ReLU(inplace=True), nn.Linear(32, 48),
                nn.ReLU(inplace=True), nn.Linear(48, input_size[0] * input_size[1]
                                                 * input_size[2]),
                nn.Sigmoid())
            self.relu = nn.ReLU()

        def forward(self, x, y=None):
            x = self.relu(self.conv1(x))
            x = self.primarycaps(x)
            x = self.digitcaps(x)
            length = x.norm(dim=-1)
            if y is None:  # during testing, no label given. create one-hot coding using `length`
                index = length.max(dim=1)[1]
                y = T.zeros(length.size()).scatter_(1, index.view(-1, 1).cpu().data, 1.)
            reconstruction = self.decoder((x * y[:, :, None]).view(x.size(0), -1))
            return length, reconstruction.view(-1, *self.input_size)

    def caps_loss(y_true, y_pred, x, x_recon, lam_recon):
        L = y_true * T.clamp(0.9 - y_pred, min=0.) ** 2 + \
            0.5 * (1 - y_true) * T.clamp(y_pred - 0.1, min=0.) ** 2
        L_margin = L.sum(dim=1).mean()
        L_recon = nn.MSELoss()(x_recon, x)
        return L_margin + lam_recon * L_recon

    model = CapsuleNet(input_size=[1, 8, 8], classes=10, routings=routings)
    if start is not None:
        model.load_state_dict({k: T.tensor(v) for k, v in start.items()})
    record = [state(model)]
    optimizer = optim.Adam(model.parameters(), lr=0.01)
    lr_decay = optim.lr_scheduler.ExponentialLR(optimizer, gamma=0.9)
    for epoch in range(2):
        model.train()  # set to training mode
        for i in range(steps):
            x = T.tensor(images[i * batch_size:(i + 1) * batch_size])
            y = T.tensor(labels[i * batch_size:(i + 1) * batch_size])
            y = T.zeros(y.size(0), 10).scatter_(1, y.view(-1, 1), 1.)  # to one-hot
            optimizer.zero_grad()
            y_pred, x_recon = model(x, y)  # forward
            loss = caps_loss(y, y_pred, x, x_recon, 0.392)
            loss.backward()
            record += [loss.item(), y_pred.detach().numpy(), grads(model)]
            optimizer.step()
        lr_decay.step()
        model.eval()
        with T.no_grad():
            y_pred, x_recon = model(T.tensor(images[-batch_size:]))
        y_pred = y_pred.max(dim=1)[1]  # y_pred.data.max(1)[1]: see the module's docstring
        record += [y_pred.numpy(), x_recon.numpy(), lr_decay.get_last_lr()]
    return record + [state(model)]


def test_higgsfield_capsule_network_trains_as_torch(torch):
    images, labels = digits(32)
    want = higgsfield(torch, images, labels)
    got = higgsfield(None, images, labels, start=want[0])
    assert_same(got[1:], want[1:])


def test_xifengguo_capsule_network_with_detached_routing_trains_as_torch(torch):
    images, labels = digits(32)
    want = xifengguo(torch, images, labels)
    got = xifengguo(None, images, labels, start=want[0])
    assert_same(got[1:], want[1:])
