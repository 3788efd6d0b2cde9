"""pytorch/examples' ``gat/main.py`` (Velickovic et al.'s graph attention network on
Cora), ported as written: ``GraphAttentionLayer`` (``W`` and ``a`` from ``torch.empty(size=
...)`` with ``nn.init.xavier_normal_`` of a 3-d ``a``, ``nn.LeakyReLU``, the unused
``nn.Softmax(dim=1)``; ``torch.mm(h, self.W)``, ``F.dropout(..., training=self.training)``,
the heads split by ``view(...).permute(1, 0, 2)``, the scores ``torch.matmul(h_transformed,
self.a[:, :self.n_hidden, :]) + target_scores.mT``, non-edges masked with
``torch.where(adj_mat > 0, e, -9e16 * torch.ones_like(e))``, ``F.softmax(e, dim=-1)``,
dropout on the attention, the heads concatenated (``permute(1, 0, 2).contiguous()
.view(n_nodes, self.out_features)``) or averaged (``mean(dim=0)``)), ``GAT`` (two layers,
``F.elu``, ``F.log_softmax``), ``load_cora`` (features row-normalised, adjacency with
self-loops), ``train_iter``/``test`` and the main block (``torch.accelerator``, the "already
downloaded" test, ``torch.randperm`` splits, ``Adam(..., weight_decay=)``, ``NLLLoss``).
Cora is a generated graph in Cora's files (``pytorch_examples_graphs``). It runs step for
step next to PyTorch (float64), dropout on, heads concatenated and averaged: the printed
lines, every step's gradients and parameters agree.

Lines written differently here, and why:
- the sparse tensors, as in the GCN port: ``.to_sparse()`` is dropped (every tensor is
  dense here) and ``torch.sparse_coo_tensor(edges.T, torch.ones(E), (V, V),
  dtype=torch.int64)`` is ``torch.zeros(V, V, dtype=torch.int64).index_put_(indices,
  values, accumulate=True)`` (repeats add up, as coalescing sums them);
- ``torch.FloatTensor(...)`` is ``torch.DoubleTensor``: the test runs in float64;
- the download (``requests``, ``tarfile``) writes the generated graph into ``./cora``;
  1200 / 1600 (the test and validation splits of 2708 papers) are 16 / 24 of 48;
- the test's glue (marked): both start from the same weights, PyTorch's side replays our
  ``randperm`` and the masks our ``F.dropout`` kept (``MaskedDropout``), hooks record each
  optimizer step, and the printed epoch times are blanked before comparing.
"""

import argparse
import contextlib
import io
import os
import re
import time

import numpy as np
import pytest

from pytorch_examples_graphs import write_generated_cora
from pytorch_examples_helpers import Draws, MaskedDropout, assert_steps, record_steps


