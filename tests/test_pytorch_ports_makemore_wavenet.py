"""makemore part 5, "building a WaveNet", ported as its viewers write it, step for step next
to PyTorch (see ``test_pytorch_ports_makemore.py`` for the setting): the student's
``torch.nn``-like ``Embedding``, ``FlattenConsecutive``, ``Linear``, ``BatchNorm1d`` (over
2-d or 3-d input: ``dim = (0, 1)``), ``Tanh`` and ``Sequential``, a hierarchical model over
a context of 8 characters, trained on minibatches, evaluated and sampled from.

Lines written as the lecture's: ``torch.manual_seed(42)`` and ``torch.randn`` without a
generator run in both; the starting weights are copied from PyTorch's run and its draws
replayed in ours (the two libraries' generators differ).
"""

from makemore_helpers import (Draws, assert_records, character_tables, libraries, names,
                              take_start)


block_size = 8  # context length: how many characters do we take to predict the next one?


def build_dataset(torch, words, stoi):
    X, Y = [], []
    for w in words:
        context = [0] * block_size
        for ch in w + '.':
            ix = stoi[ch]
            X.append(context)
            Y.append(ix)
            context = context[1:] + [ix]  # crop and append
    X = torch.tensor(X)
    Y = torch.tensor(Y)
    return X, Y


