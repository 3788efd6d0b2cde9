"""Stanford CS231n, assignment 3's ``Self_Supervised_Learning.ipynb`` with its
``cs231n/simclr/contrastive_loss.py``, ``model.py`` and ``utils.py``, ported as students
write them: ``sim`` by ``torch.dot`` over ``torch.linalg.norm``, ``simclr_loss_naive``
(Python loops over the 2N views), ``sim_positive_pairs``, ``compute_sim_matrix``
(``torch.mm(out_norm, out_norm.T)``), ``simclr_loss_vectorized`` (the mask ``(
torch.ones_like(exponential, device=device) - torch.eye(2 * N, device=device)).to(device)
.bool()`` and ``masked_select(mask).view(2 * N, -1)``), the ``Model`` whose head ``g``
ends a ``Linear(bias=False)``/``BatchNorm1d``/``ReLU(inplace=True)`` stack and whose
outputs are ``F.normalize``'d, and ``train`` with Adam over pairs of augmented views.
Small generated views of 3-channel 8x8 digits stand in for CIFAR-10's; everything runs
next to PyTorch (float64) and agrees to 1e-10.

Lines written differently here, and why:
- ``device = 'cuda'`` is ``'cpu'`` and the progress bar (``tqdm``) is left out;
- ResNet-50's ``f`` is a small convolutional stack;
- the test's glue: both models start from our weights.
"""

import numpy as np

from cs231n_helpers import colour_digits, libraries
from interpret_helpers import numpy_of


def contrastive_loss(torch):
    """``cs231n/simclr/contrastive_loss.py``."""

    def sim(z_i, z_j):
        norm_dot_product = torch.dot(z_i, z_j) / (torch.linalg.norm(z_i)
                                                  * torch.linalg.norm(z_j))
        return norm_dot_product

    def simclr_loss_naive(out_left, out_right, tau):
        N = out_left.shape[0]  # total number of training examples
        # Concatenate out_left and out_right into a 2*N x D tensor.
        out = torch.cat([out_left, out_right], dim=0)  # [2*N, D]
        total_loss = 0
        for k in range(N):  # loop through each positive pair (k, k+N)
            z_k, z_k_N = out[k], out[k + N]
            # loss for the pair (k, k+N)
            numerator = torch.exp(sim(z_k, z_k_N) / tau)
            denominator = 0
            for i in range(2 * N):
                if i != k:
                    denominator += torch.exp(sim(z_k, out[i]) / tau)
            total_loss += -torch.log(numerator / denominator)
            # loss for the pair (k+N, k)
            numerator = torch.exp(sim(z_k_N, z_k) / tau)
            denominator = 0
            for i in range(2 * N):
                if i != k + N:
                    denominator += torch.exp(sim(z_k_N, out[i]) / tau)
            total_loss += -torch.log(numerator / denominator)
        # In the end, we need to divide the total loss by 2N, the number of samples.
        total_loss = total_loss / (2 * N)
        return total_loss

    def sim_positive_pairs(out_left, out_right):
        left_norm = out_left / torch.linalg.norm(out_left, dim=1, keepdim=True)
        right_norm = out_right / torch.linalg.norm(out_right, dim=1, keepdim=True)
        pos_pairs = torch.sum(left_norm * right_norm, dim=1, keepdim=True)
        return pos_pairs

    def compute_sim_matrix(out):
        out_norm = out / torch.linalg.norm(out, dim=1, keepdim=True)
        sim_matrix = torch.mm(out_norm, out_norm.T)
        return sim_matrix

    def simclr_loss_vectorized(out_left, out_right, tau, device='cuda'):
        N = out_left.shape[0]
        # Concatenate out_left and out_right into a 2*N x D tensor.
        out = torch.cat([out_left, out_right], dim=0)  # [2*N, D]
        # Compute similarity matrix between all pairs of augmented examples in the batch.
        sim_matrix = compute_sim_matrix(out)  # [2*N, 2*N]
        exponential = torch.exp(sim_matrix / tau)
        # This binary mask zeros out terms where k=i.
        mask = (torch.ones_like(exponential, device=device)
                - torch.eye(2 * N, device=device)).to(device).bool()
        # We apply the binary mask.
        exponential = exponential.masked_select(mask).view(2 * N, -1)  # [2*N, 2*N-1]
        denom = torch.sum(exponential, dim=1, keepdim=True)
        sim_pairs = sim_positive_pairs(out_left, out_right)
        sim_pairs = torch.cat([sim_pairs, sim_pairs], dim=0)
        numerator = torch.exp(sim_pairs / tau)
        loss = torch.mean(-torch.log(numerator / denom))
        return loss

    return sim, simclr_loss_naive, simclr_loss_vectorized


