"""NODE's ``Trainer`` as Qwicen/node writes it (``lib/trainer.py``) and drives it in the
``year_node_shallow`` notebook: a ``Trainer(nn.Module)`` holding the model and its Adam,
``train_on_batch`` on shuffled ``iterate_minibatches``, and every few steps a checkpoint
(model and optimizer state dicts and the step in one ``OrderedDict``), an average of the
last checkpoints (``sum(values) / len(values)`` over the saved tensors, the integer
"initialised" flag of ``ModuleWithInit`` included) loaded back with the optimizer's state,
an MSE evaluation through ``process_in_chunks``, the best one kept, the last one reloaded
and old ones removed; written once for a library ``torch`` and run step for step next to
PyTorch from the same weights in float64.

Lines written differently here, and why:
- ``torch.save`` / ``torch.load`` are ``nn.save`` / ``nn.load`` (``autograd`` does not
  import ``nn``; NumPy's format, never pickle);
- tensorboardX's ``SummaryWriter`` (not installed) is left out: ``self.writer`` and its
  ``add_scalar`` line;
- QHAdam (package ``qhoptim``) is ``optim.Adam``; the experiment folder is a temporary one;
- the model's lines are those of ``test_pytorch_ports_tabular_node.py`` (``node_program``).
"""

import glob
import os
import time
import warnings
from collections import OrderedDict
from copy import deepcopy

import numpy as np

from node_program import (check_numpy, iterate_minibatches, node_layers, node_utils,
                          process_in_chunks)
from recsys_helpers import assert_records, libraries, weight_sync


def get_latest_file(pattern):
    list_of_files = glob.glob(pattern)
    assert len(list_of_files) > 0, "No files found: " + pattern
    return max(list_of_files, key=os.path.getctime)


def trainer_class(torch, nn, save, load):
    class Trainer(nn.Module):
        def __init__(self, model, loss_function, experiment_name=None, warm_start=False,
                     Optimizer=None, optimizer_params={}, verbose=False,
                     n_last_checkpoints=1, root='logs/', **kwargs):
            super().__init__()
            self.model = model
            self.loss_function = loss_function
            self.verbose = verbose
            self.opt = Optimizer(list(self.model.parameters()), **optimizer_params)
            self.step = 0
            self.n_last_checkpoints = n_last_checkpoints
            if experiment_name is None:
                experiment_name = 'untitled_{}.{:0>2d}.{:0>2d}_{:0>2d}:{:0>2d}'.format(
                    *time.gmtime()[:5])
            self.experiment_path = os.path.join(root, experiment_name)
            if not warm_start and experiment_name != 'debug':
                assert not os.path.exists(self.experiment_path), \
                    'experiment {} already exists'.format(experiment_name)
            if warm_start:
                self.load_checkpoint()

        def save_checkpoint(self, tag=None, path=None, mkdir=True, **kwargs):
            assert tag is None or path is None
            if tag is None and path is None:
                tag = "temp_{}".format(self.step)
            if path is None:
                path = os.path.join(self.experiment_path, "checkpoint_{}.pth".format(tag))
            if mkdir:
                os.makedirs(os.path.dirname(path), exist_ok=True)
            save(OrderedDict([
                ('model', self.state_dict(**kwargs)),
                ('opt', self.opt.state_dict()),
                ('step', self.step)
            ]), path)
            return path

        def load_checkpoint(self, tag=None, path=None, **kwargs):
            assert tag is None or path is None
            if tag is None and path is None:
                path = get_latest_file(
                    os.path.join(self.experiment_path, 'checkpoint_temp_[0-9]*.pth'))
            elif tag is not None and path is None:
                path = os.path.join(self.experiment_path, "checkpoint_{}.pth".format(tag))
            checkpoint = load(path)
            self.load_state_dict(checkpoint['model'], **kwargs)
            self.opt.load_state_dict(checkpoint['opt'])
            self.step = int(checkpoint['step'])
            return self

        def average_checkpoints(self, tags=None, paths=None, out_tag='avg', out_path=None):
            assert tags is None or paths is None
            if tags is None and paths is None:
                paths = self.get_latest_checkpoints(
                    os.path.join(self.experiment_path, 'checkpoint_temp_[0-9]*.pth'),
                    self.n_last_checkpoints)
            elif tags is not None and paths is None:
                paths = [os.path.join(self.experiment_path, 'checkpoint_{}.pth'.format(tag))
                         for tag in tags]
            checkpoints = [load(path) for path in paths]
            averaged_ckpt = deepcopy(checkpoints[0])
            for key in averaged_ckpt['model']:
                values = [ckpt['model'][key] for ckpt in checkpoints]
                averaged_ckpt['model'][key] = sum(values) / len(values)
            if out_path is None:
                out_path = os.path.join(self.experiment_path,
                                        'checkpoint_{}.pth'.format(out_tag))
            save(averaged_ckpt, out_path)

        def get_latest_checkpoints(self, pattern, n_last=None):
            list_of_files = glob.glob(pattern)
            assert len(list_of_files) > 0, "No files found: " + pattern
            return sorted(list_of_files, key=os.path.getctime, reverse=True)[:n_last]

        def remove_old_temp_checkpoints(self, number_ckpts_to_keep=None):
            if number_ckpts_to_keep is None:
                number_ckpts_to_keep = self.n_last_checkpoints
            paths = self.get_latest_checkpoints(
                os.path.join(self.experiment_path, 'checkpoint_temp_[0-9]*.pth'))
            for ckpt in paths[number_ckpts_to_keep:]:
                os.remove(ckpt)

        def train_on_batch(self, *batch, device):
            x_batch, y_batch = batch
            x_batch = torch.as_tensor(x_batch, device=device)
            y_batch = torch.as_tensor(y_batch, device=device)
            self.model.train()
            self.opt.zero_grad()
            loss = self.loss_function(self.model(x_batch), y_batch).mean()
            loss.backward()
            self.opt.step()
            self.step += 1
            return {'loss': loss}

        def evaluate_mse(self, X_test, y_test, device, batch_size=4096):
            X_test = torch.as_tensor(X_test, device=device)
            y_test = check_numpy(y_test)
            self.model.train(False)
            with torch.no_grad():
                prediction = process_in_chunks(torch, self.model, X_test,
                                               batch_size=batch_size)
                prediction = check_numpy(prediction)
                error_rate = ((y_test - prediction) ** 2).mean()
            return error_rate

    return Trainer


