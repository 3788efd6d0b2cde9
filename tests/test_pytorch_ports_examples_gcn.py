"""pytorch/examples' ``gcn/main.py`` (Kipf and Welling's graph convolutional network on
Cora), ported as written: ``GraphConv`` (``nn.Parameter`` kernel and bias,
``nn.init.xavier_normal_``/``zeros_``, ``torch.mm(input_tensor, self.kernel)`` then
``torch.spmm(adj_mat, support)``), ``GCN`` (two layers, ``F.relu``, ``nn.Dropout``,
``F.log_softmax(x, dim=1)``), ``load_cora`` (``np.genfromtxt`` of the two files, the
row-normalised features, ``np.unique(..., return_inverse=True)`` labels, the adjacency
matrix with self-loops and the renormalisation D^-1/2 (A + I) D^-1/2 with its
``degree_mat[degree_mat == float('inf')] = 0``), ``train_iter``/``test`` (``output[mask]``
with index tensors from ``torch.randperm``, ``NLLLoss``, the accuracy
``(output.argmax(dim=1) == target).float().sum() / len(target)``) and the main block
(argparse, ``Adam(..., weight_decay=args.l2)``). Cora is a generated graph written in
Cora's files (``pytorch_examples_graphs``). It runs step for step next to PyTorch
(float64, dropout on): the printed lines, every step's gradients and parameters agree.

Lines written differently here, and why:
- the sparse tensors: every tensor is dense here (``to_sparse()`` and
  ``torch.sparse_coo_tensor`` are named errors saying so), so ``.to_sparse()`` is dropped
  and the adjacency matrix is built dense, ``torch.zeros(V, V, dtype=torch.int64)
  .index_put_(indices, values, accumulate=True)`` (repeated citations add up, as the
  sparse tensor's coalescing sums them). ``torch.spmm`` is kept: PyTorch's takes dense
  matrices too, and so does ours (added);
- ``torch.Tensor(input_dim, output_dim)`` (a size) is ``torch.empty(input_dim,
  output_dim)``: ``Tensor(data)`` takes data here, and ``Tensor(3, 4)`` is a named error
  saying to write ``empty`` (it was silently the number 3). ``torch.Tensor(output_dim)``
  (the bias) is ``torch.empty(output_dim)`` too: ``Tensor(16)`` is the number 16 here
  (with a ``SizeOrDataWarning`` saying so);
- ``torch.FloatTensor(...)`` (the features) is ``torch.DoubleTensor``: the test runs in
  float64, where PyTorch's ``mm`` refuses float32 features against a float64 kernel;
- ``torch.device(args.device)`` is kept (``torch.backends.mps.is_available()`` is False,
  as PyTorch's here);
- the download (``requests``, ``tarfile``) writes the generated graph into ``./cora``;
  1000 / 1500 (the test and validation splits of 2708 papers) are 16 / 24 of 48;
- the test's glue (marked): both start from the same weights, PyTorch's side replays our
  ``randperm`` and what our dropout kept, hooks record each optimizer step, and the
  printed epoch times (``time.time()``) are blanked before comparing.
"""

import argparse
import contextlib
import io
import os
import re
import time

import numpy as np

from pytorch_examples_graphs import write_generated_cora
from pytorch_examples_helpers import (Draws, assert_steps, record_dropout, record_steps,
                                      replay_dropout)