def gat_main(torch, nn, F, Adam, argv, glue):
    """The script (its classes, functions and main block) for the library ``torch``."""

    class GraphAttentionLayer(nn.Module):
        """e_ij = a(W h_i, W h_j); alpha_ij = softmax_j(e_ij); h_i' = sum_j alpha_ij W h_j."""
        def __init__(self, in_features: int, out_features: int, n_heads: int,
                     concat: bool = False, dropout: float = 0.4, leaky_relu_slope: float = 0.2):
            super(GraphAttentionLayer, self).__init__()

            self.n_heads = n_heads  # Number of attention heads
            self.concat = concat  # wether to concatenate the final attention heads
            self.dropout = dropout  # Dropout rate

            if concat:  # concatenating the attention heads
                self.out_features = out_features  # Number of output features per node
                # Ensure that out_features is a multiple of n_heads
                assert out_features % n_heads == 0
                self.n_hidden = out_features // n_heads
            else:  # averaging output over the attention heads (Used in the main paper)
                self.n_hidden = out_features

            # A shared linear transformation, parametrized by a weight matrix W
            self.W = nn.Parameter(torch.empty(size=(in_features, self.n_hidden * n_heads)))

            # Initialize the attention weights a
            self.a = nn.Parameter(torch.empty(size=(n_heads, 2 * self.n_hidden, 1)))

            self.leakyrelu = nn.LeakyReLU(leaky_relu_slope)  # LeakyReLU activation function
            # softmax activation function to the attention coefficients
            self.softmax = nn.Softmax(dim=1)

            self.reset_parameters()  # Reset the parameters

        def reset_parameters(self):
            nn.init.xavier_normal_(self.W)
            nn.init.xavier_normal_(self.a)

        def _get_attention_scores(self, h_transformed):
            """e_ij = LeakyReLU(a^T [Wh_i || Wh_j]), all pairs at once."""
            source_scores = torch.matmul(h_transformed, self.a[:, :self.n_hidden, :])
            target_scores = torch.matmul(h_transformed, self.a[:, self.n_hidden:, :])

            # broadcast add
            # (n_heads, n_nodes, 1) + (n_heads, 1, n_nodes) = (n_heads, n_nodes, n_nodes)
            e = source_scores + target_scores.mT
            return self.leakyrelu(e)

        def forward(self, h, adj_mat):
            n_nodes = h.shape[0]

            # Apply linear transformation to node feature -> W h
            # output shape (n_nodes, n_hidden * n_heads)
            h_transformed = torch.mm(h, self.W)
            h_transformed = F.dropout(h_transformed, self.dropout, training=self.training)

            # splitting the heads by reshaping the tensor and putting heads dim first
            # output shape (n_heads, n_nodes, n_hidden)
            h_transformed = h_transformed.view(n_nodes, self.n_heads,
                                               self.n_hidden).permute(1, 0, 2)

            # getting the attention scores
            # output shape (n_heads, n_nodes, n_nodes)
            e = self._get_attention_scores(h_transformed)

            # Set the attention score for non-existent edges to -9e15 (MASKING NON-EXISTENT EDGES)
            connectivity_mask = -9e16 * torch.ones_like(e)
            e = torch.where(adj_mat > 0, e, connectivity_mask)  # masked attention scores

            # attention coefficients are computed as a softmax over the rows
            # for each column j in the attention score matrix e
            attention = F.softmax(e, dim=-1)
            attention = F.dropout(attention, self.dropout, training=self.training)

            # final node embeddings are computed as a weighted average of the features of its
            # neighbors
            h_prime = torch.matmul(attention, h_transformed)

            # concatenating/averaging the attention heads
            # output shape (n_nodes, out_features)
            if self.concat:
                h_prime = h_prime.permute(1, 0, 2).contiguous().view(n_nodes, self.out_features)
            else:
                h_prime = h_prime.mean(dim=0)

            return h_prime

    class GAT(nn.Module):
        def __init__(self, in_features, n_hidden, n_heads, num_classes, concat=False,
                     dropout=0.4, leaky_relu_slope=0.2):
            super(GAT, self).__init__()

            # Define the Graph Attention layers
            self.gat1 = GraphAttentionLayer(
                in_features=in_features, out_features=n_hidden, n_heads=n_heads,
                concat=concat, dropout=dropout, leaky_relu_slope=leaky_relu_slope
                )

            self.gat2 = GraphAttentionLayer(
                in_features=n_hidden, out_features=num_classes, n_heads=1,
                concat=False, dropout=dropout, leaky_relu_slope=leaky_relu_slope
                )

        def forward(self, input_tensor, adj_mat):
            # Apply the first Graph Attention layer
            x = self.gat1(input_tensor, adj_mat)
            x = F.elu(x)  # Apply ELU activation function to the output of the first layer

            # Apply the second Graph Attention layer
            x = self.gat2(x, adj_mat)

            return F.log_softmax(x, dim=1)  # Apply log softmax activation function

    def load_cora(path='./cora', device='cpu'):
        # Set the paths to the data files
        content_path = os.path.join(path, 'cora.content')
        cites_path = os.path.join(path, 'cora.cites')

        # Load data from files
        content_tensor = np.genfromtxt(content_path, dtype=np.dtype(str))
        cites_tensor = np.genfromtxt(cites_path, dtype=np.int32)

        # Process features (torch.FloatTensor: see above)
        features = torch.DoubleTensor(content_tensor[:, 1:-1].astype(np.int32))
        scale_vector = torch.sum(features, dim=1)  # Compute sum of features for each node
        scale_vector = 1 / scale_vector  # Compute reciprocal of the sums
        scale_vector[scale_vector == float('inf')] = 0  # Handle division by zero cases
        scale_vector = torch.diag(scale_vector)  # .to_sparse(): every tensor is dense here
        features = scale_vector @ features  # Scale the features using the scale vector

        # Process labels
        classes, labels = np.unique(content_tensor[:, -1], return_inverse=True)
        labels = torch.LongTensor(labels)  # Convert labels to a tensor

        # Process adjacency matrix
        idx = content_tensor[:, 0].astype(np.int32)  # Extract node indices
        idx_map = {id: pos for pos, id in enumerate(idx)}

        # Map node indices to positions in the adjacency matrix
        edges = np.array(
            list(map(lambda edge: [idx_map[edge[0]], idx_map[edge[1]]],
                 cites_tensor)), dtype=np.int32)

        V = len(idx)  # Number of nodes
        E = edges.shape[0]  # Number of edges
        # torch.sparse_coo_tensor(edges.T, torch.ones(E), (V, V), dtype=torch.int64), dense:
        adj_mat = torch.zeros(V, V, dtype=torch.int64).index_put_(
            tuple(torch.LongTensor(edges.T)), torch.ones(E, dtype=torch.int64), accumulate=True)
        adj_mat = torch.eye(V) + adj_mat  # Add self-loops to the adjacency matrix

        return features.to(device), labels.to(device), adj_mat.to(device)

    def train_iter(epoch, model, optimizer, criterion, input, target, mask_train, mask_val,
                   print_every=10):
        start_t = time.time()
        model.train()
        optimizer.zero_grad()

        # Forward pass
        output = model(*input)
        # Compute the loss using the training mask
        loss = criterion(output[mask_train], target[mask_train])

        loss.backward()
        optimizer.step()

        # Evaluate the model performance on training and validation sets
        loss_train, acc_train = test(model, criterion, input, target, mask_train)
        loss_val, acc_val = test(model, criterion, input, target, mask_val)

        if epoch % print_every == 0:
            # Print the training progress at specified intervals
            print(f'Epoch: {epoch:04d} ({(time.time() - start_t):.4f}s) '
                  f'loss_train: {loss_train:.4f} acc_train: {acc_train:.4f} '
                  f'loss_val: {loss_val:.4f} acc_val: {acc_val:.4f}')

    def test(model, criterion, input, target, mask):
        model.eval()
        with torch.no_grad():
            output = model(*input)
            output, target = output[mask], target[mask]

            loss = criterion(output, target)
            acc = (output.argmax(dim=1) == target).float().sum() / len(target)
        return loss.item(), acc.item()

    # if __name__ == '__main__':
    parser = argparse.ArgumentParser(description='PyTorch Graph Attention Network')
    parser.add_argument('--epochs', type=int, default=300)
    parser.add_argument('--lr', type=float, default=0.005)
    parser.add_argument('--l2', type=float, default=5e-4)
    parser.add_argument('--dropout-p', type=float, default=0.6)
    parser.add_argument('--hidden-dim', type=int, default=64)
    parser.add_argument('--num-heads', type=int, default=8)
    parser.add_argument('--concat-heads', action='store_true')
    parser.add_argument('--val-every', type=int, default=20)
    parser.add_argument('--no-accel', action='store_true')
    parser.add_argument('--dry-run', action='store_true')
    parser.add_argument('--seed', type=int, default=13, metavar='S')
    args = parser.parse_args(argv)

    torch.manual_seed(args.seed)

    use_accel = not args.no_accel and torch.accelerator.is_available()

    # Set the device to run on
    if use_accel:
        device = torch.accelerator.current_accelerator()
    else:
        device = torch.device('cpu')
    print(f'Using {device} device')

    # Load the dataset
    path = './cora'

    if os.path.isfile(os.path.join(path, 'cora.content')) and os.path.isfile(
            os.path.join(path, 'cora.cites')):
        print('Dataset already downloaded...')
    else:
        print('Downloading dataset...')
        write_generated_cora(path)  # requests.get(cora_url) and tarfile's extractall()

    print('Loading dataset...')
    # Load the dataset
    features, labels, adj_mat = load_cora(device=device)
    # Split the dataset into training, validation, and test sets
    idx = torch.randperm(len(labels)).to(device)
    idx_test, idx_val, idx_train = idx[:16], idx[16:24], idx[24:]

    # Create the model
    # The model consists of a 2-layer stack of Graph Attention Layers (GATs).
    gat_net = GAT(
        in_features=features.shape[1],          # Number of input features per node
        n_hidden=args.hidden_dim,               # Output size of the first Graph Attention Layer
        n_heads=args.num_heads,                 # Number of attention heads in the first layer
        num_classes=labels.max().item() + 1,    # Number of classes to predict for each node
        concat=args.concat_heads,               # Wether to concatinate attention heads
        dropout=args.dropout_p,                 # Dropout rate
        leaky_relu_slope=0.2                    # Alpha (slope) of the leaky relu activation
    ).to(device)
    gat_net.load_state_dict(glue["start"](gat_net))  # the test's glue: the same start

    # configure the optimizer and loss function
    optimizer = Adam(gat_net.parameters(), lr=args.lr, weight_decay=args.l2)
    record_steps(optimizer, glue["steps"])  # the test's glue
    criterion = nn.NLLLoss()

    # Train and evaluate the model
    for epoch in range(args.epochs):
        train_iter(epoch + 1, gat_net, optimizer, criterion, (features, adj_mat), labels,
                   idx_train, idx_val, args.val_every)
        if args.dry_run:
            break
    loss_test, acc_test = test(gat_net, criterion, (features, adj_mat), labels, idx_test)
    print(f'Test set results: loss {loss_test:.4f} accuracy {acc_test:.4f}')


