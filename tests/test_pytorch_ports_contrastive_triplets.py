"""Metric learning with triplets as readers write it, shrunk to
scikit-learn's 8x8 digits:

- adambielski/siamese-triplet: ``EmbeddingNet`` (convolutions with ``nn.PReLU``,
  ``output.view(output.size()[0], -1)``), ``BalancedBatchSampler`` (a ``BatchSampler``
  subclass drawing with ``np.random``, given as ``DataLoader(batch_sampler=...)``),
  ``OnlineTripletLoss`` with ``FunctionNegativeTripletSelector``: the squared distances
  ``-2 * vectors.mm(torch.t(vectors)) + vectors.pow(2).sum(dim=1).view(1, -1) + ...``,
  ``itertools.combinations`` of ``np.where(label_mask)[0]``, ``distance_matrix[
  anchor_positives[:, 0], anchor_positives[:, 1]]``, ``distance_matrix[torch.LongTensor(
  np.array([a])), torch.LongTensor(negative_indices)]``, ``hardest_negative`` by
  ``np.argmax``, ``torch.LongTensor(triplets)``, ``embeddings[triplets[:, 0]]``; its
  ``fit``/``train_epoch`` (``scheduler.step()`` first, ``loss_inputs += target``, the
  ``AverageNonzeroTripletsMetric``); and ``nn.TripletMarginLoss`` on the same triplets;
- batch-hard mining (Hermans et al.) as commonly ported from omoindrot's: distances by
  ``torch.matmul(embeddings, embeddings.t())`` and ``torch.diag``, clipped in place by
  ``distances[distances < 0] = 0``, ``distances.eq(0).float()`` guarding the ``sqrt``,
  masks from ``labels.unsqueeze(0) == labels.unsqueeze(1)``, ``~`` and ``&`` with
  ``torch.eye(n, dtype=torch.bool, device=labels.device)``, ``(mask *
  dist).max(1, keepdim=True)``, ``dist + max * (1.0 - mask)`` then ``min``, ``tl[tl < 0] =
  0``; and ``nn.TripletMarginWithDistanceLoss`` on the hardest triplets, with a cosine
  distance and with ``nn.PairwiseDistance()`` (``swap=True``, ``reduction='sum'``).

Each program is written once for a library ``T`` and runs step for step next to PyTorch's
from the same weights (float64): losses, triplets, gradients and parameters agree to
1e-10. Lines written differently here: ``.data`` is the NumPy array here (by design), so
``labels.cpu().data.numpy()`` and ``loss_values.data.cpu().numpy()`` are
``labels.cpu().numpy()`` and ``loss_values.detach().cpu().numpy()``;
``torch.utils.data`` is ``nn.data``; ``.cuda()`` is left out.
"""

from itertools import combinations

import numpy as np
import pytest

from contrastive_helpers import (assert_same_up_to_adam_noise, digits, grads, libraries,
                                 state)
from test_pytorch_ports_pinn import assert_same


def embedding_net(nn):
    class EmbeddingNet(nn.Module):
        def __init__(self):
            super(EmbeddingNet, self).__init__()
            self.convnet = nn.Sequential(nn.Conv2d(1, 4, 3), nn.PReLU(),
                                         nn.MaxPool2d(2, stride=2),
                                         nn.Conv2d(4, 8, 2), nn.PReLU(),
                                         nn.MaxPool2d(2, stride=2))
            self.fc = nn.Sequential(nn.Linear(8, 16), nn.PReLU(), nn.Linear(16, 16),
                                    nn.PReLU(), nn.Linear(16, 2))

        def forward(self, x):
            output = self.convnet(x)
            output = output.view(output.size()[0], -1)
            output = self.fc(output)
            return output

        def get_embedding(self, x):
            return self.forward(x)

    return EmbeddingNet()


