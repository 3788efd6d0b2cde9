""""Learning to learn by gradient descent by gradient descent", the notebook port's second
problem: the LSTM optimizer (``test_pytorch_ports_learning_to_learn.py``'s ``Optimizer``
and ``do_fit``, unchanged) trained to fit a small sigmoid MLP classifier (``MNISTNet``,
on scikit-learn's 8x8 digits for MNIST). The optimizee keeps its weights in a plain dict
(``self.params``, ``nn.Parameter(torch.randn(...))`` registered through an
``nn.ParameterList`` "so that ordinary optimizers can find them"), is rebuilt every step
as ``MNISTNet(**result_params)`` from graph tensors, and draws its batches from a
``DataLoader`` it caches in a list (``MNISTLoss.sample``). Written once for a library ``T``
(``autograd`` here, ``torch`` there) and run step for step next to PyTorch's from the same
weights (float64): every optimizee loss, the meta-gradients and the optimizer net agree
to 1e-10. The notebook's comparison with a hand-tuned Adam on the same problem runs too.

Lines written differently here, and why (besides those of the quadratic port):
- ``torch.randn`` draws from one NumPy generator fed to both runs (``SharedRandom``), and
  ``SubsetRandomSampler(indices)`` is the list of indices shuffled by NumPy (the
  libraries' generators differ);
- ``torchvision.datasets.MNIST`` is a ``TensorDataset`` of the digits (nothing can be
  downloaded), 8x8 = 64 inputs for 28x28.
"""

import numpy as np
import pytest

import autograd as ag
import nn
from test_pytorch_ports_learning_to_learn import build, state
from test_pytorch_ports_pinn import assert_same


class SharedRandom:
    """A library's namespace whose ``randn(*size)`` draws from a NumPy generator."""

    def __init__(self, library, seed) -> None:
        self.library, self.rng = library, np.random.default_rng(seed)

    def __getattr__(self, name: str):
        return getattr(self.library, name)

    def randn(self, *size):
        return self.library.tensor(self.rng.standard_normal(size))


def problem(torch, images, labels):
    lib = nn if torch is None else torch.nn
    F = nn.functional if torch is None else torch.nn.functional
    data = nn.data if torch is None else torch.utils.data
    torch = SharedRandom(ag if torch is None else torch, seed=1)

    class MNISTLoss:
        def __init__(self, training=True):
            dataset = data.TensorDataset(torch.tensor(images), torch.tensor(labels))
            indices = list(range(len(dataset)))
            np.random.RandomState(10).shuffle(indices)
            if training:
                indices = indices[:len(indices) // 2]
            else:
                indices = indices[len(indices) // 2:]
            self.loader = data.DataLoader(dataset, batch_size=16, sampler=indices[:64])
            self.batches = []
            self.cur_batch = 0

        def sample(self):
            if self.cur_batch >= len(self.batches):
                self.batches = []
                self.cur_batch = 0
                for b in self.loader:
                    self.batches.append(b)
            batch = self.batches[self.cur_batch]
            self.cur_batch += 1
            return batch

    class MNISTNet(lib.Module):
        def __init__(self, layer_size=5, n_layers=1, activation=lib.Sigmoid(), **kwargs):
            super().__init__()
            if kwargs != {}:
                self.params = kwargs
            else:
                inp_size = 8 * 8
                self.params = {}
                for i in range(n_layers):
                    self.params[f'mat_{i}'] = lib.Parameter(torch.randn(inp_size, layer_size))
                    self.params[f'bias_{i}'] = lib.Parameter(torch.zeros(layer_size))
                    inp_size = layer_size
                self.params['final_mat'] = lib.Parameter(torch.randn(inp_size, 10))
                self.params['final_bias'] = lib.Parameter(torch.zeros(10))
                # Put it all in a module list so that ordinary optimizers can find them.
                self.mods = lib.ParameterList()
                for v in self.params.values():
                    self.mods.append(v)
            self.activation = activation
            self.loss = lib.NLLLoss()

        def all_named_parameters(self):
            return [(k, v) for k, v in self.params.items()]

        def forward(self, loss):
            inp, out = loss.sample()
            inp = inp.view(inp.size()[0], 8 * 8)
            cur_layer = 0
            while f'mat_{cur_layer}' in self.params:
                inp = self.activation(torch.matmul(inp, self.params[f'mat_{cur_layer}'])
                                      + self.params[f'bias_{cur_layer}'])
                cur_layer += 1
            inp = F.log_softmax(torch.matmul(inp, self.params['final_mat'])
                                + self.params['final_bias'], dim=1)
            return self.loss(inp, out)

    return MNISTLoss, MNISTNet


def fit_normal(torch, target_cls, target_to_opt, opt_class, n_tests=2, n_epochs=6, **kwargs):
    """The notebook's ``fit_normal``: a standard optimizer on the same problem."""
    results = []
    for i in range(n_tests):
        target = target_cls(training=False)
        optimizee = target_to_opt()
        optimizer = opt_class(optimizee.parameters(), **kwargs)
        total_loss = []
        for _ in range(n_epochs):
            loss = optimizee(target)
            total_loss.append(loss.item())
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
        results.append(total_loss)
    return results


def run(torch, images, labels, start=None) -> list:
    T, optim = (ag, nn.optim) if torch is None else (torch, torch.optim)
    Optimizer, _, _, do_fit = build(torch, np.random.default_rng(0))
    MNISTLoss, MNISTNet = problem(torch, images, labels)
    opt_net = Optimizer(preproc=True)
    if start is not None:
        opt_net.load_state_dict({k: T.tensor(v) for k, v in start.items()})
    meta_opt = optim.Adam(opt_net.parameters(), lr=0.01)
    record = [state(opt_net)]
    losses = do_fit(opt_net, meta_opt, MNISTLoss, MNISTNet, unroll=3, optim_it=6, out_mul=0.1,
                    record=record)
    record += [np.array(losses), state(opt_net)]
    losses = do_fit(opt_net, meta_opt, MNISTLoss, MNISTNet, unroll=3, optim_it=4, out_mul=0.1,
                    should_train=False)
    record.append(np.array(losses))
    return record + fit_normal(torch, MNISTLoss, MNISTNet, optim.Adam, lr=0.03)


def test_lstm_optimizer_trains_a_digits_mlp_as_torch(torch):
    datasets = pytest.importorskip("sklearn.datasets")
    x, y = datasets.load_digits(return_X_y=True)
    images = x / 16.0
    want = run(torch, images, y)
    got = run(None, images, y, start=want[0])
    assert_same(got[1:], want[1:])
    assert got[-1][-1] < got[-1][0]  # Adam lowers the loss