def notebook(torch, nn, F, optim, save, load, sync, record, root, steps=9) -> None:
    torch.manual_seed(0)
    np.random.seed(0)  # the data-aware init and the minibatch shuffling
    utils = node_utils(torch, nn, F)
    ODST, DenseBlock = node_layers(torch, nn, F, utils)
    rng = np.random.default_rng(4)
    X = rng.normal(size=(56, 4))
    y = np.sin(X[:, 0]) + X[:, 1] * X[:, 2]
    X_train, y_train, X_valid, y_valid = X[:40], y[:40], X[40:], y[40:]
    model = nn.Sequential(
        DenseBlock(4, 4, num_layers=2, tree_dim=2, depth=3, flatten_output=False,
                   choice_function=utils["entmax15"], bin_function=utils["entmoid15"]),
        utils["Lambda"](lambda x: x[..., 0].mean(dim=-1)),  # average first channels
    )
    sync(model)
    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "less than 1000 data points"
        model(torch.as_tensor(X_train))
    Trainer = trainer_class(torch, nn, save, load)
    trainer = Trainer(model=model, loss_function=F.mse_loss, experiment_name="year_node",
                      warm_start=False, Optimizer=optim.Adam,
                      optimizer_params=dict(lr=1e-2, betas=(0.95, 0.998)),
                      n_last_checkpoints=2, root=root)
    best_mse, report_frequency = float('inf'), 3
    for batch in iterate_minibatches(X_train, y_train, batch_size=16, shuffle=True,
                                     epochs=float('inf')):
        metrics = trainer.train_on_batch(*batch, device="cpu")
        record.append(metrics['loss'].detach())
        if trainer.step % report_frequency == 0:
            trainer.save_checkpoint()
            trainer.average_checkpoints(out_tag='avg')
            trainer.load_checkpoint(tag='avg')
            mse = trainer.evaluate_mse(X_valid, y_valid, device="cpu", batch_size=5)
            if mse < best_mse:
                best_mse = mse
                trainer.save_checkpoint(tag='best_mse')
            record.append(mse)
            trainer.load_checkpoint()  # last
            trainer.remove_old_temp_checkpoints()
        if trainer.step >= steps:
            break
    trainer.load_checkpoint(tag='best_mse')
    record.append(trainer.evaluate_mse(X_valid, y_valid, device="cpu", batch_size=5))
    record += [v for k, v in trainer.state_dict().items() if "_is_initialized" not in k]
    record.append(sorted(os.listdir(trainer.experiment_path)) == sorted(
        ['checkpoint_avg.pth', 'checkpoint_best_mse.pth', 'checkpoint_temp_6.pth',
         'checkpoint_temp_9.pth']))


def test_node_trainer_checkpoints(torch, tmp_path):
    import nn

    ours, theirs = weight_sync()
    got, want = [], []
    notebook(*libraries(torch), torch.save, torch.load, theirs, want, str(tmp_path / "torch"))
    notebook(*libraries(), nn.save, nn.load, ours, got, str(tmp_path / "ours"))
    assert_records(got, want, rtol=1e-9, atol=1e-11)
    assert got[-1] is True