def gcn_main(torch, nn, F, Adam, argv, glue):
    """The script (its classes, functions and main block) for the library ``torch``."""

    class GraphConv(nn.Module):
        """H' = f(D^(-1/2) * A * D^(-1/2) * H * W)."""
        def __init__(self, input_dim, output_dim, use_bias=False):
            super(GraphConv, self).__init__()

            # Initialize the weight matrix W (in this case called `kernel`)
            self.kernel = nn.Parameter(torch.empty(input_dim, output_dim))  # torch.Tensor(...)
            # Initialize the weights using Xavier initialization
            nn.init.xavier_normal_(self.kernel)

            # Initialize the bias (if use_bias is True)
            self.bias = None
            if use_bias:
                self.bias = nn.Parameter(torch.empty(output_dim))  # torch.Tensor(output_dim)
                nn.init.zeros_(self.bias)  # Initialize the bias to zeros

        def forward(self, input_tensor, adj_mat):
            # Matrix multiplication between input and weight matrix
            support = torch.mm(input_tensor, self.kernel)
            # Sparse matrix multiplication between adjacency matrix and support
            output = torch.spmm(adj_mat, support)
            # Add the bias (if bias is not None)
            if self.bias is not None:
                output = output + self.bias

            return output

    class GCN(nn.Module):
        def __init__(self, input_dim, hidden_dim, output_dim, use_bias=True, dropout_p=0.1):
            super(GCN, self).__init__()

            # Define the Graph Convolution layers
            self.gc1 = GraphConv(input_dim, hidden_dim, use_bias=use_bias)
            self.gc2 = GraphConv(hidden_dim, output_dim, use_bias=use_bias)

            # Define the dropout layer
            self.dropout = nn.Dropout(dropout_p)

        def forward(self, input_tensor, adj_mat):
            # Perform the first graph convolutional layer
            x = self.gc1(input_tensor, adj_mat)
            x = F.relu(x)  # Apply ReLU activation function
            x = self.dropout(x)  # Apply dropout regularization

            # Perform the second graph convolutional layer
            x = self.gc2(x, adj_mat)

            # Apply log-softmax activation function for classification
            return F.log_softmax(x, dim=1)

    def load_cora(path='./cora', device='cpu'):
        # Set the paths to the data files
        content_path = os.path.join(path, 'cora.content')
        cites_path = os.path.join(path, 'cora.cites')

        # Load data from files
        content_tensor = np.genfromtxt(content_path, dtype=np.dtype(str))
        cites_tensor = np.genfromtxt(cites_path, dtype=np.int32)

        # Process features
        # FloatTensor: see above
        features = torch.DoubleTensor(content_tensor[:, 1:-1].astype(np.int32))
        scale_vector = torch.sum(features, dim=1)  # Compute sum of features for each node
        scale_vector = 1 / scale_vector  # Compute reciprocal of the sums
        scale_vector[scale_vector == float('inf')] = 0  # Handle division by zero cases
        scale_vector = torch.diag(scale_vector)  # .to_sparse(): every tensor is dense here
        features = scale_vector @ features  # Scale the features using the scale vector

        # Process labels
        # Extract unique classes and map labels to indices
        classes, labels = np.unique(content_tensor[:, -1], return_inverse=True)
        labels = torch.LongTensor(labels)  # Convert labels to a tensor

        # Process adjacency matrix
        idx = content_tensor[:, 0].astype(np.int32)  # Extract node indices
        # Create a dictionary to map indices to positions
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

        # Compute the sum of each row in the adjacency matrix (degree matrix)
        degree_mat = torch.sum(adj_mat, dim=1)
        degree_mat = torch.sqrt(1 / degree_mat)  # Compute the reciprocal square root of the degrees
        degree_mat[degree_mat == float('inf')] = 0  # Handle division by zero cases
        degree_mat = torch.diag(degree_mat)  # .to_sparse(): every tensor is dense here

        adj_mat = degree_mat @ adj_mat @ degree_mat  # Apply the renormalization trick

        return features.to(device), labels.to(device), adj_mat.to(device)  # no .to_sparse()

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
    device = 'cuda' if torch.cuda.is_available() else 'cpu'

    parser = argparse.ArgumentParser(description='PyTorch Graph Convolutional Network')
    parser.add_argument('--epochs', type=int, default=200,
                        help='number of epochs to train (default: 200)')
    parser.add_argument('--lr', type=float, default=0.01,
                        help='learning rate (default: 0.01)')
    parser.add_argument('--l2', type=float, default=5e-4,
                        help='weight decay (default: 5e-4)')
    parser.add_argument('--dropout-p', type=float, default=0.5,
                        help='dropout probability (default: 0.5)')
    parser.add_argument('--hidden-dim', type=int, default=16,
                        help='dimension of the hidden representation (default: 16)')
    parser.add_argument('--val-every', type=int, default=20,
                        help='epochs to wait for print training and validation evaluation '
                             '(default: 20)')
    parser.add_argument('--include-bias', action='store_true', default=False,
                        help='use bias term in convolutions (default: False)')
    parser.add_argument('--no-cuda', action='store_true', default=False,
                        help='disables CUDA training')
    parser.add_argument('--no-mps', action='store_true', default=False,
                        help='disables macOS GPU training')
    parser.add_argument('--device', type=str, default='cpu',
                        help='backend device')
    parser.add_argument('--dry-run', action='store_true', default=False,
                        help='quickly check a single pass')
    parser.add_argument('--seed', type=int, default=42, metavar='S',
                        help='random seed (default: 42)')
    args = parser.parse_args(argv)

    use_cuda = not args.no_cuda and torch.cuda.is_available()
    use_mps = not args.no_mps and torch.backends.mps.is_available()

    torch.manual_seed(args.seed)

    if use_cuda:
        device = torch.device('cuda')
    elif use_mps:
        device = torch.device('mps')
    else:
        device = torch.device(args.device)
    print(f'Using {device} device')

    print('Downloading dataset...')
    write_generated_cora('./cora')  # requests.get(cora_url) and tarfile's extractall()

    print('Loading dataset...')
    features, labels, adj_mat = load_cora(device=device)
    idx = torch.randperm(len(labels)).to(device)
    idx_test, idx_val, idx_train = idx[:16], idx[16:24], idx[24:]

    gcn = GCN(features.shape[1], args.hidden_dim, labels.max().item() + 1, args.include_bias,
              args.dropout_p).to(device)
    gcn.load_state_dict(glue["start"])  # the test's glue: the same start
    glue["dropout"](gcn)  # the test's glue
    optimizer = Adam(gcn.parameters(), lr=args.lr, weight_decay=args.l2)
    record_steps(optimizer, glue["steps"])  # the test's glue
    criterion = nn.NLLLoss()

    for epoch in range(args.epochs):
        train_iter(epoch + 1, gcn, optimizer, criterion, (features, adj_mat), labels, idx_train,
                   idx_val, args.val_every)
        if args.dry_run:
            break

    loss_test, acc_test = test(gcn, criterion, (features, adj_mat), labels, idx_test)
    print(f'Test set results: loss {loss_test:.4f} accuracy {acc_test:.4f}')
    glue["loaded"] = (features, labels, adj_mat)