def online_triplets(torch, images, labels, start=None, margin=1.0):
    T, nn, F, optim, data = libraries(torch)
    T.manual_seed(0)
    np.random.seed(0)

    class BalancedBatchSampler(data.BatchSampler):
        """
        BatchSampler - from a MNIST-like dataset, samples n_classes and within these classes
        samples n_samples. Returns batches of size n_classes * n_samples
        """

        def __init__(self, labels, n_classes, n_samples):
            self.labels = labels
            self.labels_set = list(set(self.labels.numpy()))
            self.label_to_indices = {label: np.where(self.labels.numpy() == label)[0]
                                     for label in self.labels_set}
            for l in self.labels_set:  # noqa: E741
                np.random.shuffle(self.label_to_indices[l])
            self.used_label_indices_count = {label: 0 for label in self.labels_set}
            self.count = 0
            self.n_classes = n_classes
            self.n_samples = n_samples
            self.n_dataset = len(self.labels)
            self.batch_size = self.n_samples * self.n_classes

        def __iter__(self):
            self.count = 0
            while self.count + self.batch_size < self.n_dataset:
                classes = np.random.choice(self.labels_set, self.n_classes, replace=False)
                indices = []
                for class_ in classes:
                    used = self.used_label_indices_count[class_]
                    indices.extend(self.label_to_indices[class_][used:used + self.n_samples])
                    self.used_label_indices_count[class_] += self.n_samples
                    if (self.used_label_indices_count[class_] + self.n_samples
                            > len(self.label_to_indices[class_])):
                        np.random.shuffle(self.label_to_indices[class_])
                        self.used_label_indices_count[class_] = 0
                yield indices
                self.count += self.n_classes * self.n_samples

        def __len__(self):
            return self.n_dataset // self.batch_size

    def pdist(vectors):
        distance_matrix = -2 * vectors.mm(T.t(vectors)) + vectors.pow(2).sum(dim=1).view(
            1, -1) + vectors.pow(2).sum(dim=1).view(-1, 1)
        return distance_matrix

    def hardest_negative(loss_values):
        hard_negative = np.argmax(loss_values)
        return hard_negative if loss_values[hard_negative] > 0 else None

    class FunctionNegativeTripletSelector:
        def __init__(self, margin, negative_selection_fn, cpu=True):
            self.cpu = cpu
            self.margin = margin
            self.negative_selection_fn = negative_selection_fn

        def get_triplets(self, embeddings, labels):
            if self.cpu:
                embeddings = embeddings.cpu()
            distance_matrix = pdist(embeddings)
            distance_matrix = distance_matrix.cpu()
            labels = labels.cpu().numpy()  # labels.cpu().data.numpy()
            triplets = []
            for label in set(labels):
                label_mask = (labels == label)
                label_indices = np.where(label_mask)[0]
                if len(label_indices) < 2:
                    continue
                negative_indices = np.where(np.logical_not(label_mask))[0]
                anchor_positives = list(combinations(label_indices, 2))
                anchor_positives = np.array(anchor_positives)
                ap_distances = distance_matrix[anchor_positives[:, 0], anchor_positives[:, 1]]
                for anchor_positive, ap_distance in zip(anchor_positives, ap_distances):
                    loss_values = ap_distance - distance_matrix[
                        T.LongTensor(np.array([anchor_positive[0]])),
                        T.LongTensor(negative_indices)] + self.margin
                    loss_values = loss_values.detach().cpu().numpy()  # .data.cpu().numpy()
                    hard_negative = self.negative_selection_fn(loss_values)
                    if hard_negative is not None:
                        hard_negative = negative_indices[hard_negative]
                        triplets.append([anchor_positive[0], anchor_positive[1],
                                         hard_negative])
            if len(triplets) == 0:
                triplets.append([anchor_positive[0], anchor_positive[1], negative_indices[0]])
            triplets = np.array(triplets)
            return T.LongTensor(triplets)

    class OnlineTripletLoss(nn.Module):
        def __init__(self, margin, triplet_selector):
            super(OnlineTripletLoss, self).__init__()
            self.margin = margin
            self.triplet_selector = triplet_selector

        def forward(self, embeddings, target):
            triplets = self.triplet_selector.get_triplets(embeddings, target)
            ap_distances = (embeddings[triplets[:, 0]] - embeddings[triplets[:, 1]]).pow(2).sum(1)
            an_distances = (embeddings[triplets[:, 0]] - embeddings[triplets[:, 2]]).pow(2).sum(1)
            losses = F.relu(ap_distances - an_distances + self.margin)
            # the same triplets by nn.TripletMarginLoss (distances, not squared)
            builtin = nn.TripletMarginLoss(margin=self.margin, p=2)(
                embeddings[triplets[:, 0]], embeddings[triplets[:, 1]],
                embeddings[triplets[:, 2]])
            return losses.mean() + builtin, len(triplets)

    class AverageNonzeroTripletsMetric:
        def __init__(self):
            self.values = []

        def __call__(self, outputs, target, loss):
            self.values.append(loss[1])
            return self.value()

        def reset(self):
            self.values = []

        def value(self):
            return np.mean(self.values)

    def train_epoch(train_loader, model, loss_fn, optimizer, metrics, record):
        for metric in metrics:
            metric.reset()
        model.train()
        for batch_idx, (data_, target) in enumerate(train_loader):
            target = target if len(target) > 0 else None
            if not type(data_) in (tuple, list):  # noqa: E713 (the repository's line)
                data_ = (data_,)
            optimizer.zero_grad()
            outputs = model(*data_)
            if type(outputs) not in (tuple, list):
                outputs = (outputs,)
            loss_inputs = outputs
            if target is not None:
                target = (target,)
                loss_inputs += target
            loss_outputs = loss_fn(*loss_inputs)
            loss = loss_outputs[0] if type(loss_outputs) in (tuple, list) else loss_outputs
            loss.backward()
            optimizer.step()
            for metric in metrics:
                metric(outputs, target, loss_outputs)
            record += [loss.item(), grads(model), [m.value() for m in metrics]]

    def fit(train_loader, model, loss_fn, optimizer, scheduler, n_epochs, metrics, record,
            start_epoch=0):
        for epoch in range(0, start_epoch):
            scheduler.step()
        for epoch in range(start_epoch, n_epochs):
            scheduler.step()
            train_epoch(train_loader, model, loss_fn, optimizer, metrics, record)
            record.append(scheduler.get_last_lr())

    model = embedding_net(nn)
    if start is not None:
        model.load_state_dict({k: T.tensor(v) for k, v in start.items()})
    record = [state(model)]
    train_labels = T.tensor(labels)
    train_dataset = data.TensorDataset(T.tensor(images), train_labels)
    train_batch_sampler = BalancedBatchSampler(train_labels, n_classes=3, n_samples=3)
    online_train_loader = data.DataLoader(train_dataset, batch_sampler=train_batch_sampler)
    loss_fn = OnlineTripletLoss(margin, FunctionNegativeTripletSelector(margin,
                                                                          hardest_negative))
    optimizer = optim.Adam(model.parameters(), lr=1e-3)
    scheduler = optim.lr_scheduler.StepLR(optimizer, 1, gamma=0.1, last_epoch=-1)
    fit(online_train_loader, model, loss_fn, optimizer, scheduler, 2,
        [AverageNonzeroTripletsMetric()], record)
    return record + [state(model)]


