"""Ordinal regression with CORAL and CORN, as readers write it from ``coral_pytorch``
(Raschka et al.): ``CoralLayer`` (one shared weight vector, K - 1 ordered biases
pre-initialised to ``arange(K - 1, 0, -1) / (K - 1)``), ``levels_from_labelbatch`` (label
k -> k ones then zeros, one ``torch.tensor`` per label, stacked), ``coral_loss`` (binary
cross-entropies over the levels written with ``F.logsigmoid``), ``proba_to_label``; and
``corn_loss`` (conditional training sets through boolean masks, ``logits[mask, task]``)
with ``corn_label_from_logits`` (``torch.cumprod`` of the sigmoids). The program is written
once for a library ``torch`` (``autograd`` here, PyTorch there) on generated ordinal data
(a latent linear score cut into 5 classes); every loss and the final MAE/MSE agree to 1e-10.

Lines written differently here, and why:
- ``coral_bias`` is ``arange(...).double()`` rather than ``.float()``: a float32 parameter
  in a float64 model is fine in both libraries, but Adam's float32 update rounds in
  another order here (``lr sqrt(c2) / c1 * m / (sqrt(v) + eps sqrt(c2))`` against
  PyTorch's ``m / (sqrt(v) / sqrt(c2) + eps)``), a 1e-9 difference per step;
- none in the metrics, but their dtypes differ: ``proba_to_label(probas).float() - y``
  (float32 with int64) is float32 in PyTorch and float64 here (NumPy's promotion, as
  ``autograd.promote_types`` documents), so MAE and MSE are compared to float32's 1e-7;
- the loaders are slices (no shuffling: the two libraries' generators differ).
"""

import numpy as np

import autograd as ag
import nn
import nn.functional as nn_F


def libraries(torch=None) -> tuple:
    """(torch, nn, F, optim) for this library, or PyTorch's when ``torch`` is given."""
    if torch is None:
        return ag, nn, nn_F, nn.optim
    return torch, torch.nn, torch.nn.functional, torch.optim


NUM_CLASSES = 5


def ordinal_data(n: int = 120) -> tuple:
    """(features, labels in 0..4): a noisy linear score cut at -1.5, -0.5, 0.5, 1.5."""
    rng = np.random.default_rng(0)
    X = rng.standard_normal((n, 4))
    latent = X @ np.array([1.0, 0.5, -0.7, 0.0]) + 0.3 * rng.standard_normal(n)
    return X, np.digitize(latent, [-1.5, -0.5, 0.5, 1.5])


