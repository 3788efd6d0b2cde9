"""Word2vec with sparse embeddings, as the two much-copied PyTorch repositories write it
(Andras7's ``word2vec-pytorch`` and the older Xiaofei-style ``SkipGramModel``), ported as
their readers write them: two ``nn.Embedding(..., sparse=True)`` tables initialised with
``init.uniform_(weight.data, ...)`` / ``init.constant_(weight.data, 0)``, a negative table
of unigram^0.75 counts (Mikolov's), a ``Dataset`` with a ``collate`` of
``torch.LongTensor`` batches, ``torch.clamp``, ``F.logsigmoid``, ``torch.bmm(emb_neg_v,
emb_u.unsqueeze(2)).squeeze()``, ``optim.SparseAdam(list(model.parameters()))`` with
``CosineAnnealingLR`` stepped before the optimizer (as that trainer does), the embedding
file ``save_embedding`` writes, nearest words by ``F.cosine_similarity`` and ``topk``
under ``torch.no_grad()``; and the older model trained by ``optim.SGD`` whose
``param_group['lr']`` is decayed by hand. Written once for a library ``torch``
(``autograd`` here), each runs step for step next to PyTorch (float64) on a generated
corpus: losses, gradients (PyTorch's sparse ones made dense), parameters, the file and
the neighbours agree to 1e-10. (``SparseAdam`` and ``grad.to_dense()`` were missing:
fixed.)

Lines written differently here, and why:
- ``self.u_embeddings.weight.cpu().data.numpy()`` is ``.detach().numpy()``: ``.data`` is
  NumPy's array here (it has no ``.numpy()``);
- ``weight.data.uniform_(-initrange, initrange)`` (the older model) is ``init.uniform_``
  of the weight under ``torch.no_grad()``, for the same reason;
- ``Variable(torch.LongTensor(pos_u))`` (the older model) is ``torch.LongTensor(pos_u)``:
  a Tensor is PyTorch's Variable since 0.4 (``autograd.Variable`` says so);
- ``torch.optim.lr_scheduler.CosineAnnealingLR`` is ``optim.lr_scheduler...``: ``torch.optim``
  is ``nn.optim`` here (``autograd`` never imports ``nn``; its ``MissingNameError`` says so);
- the test's glue (marked): both runs start from the same weights drawn with NumPy, hooks
  record each optimizer step. The negative table's shuffle and the windows are NumPy's
  draws in both programs, seeded alike.
"""

import numpy as np
import pytest

import autograd as ag
from pytorch_examples_helpers import assert_printed, assert_steps
from word2vec_corpus import create_lookup_tables, generate_text, preprocess

pytestmark = pytest.mark.filterwarnings(  # the trainer steps its scheduler first: both warn
    "ignore:Detected call of `lr_scheduler.step", "ignore:CosineAnnealingLR.step.. was called",
    "ignore:Creating a tensor from a list of numpy.ndarrays")  # PyTorch's, of the collate


def libraries(torch=None) -> tuple:
    """(torch, nn, F, init, optim, data) for this library, or PyTorch's."""
    if torch is None:
        import nn.data
        return ag, nn, nn.functional, nn.init, nn.optim, nn.data
    return (torch, torch.nn, torch.nn.functional, torch.nn.init, torch.optim,
            torch.utils.data)


class DataReader:
    """Andras7's ``DataReader``, on the generated corpus: words, counts, the negative
    table (word ids repeated by unigram^0.75 share, shuffled) and ``getNegatives``."""
    NEGATIVE_TABLE_SIZE = 2000

    def __init__(self, sentences: list[list[str]]):
        self.negatives = []
        self.negpos = 0
        words = [w for s in sentences for w in s]
        self.word2id, self.id2word = create_lookup_tables(words)
        self.word_frequency = {self.word2id[w]: words.count(w) for w in self.word2id}
        self.sentences = [[self.word2id[w] for w in s] for s in sentences]
        self.sentences_count = len(sentences)
        self.initTableNegatives()

    def initTableNegatives(self):
        pow_frequency = np.array(list(self.word_frequency.values())) ** 0.75
        words_pow = sum(pow_frequency)
        ratio = pow_frequency / words_pow
        count = np.round(ratio * DataReader.NEGATIVE_TABLE_SIZE)
        for wid, c in enumerate(count):
            self.negatives += [wid] * int(c)
        self.negatives = np.array(self.negatives)
        np.random.shuffle(self.negatives)

    def getNegatives(self, target, size):
        response = self.negatives[self.negpos:self.negpos + size]
        self.negpos = (self.negpos + size) % len(self.negatives)
        if len(response) != size:
            return np.concatenate((response, self.negatives[0:self.negpos]))
        return response


