"""Capsule networks as gram-ai/capsule-networks writes them (``capsule_network.py``),
shrunk to scikit-learn's 8x8 digits: one ``CapsuleLayer`` for both kinds (primary
capsules as an ``nn.ModuleList`` of convolutions, ``capsule(x).view(x.size(0), -1, 1)``
joined by ``torch.cat(outputs, dim=-1)``; routed capsules with ``route_weights`` of shape
(capsules, routes, in, out) and the priors ``x[None, :, :, None, :] @
self.route_weights[:, None, :, :, :]``), its own ``softmax(input, dim)`` by
``transpose(dim, len(input.size()) - 1)``, ``.contiguous().view(-1, ...)`` and back, the
routing logits ``torch.zeros(*priors.size())``, ``squash`` by ``scale * tensor /
torch.sqrt(squared_norm)``; ``self.digit_capsules(x).squeeze().transpose(0, 1)``, the
lengths ``(x ** 2).sum(dim=-1) ** 0.5``, the decoder fed ``(x * y[:, :, None])
.contiguous().view(x.size(0), -1)`` (today's PyTorch refuses the repository's ``.view`` of
the transposed product) with ``y`` the labels' rows of ``torch.eye(NUM_CLASSES).index_select(dim=0,
index=...)`` (or the longest capsules' at test time); ``CapsuleLoss`` with
``F.relu(0.9 - classes, inplace=True) ** 2``, ``torch.numel``, ``nn.MSELoss(
size_average=False)``; the ``augmentation`` shifting images by slices into
``torch.zeros(*x.size())`` with ``np.random.randint``; Adam.

Written once for a library ``torch`` and run step for step next to PyTorch's from the
same weights (float64): losses, classes, reconstructions, gradients and parameters agree
to 1e-10. Lines written differently here: ``Variable(...)`` and ``.cuda()`` are dropped;
the augmentation's ``shifted_image.float()`` and the data's ``.float() / 255.0`` are left
out (the port runs in float64, where ``.float()`` would make the images float32 against
float64 weights); ``torchnet``'s engine and meters are a plain loop.
"""

import warnings

import numpy as np

from contrastive_helpers import digits, grads, libraries, state
from test_pytorch_ports_pinn import assert_same

NUM_CLASSES = 10
NUM_ROUTING_ITERATIONS = 3