def program(torch, state: list | None) -> tuple[list, list]:
    """Fit a CORAL MLP and a CORN MLP; returns (record, starting states)."""
    T, nn, F, optim = libraries(torch)

    def label_to_levels(label, num_classes, dtype=T.float32):
        if not label <= num_classes-1:
            raise ValueError('Class label must be smaller or equal to %d (num_classes-1). Got %d.'
                             % (num_classes-1, label))
        if isinstance(label, T.Tensor):
            int_label = label.item()
        else:
            int_label = label
        levels = [1]*int_label + [0]*(num_classes - 1 - int_label)
        levels = T.tensor(levels, dtype=dtype)
        return levels

    def levels_from_labelbatch(labels, num_classes, dtype=T.float32):
        levels = []
        for label in labels:
            levels_from_label = label_to_levels(label=label, num_classes=num_classes, dtype=dtype)
            levels.append(levels_from_label)
        levels = T.stack(levels)
        return levels

    def coral_loss(logits, levels, importance_weights=None, reduction='mean'):
        if not logits.shape == levels.shape:
            raise ValueError("Please ensure that logits (%s) has the same shape as levels (%s). "
                             % (logits.shape, levels.shape))
        term1 = (F.logsigmoid(logits)*levels + (F.logsigmoid(logits) - logits)*(1-levels))
        if importance_weights is not None:
            term1 *= importance_weights
        val = (-T.sum(term1, dim=1))
        if reduction == 'mean':
            loss = T.mean(val)
        elif reduction == 'sum':
            loss = T.sum(val)
        elif reduction is None:
            loss = val
        return loss

    def proba_to_label(probas):
        predict_levels = probas > 0.5
        predicted_labels = T.sum(predict_levels, dim=1)
        return predicted_labels

    def corn_loss(logits, y_train, num_classes):
        sets = []
        for i in range(num_classes-1):
            label_mask = y_train > i-1
            label_tensor = (y_train[label_mask] > i).to(T.int64)
            sets.append((label_mask, label_tensor))
        num_examples = 0
        losses = 0.
        for task_index, s in enumerate(sets):
            train_examples = s[0]
            train_labels = s[1]
            if len(train_labels) < 1:
                continue
            num_examples += len(train_labels)
            pred = logits[train_examples, task_index]
            loss = -T.sum(F.logsigmoid(pred)*train_labels
                              + (F.logsigmoid(pred) - pred)*(1-train_labels))
            losses += loss
        return losses/num_examples

    def corn_label_from_logits(logits):
        probas = T.sigmoid(logits)
        probas = T.cumprod(probas, dim=1)
        predict_levels = probas > 0.5
        predicted_labels = T.sum(predict_levels, dim=1)
        return predicted_labels

    class CoralLayer(nn.Module):
        def __init__(self, size_in, num_classes, preinit_bias=True):
            super().__init__()
            self.size_in, self.size_out = size_in, 1
            self.coral_weights = nn.Linear(self.size_in, 1, bias=False)
            if preinit_bias:
                self.coral_bias = nn.Parameter(
                    T.arange(num_classes - 1, 0, -1).double() / (num_classes-1))
            else:
                self.coral_bias = nn.Parameter(T.zeros(num_classes-1).float())
        def forward(self, x):
            return self.coral_weights(x) + self.coral_bias

    class MLP(nn.Module):
        def __init__(self, in_features, num_classes, num_hidden_1=16, num_hidden_2=8):
            super().__init__()
            self.my_network = nn.Sequential(
                nn.Linear(in_features, num_hidden_1, bias=False), nn.LeakyReLU(),
                nn.Dropout(0.0), nn.BatchNorm1d(num_hidden_1),
                nn.Linear(num_hidden_1, num_hidden_2, bias=False), nn.LeakyReLU())
            self.fc = CoralLayer(size_in=num_hidden_2, num_classes=num_classes)
        def forward(self, x):
            x = self.my_network(x)
            logits = self.fc(x)
            probas = T.sigmoid(logits)
            return logits, probas

    Xn, yn = ordinal_data()
    X, y = T.tensor(Xn), T.tensor(yn)
    T.manual_seed(0)
    model = MLP(in_features=4, num_classes=NUM_CLASSES)
    corn = nn.Sequential(nn.Linear(4, 16), nn.ReLU(), nn.Linear(16, NUM_CLASSES - 1))
    if state is None:
        state = [{k: v.detach().numpy().copy() for k, v in m.state_dict().items()}
                 for m in (model, corn)]
    else:
        for m, s in zip((model, corn), state):
            m.load_state_dict({k: T.tensor(v) for k, v in s.items()})
    optimizer = optim.Adam(model.parameters(), lr=0.05)
    corn_optimizer = optim.Adam(corn.parameters(), lr=0.05)
    record = []
    for epoch in range(15):
        model = model.train()
        for batch_idx in range(0, 120, 40):
            features = X[batch_idx:batch_idx+40]
            class_labels = y[batch_idx:batch_idx+40]
            levels = levels_from_labelbatch(class_labels, num_classes=NUM_CLASSES)
            logits, probas = model(features)
            loss = coral_loss(logits, levels.to(logits.dtype))
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            logits = corn(features)
            loss2 = corn_loss(logits, class_labels, NUM_CLASSES)
            corn_optimizer.zero_grad()
            loss2.backward()
            corn_optimizer.step()
            record += [loss.item(), loss2.item()]
    model = model.eval()
    with T.no_grad():
        logits, probas = model(X)
        predicted_labels = proba_to_label(probas).float()
        mae = T.mean(T.abs(predicted_labels - y))
        mse = T.mean((predicted_labels - y)**2)
        corn_mae = (corn_label_from_logits(corn(X)) - y).abs().float().mean()
        record += [mae.item(), mse.item(), corn_mae.item()]
    return record, state


def test_coral_and_corn_fit_the_same_ordinal_models(torch):
    want, state = program(torch, None)
    got, _ = program(None, state)
    assert len(got) == len(want) == 93
    np.testing.assert_allclose(got[:-3], want[:-3], rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(got[-3:], want[-3:], rtol=1e-7)  # float32 there (see the top)
    assert want[-3] < 0.5 and want[-1] < 0.5  # both predict within half a class on average
    assert want[-5] < want[0] / 2 and want[-4] < want[1] / 2
