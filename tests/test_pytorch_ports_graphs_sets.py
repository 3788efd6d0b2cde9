"""Deep Sets and the Set Transformer as their PyTorch readers write them (Juho Lee's
``set_transformer``: ``modules.py``'s ``MAB``, ``SAB``, ``ISAB`` with its inducing points,
``PMA`` with its seed vectors, ``models.py``'s ``DeepSet`` and ``SetTransformer``, and the
``max_regression_demo`` notebook's ``SmallDeepSet`` with max/mean/sum pooling,
``SmallSetTransformer``, ``gen_data`` and ``train``). The sets are generated as the
notebook generates them (integers 1..99, the target their maximum) from one seeded NumPy
generator for both runs; sizes are shrunk (64 -> 16 hidden, 2**10 -> 12 sets a batch).
Each runs step for step next to PyTorch (float64): losses, every step's gradients and
parameters agree to 1e-10.

Lines written differently here, and why:
- ``torch.Tensor(1, num_inds, dim_out)`` (a size) is ``torch.empty(...)``: ``Tensor(data)``
  takes data here, and ``Tensor(1, 4, 8)`` is a named error saying to write ``empty``;
- ``torch.from_numpy(x).float().cuda()`` is ``.double()``: the test runs in float64 (and
  ``.cuda()`` is dropped: there is no GPU in either run);
- ``torch.optim.Adam`` is ``optim.Adam`` (``optim`` is ``nn.optim`` here, a package of
  its own); its lr is 1e-3 (1e-4) so that four steps move the weights;
- ``np.random`` is a seeded ``RandomState`` handed to ``gen_data`` (the same sets in both
  runs);
- the test's glue (marked): PyTorch's model starts from our weights; both record each
  optimizer step.
"""

import math

import numpy as np
import pytest

from graph_ports_helpers import assert_same_run


def set_modules(torch, nn, F):
    """``modules.py`` for the library ``torch``: (MAB, SAB, ISAB, PMA)."""

    class MAB(nn.Module):
        def __init__(self, dim_Q, dim_K, dim_V, num_heads, ln=False):
            super(MAB, self).__init__()
            self.dim_V = dim_V
            self.num_heads = num_heads
            self.fc_q = nn.Linear(dim_Q, dim_V)
            self.fc_k = nn.Linear(dim_K, dim_V)
            self.fc_v = nn.Linear(dim_K, dim_V)
            if ln:
                self.ln0 = nn.LayerNorm(dim_V)
                self.ln1 = nn.LayerNorm(dim_V)
            self.fc_o = nn.Linear(dim_V, dim_V)

        def forward(self, Q, K):
            Q = self.fc_q(Q)
            K, V = self.fc_k(K), self.fc_v(K)

            dim_split = self.dim_V // self.num_heads
            Q_ = torch.cat(Q.split(dim_split, 2), 0)
            K_ = torch.cat(K.split(dim_split, 2), 0)
            V_ = torch.cat(V.split(dim_split, 2), 0)

            A = torch.softmax(Q_.bmm(K_.transpose(1, 2)) / math.sqrt(self.dim_V), 2)
            O = torch.cat((Q_ + A.bmm(V_)).split(Q.size(0), 0), 2)  # noqa: E741
            O = O if getattr(self, 'ln0', None) is None else self.ln0(O)  # noqa: E741
            O = O + F.relu(self.fc_o(O))  # noqa: E741
            O = O if getattr(self, 'ln1', None) is None else self.ln1(O)  # noqa: E741
            return O

    class SAB(nn.Module):
        def __init__(self, dim_in, dim_out, num_heads, ln=False):
            super(SAB, self).__init__()
            self.mab = MAB(dim_in, dim_in, dim_out, num_heads, ln=ln)

        def forward(self, X):
            return self.mab(X, X)

    class ISAB(nn.Module):
        def __init__(self, dim_in, dim_out, num_heads, num_inds, ln=False):
            super(ISAB, self).__init__()
            self.I = nn.Parameter(torch.empty(1, num_inds, dim_out))  # torch.Tensor(...)
            nn.init.xavier_uniform_(self.I)
            self.mab0 = MAB(dim_out, dim_in, dim_out, num_heads, ln=ln)
            self.mab1 = MAB(dim_in, dim_out, dim_out, num_heads, ln=ln)

        def forward(self, X):
            H = self.mab0(self.I.repeat(X.size(0), 1, 1), X)
            return self.mab1(X, H)

    class PMA(nn.Module):
        def __init__(self, dim, num_heads, num_seeds, ln=False):
            super(PMA, self).__init__()
            self.S = nn.Parameter(torch.empty(1, num_seeds, dim))  # torch.Tensor(...)
            nn.init.xavier_uniform_(self.S)
            self.mab = MAB(dim, dim, dim, num_heads, ln=ln)

        def forward(self, X):
            return self.mab(self.S.repeat(X.size(0), 1, 1), X)

    return MAB, SAB, ISAB, PMA


def gen_data(batch_size, max_length=10, test=False, random=np.random):
    length = random.randint(1, max_length + 1)
    x = random.randint(1, 100, (batch_size, length))
    y = np.max(x, axis=1)
    x, y = np.expand_dims(x, axis=2), np.expand_dims(y, axis=1)
    return x, y


