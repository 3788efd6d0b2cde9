"""TabNet's pieces as dreamquark-ai/tabnet writes them (``sparsemax.py``,
``tab_network.py``): sparsemax and entmax-1.5 as ``torch.autograd.Function`` subclasses
with ``ctx.save_for_backward`` and hand-written backward passes, ghost batch norm over
``chunk``-ed virtual batches, GLU blocks, the attentive transformer with its prior and
the sparsity loss; written once for a library ``torch`` and run step for step next to
PyTorch from the same weights in float64.

Lines written differently here, and why:
- ``from torch.autograd import Function`` is ``autograd.Function`` (``torch.Function``
  in the shared program text);
- ``rho.view(view).transpose(0, dim)`` is ``.swapaxes(0, dim)``: with dim -1 of a 2-d
  tensor, ``transpose(0, -1)`` reads as NumPy's permutation (no change) or PyTorch's swap,
  so it is refused here with an error naming ``swapaxes``, which both libraries have;
- TabNet's ``torch.nn.init.xavier_normal_`` draws differ between the libraries; the
  weights are synced from PyTorch's after construction (``sync``).
"""

import numpy as np
import pytest

from recsys_helpers import assert_records, clicks, libraries, weight_sync


def tabnet_functions(torch):
    """(sparsemax, entmax15, Sparsemax, Entmax15) written as TabNet's ``sparsemax.py``."""
    Function = getattr(torch, "autograd", torch).Function  # autograd.Function here

    def _make_ix_like(input, dim=0):
        d = input.size(dim)
        rho = torch.arange(1, d + 1, device=input.device, dtype=input.dtype)
        view = [1] * input.dim()
        view[0] = -1
        # .transpose(0, dim) there: on a 2-d tensor transpose(0, -1) is NumPy's no change
        # or PyTorch's swap, refused here as ambiguous; swapaxes is a swap in both
        return rho.view(view).swapaxes(0, dim)

    class SparsemaxFunction(Function):
        @staticmethod
        def forward(ctx, input, dim=-1):
            ctx.dim = dim
            max_val, _ = input.max(dim=dim, keepdim=True)
            input -= max_val  # same numerical stability trick as for softmax
            tau, supp_size = SparsemaxFunction._threshold_and_support(input, dim=dim)
            output = torch.clamp(input - tau, min=0)
            ctx.save_for_backward(supp_size, output)
            return output

        @staticmethod
        def backward(ctx, grad_output):
            supp_size, output = ctx.saved_tensors
            dim = ctx.dim
            grad_input = grad_output.clone()
            grad_input[output == 0] = 0
            v_hat = grad_input.sum(dim=dim) / supp_size.to(output.dtype).squeeze()
            v_hat = v_hat.unsqueeze(dim)
            grad_input = torch.where(output != 0, grad_input - v_hat, grad_input)
            return grad_input, None

        @staticmethod
        def _threshold_and_support(input, dim=-1):
            input_srt, _ = torch.sort(input, descending=True, dim=dim)
            input_cumsum = input_srt.cumsum(dim) - 1
            rhos = _make_ix_like(input, dim)
            support = rhos * input_srt > input_cumsum
            support_size = support.sum(dim=dim).unsqueeze(dim)
            tau = input_cumsum.gather(dim, support_size - 1)
            tau /= support_size.to(input.dtype)
            return tau, support_size

    class Entmax15Function(Function):
        @staticmethod
        def forward(ctx, input, dim=-1):
            ctx.dim = dim
            max_val, _ = input.max(dim=dim, keepdim=True)
            input = input - max_val  # same numerical stability trick as for softmax
            input = input / 2  # divide by 2 to solve actual Entmax
            tau_star, _ = Entmax15Function._threshold_and_support(input, dim)
            output = torch.clamp(input - tau_star, min=0) ** 2
            ctx.save_for_backward(output)
            return output

        @staticmethod
        def backward(ctx, grad_output):
            Y, = ctx.saved_tensors
            gppr = Y.sqrt()  # = 1 / g'' (Y)
            dX = grad_output * gppr
            q = dX.sum(ctx.dim) / gppr.sum(ctx.dim)
            q = q.unsqueeze(ctx.dim)
            dX -= q * gppr
            return dX, None

        @staticmethod
        def _threshold_and_support(input, dim=-1):
            Xsrt, _ = torch.sort(input, descending=True, dim=dim)
            rho = _make_ix_like(input, dim)
            mean = Xsrt.cumsum(dim) / rho
            mean_sq = (Xsrt ** 2).cumsum(dim) / rho
            ss = rho * (mean_sq - mean ** 2)
            delta = (1 - ss) / rho
            delta_nz = torch.clamp(delta, 0)
            tau = mean - torch.sqrt(delta_nz)
            support_size = (tau <= Xsrt).sum(dim).unsqueeze(dim)
            tau_star = tau.gather(dim, support_size - 1)
            return tau_star, support_size

    return SparsemaxFunction.apply, Entmax15Function.apply