def gram_ai(theirs, images, labels, start=None, batch_size=8, steps=3):
    torch, nn, F, optim, data = libraries(theirs)
    torch.manual_seed(0)
    np.random.seed(0)

    def softmax(input, dim=1):
        transposed_input = input.transpose(dim, len(input.size()) - 1)
        softmaxed_output = F.softmax(
            transposed_input.contiguous().view(-1, transposed_input.size(-1)), dim=-1)
        return softmaxed_output.view(*transposed_input.size()).transpose(
            dim, len(input.size()) - 1)

    def augmentation(x, max_shift=2):
        _, _, height, width = x.size()
        h_shift, w_shift = np.random.randint(-max_shift, max_shift + 1, size=2)
        source_height_slice = slice(max(0, h_shift), h_shift + height)
        source_width_slice = slice(max(0, w_shift), w_shift + width)
        target_height_slice = slice(max(0, -h_shift), -h_shift + height)
        target_width_slice = slice(max(0, -w_shift), -w_shift + width)
        shifted_image = torch.zeros(*x.size())
        shifted_image[:, :, source_height_slice, source_width_slice] = x[
            :, :, target_height_slice, target_width_slice]
        return shifted_image  # .float(): see the module's docstring

    class CapsuleLayer(nn.Module):
        def __init__(self, num_capsules, num_route_nodes, in_channels, out_channels,
                     kernel_size=None, stride=None,
                     num_iterations=NUM_ROUTING_ITERATIONS):
            super(CapsuleLayer, self).__init__()
            self.num_route_nodes = num_route_nodes
            self.num_iterations = num_iterations
            self.num_capsules = num_capsules
            if num_route_nodes != -1:
                self.route_weights = nn.Parameter(torch.randn(num_capsules, num_route_nodes,
                                                              in_channels, out_channels))
            else:
                self.capsules = nn.ModuleList(
                    [nn.Conv2d(in_channels, out_channels, kernel_size=kernel_size,
                               stride=stride, padding=0) for _ in range(num_capsules)])

        def squash(self, tensor, dim=-1):
            squared_norm = (tensor ** 2).sum(dim=dim, keepdim=True)
            scale = squared_norm / (1 + squared_norm)
            return scale * tensor / torch.sqrt(squared_norm)

        def forward(self, x):
            if self.num_route_nodes != -1:
                priors = x[None, :, :, None, :] @ self.route_weights[:, None, :, :, :]
                logits = torch.zeros(*priors.size())  # Variable(...).cuda()
                for i in range(self.num_iterations):
                    probs = softmax(logits, dim=2)
                    outputs = self.squash((probs * priors).sum(dim=2, keepdim=True))
                    if i != self.num_iterations - 1:
                        delta_logits = (priors * outputs).sum(dim=-1, keepdim=True)
                        logits = logits + delta_logits
            else:
                outputs = [capsule(x).view(x.size(0), -1, 1) for capsule in self.capsules]
                outputs = torch.cat(outputs, dim=-1)
                outputs = self.squash(outputs)
            return outputs

    class CapsuleNet(nn.Module):
        def __init__(self):
            super(CapsuleNet, self).__init__()
            self.conv1 = nn.Conv2d(in_channels=1, out_channels=16, kernel_size=3, stride=1)
            self.primary_capsules = CapsuleLayer(num_capsules=4, num_route_nodes=-1,
                                                 in_channels=16, out_channels=8,
                                                 kernel_size=3, stride=2)
            self.digit_capsules = CapsuleLayer(num_capsules=NUM_CLASSES,
                                               num_route_nodes=8 * 2 * 2, in_channels=4,
                                               out_channels=6)
            self.decoder = nn.Sequential(
                nn.Linear(6 * NUM_CLASSES, 32), nn.ReLU(inplace=True), nn.Linear(32, 48),
                nn.ReLU(inplace=True), nn.Linear(48, 64), nn.Sigmoid())

        def forward(self, x, y=None):
            x = F.relu(self.conv1(x), inplace=True)
            x = self.primary_capsules(x)
            x = self.digit_capsules(x).squeeze().transpose(0, 1)
            classes = (x ** 2).sum(dim=-1) ** 0.5
            classes = F.softmax(classes, dim=-1)
            if y is None:
                # In all batches, get the most active capsule.
                _, max_length_indices = classes.max(dim=1)
                y = torch.eye(NUM_CLASSES).index_select(dim=0, index=max_length_indices.data)
            # .view(...) in the repository: today's PyTorch refuses it (the product keeps
            # the transposed strides of x), so readers write .contiguous().view(...)
            reconstructions = self.decoder((x * y[:, :, None]).contiguous().view(x.size(0),
                                                                                 -1))
            return classes, reconstructions

    class CapsuleLoss(nn.Module):
        def __init__(self):
            super(CapsuleLoss, self).__init__()
            self.reconstruction_loss = nn.MSELoss(size_average=False)

        def forward(self, images, labels, classes, reconstructions):
            left = F.relu(0.9 - classes, inplace=True) ** 2
            right = F.relu(classes - 0.1, inplace=True) ** 2
            margin_loss = labels * left + 0.5 * (1. - labels) * right
            margin_loss = margin_loss.sum()
            assert torch.numel(images) == torch.numel(reconstructions)
            images = images.view(reconstructions.size()[0], -1)
            reconstruction_loss = self.reconstruction_loss(reconstructions, images)
            return (margin_loss + 0.0005 * reconstruction_loss) / images.size(0)

    model = CapsuleNet()
    if start is not None:
        model.load_state_dict({k: torch.tensor(v) for k, v in start.items()})
    record = [state(model)]
    optimizer = optim.Adam(model.parameters())
    with warnings.catch_warnings():  # size_average is deprecated in both
        warnings.simplefilter("ignore")
        capsule_loss = CapsuleLoss()

    def processor(sample):
        data_, labels_, training = sample
        data_ = augmentation(data_.unsqueeze(1))  # .float() / 255.0
        labels_ = torch.LongTensor(labels_)
        labels_ = torch.eye(NUM_CLASSES).index_select(dim=0, index=labels_)
        if training:
            classes, reconstructions = model(data_, labels_)
        else:
            classes, reconstructions = model(data_)
        loss = capsule_loss(data_, labels_, classes, reconstructions)
        return loss, classes

    for step in range(steps):
        batch = slice(step * batch_size, (step + 1) * batch_size)
        model.train()
        loss, classes = processor((torch.tensor(images[batch, 0]), labels[batch], True))
        optimizer.zero_grad()
        loss.backward()
        record += [loss.item(), classes.detach().numpy(), grads(model)]
        optimizer.step()
        model.eval()
        with torch.no_grad():
            loss, classes = processor((torch.tensor(images[-batch_size:, 0]),
                                       labels[-batch_size:], False))
        record += [loss.item(), classes.max(dim=1)[1].numpy()]
    return record + [state(model)]


def test_gram_ai_capsule_network_trains_as_torch(torch):
    images, labels = digits(32)
    want = gram_ai(torch, images, labels)
    got = gram_ai(None, images, labels, start=want[0])
    assert_same(got[1:], want[1:])
