"""minGPT (Karpathy) as its readers run it: ``mingpt/utils.py``'s ``CfgNode`` and
``set_seed``, ``mingpt/model.py`` (``NewGELU`` by ``math.sqrt`` and ``torch.pow``,
``CausalSelfAttention`` over a registered ``bias`` buffer ``torch.tril(torch.ones(T,
T)).view(1, 1, T, T)``, ``Block`` with its ``mlpf`` lambda over an ``nn.ModuleDict``,
``GPT`` from a config with ``model_type`` XOR sizes, ``_init_weights`` and the scaled
``c_proj`` init, ``configure_optimizers`` sorting every parameter into decay / no_decay
by module type over ``named_modules()`` x ``named_parameters()`` with its asserts, and
``generate``), ``mingpt/trainer.py``'s ``Trainer`` (a ``DataLoader`` over an endless
``RandomSampler(replacement=True, num_samples=int(1e10))``, callbacks,
``clip_grad_norm_``, ``max_iters``) and ``projects/chargpt``'s ``CharDataset`` and
callback, on a small text (``test_pytorch_ports_mingpt_chargpt.py``: PyTorch's run
trains from the same weights on the same batches, float64, dropout 0; losses, gradients
and parameters agree to 1e-10).

Lines written differently here:
- ``torch.nn.init``, ``torch.optim``, ``torch.nn.utils`` and ``torch.utils.data`` are
  ``nn.init``, ``optim``, ``nn.utils`` and ``data`` (``nn.data`` here): ``autograd``
  never imports ``nn``;
- PyTorch's run replays the sample indices our ``RandomSampler`` drew (the two
  libraries' generators differ), through the ``data.RandomSampler`` it is given;
- the callback prints every 2 iterations without ``iter_dt`` (a time), and samples with
  ``top_k=1`` (a certain draw) every 3, so that the two runs print the same;
- ``num_workers=0``: PyTorch's run would fork four workers (``num_workers=4`` is accepted
  here and reads in this process, the same batches).
"""

import math
import random
import types

import numpy as np

import autograd as ag
import nn
from mingpt_trainer import trainer_and_dataset


