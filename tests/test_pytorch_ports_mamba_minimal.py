"""mamba-minimal's ``model.py`` (John Ma), ported as written: ``ModelArgs`` (vocab padded
to a multiple of 8, ``dt_rank='auto'``), ``RMSNorm``, ``ResidualBlock``, ``MambaBlock``
(``in_proj`` split in two with ``.split(split_size=[...])``, the depthwise causal
``nn.Conv1d(groups=d_inner, padding=d_conv - 1)`` cut back to length, ``F.silu``,
``F.softplus``, ``x_proj`` split into delta, B, C), the sequential ``selective_scan``
(zero-order hold ``deltaA``/``deltaB_u`` by ``torch.einsum``, a loop of state updates
collected by ``torch.stack``) and the ``Mamba`` language model with its head tied to the
embedding. It trains a few AdamW steps next to PyTorch from the same weights and batches
(float64): losses, gradients and parameters agree to 1e-10. ``demo.ipynb``'s ``generate``
(top-k by ``probs[probs < values[:, -1, None]] = 0``, ``probs.sum(axis=1,
keepdims=True)``, greedy by ``torch.argmax(...)[:, None]``) completes the same prompts.

Lines written differently here:
- einops' ``rearrange``/``repeat``/``einsum`` are written with ``transpose``,
  ``repeat`` and ``torch.einsum`` (einops is not a dependency of either side);
- ``self.A_log.float()`` and ``self.D.float()`` are left out: they make float32 copies
  of float64 parameters, on both sides, and this comparison runs in float64;
- ``from_pretrained`` (Hugging Face's weights) and its GPT-NeoX tokenizer are left out:
  no downloads in tests (a character tokenizer stands in).
"""

import math
from dataclasses import dataclass
from functools import partial
from typing import Union

import numpy as np

import autograd as ag
from test_pytorch_ports_gpt_lecture import assert_records, libraries, step_records, to_numpy


@dataclass
class ModelArgs:
    d_model: int
    n_layer: int
    vocab_size: int
    d_state: int = 16
    expand: int = 2
    dt_rank: Union[int, str] = 'auto'
    d_conv: int = 4
    pad_vocab_size_multiple: int = 8
    conv_bias: bool = True
    bias: bool = False

    def __post_init__(self):
        self.d_inner = int(self.expand * self.d_model)

        if self.dt_rank == 'auto':
            self.dt_rank = math.ceil(self.d_model / 16)

        if self.vocab_size % self.pad_vocab_size_multiple != 0:
            self.vocab_size += (self.pad_vocab_size_multiple
                                - self.vocab_size % self.pad_vocab_size_multiple)