@pytest.mark.parametrize("which", [0, 1])
@pytest.mark.parametrize("dim", [-1, 0])
def test_sparsemax_and_entmax_functions(torch, which, dim):
    x = np.random.default_rng(which).normal(size=(5, 6)) * 2
    g = np.random.default_rng(7).normal(size=(5, 6))
    records = []
    for T in (libraries(torch)[0], libraries()[0]):
        fn = tabnet_functions(T)[which]
        leaf = T.tensor(x, requires_grad=True)
        z = leaf * 1.0  # TabNet feeds a layer's output: forward's in-place shift hits z
        y = fn(z, dim)
        (y * T.tensor(g)).sum().backward()
        records.append([y, leaf.grad, y.sum(dim), (y == 0).sum()])
    assert_records(records[1], records[0])
    np.testing.assert_allclose(records[1][2].detach().numpy(), 1.0, rtol=1e-12)
    assert records[1][3].item() > 0  # sparse: some exact zeros


def tabnet(torch, nn, F, optim, sync, record: list, steps: int = 4) -> None:
    torch.manual_seed(0)
    sparsemax, entmax15 = tabnet_functions(torch)
    _, dense, labels = clicks(n=22, n_dense=6, seed=3)  # virtual batches of 8, 8 and 6
    X, y = torch.tensor(dense), torch.tensor(labels).long()

    class GBN(nn.Module):
        def __init__(self, input_dim, virtual_batch_size=128, momentum=0.01):
            super(GBN, self).__init__()
            self.input_dim = input_dim
            self.virtual_batch_size = virtual_batch_size
            self.bn = nn.BatchNorm1d(self.input_dim, momentum=momentum)

        def forward(self, x):
            chunks = x.chunk(int(np.ceil(x.shape[0] / self.virtual_batch_size)), 0)
            res = [self.bn(x_) for x_ in chunks]
            return torch.cat(res, dim=0)

    class GLU_Layer(nn.Module):
        def __init__(self, input_dim, output_dim, virtual_batch_size=128, momentum=0.02):
            super(GLU_Layer, self).__init__()
            self.output_dim = output_dim
            self.fc = nn.Linear(input_dim, 2 * output_dim, bias=False)
            gain_value = np.sqrt((input_dim + 2 * output_dim) / np.sqrt(input_dim))
            nn.init.xavier_normal_(self.fc.weight, gain=gain_value)
            self.bn = GBN(2 * output_dim, virtual_batch_size=virtual_batch_size,
                          momentum=momentum)

        def forward(self, x):
            x = self.fc(x)
            x = self.bn(x)
            out = torch.mul(x[:, : self.output_dim], torch.sigmoid(x[:, self.output_dim:]))
            return out

    class AttentiveTransformer(nn.Module):
        def __init__(self, input_dim, group_dim, virtual_batch_size=128, momentum=0.02,
                     mask_type="sparsemax"):
            super(AttentiveTransformer, self).__init__()
            self.fc = nn.Linear(input_dim, group_dim, bias=False)
            self.bn = GBN(group_dim, virtual_batch_size=virtual_batch_size, momentum=momentum)
            self.selector = sparsemax if mask_type == "sparsemax" else entmax15

        def forward(self, priors, processed_feat):
            x = self.fc(processed_feat)
            x = self.bn(x)
            x = torch.mul(x, priors)
            return self.selector(x, -1)

    class TabNetEncoder(nn.Module):
        def __init__(self, input_dim, n_d=3, n_a=3, n_steps=2, gamma=1.3,
                     virtual_batch_size=8, momentum=0.02, epsilon=1e-15):
            super().__init__()
            self.n_d, self.n_steps, self.gamma, self.epsilon = n_d, n_steps, gamma, epsilon
            self.initial_bn = nn.BatchNorm1d(input_dim, momentum=0.01)
            self.initial_splitter = GLU_Layer(input_dim, n_d + n_a, virtual_batch_size)
            self.feat_transformers = nn.ModuleList()
            self.att_transformers = nn.ModuleList()
            for step in range(n_steps):
                self.feat_transformers.append(GLU_Layer(input_dim, n_d + n_a,
                                                        virtual_batch_size))
                mask_type = "sparsemax" if step == 0 else "entmax"
                self.att_transformers.append(AttentiveTransformer(
                    n_a, input_dim, virtual_batch_size, momentum, mask_type))
            self.final_mapping = nn.Linear(n_d, 2, bias=False)

        def forward(self, x):
            x = self.initial_bn(x)
            prior = torch.ones(x.shape).to(x.device)
            M_loss = 0
            att = self.initial_splitter(x)[:, self.n_d:]
            steps_output = []
            for step in range(self.n_steps):
                M = self.att_transformers[step](prior, att)
                M_loss += torch.mean(torch.sum(torch.mul(M, torch.log(M + self.epsilon)),
                                               dim=1))
                prior = torch.mul(self.gamma - M, prior)
                masked_x = torch.mul(M, x)
                out = self.feat_transformers[step](masked_x)
                d = nn.ReLU()(out[:, : self.n_d])
                steps_output.append(d)
                att = out[:, self.n_d:]
            M_loss /= self.n_steps
            res = torch.sum(torch.stack(steps_output, dim=0), dim=0)
            return self.final_mapping(res), M_loss

    model = TabNetEncoder(X.shape[1])
    sync(model)
    opt = optim.Adam(model.parameters(), lr=2e-2)
    lambda_sparse = 1e-3
    for step in range(steps):
        model.train()
        output, M_loss = model(X)
        loss = F.cross_entropy(output, y) - lambda_sparse * M_loss
        opt.zero_grad()
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        record += [loss, M_loss, model.att_transformers[1].fc.weight.grad]
        opt.step()
    model.eval()
    with torch.no_grad():
        record.append(model(X)[0])
    record += list(model.state_dict().values())