def mingpt(torch, nn, F, optim, data):
    """utils.py, model.py, trainer.py and chargpt's dataset for one library."""

    def set_seed(seed):
        random.seed(seed)
        np.random.seed(seed)
        torch.manual_seed(seed)
        torch.cuda.manual_seed_all(seed)

    class CfgNode:
        """ a lightweight configuration class inspired by yacs """

        def __init__(self, **kwargs):
            self.__dict__.update(kwargs)

        def __str__(self):
            return self._str_helper(0)

        def _str_helper(self, indent):
            """ need to have a helper to support nested indentation for pretty printing """
            parts = []
            for k, v in self.__dict__.items():
                if isinstance(v, CfgNode):
                    parts.append("%s:\n" % k)
                    parts.append(v._str_helper(indent + 1))
                else:
                    parts.append("%s: %s\n" % (k, v))
            parts = [' ' * (indent * 4) + p for p in parts]
            return "".join(parts)

        def to_dict(self):
            """ return a dict representation of the config """
            return {k: v.to_dict() if isinstance(v, CfgNode) else v
                    for k, v in self.__dict__.items()}

        def merge_from_dict(self, d):
            self.__dict__.update(d)

    CN = CfgNode

    class NewGELU(nn.Module):
        """GELU as in Google BERT's repo (identical to OpenAI GPT)."""

        def forward(self, x):
            return 0.5 * x * (1.0 + torch.tanh(math.sqrt(2.0 / math.pi)
                                               * (x + 0.044715 * torch.pow(x, 3.0))))

    class CausalSelfAttention(nn.Module):
        """A vanilla multi-head masked self-attention layer with a projection at the end."""

        def __init__(self, config):
            super().__init__()
            assert config.n_embd % config.n_head == 0
            # key, query, value projections for all heads, but in a batch
            self.c_attn = nn.Linear(config.n_embd, 3 * config.n_embd)
            # output projection
            self.c_proj = nn.Linear(config.n_embd, config.n_embd)
            # regularization
            self.attn_dropout = nn.Dropout(config.attn_pdrop)
            self.resid_dropout = nn.Dropout(config.resid_pdrop)
            # causal mask to ensure that attention is only applied to the left in the input
            self.register_buffer("bias", torch.tril(torch.ones(config.block_size,
                                                               config.block_size))
                                 .view(1, 1, config.block_size, config.block_size))
            self.n_head = config.n_head
            self.n_embd = config.n_embd

        def forward(self, x):
            B, T, C = x.size()  # batch size, sequence length, embedding dimensionality

            # query, key, values for all heads in batch and move head forward to be the batch
            q, k, v = self.c_attn(x).split(self.n_embd, dim=2)
            k = k.view(B, T, self.n_head, C // self.n_head).transpose(1, 2)  # (B, nh, T, hs)
            q = q.view(B, T, self.n_head, C // self.n_head).transpose(1, 2)  # (B, nh, T, hs)
            v = v.view(B, T, self.n_head, C // self.n_head).transpose(1, 2)  # (B, nh, T, hs)

            # causal self-attention; (B, nh, T, hs) x (B, nh, hs, T) -> (B, nh, T, T)
            att = (q @ k.transpose(-2, -1)) * (1.0 / math.sqrt(k.size(-1)))
            att = att.masked_fill(self.bias[:, :, :T, :T] == 0, float('-inf'))
            att = F.softmax(att, dim=-1)
            att = self.attn_dropout(att)
            y = att @ v  # (B, nh, T, T) x (B, nh, T, hs) -> (B, nh, T, hs)
            y = y.transpose(1, 2).contiguous().view(B, T, C)  # re-assemble all head outputs

            # output projection
            y = self.resid_dropout(self.c_proj(y))
            return y

    class Block(nn.Module):
        """ an unassuming Transformer block """

        def __init__(self, config):
            super().__init__()
            self.ln_1 = nn.LayerNorm(config.n_embd)
            self.attn = CausalSelfAttention(config)
            self.ln_2 = nn.LayerNorm(config.n_embd)
            self.mlp = nn.ModuleDict(dict(
                c_fc=nn.Linear(config.n_embd, 4 * config.n_embd),
                c_proj=nn.Linear(4 * config.n_embd, config.n_embd),
                act=NewGELU(),
                dropout=nn.Dropout(config.resid_pdrop),
            ))
            m = self.mlp
            self.mlpf = lambda x: m.dropout(m.c_proj(m.act(m.c_fc(x))))  # MLP forward

        def forward(self, x):
            x = x + self.attn(self.ln_1(x))
            x = x + self.mlpf(self.ln_2(x))
            return x

    class GPT(nn.Module):
        """ GPT Language Model """

        @staticmethod
        def get_default_config():
            C = CN()
            # either model_type or (n_layer, n_head, n_embd) must be given in the config
            C.model_type = 'gpt'
            C.n_layer = None
            C.n_head = None
            C.n_embd = None
            # these options must be filled in externally
            C.vocab_size = None
            C.block_size = None
            # dropout hyperparameters
            C.embd_pdrop = 0.1
            C.resid_pdrop = 0.1
            C.attn_pdrop = 0.1
            return C

        def __init__(self, config):
            super().__init__()
            assert config.vocab_size is not None
            assert config.block_size is not None
            self.block_size = config.block_size

            type_given = config.model_type is not None
            params_given = all([config.n_layer is not None, config.n_head is not None,
                                config.n_embd is not None])
            assert type_given ^ params_given  # exactly one of these (XOR)
            if type_given:
                # translate from model_type to detailed configuration
                config.merge_from_dict({
                    # (the GPT-1/GPT-2/Gopher sizes are left out here)
                    'gpt-mini': dict(n_layer=6, n_head=6, n_embd=192),
                    'gpt-micro': dict(n_layer=4, n_head=4, n_embd=128),
                    'gpt-nano': dict(n_layer=3, n_head=3, n_embd=48),
                }[config.model_type])

            self.transformer = nn.ModuleDict(dict(
                wte=nn.Embedding(config.vocab_size, config.n_embd),
                wpe=nn.Embedding(config.block_size, config.n_embd),
                drop=nn.Dropout(config.embd_pdrop),
                h=nn.ModuleList([Block(config) for _ in range(config.n_layer)]),
                ln_f=nn.LayerNorm(config.n_embd),
            ))
            self.lm_head = nn.Linear(config.n_embd, config.vocab_size, bias=False)

            # init all weights, and apply a special scaled init to the residual projections
            self.apply(self._init_weights)
            for pn, p in self.named_parameters():
                if pn.endswith('c_proj.weight'):
                    nn.init.normal_(p, mean=0.0, std=0.02 / math.sqrt(2 * config.n_layer))

            # report number of parameters (note we don't count the decoder parameters)
            n_params = sum(p.numel() for p in self.transformer.parameters())
            print("number of parameters: %.2fM" % (n_params / 1e6,))

        def _init_weights(self, module):
            if isinstance(module, nn.Linear):
                nn.init.normal_(module.weight, mean=0.0, std=0.02)
                if module.bias is not None:
                    nn.init.zeros_(module.bias)
            elif isinstance(module, nn.Embedding):
                nn.init.normal_(module.weight, mean=0.0, std=0.02)
            elif isinstance(module, nn.LayerNorm):
                nn.init.zeros_(module.bias)
                nn.init.ones_(module.weight)

        def configure_optimizers(self, train_config):
            """Every parameter goes to weight decay or not: Linear weights decay; biases,
            LayerNorm and Embedding weights do not. Returns the AdamW optimizer."""

            # separate out all parameters to those that will and won't experience
            # regularizing weight decay
            decay = set()
            no_decay = set()
            whitelist_weight_modules = (nn.Linear, )
            blacklist_weight_modules = (nn.LayerNorm, nn.Embedding)
            for mn, m in self.named_modules():
                for pn, p in m.named_parameters():
                    fpn = '%s.%s' % (mn, pn) if mn else pn  # full param name
                    # random note: because named_modules and named_parameters are recursive
                    # we will see the same tensors p many many times. but doing it this way
                    # allows us to know which parent module any tensor p belongs to...
                    if pn.endswith('bias'):
                        # all biases will not be decayed
                        no_decay.add(fpn)
                    elif pn.endswith('weight') and isinstance(m, whitelist_weight_modules):
                        # weights of whitelist modules will be weight decayed
                        decay.add(fpn)
                    elif pn.endswith('weight') and isinstance(m, blacklist_weight_modules):
                        # weights of blacklist modules will NOT be weight decayed
                        no_decay.add(fpn)

            # validate that we considered every parameter
            param_dict = {pn: p for pn, p in self.named_parameters()}
            inter_params = decay & no_decay
            union_params = decay | no_decay
            assert len(inter_params) == 0, \
                "parameters %s made it into both decay/no_decay sets!" % (str(inter_params), )
            assert len(param_dict.keys() - union_params) == 0, \
                "parameters %s were not separated into either decay/no_decay set!" \
                % (str(param_dict.keys() - union_params), )

            # create the pytorch optimizer object
            optim_groups = [
                {"params": [param_dict[pn] for pn in sorted(list(decay))],
                 "weight_decay": train_config.weight_decay},
                {"params": [param_dict[pn] for pn in sorted(list(no_decay))],
                 "weight_decay": 0.0},
            ]
            optimizer = optim.AdamW(optim_groups, lr=train_config.learning_rate,
                                    betas=train_config.betas)
            return optimizer

        def forward(self, idx, targets=None):
            device = idx.device
            b, t = idx.size()
            assert t <= self.block_size, \
                f"Cannot forward sequence of length {t}, block size is only {self.block_size}"
            pos = torch.arange(0, t, dtype=torch.long, device=device).unsqueeze(0)  # (1, t)

            # forward the GPT model itself
            tok_emb = self.transformer.wte(idx)  # token embeddings of shape (b, t, n_embd)
            pos_emb = self.transformer.wpe(pos)  # position embeddings of shape (1, t, n_embd)
            x = self.transformer.drop(tok_emb + pos_emb)
            for block in self.transformer.h:
                x = block(x)
            x = self.transformer.ln_f(x)
            logits = self.lm_head(x)

            # if we are given some desired targets also calculate the loss
            loss = None
            if targets is not None:
                loss = F.cross_entropy(logits.view(-1, logits.size(-1)), targets.view(-1),
                                       ignore_index=-1)

            return logits, loss

        @torch.no_grad()
        def generate(self, idx, max_new_tokens, temperature=1.0, do_sample=False, top_k=None):
            """Complete idx (b,t) max_new_tokens times, each prediction fed back in."""
            for _ in range(max_new_tokens):
                # if the sequence context is growing too long we must crop it at block_size
                idx_cond = idx if idx.size(1) <= self.block_size else idx[:, -self.block_size:]
                # forward the model to get the logits for the index in the sequence
                logits, _ = self(idx_cond)
                # pluck the logits at the final step and scale by desired temperature
                logits = logits[:, -1, :] / temperature
                # optionally crop the logits to only the top k options
                if top_k is not None:
                    v, _ = torch.topk(logits, top_k)
                    logits[logits < v[:, [-1]]] = -float('Inf')
                # apply softmax to convert logits to (normalized) probabilities
                probs = F.softmax(logits, dim=-1)
                # either sample from the distribution or take the most likely element
                if do_sample:
                    idx_next = torch.multinomial(probs, num_samples=1)
                else:
                    _, idx_next = torch.topk(probs, k=1, dim=-1)
                # append sampled index to the running sequence and continue
                idx = torch.cat((idx, idx_next), dim=1)

            return idx

    return types.SimpleNamespace(set_seed=set_seed, CN=CN, GPT=GPT,
                                 **trainer_and_dataset(torch, nn, data, CN))


# ------------------------------------------------------------------ the tests
def libraries(torch=None, replay=None):
    """(torch, nn, F, optim, data) of one library; PyTorch's ``data.RandomSampler``
    gives back the ``replay`` indices."""
    if torch is None:
        return ag, nn, nn.functional, nn.optim, nn.data
    data = types.SimpleNamespace(DataLoader=torch.utils.data.DataLoader,
                                 Dataset=torch.utils.data.Dataset,
                                 RandomSampler=lambda *args, **kwargs: list(replay))
    return torch, torch.nn, torch.nn.functional, torch.optim, data


def test_the_decay_groups_and_the_model_types(torch, capsys):
    m = mingpt(*libraries())
    config = m.GPT.get_default_config()
    config.merge_from_dict(dict(model_type='gpt-nano', vocab_size=11, block_size=6))
    model = m.GPT(config)
    assert (config.n_layer, config.n_head, config.n_embd) == (3, 3, 48)
    optimizer = model.configure_optimizers(m.Trainer.get_default_config())
    decay, no_decay = optimizer.param_groups
    names = {id(p): n for n, p in model.named_parameters()}
    assert all(names[id(p)].endswith('weight') and p.dim() == 2 for p in decay['params'])
    assert {names[id(p)] for p in no_decay['params']} >= {'transformer.wte.weight',
                                                          'transformer.wpe.weight',
                                                          'transformer.ln_f.weight'}
    assert len(decay['params']) + len(no_decay['params']) == len(list(model.parameters()))
    idx = ag.tensor([[1, 2, 3]])
    assert model.generate(idx, 8).shape == (1, 11)  # greedy, past block_size