def mamba_minimal(torch, nn, F):
    """model.py's classes for one library; returns Mamba."""

    class Mamba(nn.Module):
        def __init__(self, args: ModelArgs):
            """Full Mamba model."""
            super().__init__()
            self.args = args

            self.embedding = nn.Embedding(args.vocab_size, args.d_model)
            self.layers = nn.ModuleList([ResidualBlock(args) for _ in range(args.n_layer)])
            self.norm_f = RMSNorm(args.d_model)

            self.lm_head = nn.Linear(args.d_model, args.vocab_size, bias=False)
            self.lm_head.weight = self.embedding.weight  # Tie output projection to embedding

        def forward(self, input_ids):
            """input_ids (long tensor): shape (b, l); returns logits (b, l, vocab_size)."""
            x = self.embedding(input_ids)

            for layer in self.layers:
                x = layer(x)

            x = self.norm_f(x)
            logits = self.lm_head(x)

            return logits

    class ResidualBlock(nn.Module):
        def __init__(self, args: ModelArgs):
            """Simple block wrapping Mamba block with normalization and residual connection."""
            super().__init__()
            self.args = args
            self.mixer = MambaBlock(args)
            self.norm = RMSNorm(args.d_model)

        def forward(self, x):
            output = self.mixer(self.norm(x)) + x

            return output

    class MambaBlock(nn.Module):
        def __init__(self, args: ModelArgs):
            """A single Mamba block (Figure 3 in Section 3.4 of the Mamba paper)."""
            super().__init__()
            self.args = args

            self.in_proj = nn.Linear(args.d_model, args.d_inner * 2, bias=args.bias)

            self.conv1d = nn.Conv1d(
                in_channels=args.d_inner,
                out_channels=args.d_inner,
                bias=args.conv_bias,
                kernel_size=args.d_conv,
                groups=args.d_inner,
                padding=args.d_conv - 1,
            )

            # x_proj takes in `x` and outputs the input-specific Δ, B, C
            self.x_proj = nn.Linear(args.d_inner, args.dt_rank + args.d_state * 2, bias=False)

            # dt_proj projects Δ from dt_rank to d_in
            self.dt_proj = nn.Linear(args.dt_rank, args.d_inner, bias=True)

            # repeat(torch.arange(1, d_state + 1), 'n -> d n', d=d_inner)
            A = torch.arange(1, args.d_state + 1).repeat(args.d_inner, 1)
            self.A_log = nn.Parameter(torch.log(A))
            self.D = nn.Parameter(torch.ones(args.d_inner))
            self.out_proj = nn.Linear(args.d_inner, args.d_model, bias=args.bias)

        def forward(self, x):
            """x: shape (b, l, d); returns output: shape (b, l, d)."""
            (b, l, d) = x.shape  # noqa: E741 (the paper's names)

            x_and_res = self.in_proj(x)  # shape (b, l, 2 * d_in)
            x_and_res = x_and_res.transpose(1, 2)  # rearrange 'b l x -> b x l'
            (x, res) = x_and_res.split(split_size=[self.args.d_inner, self.args.d_inner], dim=1)

            x = self.conv1d(x)[:, :, :l]
            x = F.silu(x)

            y = self.ssm(x)

            y = y * F.silu(res)

            output = self.out_proj(y.transpose(1, 2))  # 'b d_model l -> b l d_model'

            return output

        def ssm(self, x):
            """Runs the SSM (Algorithm 2 of the paper). x: (b, d_in, l) -> (b, d_in, l)."""
            (d_in, n) = self.A_log.shape

            # Compute ∆ A B C D, the state space parameters.
            A = -torch.exp(self.A_log)  # shape (d_in, n)
            D = self.D

            x_dbl = x.permute(0, 2, 1)  # rearrange 'b d l -> b l d'
            x_dbl = self.x_proj(x_dbl)  # (b, l, dt_rank + 2*n)

            (delta, B, C) = x_dbl.split(split_size=[self.args.dt_rank, n, n], dim=-1)
            delta = F.softplus(self.dt_proj(delta))  # (b, l, d_in)

            y = self.selective_scan(x, delta, A, B, C, D)

            return y

        def selective_scan(self, u, delta, A, B, C, D):
            """x(t + 1) = Ax(t) + Bu(t), y(t) = Cx(t) + Du(t), with B, C, delta
            depending on the input. u: (b, d_in, l), delta: (b, l, d_in), A: (d_in, n),
            B, C: (b, l, n), D: (d_in,); returns (b, d_in, l)."""
            (b, d_in, l) = u.shape  # noqa: E741
            n = A.shape[1]

            # Discretize continuous parameters (Δ, A, B) using zero-order hold (ZOH)
            deltaA = torch.exp(torch.einsum('bld,dn->bdln', delta, A))
            deltaB_u = torch.einsum('bld,bln,bdl->bdln', delta, B, u)

            # Perform selective scan (see scan_SSM() in The Annotated S4)
            x = torch.zeros((b, d_in, n))
            ys = []
            for i in range(l):
                x = deltaA[:, :, i] * x + deltaB_u[:, :, i]
                y = torch.einsum('bdn,bn->bd', x, C[:, i, :])
                ys.append(y)
            y = torch.stack(ys, dim=2)  # (b d_in l)

            if D is not None:
                y = y + u * D.unsqueeze(-1)  # rearrange(D, 'd_in -> d_in 1')

            return y

    class RMSNorm(nn.Module):
        def __init__(self, d_model: int, eps: float = 1e-5):
            super().__init__()
            self.eps = eps
            self.weight = nn.Parameter(torch.ones(d_model))

        def forward(self, x):
            output = x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + self.eps) * self.weight

            return output

    return Mamba


# ------------------------------------------------------------------ the tests
def token_batches(steps: int, batch: int = 3, length: int = 10, vocab: int = 13) -> list:
    """A generated corpus (a noisy counter modulo ``vocab``) cut into (input, target)."""
    rng = np.random.default_rng(0)
    corpus = (np.arange(600) + (rng.random(600) < 0.1)) % vocab
    starts = rng.integers(0, len(corpus) - length - 1, (steps, batch))
    return [(np.stack([corpus[s:s + length] for s in row]),
             np.stack([corpus[s + 1:s + length + 1] for s in row])) for row in starts]