def _run(torch, argv, start, draws, masks):
    """Run the script for ``torch`` (None: this library): what it printed (epoch times
    blanked), each optimizer step, and what ``load_cora`` returned."""
    if torch is None:
        import autograd as ag
        import nn
        T, lib, Adam = Draws(ag, draws=draws), nn, nn.optim.Adam
        start = {k: ag.tensor(v) for k, v in start.items()}
        dropout = lambda model: record_dropout(model, masks)  # noqa: E731
    else:
        T, lib, Adam = Draws(torch, replay=draws), torch.nn, torch.optim.Adam
        start = {k: torch.tensor(v) for k, v in start.items()}
        dropout = lambda model: replay_dropout(torch, model, masks)  # noqa: E731
    glue = {"start": start, "steps": [], "dropout": dropout}
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        gcn_main(T, lib, lib.functional, Adam, argv, glue)
    text = re.sub(r"\(\d+\.\d{4}s\)", "(#s)", printed.getvalue())
    return text, glue["steps"], [t.numpy() for t in glue["loaded"]]


def _start(torch, features: int, hidden: int, classes: int) -> dict:
    """GCN's parameters as PyTorch's constructor draws them (xavier kernels, zero biases)."""
    torch.manual_seed(0)
    shapes = {"gc1": (features, hidden), "gc2": (hidden, classes)}
    start = {}
    for name, (n_in, n_out) in shapes.items():
        start[f"{name}.kernel"] = torch.nn.init.xavier_normal_(torch.empty(n_in, n_out)).numpy()
        start[f"{name}.bias"] = np.zeros(n_out)
    return start


