"""Stanford CS231n, assignment 3's ``Transformer_Captioning.ipynb`` with its
``cs231n/transformer_layers.py``, ``cs231n/classifiers/transformer.py`` and
``cs231n/captioning_solver_transformer.py``, ported as students write them:
``MultiHeadAttention`` by hand (``view(N, S, H, E // H).transpose(1, 2)``, ``q @
k.transpose(2, 3) / math.sqrt(E / H)``, ``masked_fill(attn_mask == 0, float('-inf'))``),
``PositionalEncoding`` (``torch.pow(10000, -torch.arange(0, embed_dim, 2) / embed_dim)``,
``pe[0, :, 0::2] = torch.sin(...)``, ``register_buffer``), ``TransformerDecoderLayer``,
``clones`` by ``copy.deepcopy`` in an ``nn.ModuleList``, ``CaptioningTransformer`` (an
``nn.Embedding`` with ``padding_idx``, the causal ``torch.tril(torch.ones(T, T,
dtype=torch.bool))`` mask, ``_init_weights`` by ``self.apply``, greedy ``sample`` into a
NumPy array), and the solver's masked ``transformer_temporal_softmax_loss``
(``cross_entropy(..., reduction='none')`` times ``torch.LongTensor(mask)``) with Adam. A
tiny vocabulary and random "image features" stand in for COCO; training runs next to
PyTorch (float64, dropout on: our masks replayed) and every loss, caption and parameter
agrees to 1e-10.

Lines written differently here, and why:
- ``module.weight.data.normal_(mean=0.0, std=0.02)``, ``module.bias.data.zero_()``,
  ``module.weight.data.fill_(1.0)``: ``.data`` is the NumPy array here (by design), so the
  same calls on the parameters under ``torch.no_grad()``, which is what ``.data`` means
  in PyTorch;
- the solver's ``torch.optim.Adam`` and ``torch.nn.functional.cross_entropy`` are
  ``nn.optim.Adam`` and ``nn.functional.cross_entropy``: ``nn`` is a package of its own
  here, beside ``autograd`` (``autograd.optim`` is a named error saying so);
- the test's glue: both runs start from our weights, and PyTorch's dropout keeps what ours
  kept (``MaskedDropout``).
"""

import copy
import math

import numpy as np

from cs231n_helpers import libraries
from interpret_helpers import numpy_of
from pytorch_examples_helpers import record_dropout, replay_dropout


