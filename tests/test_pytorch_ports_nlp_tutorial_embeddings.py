"""The NLP tutorial's "Word Embeddings: Encoding Lexical Semantics", ported as its readers
write it: ``nn.Embedding`` look-ups, the N-gram language model on Shakespeare's Sonnet 2
(``total_loss`` per epoch, the embedding of "beauty"), and the CBOW exercise solved as a
reader solves it (the context's embeddings summed with Python's ``sum``, ``nn.ReLU``,
``nn.LogSoftmax(dim=-1)``, a ``get_word_emdedding`` helper, predicting the middle word).
Step for step next to PyTorch from the same weights (float64); the lines written
differently are listed in ``test_pytorch_ports_nlp_tutorial.py`` (``randn`` shared, the
models' start copied from PyTorch's), and the epochs are fewer (10 and 100 in the
tutorial and the usual answer, 2 and 4 here, to keep the suite fast).
"""

import numpy as np

from test_pytorch_ports_nlp_tutorial import Printed, assert_records, libraries, weight_sync

SONNET = """When forty winters shall besiege thy brow,
And dig deep trenches in thy beauty's field,
Thy youth's proud livery so gazed on now,
Will be a totter'd weed of small worth held:
Then being asked, where all thy beauty lies,
Where all the treasure of thy lusty days;
To say, within thine own deep sunken eyes,
Were an all-eating shame, and thriftless praise.
How much more praise deserv'd thy beauty's use,
If thou couldst answer 'This fair child of mine
Shall sum my count, and make my old excuse,'
Proving his beauty by succession thine!
This were to be new made when thou art old,
And see thy blood warm when thou feel'st it cold."""

RAW_TEXT = """We are about to study the idea of a computational process.
Computational processes are abstract beings that inhabit computers.
As they evolve, processes manipulate other abstract things called data.
The evolution of a process is directed by a pattern of rules
called a program. People create programs to direct processes. In effect,
we conjure the spirits of the computer with our spells."""


def embedding_lookup(torch, nn, sync, record: list) -> None:
    torch.manual_seed(1)
    word_to_ix = {"hello": 0, "world": 1}
    embeds = nn.Embedding(2, 5)  # 2 words in vocab, 5 dimensional embeddings
    sync(embeds)
    lookup_tensor = torch.tensor([word_to_ix["hello"]], dtype=torch.long)
    hello_embed = embeds(lookup_tensor)
    record += [lookup_tensor, hello_embed]


def test_embedding_lookup(torch):
    ours, theirs = weight_sync()
    got, want = Printed(), Printed()
    embedding_lookup(*libraries(torch)[:2], theirs, want)
    embedding_lookup(*libraries()[:2], ours, got)
    assert_records(got, want)
    assert got[0].dtype == np.int64 and got[1].shape == (1, 5)


def ngram_language_model(torch, nn, F, optim, sync, record: list, epochs: int = 2) -> None:
    torch.manual_seed(1)
    CONTEXT_SIZE = 2
    EMBEDDING_DIM = 10
    # We will use Shakespeare Sonnet 2
    test_sentence = SONNET.split()
    # we should tokenize the input, but we will ignore that for now
    # build a list of tuples.
    # Each tuple is ([ word_i-CONTEXT_SIZE, ..., word_i-1 ], target word)
    ngrams = [
        (
            [test_sentence[i - j - 1] for j in range(CONTEXT_SIZE)],
            test_sentence[i]
        )
        for i in range(CONTEXT_SIZE, len(test_sentence))
    ]
    # Print the first 3, just so you can see what they look like.
    record.append(ngrams[:3])

    vocab = set(test_sentence)
    word_to_ix = {word: i for i, word in enumerate(vocab)}

    class NGramLanguageModeler(nn.Module):

        def __init__(self, vocab_size, embedding_dim, context_size):
            super(NGramLanguageModeler, self).__init__()
            self.embeddings = nn.Embedding(vocab_size, embedding_dim)
            self.linear1 = nn.Linear(context_size * embedding_dim, 128)
            self.linear2 = nn.Linear(128, vocab_size)

        def forward(self, inputs):
            embeds = self.embeddings(inputs).view((1, -1))
            out = F.relu(self.linear1(embeds))
            out = self.linear2(out)
            log_probs = F.log_softmax(out, dim=1)
            return log_probs

    losses = []
    loss_function = nn.NLLLoss()
    model = NGramLanguageModeler(len(vocab), EMBEDDING_DIM, CONTEXT_SIZE)
    sync(model)
    optimizer = optim.SGD(model.parameters(), lr=0.001)

    for epoch in range(epochs):
        total_loss = 0
        for context, target in ngrams:
            # Step 1. Prepare the inputs to be passed to the model (i.e, turn the words
            # into integer indices and wrap them in tensors)
            context_idxs = torch.tensor([word_to_ix[w] for w in context], dtype=torch.long)
            # Step 2. Recall that torch *accumulates* gradients. Before passing in a
            # new instance, you need to zero out the gradients from the old
            # instance
            model.zero_grad()
            # Step 3. Run the forward pass, getting log probabilities over next
            # words
            log_probs = model(context_idxs)
            # Step 4. Compute your loss function. (Again, Torch wants the target
            # word wrapped in a tensor)
            loss = loss_function(log_probs, torch.tensor([word_to_ix[target]],
                                                         dtype=torch.long))
            # Step 5. Do the backward pass and update the gradient
            loss.backward()
            optimizer.step()
            # Get the Python number from a 1-element Tensor by calling tensor.item()
            total_loss += loss.item()
            if epoch == 0 and len(record) < 5:  # the test's: a few steps' gradients
                record += [model.embeddings.weight.grad, model.linear1.weight.grad]
        losses.append(total_loss)
    record.append(losses)  # The loss decreased every iteration over the training data!
    # To get the embedding of a particular word, e.g. "beauty"
    record.append(model.embeddings.weight[word_to_ix["beauty"]])
    record += list(model.parameters())