def layer_classes(torch):
    """The lecture's classes for library ``torch``."""

    class Linear:

        def __init__(self, fan_in, fan_out, bias=True):
            self.weight = torch.randn((fan_in, fan_out)) / fan_in**0.5  # note: kaiming init
            self.bias = torch.zeros(fan_out) if bias else None

        def __call__(self, x):
            self.out = x @ self.weight
            if self.bias is not None:
                self.out += self.bias
            return self.out

        def parameters(self):
            return [self.weight] + ([] if self.bias is None else [self.bias])

    class BatchNorm1d:

        def __init__(self, dim, eps=1e-5, momentum=0.1):
            self.eps = eps
            self.momentum = momentum
            self.training = True
            # parameters (trained with backprop)
            self.gamma = torch.ones(dim)
            self.beta = torch.zeros(dim)
            # buffers (trained with a running 'momentum update')
            self.running_mean = torch.zeros(dim)
            self.running_var = torch.ones(dim)

        def __call__(self, x):
            # calculate the forward pass
            if self.training:
                if x.ndim == 2:
                    dim = 0
                elif x.ndim == 3:
                    dim = (0, 1)
                xmean = x.mean(dim, keepdim=True)  # batch mean
                xvar = x.var(dim, keepdim=True)  # batch variance
            else:
                xmean = self.running_mean
                xvar = self.running_var
            xhat = (x - xmean) / torch.sqrt(xvar + self.eps)  # normalize to unit variance
            self.out = self.gamma * xhat + self.beta
            # update the buffers
            if self.training:
                with torch.no_grad():
                    self.running_mean = (1 - self.momentum) * self.running_mean + self.momentum * xmean  # noqa: E501
                    self.running_var = (1 - self.momentum) * self.running_var + self.momentum * xvar  # noqa: E501
            return self.out

        def parameters(self):
            return [self.gamma, self.beta]

    class Tanh:
        def __call__(self, x):
            self.out = torch.tanh(x)
            return self.out

        def parameters(self):
            return []

    class Embedding:

        def __init__(self, num_embeddings, embedding_dim):
            self.weight = torch.randn((num_embeddings, embedding_dim))

        def __call__(self, IX):
            self.out = self.weight[IX]
            return self.out

        def parameters(self):
            return [self.weight]

    class FlattenConsecutive:

        def __init__(self, n):
            self.n = n

        def __call__(self, x):
            B, T, C = x.shape
            x = x.view(B, T//self.n, C*self.n)
            if x.shape[1] == 1:
                x = x.squeeze(1)
            self.out = x
            return self.out

        def parameters(self):
            return []

    class Sequential:

        def __init__(self, layers):
            self.layers = layers

        def __call__(self, x):
            for layer in self.layers:
                x = layer(x)
            self.out = x
            return self.out

        def parameters(self):
            # get parameters of all layers and stretch them out into one list
            return [p for layer in self.layers for p in layer.parameters()]

    return Linear, BatchNorm1d, Tanh, Embedding, FlattenConsecutive, Sequential


def wavenet(torch, F, words, draws, start, record):
    stoi, itos = character_tables(words)
    n1 = int(0.9*len(words))
    Xtr, Ytr = build_dataset(torch, words[:n1], stoi)
    Xdev, Ydev = build_dataset(torch, words[n1:], stoi)
    Linear, BatchNorm1d, Tanh, Embedding, FlattenConsecutive, Sequential = layer_classes(torch)

    torch.manual_seed(42)  # seed rng for reproducibility
    vocab_size = 27
    n_embd = 6  # the dimensionality of the character embedding vectors
    n_hidden = 16  # the number of neurons in the hidden layer of the MLP
    model = Sequential([
        Embedding(vocab_size, n_embd),
        FlattenConsecutive(2), Linear(n_embd * 2, n_hidden, bias=False), BatchNorm1d(n_hidden), Tanh(),  # noqa: E501
        FlattenConsecutive(2), Linear(n_hidden*2, n_hidden, bias=False), BatchNorm1d(n_hidden), Tanh(),  # noqa: E501
        FlattenConsecutive(2), Linear(n_hidden*2, n_hidden, bias=False), BatchNorm1d(n_hidden), Tanh(),  # noqa: E501
        Linear(n_hidden, vocab_size),
    ])
    # parameter init
    with torch.no_grad():
        model.layers[-1].weight *= 0.1  # last layer make less confident

    parameters = model.parameters()
    start = take_start(parameters, start)
    record.append(sum(p.nelement() for p in parameters))  # number of parameters in total
    for p in parameters:
        p.requires_grad = True

    # look at a batch of just 4 examples
    ix = draws(torch, torch.randint(0, Xtr.shape[0], (4,)))
    Xb, Yb = Xtr[ix], Ytr[ix]
    logits = model(Xb)
    for layer in model.layers:
        record.append(f'{layer.__class__.__name__}: {tuple(layer.out.shape)}')

    # the lecture's look at the flattening: pairs of consecutive characters side by side
    e = torch.randn(4, 8, 10)  # goal: want this to be (4, 4, 20) where consecutive 10-d vectors get concatenated  # noqa: E501
    assert (torch.cat([e[:, ::2, :], e[:, 1::2, :]], dim=2) == e.view(4, 4, 20)).all().item()
    record.append(list(e.mean((0, 1), keepdim=True).shape))  # BatchNorm1d over 3-d input

    # same optimization as last time
    max_steps = 8
    batch_size = 32
    lossi = []
    for i in range(max_steps):
        # minibatch construct
        ix = draws(torch, torch.randint(0, Xtr.shape[0], (batch_size,)))
        Xb, Yb = Xtr[ix], Ytr[ix]  # batch X,Y
        # forward pass
        logits = model(Xb)
        loss = F.cross_entropy(logits, Yb)  # loss function
        # backward pass
        for p in parameters:
            p.grad = None
        loss.backward()
        record += [p.grad.numpy().copy() for p in parameters]
        # update: simple SGD
        lr = 0.1 if i < 4 else 0.01  # step learning rate decay
        for p in parameters:
            p.data += -lr * p.grad
        lossi.append(loss.log10().item())
    record.append(torch.tensor(lossi).view(-1, 4).mean(1).numpy())  # plt.plot(...)
    record += [model.layers[3].running_mean.numpy(), model.layers[3].running_var.numpy()]

    # put layers into eval mode (needed for batchnorm especially)
    for layer in model.layers:
        layer.training = False

    # evaluate the loss
    @torch.no_grad()  # this decorator disables gradient tracking inside pytorch
    def split_loss(split):
        x, y = {'train': (Xtr, Ytr), 'val': (Xdev, Ydev)}[split]
        logits = model(x)
        loss = F.cross_entropy(logits, y)
        record.append(loss.item())

    split_loss('train')
    split_loss('val')

    # sample from the model
    for _ in range(3):
        out = []
        context = [0] * block_size  # initialize with all ...
        while True:
            # forward pass the neural net
            logits = model(torch.tensor([context]))
            probs = F.softmax(logits, dim=1)
            record.append(probs.detach().numpy().copy())
            # sample from the distribution
            ix = draws(torch, torch.multinomial(probs, num_samples=1)).item()
            # shift the context window and track the samples
            context = context[1:] + [ix]
            out.append(ix)
            # if we sample the special '.' token, break
            if ix == 0:
                break
        record.append(''.join(itos[i] for i in out))  # decode and print the generated word
    return start


def test_part5_wavenet(torch):
    words = names(100, seed=7)
    mine, theirs, draws = [], [], Draws()
    start = wavenet(*libraries(torch), words, draws, None, theirs)
    wavenet(*libraries(), words, draws.replay(), start, mine)
    assert_records(mine, theirs)