def train(torch, nn, F, optim, model, data) -> list:
    optimizer = optim.AdamW(model.parameters(), lr=1e-2, weight_decay=0.1)
    record = []
    for x, y in data:
        logits = model(torch.tensor(x))
        loss = F.cross_entropy(logits.view(-1, logits.size(-1)), torch.tensor(y).view(-1))
        optimizer.zero_grad()
        loss.backward()
        record += step_records(model, loss)
        optimizer.step()
    return record + [p.detach().numpy().copy() for p in model.parameters()]


def test_mamba_trains_as_torch(torch):
    args = dict(d_model=8, n_layer=2, vocab_size=13, d_state=4)
    torch.manual_seed(0)
    theirs = mamba_minimal(*libraries(torch)[:3])(ModelArgs(**args))
    ours = mamba_minimal(*libraries()[:3])(ModelArgs(**args))
    assert ours.args.vocab_size == 16 and ours.args.dt_rank == 1
    ours.load_state_dict(to_numpy(theirs.state_dict()))
    assert ours.lm_head.weight is ours.embedding.weight
    assert [n for n, _ in ours.named_parameters()] == [n for n, _ in theirs.named_parameters()]
    runs = [train(*libraries(lib), model, token_batches(3))
            for lib, model in ((None, ours), (torch, theirs))]
    assert_records(*runs)


def test_selective_scan_shapes_and_causality():
    """The scan is causal: changing the last token leaves every earlier logit alone."""
    ag.manual_seed(0)
    model = mamba_minimal(*libraries()[:3])(ModelArgs(d_model=8, n_layer=1, vocab_size=16))
    ids = ag.tensor(token_batches(1)[0][0])
    logits = model(ids)
    assert logits.shape == (3, 10, 16)
    changed = ids.clone()
    changed[:, -1] = (changed[:, -1] + 1) % 16
    np.testing.assert_allclose(model(changed)[:, :-1].detach().numpy(),
                               logits[:, :-1].detach().numpy(), rtol=1e-12, atol=1e-12)


def demo_generate(torch, F):
    """demo.ipynb's generate, over a character tokenizer standing in for GPT-NeoX's."""

    class Tokenizer:
        def __call__(self, prompt, return_tensors='pt'):
            ids = torch.tensor([[ord(c) % 16 for c in prompt]], dtype=torch.long)
            return type("Encoding", (), {"input_ids": ids})

        def decode(self, ids):
            return "".join(chr(97 + i) for i in ids)

    def generate(model, tokenizer, prompt: str, n_tokens_to_gen: int = 50, sample: bool = True,
                 top_k: int = 40):
        model.eval()

        input_ids = tokenizer(prompt, return_tensors='pt').input_ids

        for token_n in range(n_tokens_to_gen):
            with torch.no_grad():
                indices_to_input = input_ids
                next_token_logits = model(indices_to_input)[:, -1]

            probs = F.softmax(next_token_logits, dim=-1)
            (batch, vocab_size) = probs.shape

            if top_k is not None:
                (values, indices) = torch.topk(probs, k=top_k)
                probs[probs < values[:, -1, None]] = 0
                probs = probs / probs.sum(axis=1, keepdims=True)

            if sample:
                next_indices = torch.multinomial(probs, num_samples=1)
            else:
                next_indices = torch.argmax(probs, dim=-1)[:, None]

            input_ids = torch.cat([input_ids, next_indices], dim=1)

        output_completions = [tokenizer.decode(output.tolist()) for output in input_ids][0]

        return output_completions

    return partial(generate, tokenizer=Tokenizer())


def test_the_demo_generates_as_torch(torch):
    args = dict(d_model=8, n_layer=1, vocab_size=16, d_state=4)
    torch.manual_seed(0)
    theirs = mamba_minimal(*libraries(torch)[:3])(ModelArgs(**args))
    ours = mamba_minimal(*libraries()[:3])(ModelArgs(**args))
    ours.load_state_dict(to_numpy(theirs.state_dict()))
    runs = []
    for lib, model in ((ag, ours), (torch, theirs)):
        generate = demo_generate(lib, libraries(lib if lib is torch else None)[2])
        runs.append([generate(model, prompt='Mamba is the', n_tokens_to_gen=6, sample=False,
                              top_k=5),
                     generate(model, prompt='Mamba', n_tokens_to_gen=4, top_k=1)])
    assert runs[0] == runs[1] and len(runs[0][0]) == 18
    ag.manual_seed(0)
    assert len(demo_generate(ag, libraries()[2])(ours, prompt='ab', n_tokens_to_gen=3,
                                                  top_k=4)) == 5
