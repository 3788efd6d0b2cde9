"""PyTorch's tutorial "Deep Learning for NLP with PyTorch" (Robert Guthrie), ported as its
readers write it. Each section's program is written once for a library ``torch``
(``autograd`` here, PyTorch there) with its ``nn``, ``F`` and ``optim``, and runs step for
step next to PyTorch's from the same weights (float64): every printed value, loss,
gradient and parameter agrees to 1e-10.

Sections here: "Introduction to PyTorch" (the tensor cells) and "Deep Learning Building
Blocks" (affine maps, non-linearities, softmax, the bag-of-words classifier). "Word
Embeddings" (N-gram model, CBOW exercise): ``test_pytorch_ports_nlp_tutorial_embeddings.py``;
"Sequence Models" (LSTM, POS tagger): ``..._sequence.py``; "Advanced: Making Dynamic
Decisions and the Bi-LSTM CRF": ``..._crf.py``.

Lines written differently here, and why:
- ``torch.randn`` draws from a NumPy generator that both runs seed alike through
  ``torch.manual_seed`` (``SharedRandom``: the two libraries' generators differ), and each
  model starts from PyTorch's initial weights (``sync(model)``, the test's glue after the
  constructor line);
- ``print(z.grad_fn)`` shows ``Add()`` here, ``<AddBackward0 object at ...>`` there: the
  test compares the type's name;
- ``torch.cat([x_1, x_2])`` ("torch will complain") raises ``ShapeError``, a ``ValueError``
  (PyTorch's is a ``RuntimeError``).
"""

import numpy as np

import autograd as ag
import nn
import nn.functional as nn_F


def libraries(torch=None) -> tuple:
    """(torch, nn, F, optim) for this library, or PyTorch's when ``torch`` is given; the
    first one's ``randn`` is shared (``SharedRandom``)."""
    if torch is None:
        return SharedRandom(ag), nn, nn_F, nn.optim
    return SharedRandom(torch), torch.nn, torch.nn.functional, torch.optim


class SharedRandom:
    """A library's namespace whose ``randn(*size)`` draws float64 normals from a NumPy
    generator, re-seeded by ``manual_seed``: the same numbers in both runs."""

    def __init__(self, library) -> None:
        self.library = library
        self.rng = np.random.default_rng(0)

    def __getattr__(self, name: str):
        return getattr(self.library, name)

    def manual_seed(self, seed: int):
        self.rng = np.random.default_rng(seed)
        return self.library.manual_seed(seed)

    def randn(self, *size):
        if len(size) == 1 and isinstance(size[0], (tuple, list)):
            size = tuple(size[0])
        return self.library.tensor(self.rng.standard_normal(size))


def weight_sync() -> tuple:
    """(ours, theirs): ``theirs(model)`` keeps each PyTorch model's starting state dict,
    ``ours(model)`` loads them in the same order (run PyTorch's program first)."""
    states = []

    def theirs(model):
        states.append({k: v.detach().numpy().copy() for k, v in model.state_dict().items()})

    def ours(model):
        model.load_state_dict(states.pop(0))

    return ours, theirs


def to_numpy(value):
    """A record entry as NumPy: tensors (either library) become arrays (copies)."""
    if hasattr(value, "detach"):
        return value.detach().numpy().copy()
    return value


class Printed(list):
    """What the program prints: each value kept as it was then (a NumPy copy of a tensor;
    a view such as a weight's column changes with the training after it)."""

    def append(self, value) -> None:
        super().append(to_numpy(value))

    def extend(self, values) -> None:
        for value in values:
            self.append(value)

    def __iadd__(self, values):
        self.extend(values)
        return self


def assert_records(got: list, want: list, rtol: float = 1e-10, atol: float = 1e-12) -> None:
    assert len(got) == len(want)
    for i, (a, b) in enumerate(zip(got, want)):
        a, b = to_numpy(a), to_numpy(b)
        numbers = isinstance(a, list) and all(isinstance(v, float) for v in a)
        if not numbers and isinstance(a, (str, bool, type(None), dict, list, tuple)):
            assert a == b, f"record {i}: {a!r} != {b!r}"
            continue
        assert np.shape(a) == np.shape(b), f"record {i}"
        np.testing.assert_allclose(np.asarray(a, float), np.asarray(b, float), rtol=rtol,
                                   atol=atol, err_msg=f"record {i}")