def max_regression(torch, nn, F, optim, glue, model_name, pool="max", steps=4):
    """The notebook: its two small models and ``train``."""
    MAB, SAB, ISAB, PMA = set_modules(torch, nn, F)

    class SmallDeepSet(nn.Module):
        def __init__(self, pool="max"):
            super().__init__()
            self.enc = nn.Sequential(
                nn.Linear(in_features=1, out_features=16),
                nn.ReLU(),
                nn.Linear(in_features=16, out_features=16),
            )
            self.dec = nn.Sequential(
                nn.Linear(in_features=16, out_features=16),
                nn.ReLU(),
                nn.Linear(in_features=16, out_features=1),
            )
            self.pool = pool

        def forward(self, x):
            x = self.enc(x)
            if self.pool == "max":
                x = x.max(dim=1)[0]
            elif self.pool == "mean":
                x = x.mean(dim=1)
            elif self.pool == "sum":
                x = x.sum(dim=1)
            x = self.dec(x)
            return x

    class SmallSetTransformer(nn.Module):
        def __init__(self,):
            super().__init__()
            self.enc = nn.Sequential(
                SAB(dim_in=1, dim_out=16, num_heads=4),
                SAB(dim_in=16, dim_out=16, num_heads=4),
            )
            self.dec = nn.Sequential(
                PMA(dim=16, num_heads=4, num_seeds=1),
                nn.Linear(in_features=16, out_features=1),
            )

        def forward(self, x):
            x = self.enc(x)
            x = self.dec(x)
            return x.squeeze(-1)

    def train(model):
        # model = model.cuda(): no GPU in either run
        optimizer = optim.Adam(model.parameters(), lr=1e-3)  # torch.optim.Adam, lr=1e-4
        glue(model, optimizer)  # the test's glue
        criterion = nn.L1Loss()  # .cuda()
        random = np.random.RandomState(0)  # np.random: see the module's docstring
        losses = []
        for _ in range(steps):
            x, y = gen_data(batch_size=12, max_length=10, random=random)
            x, y = torch.from_numpy(x).double(), torch.from_numpy(y).double()  # .float()
            loss = criterion(model(x), y)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            losses.append(loss.item())
        return losses

    model = SmallDeepSet(pool) if model_name == "deepset" else SmallSetTransformer()
    return train(model)


@pytest.mark.parametrize("pool", ["max", "mean", "sum"])
def test_small_deep_set_max_regression(torch, pool):
    losses = assert_same_run(torch, max_regression, "deepset", pool)
    assert len(losses) == 4


def test_small_set_transformer_max_regression(torch):
    assert_same_run(torch, max_regression, "set_transformer")


def models_program(torch, nn, F, optim, glue, steps=3):
    """``models.py``'s DeepSet and SetTransformer (ISAB encoder with inducing points,
    PMA with two seeds, layer norms), trained to give a set's two largest values."""
    MAB, SAB, ISAB, PMA = set_modules(torch, nn, F)

    class DeepSet(nn.Module):
        def __init__(self, dim_input, num_outputs, dim_output, dim_hidden=128):
            super(DeepSet, self).__init__()
            self.num_outputs = num_outputs
            self.dim_output = dim_output
            self.enc = nn.Sequential(
                nn.Linear(dim_input, dim_hidden),
                nn.ReLU(),
                nn.Linear(dim_hidden, dim_hidden),
                nn.ReLU(),
                nn.Linear(dim_hidden, dim_hidden))
            self.dec = nn.Sequential(
                nn.Linear(dim_hidden, dim_hidden),
                nn.ReLU(),
                nn.Linear(dim_hidden, num_outputs * dim_output))

        def forward(self, X):
            X = self.enc(X).mean(-2)
            X = self.dec(X).reshape(-1, self.num_outputs, self.dim_output)
            return X

    class SetTransformer(nn.Module):
        def __init__(self, dim_input, num_outputs, dim_output,
                     num_inds=32, dim_hidden=128, num_heads=4, ln=False):
            super(SetTransformer, self).__init__()
            self.enc = nn.Sequential(
                ISAB(dim_input, dim_hidden, num_heads, num_inds, ln=ln),
                ISAB(dim_hidden, dim_hidden, num_heads, num_inds, ln=ln))
            self.dec = nn.Sequential(
                PMA(dim_hidden, num_heads, num_outputs, ln=ln),
                SAB(dim_hidden, dim_hidden, num_heads, ln=ln),
                SAB(dim_hidden, dim_hidden, num_heads, ln=ln),
                nn.Linear(dim_hidden, dim_output))

        def forward(self, X):
            return self.dec(self.enc(X))

    deepset = DeepSet(2, 2, 1, dim_hidden=12)
    transformer = SetTransformer(2, 2, 1, num_inds=5, dim_hidden=12, num_heads=3, ln=True)
    optimizer = optim.Adam(list(deepset.parameters()) + list(transformer.parameters()),
                           lr=1e-3)
    glue(deepset, transformer, optimizer)  # the test's glue
    random = np.random.RandomState(1)
    losses = []
    for _ in range(steps):
        X = torch.tensor(random.standard_normal((4, 7, 2)))
        top = X.sum(-1).sort(dim=1, descending=True)[0][:, :2].unsqueeze(-1)
        loss = F.mse_loss(deepset(X), top) + F.mse_loss(transformer(X), top)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    losses.append(transformer(X).detach())
    return losses


def test_deep_set_and_set_transformer_with_inducing_points(torch):
    assert_same_run(torch, models_program)