def word2vec(torch, nn, F, init, data):
    """The repositories' definitions for the library ``torch``."""
    class Word2vecDataset(data.Dataset):
        def __init__(self, reader, window_size):
            self.data = reader
            self.window_size = window_size

        def __len__(self):
            return self.data.sentences_count

        def __getitem__(self, idx):
            word_ids = self.data.sentences[idx]
            boundary = np.random.randint(1, self.window_size)
            return [(u, v, self.data.getNegatives(v, 5)) for i, u in enumerate(word_ids) for
                    j, v in enumerate(word_ids[max(i - boundary, 0):i + boundary]) if u != v]

        @staticmethod
        def collate(batches):
            all_u = [u for batch in batches for u, _, _ in batch if len(batch) > 0]
            all_v = [v for batch in batches for _, v, _ in batch if len(batch) > 0]
            all_neg_v = [neg_v for batch in batches for _, _, neg_v in batch if len(batch) > 0]
            return torch.LongTensor(all_u), torch.LongTensor(all_v), torch.LongTensor(all_neg_v)

    class SkipGramModel(nn.Module):
        def __init__(self, emb_size, emb_dimension):
            super(SkipGramModel, self).__init__()
            self.emb_size = emb_size
            self.emb_dimension = emb_dimension
            self.u_embeddings = nn.Embedding(emb_size, emb_dimension, sparse=True)
            self.v_embeddings = nn.Embedding(emb_size, emb_dimension, sparse=True)

            initrange = 1.0 / self.emb_dimension
            init.uniform_(self.u_embeddings.weight.data, -initrange, initrange)
            init.constant_(self.v_embeddings.weight.data, 0)

        def forward(self, pos_u, pos_v, neg_v):
            emb_u = self.u_embeddings(pos_u)
            emb_v = self.v_embeddings(pos_v)
            emb_neg_v = self.v_embeddings(neg_v)

            score = torch.sum(torch.mul(emb_u, emb_v), dim=1)
            score = torch.clamp(score, max=10, min=-10)
            score = -F.logsigmoid(score)

            neg_score = torch.bmm(emb_neg_v, emb_u.unsqueeze(2)).squeeze()
            neg_score = torch.clamp(neg_score, max=10, min=-10)
            neg_score = -torch.sum(F.logsigmoid(-neg_score), dim=1)

            return torch.mean(score + neg_score)

        def save_embedding(self, id2word, file_name):
            embedding = self.u_embeddings.weight.cpu().detach().numpy()  # .data: see above
            with open(file_name, 'w') as f:
                f.write('%d %d\n' % (len(id2word), self.emb_dimension))
                for wid, w in id2word.items():
                    e = ' '.join(map(lambda x: str(x), embedding[wid]))
                    f.write('%s %s\n' % (w, e))

    class OlderSkipGramModel(SkipGramModel):
        """The Xiaofei-style model: ``init_emb`` and a summed loss."""
        def __init__(self, emb_size, emb_dimension):
            nn.Module.__init__(self)
            self.emb_size = emb_size
            self.emb_dimension = emb_dimension
            self.u_embeddings = nn.Embedding(emb_size, emb_dimension, sparse=True)
            self.v_embeddings = nn.Embedding(emb_size, emb_dimension, sparse=True)
            self.init_emb()

        def init_emb(self):
            initrange = 0.5 / self.emb_dimension
            with torch.no_grad():  # weight.data.uniform_(-initrange, initrange): see above
                init.uniform_(self.u_embeddings.weight, -initrange, initrange)
                init.uniform_(self.v_embeddings.weight, -0, 0)

        def forward(self, pos_u, pos_v, neg_v):
            emb_u = self.u_embeddings(pos_u)
            emb_v = self.v_embeddings(pos_v)
            score = torch.mul(emb_u, emb_v).squeeze()
            score = torch.sum(score, dim=1)
            score = F.logsigmoid(score)
            neg_emb_v = self.v_embeddings(neg_v)
            neg_score = torch.bmm(neg_emb_v, emb_u.unsqueeze(2)).squeeze()
            neg_score = F.logsigmoid(-1 * neg_score)
            return -1 * (torch.sum(score) + torch.sum(neg_score))

    return Word2vecDataset, SkipGramModel, OlderSkipGramModel


def sentences() -> list[list[str]]:
    """The generated corpus as sentences of words (punctuation tokens dropped)."""
    text = generate_text(60).replace("!", ".")
    return [preprocess(s, min_count=0) for s in text.split(".") if s.strip()]