def test_ngram_language_model(torch):
    ours, theirs = weight_sync()
    got, want = Printed(), Printed()
    ngram_language_model(*libraries(torch), theirs, want)
    ngram_language_model(*libraries(), ours, got)
    assert_records(got, want)
    assert got[0][0] == (["forty", "When"], "winters")
    losses = got[5]
    assert losses[0] > losses[1]  # the loss decreased every epoch
    assert got[6].shape == (10,)


def cbow(torch, nn, optim, sync, record: list, epochs: int = 4) -> None:
    torch.manual_seed(1)
    CONTEXT_SIZE = 2  # 2 words to the left, 2 to the right
    raw_text = RAW_TEXT.split()
    # By deriving a set from `raw_text`, we deduplicate the array
    vocab = set(raw_text)
    vocab_size = len(vocab)

    word_to_ix = {word: i for i, word in enumerate(vocab)}
    ix_to_word = {ix: word for ix, word in enumerate(vocab)}
    data = []
    for i in range(CONTEXT_SIZE, len(raw_text) - CONTEXT_SIZE):
        context = (
            [raw_text[i - j - 1] for j in range(CONTEXT_SIZE)]
            + [raw_text[i + j + 1] for j in range(CONTEXT_SIZE)]
        )
        target = raw_text[i]
        data.append((context, target))
    record.append(data[:5])

    class CBOW(nn.Module):

        def __init__(self, vocab_size, embedding_dim):
            super(CBOW, self).__init__()
            # out: 1 x emdedding_dim
            self.embeddings = nn.Embedding(vocab_size, embedding_dim)
            self.linear1 = nn.Linear(embedding_dim, 128)
            self.activation_function1 = nn.ReLU()
            # out: 1 x vocab_size
            self.linear2 = nn.Linear(128, vocab_size)
            self.activation_function2 = nn.LogSoftmax(dim=-1)

        def forward(self, inputs):
            embeds = sum(self.embeddings(inputs)).view(1, -1)
            out = self.linear1(embeds)
            out = self.activation_function1(out)
            out = self.linear2(out)
            out = self.activation_function2(out)
            return out

        def get_word_emdedding(self, word):
            word = torch.tensor([word_to_ix[word]])
            return self.embeddings(word).view(1, -1)

    # Create your model and train.  Here are some functions to help you make
    # the data ready for use by your module.
    def make_context_vector(context, word_to_ix):
        idxs = [word_to_ix[w] for w in context]
        return torch.tensor(idxs, dtype=torch.long)

    record.append(make_context_vector(data[0][0], word_to_ix))  # example

    EMBEDDING_DIM = 100
    model = CBOW(vocab_size, EMBEDDING_DIM)
    sync(model)
    loss_function = nn.NLLLoss()
    optimizer = optim.SGD(model.parameters(), lr=0.001)
    for epoch in range(epochs):
        total_loss = 0
        for context, target in data:
            context_vector = make_context_vector(context, word_to_ix)
            log_probs = model(context_vector)
            total_loss += loss_function(log_probs, torch.tensor([word_to_ix[target]]))
        # optimize at the end of each epoch
        optimizer.zero_grad()
        total_loss.backward()
        optimizer.step()
        record += [total_loss.item(), model.embeddings.weight.grad]

    # testing
    context = ['People', 'create', 'to', 'direct']
    context_vector = make_context_vector(context, word_to_ix)
    a = model(context_vector)
    record.append(f'Context: {context}')
    record.append(f'Prediction: {ix_to_word[torch.argmax(a[0]).item()]}')
    record.append(a)
    record.append(model.get_word_emdedding('computer'))


def test_cbow_exercise(torch):
    ours, theirs = weight_sync()
    got, want = Printed(), Printed()
    cbow(*libraries(torch)[:2], libraries(torch)[3], theirs, want)
    cbow(*libraries()[:2], libraries()[3], ours, got)
    assert_records(got, want)
    assert got[0][0] == (["are", "We"] + ["to", "study"], "about")
    losses = got[2:10:2]
    assert all(a > b for a, b in zip(losses, losses[1:]))
    assert got[-1].shape == (1, 100)