def test_gcn_example_runs_step_for_step_as_torch(torch, tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)  # the script reads ./cora
    argv = ['--epochs', '30', '--val-every', '10', '--hidden-dim', '8', '--include-bias']
    start, draws, masks = _start(torch, 12, 8, 3), [], []
    got, got_steps, got_loaded = _run(None, argv, start, draws, masks)
    assert len(draws) == 1 and sorted(draws[0]) == list(range(48))  # the randperm
    assert len(masks) == 30  # one dropout mask per training epoch
    want, want_steps, want_loaded = _run(torch, argv, start, draws, masks)
    assert draws == [] and masks == []  # PyTorch's run used every one
    assert got == want
    assert got.startswith("Using cpu device\nDownloading dataset...\nLoading dataset...\n"
                          "Epoch: 0010 (#s) loss_train: ")
    assert got.count("Epoch: ") == 3 and "Test set results: loss " in got
    assert_steps([got_loaded], [want_loaded])  # features, labels, normalised adjacency
    assert_steps(got_steps, want_steps)
    accuracy = float(got.rsplit("accuracy ", 1)[1])
    assert accuracy > 0.5  # three classes: the graph's structure was learned


def test_the_dense_adjacency_is_pytorch_s_sparse_one(torch, tmp_path) -> None:
    """The generated citations repeat some pairs, which the sparse tensor sums: the dense
    ``index_put_(..., accumulate=True)`` here gives PyTorch's ``sparse_coo_tensor``, and
    the renormalised matrix and ``torch.spmm`` with it agree with PyTorch's sparse lines."""
    import autograd as ag
    write_generated_cora(str(tmp_path))
    content = np.genfromtxt(tmp_path / "cora.content", dtype=np.dtype(str))
    cites = np.genfromtxt(tmp_path / "cora.cites", dtype=np.int32)
    position = {int(i): n for n, i in enumerate(content[:, 0])}
    edges = np.array([[position[a], position[b]] for a, b in cites])
    V, E = len(content), len(edges)
    assert len({tuple(e) for e in edges}) < E  # repeats
    ours = ag.zeros(V, V, dtype=ag.int64).index_put_(
        tuple(ag.LongTensor(edges.T)), ag.ones(E, dtype=ag.int64), accumulate=True)
    theirs = torch.sparse_coo_tensor(edges.T, torch.ones(E), (V, V), dtype=torch.int64,
                                     check_invariants=True)
    np.testing.assert_array_equal(ours.numpy(), theirs.to_dense().numpy())
    assert ours.numpy().max() == 2
    normalised = []
    for lib, adj_mat, sparse in ((ag, ours, False), (torch, theirs, True)):
        adj_mat = lib.eye(V) + adj_mat
        degree_mat = lib.sqrt(1 / lib.sum(adj_mat, dim=1))
        degree_mat = lib.diag(degree_mat).to_sparse() if sparse else lib.diag(degree_mat)
        adj_mat = degree_mat @ adj_mat @ degree_mat
        adj_mat = adj_mat.to_sparse() if sparse else adj_mat
        support = lib.tensor(np.linspace(-1, 1, V * 2).reshape(V, 2))
        normalised.append([lib.spmm(adj_mat, support).numpy(),
                           adj_mat.to_dense().numpy() if sparse else adj_mat.numpy()])
    assert_steps([normalised[0]], [normalised[1]])
