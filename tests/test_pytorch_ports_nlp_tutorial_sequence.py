"""The NLP tutorial's "Sequence Models and Long Short-Term Memory Networks", ported as its
readers write it: an ``nn.LSTM(3, 3)`` stepped one element at a time, then over the whole
sequence at once (the last slice of ``out`` is the hidden state), and the ``LSTMTagger``
part-of-speech tagger (``prepare_sequence``, ``lstm_out.view(len(sentence), -1)``,
``F.log_softmax``, ``NLLLoss``, SGD) with its scores before and after training; and the
section's exercise (character-level features from a second LSTM over each word's letters)
as a reader solves it. Step for step next to PyTorch from the same weights (float64); the
lines written differently are listed in ``test_pytorch_ports_nlp_tutorial.py`` (``randn``
shared, the models' start copied from PyTorch's). The tutorial trains 300 epochs (for its
tags "DET NN V DET NN"); the runs here take 20 and 5 (the suite's time budget).
"""

import numpy as np

from test_pytorch_ports_nlp_tutorial import Printed, assert_records, libraries, weight_sync


def lstm_steps(torch, nn, sync, record: list) -> None:
    torch.manual_seed(1)
    lstm = nn.LSTM(3, 3)  # Input dim is 3, output dim is 3
    sync(lstm)
    inputs = [torch.randn(1, 3) for _ in range(5)]  # make a sequence of length 5

    # initialize the hidden state.
    hidden = (torch.randn(1, 1, 3),
              torch.randn(1, 1, 3))
    for i in inputs:
        # Step through the sequence one element at a time.
        # after each step, hidden contains the hidden state.
        out, hidden = lstm(i.view(1, 1, -1), hidden)
        record += [out, hidden[0], hidden[1]]
    stepped = out

    # alternatively, we can do the entire sequence all at once.
    # the first value returned by LSTM is all of the hidden states throughout
    # the sequence. the second is just the most recent hidden state
    # (compare the last slice of "out" with "hidden" below, they are the same)
    # Add the extra 2nd dimension
    inputs = torch.cat(inputs).view(len(inputs), 1, -1)
    hidden = (torch.randn(1, 1, 3), torch.randn(1, 1, 3))  # clean out hidden state
    out, hidden = lstm(inputs, hidden)
    record += [out, hidden[0], hidden[1]]
    record.append(out[-1].equal(hidden[0][0]))
    # the whole sequence again from the first hidden state: the stepped run's last output
    torch.manual_seed(1)
    [torch.randn(1, 3) for _ in range(5)]
    hidden = (torch.randn(1, 1, 3), torch.randn(1, 1, 3))
    out, hidden = lstm(inputs, hidden)
    record.append(torch.allclose(out[-1], stepped[0], rtol=1e-12, atol=1e-14))


def test_lstm_stepped_and_whole(torch):
    ours, theirs = weight_sync()
    got, want = Printed(), Printed()
    lstm_steps(*libraries(torch)[:2], theirs, want)
    lstm_steps(*libraries()[:2], ours, got)
    assert_records(got, want)
    assert got[15].shape == (5, 1, 3) and got[-2:] == [True, True]


TRAINING_DATA = [
    # Tags are: DET - determiner; NN - noun; V - verb
    # For example, the word "The" is a determiner
    ("The dog ate the apple".split(), ["DET", "NN", "V", "DET", "NN"]),
    ("Everybody read that book".split(), ["NN", "V", "DET", "NN"])
]