def batch_hard(torch, images, labels, start=None, margin=0.5, batch_size=12, steps=4):
    T, nn, F, optim, data = libraries(torch)
    T.manual_seed(0)

    def _pairwise_distances(embeddings, squared=False):
        dot_product = T.matmul(embeddings, embeddings.t())
        square_norm = T.diag(dot_product)
        distances = square_norm.unsqueeze(0) - 2.0 * dot_product + square_norm.unsqueeze(1)
        distances[distances < 0] = 0
        if not squared:
            mask = distances.eq(0).float()
            distances = distances + mask * 1e-16
            distances = (1.0 - mask) * T.sqrt(distances)
        return distances

    def _get_anchor_positive_triplet_mask(labels):
        indices_equal = T.eye(labels.size(0), dtype=T.bool, device=labels.device)
        indices_not_equal = ~indices_equal
        labels_equal = labels.unsqueeze(0) == labels.unsqueeze(1)
        return labels_equal & indices_not_equal

    def _get_anchor_negative_triplet_mask(labels):
        return ~(labels.unsqueeze(0) == labels.unsqueeze(1))

    def batch_hard_triplet_loss(labels, embeddings, margin, squared=False):
        pairwise_dist = _pairwise_distances(embeddings, squared=squared)
        mask_anchor_positive = _get_anchor_positive_triplet_mask(labels).float()
        anchor_positive_dist = mask_anchor_positive * pairwise_dist
        hardest_positive_dist, _ = anchor_positive_dist.max(1, keepdim=True)
        mask_anchor_negative = _get_anchor_negative_triplet_mask(labels).float()
        max_anchor_negative_dist, _ = pairwise_dist.max(1, keepdim=True)
        anchor_negative_dist = pairwise_dist + max_anchor_negative_dist * (
            1.0 - mask_anchor_negative)
        hardest_negative_dist, _ = anchor_negative_dist.min(1, keepdim=True)
        tl = hardest_positive_dist - hardest_negative_dist + margin
        tl[tl < 0] = 0
        triplet_loss = tl.mean()
        # the same hardest triplets by the built-in losses
        positive = embeddings[anchor_positive_dist.argmax(1)]
        negative = embeddings[anchor_negative_dist.argmin(1)]
        cosine = nn.TripletMarginWithDistanceLoss(
            distance_function=lambda x, y: 1.0 - F.cosine_similarity(x, y), margin=margin)
        swapped = nn.TripletMarginWithDistanceLoss(distance_function=nn.PairwiseDistance(),
                                                   swap=True, reduction='sum')
        return (triplet_loss, cosine(embeddings, positive, negative),
                swapped(embeddings, positive, negative))

    model = embedding_net(nn)
    if start is not None:
        model.load_state_dict({k: T.tensor(v) for k, v in start.items()})
    record = [state(model)]
    optimizer = optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
    for step in range(steps):
        x = T.tensor(images[step * batch_size:(step + 1) * batch_size])
        y = T.tensor(labels[step * batch_size:(step + 1) * batch_size])
        losses = batch_hard_triplet_loss(y, model(x), margin)
        loss = sum(losses)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        record += [[term.item() for term in losses], grads(model)]
    return record + [state(model)]


@pytest.mark.filterwarnings("ignore:Detected call of `lr_scheduler.step\\(\\)` before",
                            "ignore:StepLR.step\\(\\) was called before optimizer.step")
def test_online_triplet_mining_trains_as_torch(torch):
    images, labels = digits(40)
    want = online_triplets(torch, images, labels)
    got = online_triplets(None, images, labels, start=want[0])
    # the distances do not change when every embedding shifts alike: the last biases'
    # gradients are round-off, which Adam turns into steps
    assert_same_up_to_adam_noise(got[1:], want[1:], ("fc.2.bias", "fc.4.bias"))


def test_batch_hard_triplets_train_as_torch(torch):
    images, labels = digits(60)
    order = np.argsort(labels % 4, kind="stable")  # batches of few classes, several each
    images, labels = images[order], labels[order]
    want = batch_hard(torch, images, labels)
    got = batch_hard(None, images, labels, start=want[0])
    assert_same(got[1:], want[1:])