def transformer_layers(torch, nn, F):
    """``cs231n/transformer_layers.py`` and ``cs231n/classifiers/transformer.py``."""

    class PositionalEncoding(nn.Module):
        def __init__(self, embed_dim, dropout=0.1, max_len=5000):
            super().__init__()
            self.dropout = nn.Dropout(p=dropout)
            assert embed_dim % 2 == 0
            # Create an array with a "batch dimension" of 1 (which will broadcast
            # across all examples in the batch).
            pe = torch.zeros(1, max_len, embed_dim)
            i = torch.arange(max_len)[:, None]
            pows = torch.pow(10000, -torch.arange(0, embed_dim, 2) / embed_dim)
            pe[0, :, 0::2] = torch.sin(i * pows)
            pe[0, :, 1::2] = torch.cos(i * pows)
            # Make sure the positional encodings will be saved with the model
            # parameters (mostly for completeness).
            self.register_buffer('pe', pe)

        def forward(self, x):
            N, S, D = x.shape
            # Create a placeholder, to be overwritten by your code below.
            output = torch.empty((N, S, D))
            output = x + self.pe[:, :S, :]
            output = self.dropout(output)
            return output

    class MultiHeadAttention(nn.Module):
        def __init__(self, embed_dim, num_heads, dropout=0.1):
            super().__init__()
            assert embed_dim % num_heads == 0
            # We will initialize these layers for you, since swapping the ordering
            # would affect the random number generation (and therefore your exact
            # outputs relative to the autograder).
            self.key = nn.Linear(embed_dim, embed_dim)
            self.query = nn.Linear(embed_dim, embed_dim)
            self.value = nn.Linear(embed_dim, embed_dim)
            self.proj = nn.Linear(embed_dim, embed_dim)
            self.attn_drop = nn.Dropout(dropout)
            self.n_head = num_heads
            self.emd_dim = embed_dim
            self.head_dim = self.emd_dim // self.n_head

        def forward(self, query, key, value, attn_mask=None):
            N, S, E = query.shape
            N, T, E = value.shape
            output = torch.empty((N, S, E))
            H = self.n_head
            q = self.query(query).view(N, S, H, E // H).transpose(1, 2)
            k = self.key(key).view(N, T, H, E // H).transpose(1, 2)
            v = self.value(value).view(N, T, H, E // H).transpose(1, 2)
            e = q @ k.transpose(2, 3) / math.sqrt(E / H)
            if attn_mask is not None:
                e = e.masked_fill(attn_mask == 0, float('-inf'))
            a = F.softmax(e, dim=-1)
            a = self.attn_drop(a)
            y = a @ v
            output = self.proj(y.transpose(1, 2).reshape(N, S, E))
            return output

    class TransformerDecoderLayer(nn.Module):
        def __init__(self, input_dim, num_heads, dim_feedforward=2048, dropout=0.1):
            super().__init__()
            self.self_attn = MultiHeadAttention(input_dim, num_heads, dropout)
            self.multihead_attn = MultiHeadAttention(input_dim, num_heads, dropout)
            self.linear1 = nn.Linear(input_dim, dim_feedforward)
            self.dropout = nn.Dropout(dropout)
            self.linear2 = nn.Linear(dim_feedforward, input_dim)
            self.norm1 = nn.LayerNorm(input_dim)
            self.norm2 = nn.LayerNorm(input_dim)
            self.norm3 = nn.LayerNorm(input_dim)
            self.dropout1 = nn.Dropout(dropout)
            self.dropout2 = nn.Dropout(dropout)
            self.dropout3 = nn.Dropout(dropout)
            self.activation = nn.ReLU()

        def forward(self, tgt, memory, tgt_mask=None):
            # Perform self-attention on the target sequence (along with dropout and
            # layer norm).
            tgt2 = self.self_attn(query=tgt, key=tgt, value=tgt, attn_mask=tgt_mask)
            tgt = tgt + self.dropout1(tgt2)
            tgt = self.norm1(tgt)
            # Attend to both the target sequence and the sequence from the last
            # encoder layer.
            tgt2 = self.multihead_attn(query=tgt, key=memory, value=memory)
            tgt = tgt + self.dropout2(tgt2)
            tgt = self.norm2(tgt)
            # Pass
            tgt2 = self.linear2(self.dropout(self.activation(self.linear1(tgt))))
            tgt = tgt + self.dropout3(tgt2)
            tgt = self.norm3(tgt)
            return tgt

    def clones(module, N):
        "Produce N identical layers."
        return nn.ModuleList([copy.deepcopy(module) for _ in range(N)])

    class TransformerDecoder(nn.Module):
        def __init__(self, decoder_layer, num_layers):
            super().__init__()
            self.layers = clones(decoder_layer, num_layers)
            self.num_layers = num_layers

        def forward(self, tgt, memory, tgt_mask=None):
            output = tgt
            for mod in self.layers:
                output = mod(output, memory, tgt_mask=tgt_mask)
            return output

    class CaptioningTransformer(nn.Module):
        def __init__(self, word_to_idx, input_dim, wordvec_dim, num_heads=4,
                     num_layers=2, max_length=50):
            super().__init__()
            vocab_size = len(word_to_idx)
            self.vocab_size = vocab_size
            self._null = word_to_idx["<NULL>"]
            self._start = word_to_idx.get("<START>", None)
            self._end = word_to_idx.get("<END>", None)
            self.visual_projection = nn.Linear(input_dim, wordvec_dim)
            self.embedding = nn.Embedding(vocab_size, wordvec_dim, padding_idx=self._null)
            self.positional_encoding = PositionalEncoding(wordvec_dim, max_len=max_length)
            decoder_layer = TransformerDecoderLayer(input_dim=wordvec_dim,
                                                    num_heads=num_heads,
                                                    dim_feedforward=4 * wordvec_dim)
            self.transformer = TransformerDecoder(decoder_layer, num_layers=num_layers)
            self.apply(self._init_weights)
            self.output = nn.Linear(wordvec_dim, vocab_size)

        def _init_weights(self, module):
            """Initialize the weights of the network."""
            with torch.no_grad():  # module.weight.data.normal_(...): see the top
                if isinstance(module, (nn.Linear, nn.Embedding)):
                    module.weight.normal_(mean=0.0, std=0.02)
                    if isinstance(module, nn.Linear) and module.bias is not None:
                        module.bias.zero_()
                elif isinstance(module, nn.LayerNorm):
                    module.bias.zero_()
                    module.weight.fill_(1.0)

        def forward(self, features, captions):
            N, T = captions.shape
            # Create a placeholder, to be overwritten by your code below.
            scores = torch.empty((N, T, self.vocab_size))
            caption_embeddings = self.embedding(captions)
            caption_embeddings = self.positional_encoding(caption_embeddings)
            projected_features = self.visual_projection(features).unsqueeze(1)
            tgt_mask = torch.tril(torch.ones(T, T, device=caption_embeddings.device,
                                             dtype=torch.bool))
            features = self.transformer(caption_embeddings, projected_features, tgt_mask)
            scores = self.output(features)
            return scores

        def sample(self, features, max_length=30):
            with torch.no_grad():
                features = torch.Tensor(features)
                N = features.shape[0]
                # Create an empty captions tensor (where all tokens are NULL).
                captions = self._null * np.ones((N, max_length), dtype=np.int32)
                # Create a partial caption, with only the start token.
                partial_caption = self._start * np.ones(N, dtype=np.int32)
                partial_caption = torch.LongTensor(partial_caption)
                # [N] -> [N, 1]
                partial_caption = partial_caption.unsqueeze(1)
                for t in range(max_length):
                    # Predict the next token (ignoring all other time steps).
                    output_logits = self.forward(features, partial_caption)
                    output_logits = output_logits[:, -1, :]
                    # Choose the most likely word ID from the vocabulary.
                    # [N, V] -> [N]
                    word = torch.argmax(output_logits, axis=1)
                    # Update our overall caption and our current partial caption.
                    captions[:, t] = word.numpy()
                    word = word.unsqueeze(1)
                    partial_caption = torch.cat([partial_caption, word], dim=1)
                return captions

    return (PositionalEncoding, MultiHeadAttention, TransformerDecoderLayer,
            CaptioningTransformer)


def small_coco(num_train: int = 12, length: int = 7, input_dim: int = 6) -> dict:
    """``load_coco_data(max_train=...)`` in miniature: captions ``<START> w ... <END>``
    padded with ``<NULL>``, random image features, and the vocabulary."""
    words = ["<NULL>", "<START>", "<END>", "<UNK>", "a", "cat", "on", "the", "mat"]
    rng = np.random.default_rng(3)
    captions = np.zeros((num_train, length), dtype=np.int64)
    for n in range(num_train):
        words_in = rng.integers(3, len(words), size=rng.integers(2, length - 1))
        caption = [1, *words_in, 2]
        captions[n, :len(caption)] = caption
    return {"train_captions": captions,
            "train_image_idxs": rng.permutation(num_train),
            "train_features": rng.standard_normal((num_train, input_dim)),
            "word_to_idx": {w: i for i, w in enumerate(words)},
            "idx_to_word": words}


def sample_coco_minibatch(data, batch_size=100, split="train"):
    split_size = data["%s_captions" % split].shape[0]
    mask = np.random.choice(split_size, batch_size)
    captions = data["%s_captions" % split][mask]
    image_idxs = data["%s_image_idxs" % split][mask]
    image_features = data["%s_features" % split][image_idxs]
    return captions, image_features, None


def captioning_solver(torch, optim, F):
    """``cs231n/captioning_solver_transformer.py``; its ``torch.optim`` and
    ``torch.nn.functional`` are ``optim`` and ``F`` (see the top)."""

    class CaptioningSolverTransformer(object):
        def __init__(self, model, data, idx_to_word, **kwargs):
            self.model = model
            self.data = data
            self.learning_rate = kwargs.pop("learning_rate", 0.001)
            self.batch_size = kwargs.pop("batch_size", 100)
            self.num_epochs = kwargs.pop("num_epochs", 10)
            self.print_every = kwargs.pop("print_every", 10)
            self.verbose = kwargs.pop("verbose", True)
            self.optim = optim.Adam(self.model.parameters(), self.learning_rate)
            self._reset()
            self.idx_to_word = idx_to_word

        def _reset(self):
            self.epoch = 0
            self.loss_history = []

        def _step(self):
            minibatch = sample_coco_minibatch(self.data, batch_size=self.batch_size,
                                              split="train")
            captions, features, urls = minibatch
            captions_in = captions[:, :-1]
            captions_out = captions[:, 1:]
            mask = captions_out != self.model._null
            t_features = torch.Tensor(features)
            t_captions_in = torch.LongTensor(captions_in)
            t_captions_out = torch.LongTensor(captions_out)
            t_mask = torch.LongTensor(mask)
            logits = self.model(t_features, t_captions_in)
            loss = self.transformer_temporal_softmax_loss(logits, t_captions_out, t_mask)
            self.loss_history.append(loss.detach().numpy())
            self.optim.zero_grad()
            loss.backward()
            self.optim.step()

        def train(self):
            num_train = self.data["train_captions"].shape[0]
            iterations_per_epoch = max(num_train // self.batch_size, 1)
            num_iterations = self.num_epochs * iterations_per_epoch
            for t in range(num_iterations):
                self._step()
                # Maybe print training loss
                if self.verbose and t % self.print_every == 0:
                    print("(Iteration %d / %d) loss: %f"
                          % (t + 1, num_iterations, self.loss_history[-1]))

        def transformer_temporal_softmax_loss(self, x, y, mask):
            N, T, V = x.shape
            x_flat = x.reshape(N * T, V)
            y_flat = y.reshape(N * T)
            mask_flat = mask.reshape(N * T)
            loss = F.cross_entropy(x_flat, y_flat, reduction='none')
            loss = torch.mul(loss, mask_flat)
            loss = torch.mean(loss)
            return loss

    return CaptioningSolverTransformer


def notebook(torch, nn, F, optim, start, record):
    """The notebook's cells: the layer checks, then overfitting the small data and
    sampling; ``start(model)`` is the test's glue (our weights, our dropout masks)."""
    (PositionalEncoding, MultiHeadAttention, TransformerDecoderLayer,
     CaptioningTransformer) = transformer_layers(torch, nn, F)
    torch.manual_seed(231)
    # Choose dimensions such that they are all unique for easier debugging:
    batch_size, sequence_length, embed_dim = 1, 3, 8
    attn = MultiHeadAttention(embed_dim, num_heads=2)
    # You'll need to reset these for the autograder
    attn.eval()
    # Choose all the weights to be linspace to make the test deterministic
    for p in attn.parameters():
        p.data = torch.linspace(-0.4, 0.3, steps=p.numel()).reshape(*p.shape)
    rng = np.random.default_rng(231)  # torch.randn in the notebook: the same numbers here
    data = torch.tensor(rng.standard_normal((batch_size, sequence_length, embed_dim)))
    # Self-attention.
    self_attn_output = attn(query=data, key=data, value=data)
    # Masked self-attention.
    mask = torch.tensor(rng.standard_normal((sequence_length, sequence_length))) < 0.5
    masked_self_attn_output = attn(query=data, key=data, value=data, attn_mask=mask)
    # Attention using two inputs.
    other_data = torch.tensor(rng.standard_normal((batch_size, sequence_length + 1,
                                                   embed_dim)))
    attn_output = attn(query=data, key=other_data, value=other_data)
    record += [self_attn_output, masked_self_attn_output, attn_output]

    pe = PositionalEncoding(embed_dim, dropout=0.0, max_len=5)
    x = torch.tensor(rng.standard_normal((2, 4, embed_dim)))
    record += [pe(x), pe.pe]

    np.random.seed(231)
    small_data = small_coco()
    transformer = CaptioningTransformer(
        word_to_idx=small_data['word_to_idx'],
        input_dim=small_data['train_features'].shape[1],
        wordvec_dim=8, num_heads=2, num_layers=2, max_length=30)
    transformer = start(transformer)
    transformer_solver = captioning_solver(torch, optim, F)(
        transformer, small_data, idx_to_word=small_data['idx_to_word'],
        num_epochs=2, batch_size=6, learning_rate=0.01, verbose=True, print_every=1)
    transformer_solver.train()
    record += [*transformer_solver.loss_history, *transformer.parameters()]
    transformer.eval()
    features = small_data['train_features'][small_data['train_image_idxs'][:4]]
    sample_captions = transformer.sample(features, max_length=6)
    record.append(sample_captions)


def run(torch=None, weights=None, masks=None):
    """The notebook in one library; ours first (its weights and dropout masks for
    PyTorch's)."""
    T, nn, F, optim, _ = libraries(torch)

    def start(model):
        if torch is None:
            weights.update({k: v.numpy().copy() for k, v in model.state_dict().items()})
            record_dropout(model, masks)
        else:
            model.load_state_dict({k: T.tensor(v) for k, v in weights.items()})
            replay_dropout(torch, model, masks)
        return model

    record = []
    notebook(T, nn, F, optim, start, record)
    return [numpy_of(v) for v in record]


def test_transformer_captioning_matches_pytorch(torch, capsys):
    weights, masks = {}, []
    ours = run(None, weights, masks)
    ours_printed = capsys.readouterr().out
    theirs = run(torch, weights, list(masks))
    assert capsys.readouterr().out == ours_printed
    assert ours_printed.count("(Iteration") == 4
    assert len(ours) == len(theirs)
    for i, (a, b) in enumerate(zip(ours, theirs)):
        assert np.isfinite(a).all(), f"record {i}"
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-12, err_msg=f"record {i}")
