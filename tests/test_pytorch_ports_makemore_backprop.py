"""makemore part 4, "becoming a backprop ninja", ported as its viewers write it, step for
step next to PyTorch (see ``test_pytorch_ports_makemore.py`` for the setting): the MLP
with BatchNorm written out in small steps, every intermediate's ``.grad`` kept with
``retain_grad()``, then the backward pass by hand (exercise 1), the fast cross-entropy
and batch-norm gradients (exercises 2 and 3) and training with the manual backward pass
alone (exercise 4), each gradient checked with the lecture's ``cmp``
(``torch.all(dt == t.grad).item()``, ``torch.allclose``). Lines written differently:
- ``logits.max(1).indices`` is ``logits.max(dim=1).indices``: ``x.max(1)`` means the
  values in NumPy and the pair in PyTorch, a ``UsageError`` here (the README's table);
  ``logits.max(1, keepdim=True).values`` is PyTorch's spelling as written;
- ``exact`` of ``cmp`` is asserted for the first three gradients in both libraries, as the
  lecture shows them; past ``hpreact`` PyTorch's own backward and the hand-written one
  differ in the last bits in PyTorch (ours agree bit for bit); each is ``allclose``;
- exercise 4's ``dC`` is also computed as some viewers write it,
  ``dC.index_add_(0, Xb.view(-1), demb.view(-1, n_embd))``.
"""

from makemore_helpers import (Draws, assert_records, libraries, names, take_start)
from test_pytorch_ports_makemore_bn import dataset



def init(torch, n_embd, n_hidden, g):
    vocab_size, block_size = 27, 3
    C = torch.randn((vocab_size, n_embd), generator=g)
    # Layer 1
    W1 = torch.randn((n_embd * block_size, n_hidden), generator=g) * (5/3)/((n_embd * block_size)**0.5)  # noqa: E501
    b1 = torch.randn(n_hidden, generator=g) * 0.1  # noqa: E501 (using b1 just for fun, it's useless because of BN)
    # Layer 2
    W2 = torch.randn((n_hidden, vocab_size), generator=g) * 0.1
    b2 = torch.randn(vocab_size, generator=g) * 0.1
    # BatchNorm parameters
    bngain = torch.randn((1, n_hidden), generator=g)*0.1 + 1.0
    bnbias = torch.randn((1, n_hidden), generator=g)*0.1
    # Note: I am initializating many of these parameters in non-standard ways
    # because sometimes initializating with e.g. all zeros could mask an incorrect
    # implementation of the backward pass.
    return [C, W1, b1, W2, b2, bngain, bnbias]