def lstm_tagger(torch, nn, F, optim, sync, record: list, epochs: int = 300,
                steps_recorded: int = 4) -> None:
    torch.manual_seed(1)

    def prepare_sequence(seq, to_ix):
        idxs = [to_ix[w] for w in seq]
        return torch.tensor(idxs, dtype=torch.long)

    training_data = TRAINING_DATA
    word_to_ix = {}
    # For each words-list (sentence) and tags-list in each tuple of training_data
    for sent, tags in training_data:
        for word in sent:
            if word not in word_to_ix:  # word has not been assigned an index yet
                word_to_ix[word] = len(word_to_ix)  # Assign each word with a unique index
    record.append(word_to_ix)
    tag_to_ix = {"DET": 0, "NN": 1, "V": 2}  # Assign each tag with a unique index

    # These will usually be more like 32 or 64 dimensional.
    # We will keep them small, so we can see how the weights change as we train.
    EMBEDDING_DIM = 6
    HIDDEN_DIM = 6

    class LSTMTagger(nn.Module):

        def __init__(self, embedding_dim, hidden_dim, vocab_size, tagset_size):
            super(LSTMTagger, self).__init__()
            self.hidden_dim = hidden_dim

            self.word_embeddings = nn.Embedding(vocab_size, embedding_dim)

            # The LSTM takes word embeddings as inputs, and outputs hidden states
            # with dimensionality hidden_dim.
            self.lstm = nn.LSTM(embedding_dim, hidden_dim)

            # The linear layer that maps from hidden state space to tag space
            self.hidden2tag = nn.Linear(hidden_dim, tagset_size)

        def forward(self, sentence):
            embeds = self.word_embeddings(sentence)
            lstm_out, _ = self.lstm(embeds.view(len(sentence), 1, -1))
            tag_space = self.hidden2tag(lstm_out.view(len(sentence), -1))
            tag_scores = F.log_softmax(tag_space, dim=1)
            return tag_scores

    model = LSTMTagger(EMBEDDING_DIM, HIDDEN_DIM, len(word_to_ix), len(tag_to_ix))
    sync(model)
    loss_function = nn.NLLLoss()
    optimizer = optim.SGD(model.parameters(), lr=0.1)

    # See what the scores are before training
    # Note that element i,j of the output is the score for tag j for word i.
    # Here we don't need to train, so the code is wrapped in torch.no_grad()
    with torch.no_grad():
        inputs = prepare_sequence(training_data[0][0], word_to_ix)
        tag_scores = model(inputs)
        record.append(tag_scores)

    for epoch in range(epochs):  # again, normally you would NOT do 300 epochs, it is toy data
        for sentence, tags in training_data:
            # Step 1. Remember that Pytorch accumulates gradients.
            # We need to clear them out before each instance
            model.zero_grad()
            # Step 2. Get our inputs ready for the network, that is, turn them into
            # Tensors of word indices.
            sentence_in = prepare_sequence(sentence, word_to_ix)
            targets = prepare_sequence(tags, tag_to_ix)
            # Step 3. Run our forward pass.
            tag_scores = model(sentence_in)
            # Step 4. Compute the loss, gradients, and update the parameters by
            #  calling optimizer.step()
            loss = loss_function(tag_scores, targets)
            loss.backward()
            optimizer.step()
            record.append(loss.item())
            if epoch < steps_recorded:  # the test's: the first steps' gradients
                record += [p.grad for p in model.parameters()]

    # See what the scores are after training
    with torch.no_grad():
        inputs = prepare_sequence(training_data[0][0], word_to_ix)
        tag_scores = model(inputs)
        # The sentence is "the dog ate the apple".  i,j corresponds to score for tag j
        # for word i. The predicted tag is the maximum scoring tag.
        record.append(tag_scores)
    record += list(model.state_dict().values())


def test_lstm_tagger(torch):
    ours, theirs = weight_sync()
    got, want = Printed(), Printed()
    lstm_tagger(*libraries(torch), theirs, want, epochs=20)
    lstm_tagger(*libraries(), ours, got, epochs=20)
    assert_records(got, want)
    assert got[1].shape == (5, 3)
    losses = np.array([value for value in got if isinstance(value, float)])
    assert len(losses) == 40
    assert losses[-2:].max() < losses[:2].min()  # it learns