def simclr_model(torch, nn, F):
    """``cs231n/simclr/model.py`` with a small ``f``."""

    class Model(nn.Module):
        def __init__(self, feature_dim=4):
            super(Model, self).__init__()
            self.f = nn.Sequential(
                nn.Conv2d(3, 6, kernel_size=3, stride=1, padding=1, bias=False),
                nn.BatchNorm2d(6), nn.ReLU(inplace=True), nn.AdaptiveAvgPool2d((2, 2)))
            # projection head
            self.g = nn.Sequential(nn.Linear(24, 12, bias=False), nn.BatchNorm1d(12),
                                   nn.ReLU(inplace=True), nn.Linear(12, feature_dim,
                                                                    bias=True))

        def forward(self, x):
            x = self.f(x)
            feature = torch.flatten(x, start_dim=1)
            out = self.g(feature)
            return F.normalize(feature, dim=-1), F.normalize(out, dim=-1)

    return Model


def notebook(torch, nn, F, optim, start, record):
    sim, simclr_loss_naive, simclr_loss_vectorized = contrastive_loss(torch)
    device = 'cpu'  # 'cuda' in the notebook: see the top
    rng = np.random.default_rng(231)
    left, right = rng.standard_normal((2, 5, 4))
    out_left, out_right = torch.tensor(left), torch.tensor(right)
    record.append(sim(out_left[0], out_right[0]))
    naive = simclr_loss_naive(out_left, out_right, 5.0)
    vectorized = simclr_loss_vectorized(out_left, out_right, 5.0, device)
    record += [naive, vectorized]
    assert abs(naive.item() - vectorized.item()) < 1e-12

    def train(model, data_loader, train_optimizer, epoch, epochs, batch_size=32,
              temperature=0.5, device='cuda'):
        model.train()
        total_loss, total_num, train_bar = 0.0, 0, data_loader  # tqdm: see the top
        for data_pair in train_bar:
            x_i, x_j, target = data_pair
            x_i, x_j = x_i.to(device), x_j.to(device)
            _, out_left = model(x_i)
            _, out_right = model(x_j)
            loss = simclr_loss_vectorized(out_left, out_right, temperature, device)
            train_optimizer.zero_grad()
            loss.backward()
            train_optimizer.step()
            total_num += batch_size
            total_loss += loss.item() * batch_size
            record.append(loss.item())
        return total_loss / total_num

    images, labels = colour_digits(16)
    views = rng.normal(images, 0.1, size=(2, *images.shape))
    pairs = list(zip(torch.tensor(views[0]).split(8), torch.tensor(views[1]).split(8),
                     torch.tensor(labels).split(8)))
    model = start(simclr_model(torch, nn, F)())
    optimizer = optim.Adam(model.parameters(), lr=1e-3, weight_decay=1e-6)
    for epoch in range(1, 3):
        record.append(train(model, pairs, optimizer, epoch, 2, batch_size=8,
                            temperature=0.5, device=device))
    record += list(model.state_dict().values())


def run(torch=None, weights=None):
    T, nn, F, optim, _ = libraries(torch)

    def start(model):
        if torch is None:
            weights.update({k: v.numpy().copy() for k, v in model.state_dict().items()})
        else:
            model.load_state_dict({k: T.tensor(v) for k, v in weights.items()})
        return model

    record = []
    notebook(T, nn, F, optim, start, record)
    return [numpy_of(v) for v in record]


def test_simclr_matches_pytorch(torch):
    weights = {}
    ours = run(None, weights)
    theirs = run(torch, weights)
    assert len(ours) == len(theirs)
    for i, (a, b) in enumerate(zip(ours, theirs)):
        assert np.isfinite(a).all(), f"record {i}"
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-12, err_msg=f"record {i}")