def exercises(torch, F, words, draws, start, record):
    Xtr, Ytr, Xdev, Ydev = dataset(torch, words)
    n_embd = 5  # the dimensionality of the character embedding vectors
    n_hidden = 24  # the number of neurons in the hidden layer of the MLP
    g = torch.Generator().manual_seed(2147483647)  # for reproducibility
    parameters = init(torch, n_embd, n_hidden, g)
    start = take_start(parameters, start)
    C, W1, b1, W2, b2, bngain, bnbias = parameters
    record.append(sum(p.nelement() for p in parameters))  # number of parameters in total
    for p in parameters:
        p.requires_grad = True

    # utility function we will use later when comparing manual gradients to PyTorch gradients
    def cmp(s, dt, t):
        ex = torch.all(dt == t.grad).item()
        app = torch.allclose(dt, t.grad)
        maxdiff = (dt - t.grad).abs().max().item()
        print(f'{s:15s} | exact: {str(ex):5s} | approximate: {str(app):5s} | maxdiff: {maxdiff}')
        assert app, s
        record.append(dt.detach().numpy().copy())
        return ex

    batch_size = 32
    n = batch_size  # a shorter variable also, for convenience
    # construct a minibatch
    ix = draws(torch, torch.randint(0, Xtr.shape[0], (batch_size,), generator=g))
    Xb, Yb = Xtr[ix], Ytr[ix]  # batch X,Y

    # forward pass, "chunkated" into smaller steps that are possible to backward one at a time
    emb = C[Xb]  # embed the characters into vectors
    embcat = emb.view(emb.shape[0], -1)  # concatenate the vectors
    # Linear layer 1
    hprebn = embcat @ W1 + b1  # hidden layer pre-activation
    # BatchNorm layer
    bnmeani = 1/n*hprebn.sum(0, keepdim=True)
    bndiff = hprebn - bnmeani
    bndiff2 = bndiff**2
    bnvar = 1/(n-1)*(bndiff2).sum(0, keepdim=True)  # note: Bessel's correction (dividing by n-1, not n)  # noqa: E501
    bnvar_inv = (bnvar + 1e-5)**-0.5
    bnraw = bndiff * bnvar_inv
    hpreact = bngain * bnraw + bnbias
    # Non-linearity
    h = torch.tanh(hpreact)  # hidden layer
    # Linear layer 2
    logits = h @ W2 + b2  # output layer
    # cross entropy loss (same as F.cross_entropy(logits, Yb))
    logit_maxes = logits.max(1, keepdim=True).values
    norm_logits = logits - logit_maxes  # subtract max for numerical stability
    counts = norm_logits.exp()
    counts_sum = counts.sum(1, keepdims=True)
    counts_sum_inv = counts_sum**-1  # if I use (1.0 / counts_sum) instead then I can't get backprop to be bit exact...  # noqa: E501
    probs = counts * counts_sum_inv
    logprobs = probs.log()
    loss = -logprobs[range(n), Yb].mean()

    # PyTorch backward pass
    for p in parameters:
        p.grad = None
    for t in [logprobs, probs, counts, counts_sum, counts_sum_inv,  # afaik there is no cleaner way
              norm_logits, logit_maxes, logits, h, hpreact, bnraw,
              bnvar_inv, bnvar, bndiff2, bndiff, hprebn, bnmeani,
              embcat, emb]:
        t.retain_grad()
    loss.backward()
    record.append(loss.item())

    # Exercise 1: backprop through the whole thing manually,
    # backpropagating through exactly all of the variables
    # as they are defined in the forward pass above, one by one
    dlogprobs = torch.zeros_like(logprobs)
    dlogprobs[range(n), Yb] = -1.0/n
    dprobs = (1.0 / probs) * dlogprobs
    dcounts_sum_inv = (counts * dprobs).sum(1, keepdim=True)
    dcounts = counts_sum_inv * dprobs
    dcounts_sum = (-counts_sum**-2) * dcounts_sum_inv
    dcounts += torch.ones_like(counts) * dcounts_sum
    dnorm_logits = counts * dcounts
    dlogits = dnorm_logits.clone()
    dlogit_maxes = (-dnorm_logits).sum(1, keepdim=True)
    dlogits += F.one_hot(logits.max(dim=1).indices, num_classes=logits.shape[1]) * dlogit_maxes
    dh = dlogits @ W2.T
    dW2 = h.T @ dlogits
    db2 = dlogits.sum(0)
    dhpreact = (1.0 - h**2) * dh
    dbngain = (bnraw * dhpreact).sum(0, keepdim=True)
    dbnraw = bngain * dhpreact
    dbnbias = dhpreact.sum(0, keepdim=True)
    dbndiff = bnvar_inv * dbnraw
    dbnvar_inv = (bndiff * dbnraw).sum(0, keepdim=True)
    dbnvar = (-0.5*(bnvar + 1e-5)**-1.5) * dbnvar_inv
    dbndiff2 = (1.0/(n-1))*torch.ones_like(bndiff2) * dbnvar
    dbndiff += (2*bndiff) * dbndiff2
    dhprebn = dbndiff.clone()
    dbnmeani = (-dbndiff).sum(0)
    dhprebn += 1.0/n * (torch.ones_like(hprebn) * dbnmeani)
    dembcat = dhprebn @ W1.T
    dW1 = embcat.T @ dhprebn
    db1 = dhprebn.sum(0)
    demb = dembcat.view(emb.shape)
    dC = torch.zeros_like(C)
    for k in range(Xb.shape[0]):
        for j in range(Xb.shape[1]):
            ix = Xb[k, j]
            dC[ix] += demb[k, j]

    exact = [cmp('logprobs', dlogprobs, logprobs), cmp('probs', dprobs, probs),
             cmp('counts_sum_inv', dcounts_sum_inv, counts_sum_inv)]
    cmp('counts_sum', dcounts_sum, counts_sum)
    cmp('counts', dcounts, counts)
    cmp('norm_logits', dnorm_logits, norm_logits)
    cmp('logit_maxes', dlogit_maxes, logit_maxes)
    cmp('logits', dlogits, logits)
    cmp('h', dh, h)
    cmp('W2', dW2, W2)
    cmp('b2', db2, b2)
    cmp('hpreact', dhpreact, hpreact)
    cmp('bngain', dbngain, bngain)
    cmp('bnbias', dbnbias, bnbias)
    cmp('bnraw', dbnraw, bnraw)
    cmp('bnvar_inv', dbnvar_inv, bnvar_inv)
    cmp('bnvar', dbnvar, bnvar)
    cmp('bndiff2', dbndiff2, bndiff2)
    cmp('bndiff', dbndiff, bndiff)
    cmp('bnmeani', dbnmeani, bnmeani)
    cmp('hprebn', dhprebn, hprebn)
    cmp('embcat', dembcat, embcat)
    cmp('W1', dW1, W1)
    cmp('b1', db1, b1)
    cmp('emb', demb, emb)
    cmp('C', dC, C)
    assert exact == [True, True, True]

    # Exercise 2: backprop through cross_entropy but all in one go
    loss_fast = F.cross_entropy(logits, Yb)
    record.append((loss_fast - loss).item())
    dlogits = F.softmax(logits, 1)
    dlogits[range(n), Yb] -= 1
    dlogits /= n
    cmp('logits', dlogits, logits)  # I can only get approximate to be true, my maxdiff is 6e-9

    # Exercise 3: backprop through batchnorm but all in one go
    hpreact_fast = bngain * (hprebn - hprebn.mean(0, keepdim=True)) / torch.sqrt(hprebn.var(0, keepdim=True, unbiased=True) + 1e-5) + bnbias  # noqa: E501
    record.append((hpreact_fast - hpreact).abs().max().item())
    dhprebn = bngain*bnvar_inv/n * (n*dhpreact - dhpreact.sum(0) - n/(n-1)*bnraw*(dhpreact*bnraw).sum(0))  # noqa: E501
    cmp('hprebn', dhprebn, hprebn)  # I can only get approximate to be true, my maxdiff is 9e-10
    return start


