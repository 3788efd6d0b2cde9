"""The Annotated Transformer's training and decoding half (``Batch``, ``run_epoch``,
``rate``, ``LabelSmoothing``, ``SimpleLossCompute``, the dummy optimizer and scheduler,
``data_gen``, ``greedy_decode``), as its readers type it; ``annotated_program`` in
``annotated_transformer_program.py`` adds it to the model half (see there for the lines
written differently)."""

import types

__all__ = ["annotated_training"]


def annotated_training(torch, nn, optim, subsequent_mask) -> types.SimpleNamespace:
    """The tutorial's batches, loss, training loop and decoding for ``torch``, its ``nn``
    and ``optim``, with the model half's ``subsequent_mask``."""
    class Batch:
        """Object for holding a batch of data with mask during training."""

        def __init__(self, src, tgt=None, pad=2):  # 2 = <blank>
            self.src = src
            self.src_mask = (src != pad).unsqueeze(-2)
            if tgt is not None:
                self.tgt = tgt[:, :-1]
                self.tgt_y = tgt[:, 1:]
                self.tgt_mask = self.make_std_mask(self.tgt, pad)
                self.ntokens = (self.tgt_y != pad).data.sum()

        @staticmethod
        def make_std_mask(tgt, pad):
            "Create a mask to hide padding and future words."
            tgt_mask = (tgt != pad).unsqueeze(-2)
            tgt_mask = tgt_mask & subsequent_mask(tgt.size(-1)).type_as(tgt_mask.data)
            return tgt_mask

    class TrainState:
        """Track number of steps, examples, and tokens processed"""

        step: int = 0  # Steps in the current epoch
        accum_step: int = 0  # Number of gradient accumulation steps
        samples: int = 0  # total # of examples used
        tokens: int = 0  # total # of tokens processed

    def run_epoch(data_iter, model, loss_compute, optimizer, scheduler, mode="train",
                  accum_iter=1, train_state=TrainState(), log=None):
        """Train a single epoch (``log`` collects each step's loss and rate, which the
        tutorial prints every 40 steps)."""
        total_tokens = 0
        total_loss = 0
        tokens = 0
        n_accum = 0
        for i, batch in enumerate(data_iter):
            out = model.forward(batch.src, batch.tgt, batch.src_mask, batch.tgt_mask)
            loss, loss_node = loss_compute(out, batch.tgt_y, batch.ntokens)
            # loss_node = loss_node / accum_iter
            if mode == "train" or mode == "train+log":
                loss_node.backward()
                train_state.step += 1
                train_state.samples += batch.src.shape[0]
                train_state.tokens += batch.ntokens
                if i % accum_iter == 0:
                    optimizer.step()
                    optimizer.zero_grad(set_to_none=True)
                    n_accum += 1
                    train_state.accum_step += 1
                scheduler.step()

            total_loss += loss
            total_tokens += batch.ntokens
            tokens += batch.ntokens
            if log is not None and (mode == "train" or mode == "train+log"):
                lr = optimizer.param_groups[0]["lr"]
                log.append((i, n_accum, float(loss / batch.ntokens), float(lr)))
                tokens = 0
            del loss
            del loss_node
        return total_loss / total_tokens, train_state

    def rate(step, model_size, factor, warmup):
        """we have to default the step to 1 for LambdaLR function to avoid zero raising to
        negative power."""
        if step == 0:
            step = 1
        return factor * (model_size ** (-0.5) * min(step ** (-0.5), step * warmup ** (-1.5)))

    class LabelSmoothing(nn.Module):
        "Implement label smoothing."

        def __init__(self, size, padding_idx, smoothing=0.0):
            super(LabelSmoothing, self).__init__()
            self.criterion = nn.KLDivLoss(reduction="sum")
            self.padding_idx = padding_idx
            self.confidence = 1.0 - smoothing
            self.smoothing = smoothing
            self.size = size
            self.true_dist = None

        def forward(self, x, target):
            assert x.size(1) == self.size
            # tutorial: x.data.clone(), target.data.unsqueeze(1), target.data == ...
            # (.data is the NumPy array here: the tensors themselves, detached)
            true_dist = x.detach().clone()
            true_dist.fill_(self.smoothing / (self.size - 2))
            true_dist.scatter_(1, target.detach().unsqueeze(1), self.confidence)
            true_dist[:, self.padding_idx] = 0
            # tutorial: torch.nonzero(...) (a bare nonzero is NumPy's tuple or PyTorch's
            # (n, ndim) tensor: this library asks which; as_tuple=False is PyTorch's)
            mask = torch.nonzero(target.detach() == self.padding_idx, as_tuple=False)
            if mask.dim() > 0:
                true_dist.index_fill_(0, mask.squeeze(), 0.0)
            self.true_dist = true_dist
            return self.criterion(x, true_dist.clone().detach())

    class SimpleLossCompute:
        "A simple loss compute and train function."

        def __init__(self, generator, criterion):
            self.generator = generator
            self.criterion = criterion

        def __call__(self, x, y, norm):
            x = self.generator(x)
            sloss = (
                self.criterion(x.contiguous().view(-1, x.size(-1)), y.contiguous().view(-1))
                / norm
            )
            return sloss.data * norm, sloss

    class DummyOptimizer(optim.Optimizer):
        def __init__(self):
            self.param_groups = [{"lr": 0}]
            None

        def step(self):
            None

        def zero_grad(self, set_to_none=False):
            None

    class DummyScheduler:
        def step(self):
            None

    def data_gen(V, batch_size, nbatches):
        "Generate random data for a src-tgt copy task."
        for i in range(nbatches):
            data = torch.randint(1, V, size=(batch_size, 10))
            data[:, 0] = 1
            src = data.requires_grad_(False).clone().detach()
            tgt = data.requires_grad_(False).clone().detach()
            yield Batch(src, tgt, 0)

    def greedy_decode(model, src, src_mask, max_len, start_symbol):
        memory = model.encode(src, src_mask)
        ys = torch.zeros(1, 1).fill_(start_symbol).type_as(src.data)
        for i in range(max_len - 1):
            out = model.decode(memory, src_mask, ys,
                               subsequent_mask(ys.size(1)).type_as(src.data))
            prob = model.generator(out[:, -1])
            _, next_word = torch.max(prob, dim=1)
            next_word = next_word.data[0]
            ys = torch.cat([ys, torch.zeros(1, 1).type_as(src.data).fill_(next_word)], dim=1)
        return ys

    return types.SimpleNamespace(**{name: value for name, value in locals().items()
                                    if name not in ("torch", "nn", "optim")})