def dense_steps(optimizer, record: list) -> None:
    """Each step's gradients (``to_dense()``: PyTorch's are sparse) and parameters."""
    def grads(opt, args, kwargs):
        record.append([p.grad.to_dense().numpy().copy() for g in opt.param_groups
                       for p in g["params"]])

    def params(opt, args, kwargs):
        record.append([p.detach().numpy().copy() for g in opt.param_groups
                       for p in g["params"]])

    optimizer.register_step_pre_hook(grads)
    optimizer.register_step_post_hook(params)


def train(torch, weights, path, record, steps):
    """Andras7's ``Word2VecTrainer.train`` (one iteration) and the older trainer's loop."""
    torch_, nn, F, init, optim, data = libraries(torch)
    torch = torch_
    np.random.seed(0)
    reader = DataReader(sentences())
    Word2vecDataset, SkipGramModel, OlderSkipGramModel = word2vec(torch, nn, F, init, data)
    dataset = Word2vecDataset(reader, 4)
    dataloader = data.DataLoader(dataset, batch_size=6, shuffle=False, num_workers=0,
                                 collate_fn=dataset.collate)
    device = torch.device("cpu")
    emb_size, emb_dimension = len(reader.word2id), 10
    skip_gram_model = SkipGramModel(emb_size, emb_dimension)
    record.append(float(skip_gram_model.v_embeddings.weight.detach().abs().sum()))
    skip_gram_model.load_state_dict(weights)  # the test's glue: the same start in both

    optimizer = optim.SparseAdam(list(skip_gram_model.parameters()), lr=0.05)
    scheduler = optim.lr_scheduler.CosineAnnealingLR(optimizer, len(dataloader))  # torch.
    dense_steps(optimizer, steps)  # the test's glue
    running_loss = 0.0
    for i, sample_batched in enumerate(dataloader):
        if len(sample_batched[0]) > 1:
            pos_u = sample_batched[0].to(device)
            pos_v = sample_batched[1].to(device)
            neg_v = sample_batched[2].to(device)

            scheduler.step()
            optimizer.zero_grad()
            loss = skip_gram_model.forward(pos_u, pos_v, neg_v)
            loss.backward()
            optimizer.step()

            running_loss = running_loss * 0.9 + loss.item() * 0.1
            record.append((loss.item(), running_loss, scheduler.get_last_lr()[0]))
    skip_gram_model.save_embedding(reader.id2word, path)

    with torch.no_grad():  # nearest words by cosine similarity
        emb = skip_gram_model.u_embeddings.weight
        for word in ["cat", "bread", "red"]:
            query = emb[reader.word2id[word]]
            sims = F.cosine_similarity(query.unsqueeze(0), emb, dim=1)
            values, indices = sims.topk(4)
            record.append([reader.id2word[idx.item()] for idx in indices])
            record.append(values.numpy().copy())

    # the older trainer: SGD on the same batches, its learning rate decayed by hand
    model = OlderSkipGramModel(emb_size, emb_dimension)
    model.load_state_dict(weights)  # the test's glue
    initial_lr = 0.2
    optimizer = optim.SGD(model.parameters(), lr=initial_lr)
    dense_steps(optimizer, steps)  # the test's glue
    batch_count = len(dataloader)
    for i, (pos_u, pos_v, neg_v) in enumerate(dataloader):
        optimizer.zero_grad()
        loss = model.forward(pos_u, pos_v, neg_v)
        loss.backward()
        optimizer.step()
        record.append(loss.item())
        lr = initial_lr * (1.0 - 1.0 * i / batch_count)
        for param_group in optimizer.param_groups:
            param_group['lr'] = lr


def test_sparse_skip_gram_trains_step_for_step_as_torch(torch, tmp_path):
    rng = np.random.default_rng(0)
    n_words = len(DataReader(sentences()).word2id)
    weights = {"u_embeddings.weight": rng.uniform(-0.1, 0.1, size=(n_words, 10)),
               "v_embeddings.weight": rng.uniform(-0.1, 0.1, size=(n_words, 10))}
    ours, theirs, our_steps, their_steps = [], [], [], []
    train(None, {k: ag.tensor(v) for k, v in weights.items()}, tmp_path / "ours.txt", ours,
          our_steps)
    train(torch, {k: torch.tensor(v) for k, v in weights.items()}, tmp_path / "theirs.txt",
          theirs, their_steps)
    assert len(ours) == len(theirs) > 10 and ours[0] == theirs[0] == 0.0
    for i, (a, b) in enumerate(zip(ours, theirs)):
        if isinstance(a, list) and isinstance(a[0], str):
            assert a == b, f"record {i}"
        else:
            np.testing.assert_allclose(np.asarray(a, float), np.asarray(b, float),
                                       rtol=1e-10, atol=1e-12, err_msg=f"record {i}")
    assert_steps(our_steps, their_steps)
    assert_printed((tmp_path / "ours.txt").read_text(), (tmp_path / "theirs.txt").read_text())