def test_part4_the_backward_pass_by_hand(torch):
    words = names(100, seed=5)
    mine, theirs, draws = [], [], Draws()
    start = exercises(*libraries(torch), words, draws, None, theirs)
    exercises(*libraries(), words, draws.replay(), start, mine)
    assert_records(mine, theirs)


def train_with_the_manual_backward_pass(torch, F, words, draws, start, record):
    Xtr, Ytr, Xdev, Ydev = dataset(torch, words)
    n_embd = 6  # the dimensionality of the character embedding vectors
    n_hidden = 20  # the number of neurons in the hidden layer of the MLP
    g = torch.Generator().manual_seed(2147483647)  # for reproducibility
    parameters = init(torch, n_embd, n_hidden, g)
    start = take_start(parameters, start)
    C, W1, b1, W2, b2, bngain, bnbias = parameters
    for p in parameters:
        p.requires_grad = True

    max_steps = 6
    batch_size = 32
    n = batch_size  # convenience
    lossi = []
    # use this context manager for efficiency once your backward pass is written (TODO)
    with torch.no_grad():
        # kick off optimization
        for i in range(max_steps):
            # minibatch construct
            ix = draws(torch, torch.randint(0, Xtr.shape[0], (batch_size,), generator=g))
            Xb, Yb = Xtr[ix], Ytr[ix]  # batch X,Y
            # forward pass
            emb = C[Xb]  # embed the characters into vectors
            embcat = emb.view(emb.shape[0], -1)  # concatenate the vectors
            # Linear layer
            hprebn = embcat @ W1 + b1  # hidden layer pre-activation
            # BatchNorm layer
            bnmean = hprebn.mean(0, keepdim=True)
            bnvar = hprebn.var(0, keepdim=True, unbiased=True)
            bnvar_inv = (bnvar + 1e-5)**-0.5
            bnraw = (hprebn - bnmean) * bnvar_inv
            hpreact = bngain * bnraw + bnbias
            # Non-linearity
            h = torch.tanh(hpreact)  # hidden layer
            logits = h @ W2 + b2  # output layer
            loss = F.cross_entropy(logits, Yb)  # loss function
            # backward pass
            for p in parameters:
                p.grad = None
            # manual backprop! #swole_doge_meme
            dlogits = F.softmax(logits, 1)
            dlogits[range(n), Yb] -= 1
            dlogits /= n
            # 2nd layer backprop
            dh = dlogits @ W2.T
            dW2 = h.T @ dlogits
            db2 = dlogits.sum(0)
            # tanh
            dhpreact = (1.0 - h**2) * dh
            # batchnorm backprop
            dbngain = (bnraw * dhpreact).sum(0, keepdim=True)
            dbnbias = dhpreact.sum(0, keepdim=True)
            dhprebn = bngain*bnvar_inv/n * (n*dhpreact - dhpreact.sum(0) - n/(n-1)*bnraw*(dhpreact*bnraw).sum(0))  # noqa: E501
            # 1st layer
            dembcat = dhprebn @ W1.T
            dW1 = embcat.T @ dhprebn
            db1 = dhprebn.sum(0)
            # embedding
            demb = dembcat.view(emb.shape)
            dC = torch.zeros_like(C)
            for k in range(Xb.shape[0]):
                for j in range(Xb.shape[1]):
                    ix = Xb[k, j]
                    dC[ix] += demb[k, j]
            dC_fast = torch.zeros_like(C)
            dC_fast.index_add_(0, Xb.view(-1), demb.view(-1, n_embd))
            assert torch.allclose(dC, dC_fast)
            grads = [dC, dW1, db1, dW2, db2, dbngain, dbnbias]
            record += [grad.numpy().copy() for grad in grads]
            # update
            lr = 0.1 if i < 3 else 0.01  # step learning rate decay
            for p, grad in zip(parameters, grads):
                p.data += -lr * grad  # new way of swole doge TODO: enable
            lossi.append(loss.log10().item())
    record += [lossi] + [p.detach().numpy().copy() for p in parameters]

    # calibrate the batch norm at the end of training
    with torch.no_grad():
        # pass the training set through
        emb = C[Xtr]
        embcat = emb.view(emb.shape[0], -1)
        hpreact = embcat @ W1 + b1
        # measure the mean/std over the entire training set
        bnmean = hpreact.mean(0, keepdim=True)
        bnvar = hpreact.var(0, keepdim=True, unbiased=True)

    # evaluate train and val loss
    @torch.no_grad()  # this decorator disables gradient tracking
    def split_loss(split):
        x, y = {'train': (Xtr, Ytr), 'val': (Xdev, Ydev)}[split]
        emb = C[x]  # (N, block_size, n_embd)
        embcat = emb.view(emb.shape[0], -1)  # concat into (N, block_size * n_embd)
        hpreact = embcat @ W1 + b1
        hpreact = bngain * (hpreact - bnmean) * (bnvar + 1e-5)**-0.5 + bnbias
        h = torch.tanh(hpreact)  # (N, n_hidden)
        logits = h @ W2 + b2  # (N, vocab_size)
        loss = F.cross_entropy(logits, y)
        record.append(loss.item())

    split_loss('train')
    split_loss('val')
    return start


def test_part4_training_with_the_manual_backward_pass(torch):
    words = names(100, seed=6)
    mine, theirs, draws = [], [], Draws()
    start = train_with_the_manual_backward_pass(*libraries(torch), words, draws, None, theirs)
    train_with_the_manual_backward_pass(*libraries(), words, draws.replay(), start, mine)
    assert_records(mine, theirs)