def char_level_tagger(torch, nn, F, optim, sync, record: list, epochs: int = 5) -> None:
    """The section's exercise, "Augmenting the LSTM part-of-speech tagger with
    character-level features", as a reader solves it: each word's characters through an
    LSTM, its last hidden state joined to the word's embedding."""
    torch.manual_seed(1)

    def prepare_sequence(seq, to_ix):
        idxs = [to_ix[w] for w in seq]
        return torch.tensor(idxs, dtype=torch.long)

    training_data = TRAINING_DATA
    word_to_ix, char_to_ix = {}, {}
    for sent, tags in training_data:
        for word in sent:
            if word not in word_to_ix:
                word_to_ix[word] = len(word_to_ix)
            for char in word:
                if char not in char_to_ix:
                    char_to_ix[char] = len(char_to_ix)
    tag_to_ix = {"DET": 0, "NN": 1, "V": 2}
    EMBEDDING_DIM, CHAR_EMBEDDING_DIM, HIDDEN_DIM, CHAR_HIDDEN_DIM = 6, 3, 6, 3

    class LSTMTagger(nn.Module):

        def __init__(self, embedding_dim, char_embedding_dim, hidden_dim, char_hidden_dim,
                     vocab_size, alphabet_size, tagset_size):
            super(LSTMTagger, self).__init__()
            self.hidden_dim = hidden_dim
            self.word_embeddings = nn.Embedding(vocab_size, embedding_dim)
            self.char_embeddings = nn.Embedding(alphabet_size, char_embedding_dim)
            self.char_lstm = nn.LSTM(char_embedding_dim, char_hidden_dim)
            # the word LSTM takes the word embedding and the character representation
            self.lstm = nn.LSTM(embedding_dim + char_hidden_dim, hidden_dim)
            self.hidden2tag = nn.Linear(hidden_dim, tagset_size)

        def forward(self, sentence, words):
            char_reprs = []
            for word in words:
                char_idxs = prepare_sequence(word, char_to_ix)
                char_embeds = self.char_embeddings(char_idxs)
                _, (char_hidden, _) = self.char_lstm(char_embeds.view(len(word), 1, -1))
                char_reprs.append(char_hidden.view(-1))
            char_reprs = torch.stack(char_reprs)
            embeds = self.word_embeddings(sentence)
            combined = torch.cat((embeds, char_reprs), dim=1)
            lstm_out, _ = self.lstm(combined.view(len(sentence), 1, -1))
            tag_space = self.hidden2tag(lstm_out.view(len(sentence), -1))
            tag_scores = F.log_softmax(tag_space, dim=1)
            return tag_scores

    model = LSTMTagger(EMBEDDING_DIM, CHAR_EMBEDDING_DIM, HIDDEN_DIM, CHAR_HIDDEN_DIM,
                       len(word_to_ix), len(char_to_ix), len(tag_to_ix))
    sync(model)
    loss_function = nn.NLLLoss()
    optimizer = optim.SGD(model.parameters(), lr=0.1)
    for epoch in range(epochs):
        for sentence, tags in training_data:
            model.zero_grad()
            sentence_in = prepare_sequence(sentence, word_to_ix)
            targets = prepare_sequence(tags, tag_to_ix)
            tag_scores = model(sentence_in, sentence)
            loss = loss_function(tag_scores, targets)
            loss.backward()
            optimizer.step()
            record += [loss.item(), *[p.grad for p in model.parameters()]]
    with torch.no_grad():
        inputs = prepare_sequence(training_data[0][0], word_to_ix)
        record.append(model(inputs, training_data[0][0]))
    record += list(model.state_dict().values())


def test_char_level_tagger_exercise(torch):
    ours, theirs = weight_sync()
    got, want = Printed(), Printed()
    char_level_tagger(*libraries(torch), theirs, want)
    char_level_tagger(*libraries(), ours, got)
    assert_records(got, want)
    losses = [value for value in got if isinstance(value, float)]
    assert len(losses) == 10 and losses[-1] < losses[1]