# ------------------------------------------------------------------ Introduction to PyTorch
def introduction(torch, record: list) -> None:
    torch.manual_seed(1)
    # torch.tensor(data) creates a torch.Tensor object with the given data.
    V_data = [1., 2., 3.]
    V = torch.tensor(V_data)
    record.append(V)
    # Creates a matrix
    M_data = [[1., 2., 3.], [4., 5., 6]]
    M = torch.tensor(M_data)
    record.append(M)
    # Create a 3D tensor of size 2x2x2.
    T_data = [[[1., 2.], [3., 4.]],
              [[5., 6.], [7., 8.]]]
    T = torch.tensor(T_data)
    record.append(T)
    # Index into V and get a scalar (0 dimensional tensor)
    record.append(V[0])
    # Get a Python number from it
    record.append(V[0].item())
    record += [M[0], T[0]]  # index into M, into T

    x = torch.randn((3, 4, 5))
    record.append(x)
    x = torch.tensor([1., 2., 3.])
    y = torch.tensor([4., 5., 6.])
    z = x + y
    record.append(z)

    # By default, it concatenates along the first axis (concatenates rows)
    x_1 = torch.randn(2, 5)
    y_1 = torch.randn(3, 5)
    z_1 = torch.cat([x_1, y_1])
    record.append(z_1)
    # Concatenate columns:
    x_2 = torch.randn(2, 3)
    y_2 = torch.randn(2, 5)
    # second arg specifies which axis to concat along
    z_2 = torch.cat([x_2, y_2], 1)
    record.append(z_2)
    # If your tensors are not compatible, torch will complain.  Uncomment to see the error
    try:
        torch.cat([x_1, x_2])
        record.append("no complaint")
    except (RuntimeError, ValueError) as error:
        record.append("torch will complain" if "5" in str(error) else str(error))

    x = torch.randn(2, 3, 4)
    record.append(x)
    record.append(x.view(2, 12))  # Reshape to 2 rows, 12 columns
    # Same as above.  If one of the dimensions is -1, its size can be inferred
    record.append(x.view(2, -1))

    # Tensor factory methods have a ``requires_grad`` flag
    x = torch.tensor([1., 2., 3], requires_grad=True)
    # With requires_grad=True, you can still do all the operations you previously could
    y = torch.tensor([4., 5., 6], requires_grad=True)
    z = x + y
    record.append(z)
    # BUT z knows something extra.
    record.append(type(z.grad_fn).__name__.removesuffix("Backward0"))
    # Let's sum up all the entries in z
    s = z.sum()
    record += [s, type(s.grad_fn).__name__.removesuffix("Backward0")]
    # calling .backward() on any variable will run backprop, starting from it.
    s.backward()
    record.append(x.grad)

    x = torch.randn(2, 2)
    y = torch.randn(2, 2)
    # By default, user created Tensors have ``requires_grad=False``
    record += [x.requires_grad, y.requires_grad]
    z = x + y
    # So you can't backprop through z
    record.append(z.grad_fn)
    # ``.requires_grad_( ... )`` changes an existing Tensor's ``requires_grad``
    # flag in-place. The input flag defaults to ``True`` if not given.
    x = x.requires_grad_()
    y = y.requires_grad_()
    # z contains enough information to compute gradients, as we saw above
    z = x + y
    record.append(z.grad_fn is not None)
    # If any input to an operation has ``requires_grad=True``, so will the output
    record.append(z.requires_grad)
    # Can we just take its values, and **detach** it from its history?
    new_z = z.detach()
    # ... does new_z have information to backprop to x and y?  NO!
    record += [new_z.grad_fn, new_z.requires_grad, new_z]

    record.append(x.requires_grad)
    record.append((x ** 2).requires_grad)
    with torch.no_grad():
        record.append((x ** 2).requires_grad)


def test_introduction_to_pytorch(torch):
    got, want = Printed(), Printed()
    introduction(libraries()[0], got)
    introduction(libraries(torch)[0], want)
    assert_records(got, want)
    assert got[1].shape == (2, 3) and got[11] == "torch will complain"
    assert [got[i] for i in (16, 18)] == ["Add", "Sum"]
    assert got[-3:] == [True, True, False]


# ------------------------------------------------------------------ building blocks
DATA = [("me gusta comer en la cafeteria".split(), "SPANISH"),
        ("Give it to me".split(), "ENGLISH"),
        ("No creo que sea una buena idea".split(), "SPANISH"),
        ("No it is not a good idea to get lost at sea".split(), "ENGLISH")]
TEST_DATA = [("Yo creo que si".split(), "SPANISH"),
             ("it is lost on me".split(), "ENGLISH")]


def affine_and_nonlinear(torch, nn, F, sync, record: list) -> None:
    torch.manual_seed(1)
    lin = nn.Linear(5, 3)  # maps from R^5 to R^3, parameters A, b
    sync(lin)
    # data is 2x5.  A maps from 5 to 3... can we map "data" under A?
    data = torch.randn(2, 5)
    record.append(lin(data))  # yes
    # In pytorch, most non-linearities are in torch.functional (we have it imported as F)
    data = torch.randn(2, 2)
    record += [data, F.relu(data)]
    # Softmax is also in torch.nn.functional
    data = torch.randn(5)
    record.append(data)
    record.append(F.softmax(data, dim=0))
    record.append(F.softmax(data, dim=0).sum())  # Sums to 1 because it is a distribution!
    record.append(F.log_softmax(data, dim=0))  # theres also log_softmax