class _Started(Exception):
    """Raised by the glue once PyTorch's model is built: its weights are all we wanted."""


def _pytorch_start(torch, argv) -> dict:
    """The weights PyTorch's ``GAT(...)`` starts from in this configuration (the script,
    run up to its model)."""
    start = {}

    def keep(model):
        start.update({k: v.detach().numpy().copy() for k, v in model.state_dict().items()})
        raise _Started

    try:
        with contextlib.redirect_stdout(io.StringIO()):
            gat_main(torch, torch.nn, torch.nn.functional, torch.optim.Adam, argv,
                     {"start": keep})
    except _Started:
        return start
    raise AssertionError("the script did not build its model")


def _run(torch, argv, start, draws, masks):
    """Run the script for ``torch`` (None: this library): what it printed (epoch times
    blanked) and each optimizer step."""
    if torch is None:
        import autograd as ag
        import nn
        T, lib, Adam, tensor = Draws(ag, draws=draws), nn, nn.optim.Adam, ag.tensor
        F = MaskedDropout(nn.functional, masks, False, None)
    else:
        T, lib, Adam = Draws(torch, replay=draws), torch.nn, torch.optim.Adam
        tensor = torch.tensor
        F = MaskedDropout(torch.nn.functional, masks, True,
                          lambda mask: torch.tensor(mask, dtype=torch.float64))
    glue = {"start": lambda model: {k: tensor(v) for k, v in start.items()}, "steps": []}
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        gat_main(T, lib, F, Adam, argv, glue)
    return re.sub(r"\(\d+\.\d{4}s\)", "(#s)", printed.getvalue()), glue["steps"]


@pytest.mark.parametrize("heads", [["--concat-heads"], []], ids=["concat", "mean"])
def test_gat_example_runs_step_for_step_as_torch(torch, tmp_path, monkeypatch, heads) -> None:
    monkeypatch.chdir(tmp_path)  # the script reads ./cora
    argv = ['--epochs', '12', '--val-every', '4', '--hidden-dim', '8', '--num-heads', '4',
            *heads]
    start, draws, masks = _pytorch_start(torch, argv), [], []
    assert sorted(start) == ['gat1.W', 'gat1.a', 'gat2.W', 'gat2.a']
    got, got_steps = _run(None, argv, start, draws, masks)
    assert len(draws) == 1 and sorted(draws[0]) == list(range(48))  # the randperm
    assert len(masks) == 12 * 4  # per epoch: 2 layers, features and attention
    want, want_steps = _run(torch, argv, start, draws, masks)
    assert draws == [] and masks == []  # PyTorch's run used every one
    assert got == want
    assert got.startswith("Using cpu device\nDataset already downloaded...\n"
                          "Loading dataset...\nEpoch: 0004 (#s) loss_train: ")
    assert got.count("Epoch: ") == 3 and "Test set results: loss " in got
    assert_steps(got_steps, want_steps)