def test_tabnet_encoder(torch):
    ours, theirs = weight_sync()
    got, want = [], []
    tabnet(*libraries(torch), theirs, want)
    tabnet(*libraries(), ours, got)
    assert_records(got, want, rtol=1e-9)


def unsupervised_loss(torch, y_pred, embedded_x, obf_vars, eps=1e-9):
    """TabNet's pretraining loss (``pytorch_tabnet/utils.py``): the obfuscated features'
    reconstruction errors scaled by each feature's batch variance (its mean, or 1, where
    that is 0), through in-place masked writes on tensors of the graph."""
    errors = y_pred - embedded_x
    reconstruction_errors = torch.mul(errors, obf_vars) ** 2
    batch_means = torch.mean(embedded_x, dim=0)
    batch_means[batch_means == 0] = 1
    batch_stds = torch.std(embedded_x, dim=0) ** 2
    batch_stds[batch_stds == 0] = batch_means[batch_stds == 0]
    features_loss = torch.matmul(reconstruction_errors, 1 / batch_stds)
    nb_reconstructed_variables = torch.sum(obf_vars, dim=1)
    features_loss = features_loss / (nb_reconstructed_variables + eps)
    loss = torch.mean(features_loss)
    return loss


def test_tabnet_pretraining_loss(torch):
    rng = np.random.default_rng(0)
    y_pred, embedded = rng.normal(size=(5, 4)), rng.normal(size=(5, 4))
    embedded[:, 2] = 0.0  # a constant feature: its variance is replaced by its mean, 1
    obf = (rng.random((5, 4)) < 0.5).astype(float)
    records = []
    for T in (libraries(torch)[0], libraries()[0]):
        a, b = T.tensor(y_pred, requires_grad=True), T.tensor(embedded, requires_grad=True)
        loss = unsupervised_loss(T, a, b, T.tensor(obf))
        loss.backward()
        records.append([loss, a.grad, b.grad])
    assert_records(records[1], records[0])