def test_affine_maps_and_nonlinearities(torch):
    ours, theirs = weight_sync()
    got, want = Printed(), Printed()
    affine_and_nonlinear(*libraries(torch)[:3], theirs, want)
    affine_and_nonlinear(*libraries()[:3], ours, got)
    assert_records(got, want)
    assert got[5] == 1.0 or abs(got[5].item() - 1) < 1e-15


def bag_of_words(torch, nn, F, optim, sync, record: list, epochs: int = 100) -> None:
    torch.manual_seed(1)
    data, test_data = DATA, TEST_DATA
    # word_to_ix maps each word in the vocab to a unique integer, which will be its
    # index into the Bag of words vector
    word_to_ix = {}
    for sent, _ in data + test_data:
        for word in sent:
            if word not in word_to_ix:
                word_to_ix[word] = len(word_to_ix)
    record.append(word_to_ix)
    VOCAB_SIZE = len(word_to_ix)
    NUM_LABELS = 2

    class BoWClassifier(nn.Module):  # inheriting from nn.Module!

        def __init__(self, num_labels, vocab_size):
            # calls the init function of nn.Module.  Dont get confused by syntax,
            # just always do it in an nn.Module
            super(BoWClassifier, self).__init__()
            # Define the parameters that you will need.  In this case, we need A and b,
            # the parameters of the affine mapping.
            self.linear = nn.Linear(vocab_size, num_labels)

        def forward(self, bow_vec):
            # Pass the input through the linear layer,
            # then pass that through log_softmax.
            return F.log_softmax(self.linear(bow_vec), dim=1)

    def make_bow_vector(sentence, word_to_ix):
        vec = torch.zeros(len(word_to_ix))
        for word in sentence:
            vec[word_to_ix[word]] += 1
        return vec.view(1, -1)

    def make_target(label, label_to_ix):
        return torch.LongTensor([label_to_ix[label]])

    model = BoWClassifier(NUM_LABELS, VOCAB_SIZE)
    sync(model)
    # the model knows its parameters.  The first output below is A, the second is b.
    for param in model.parameters():
        record.append(param)
    # To run the model, pass in a BoW vector
    # Here we don't need to train, so the code is wrapped in torch.no_grad()
    with torch.no_grad():
        sample = data[0]
        bow_vector = make_bow_vector(sample[0], word_to_ix)
        log_probs = model(bow_vector)
        record += [bow_vector, log_probs]

    label_to_ix = {"SPANISH": 0, "ENGLISH": 1}
    # Run on test data before we train, just to see a before-and-after
    with torch.no_grad():
        for instance, label in test_data:
            bow_vec = make_bow_vector(instance, word_to_ix)
            log_probs = model(bow_vec)
            record.append(log_probs)
    # Print the matrix column corresponding to "creo"
    record.append(next(model.parameters())[:, word_to_ix["creo"]])

    loss_function = nn.NLLLoss()
    optimizer = optim.SGD(model.parameters(), lr=0.1)
    for epoch in range(epochs):
        for instance, label in data:
            # Step 1. Remember that PyTorch accumulates gradients.
            # We need to clear them out before each instance
            model.zero_grad()
            # Step 2. Make our BOW vector and also we must wrap the target in a
            # Tensor as an integer.
            bow_vec = make_bow_vector(instance, word_to_ix)
            target = make_target(label, label_to_ix)
            # Step 3. Run our forward pass.
            log_probs = model(bow_vec)
            # Step 4. Compute the loss, gradients, and update the parameters by
            # calling optimizer.step()
            loss = loss_function(log_probs, target)
            loss.backward()
            optimizer.step()
            record += [target, loss.item(), model.linear.weight.grad,
                       model.linear.bias.grad]

    with torch.no_grad():
        for instance, label in test_data:
            bow_vec = make_bow_vector(instance, word_to_ix)
            log_probs = model(bow_vec)
            record.append(log_probs)
    # Index corresponding to Spanish goes up, English goes down!
    record.append(next(model.parameters())[:, word_to_ix["creo"]])


def test_bag_of_words_classifier(torch):
    ours, theirs = weight_sync()
    got, want = Printed(), Printed()
    bag_of_words(*libraries(torch), theirs, want)
    bag_of_words(*libraries(), ours, got)
    assert_records(got, want)
    target = got[8]
    assert (target.dtype, target.shape) == (np.int64, (1,))
    before, after = got[7], got[-1]  # "creo"'s column: Spanish up, English down
    assert after[0] > before[0] and after[1] < before[1]
    spanish, english = got[-3], got[-2]
    assert spanish.argmax().item() == 0 and english.argmax().item() == 1
