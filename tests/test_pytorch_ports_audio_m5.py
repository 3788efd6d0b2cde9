"""PyTorch's "Speech Command Classification with torchaudio" tutorial, ported as its
readers write it: the M5 network (a wide strided ``Conv1d`` on the raw waveform, four
conv / ``BatchNorm1d`` / ``MaxPool1d`` stages, ``F.avg_pool1d(x, x.shape[-1])``,
``log_softmax``), its ``collate_fn`` (``pad_sequence`` of transposed waveforms, labels by
``torch.stack``), ``DataLoader``, Adam with weight decay, ``StepLR``, the train loop with
``F.nll_loss(output.squeeze(), target)`` and the test loop's ``number_of_correct``. On
generated waveforms (tones, chirps and noise bursts of varying lengths) instead of
SpeechCommands, shrunk (stride 4, 8 channels). Written once for a library ``torch``, run
step for step next to PyTorch's from the same weights (float64): losses, gradients,
parameters and BatchNorm's running statistics agree to 1e-10.

Lines written differently here, and why:
- no ``transform = torchaudio.transforms.Resample(...)``: the waveforms are generated at
  the model's rate (torchaudio is not a dependency), so ``transform`` is the identity;
- no ``.to(device)``/``pin_memory``/``num_workers`` (CPU only, one process);
- ``torch.utils.data`` is ``nn.data`` (this library's ``DataLoader``), and
  ``torch.nn.utils.rnn.pad_sequence`` is ``nn.utils.rnn.pad_sequence``.
"""

import numpy as np

from ctc_port_helpers import (assert_same_grads, assert_same_state, copy_weights, libraries,
                              to_numpy)

labels = ["tone", "chirp", "noise"]
SAMPLE_RATE = 2000


def generated_speech(n, seed):
    """(waveform (1, L), sample_rate, label, speaker_id, utterance_number) items, as
    torchaudio's SPEECHCOMMANDS yields them; L varies between 1800 and 2000 samples."""
    rng = np.random.default_rng(seed)
    items = []
    for i in range(n):
        label = labels[i % 3]
        length = int(rng.integers(1800, 2001))
        t = np.arange(length) / SAMPLE_RATE
        if label == "tone":
            wave = np.sin(2 * np.pi * rng.uniform(80, 120) * t)
        elif label == "chirp":
            wave = np.sin(2 * np.pi * (20 + 150 * t) * t)
        else:
            wave = rng.normal(scale=0.5, size=length)
        wave = wave * rng.uniform(0.5, 1.0) + rng.normal(scale=0.05, size=length)
        items.append((wave[None, :], SAMPLE_RATE, label, f"speaker{i}", 0))
    return items


def program(torch):
    """The tutorial's model and data glue for library ``torch``."""
    data = torch.utils.data if torch is not None else libraries(None)[1].data
    torch, nn, F, optim = libraries(torch)
    rnn_utils = nn.utils.rnn

    class M5(nn.Module):
        def __init__(self, n_input=1, n_output=35, stride=16, n_channel=32):
            super().__init__()
            self.conv1 = nn.Conv1d(n_input, n_channel, kernel_size=80, stride=stride)
            self.bn1 = nn.BatchNorm1d(n_channel)
            self.pool1 = nn.MaxPool1d(4)
            self.conv2 = nn.Conv1d(n_channel, n_channel, kernel_size=3)
            self.bn2 = nn.BatchNorm1d(n_channel)
            self.pool2 = nn.MaxPool1d(4)
            self.conv3 = nn.Conv1d(n_channel, 2 * n_channel, kernel_size=3)
            self.bn3 = nn.BatchNorm1d(2 * n_channel)
            self.pool3 = nn.MaxPool1d(4)
            self.conv4 = nn.Conv1d(2 * n_channel, 2 * n_channel, kernel_size=3)
            self.bn4 = nn.BatchNorm1d(2 * n_channel)
            self.pool4 = nn.MaxPool1d(4)
            self.fc1 = nn.Linear(2 * n_channel, n_output)

        def forward(self, x):
            x = self.conv1(x)
            x = F.relu(self.bn1(x))
            x = self.pool1(x)
            x = self.conv2(x)
            x = F.relu(self.bn2(x))
            x = self.pool2(x)
            x = self.conv3(x)
            x = F.relu(self.bn3(x))
            x = self.pool3(x)
            x = self.conv4(x)
            x = F.relu(self.bn4(x))
            x = self.pool4(x)
            x = F.avg_pool1d(x, x.shape[-1])
            x = x.permute(0, 2, 1)
            x = self.fc1(x)
            return F.log_softmax(x, dim=2)

    def label_to_index(word):
        # Return the position of the word in labels
        return torch.tensor(labels.index(word))

    def index_to_label(index):
        # Return the word corresponding to the index in labels
        # This is the inverse of label_to_index
        return labels[index]

    def pad_sequence(batch):
        # Make all tensor in a batch the same length by padding with zeros
        batch = [item.t() for item in batch]
        batch = rnn_utils.pad_sequence(batch, batch_first=True, padding_value=0.)
        return batch.permute(0, 2, 1)

    def collate_fn(batch):
        # A data tuple has the form:
        # waveform, sample_rate, label, speaker_id, utterance_number
        tensors, targets = [], []
        # Gather in lists, and encode labels as indices
        for waveform, _, label, *_ in batch:
            tensors += [torch.tensor(waveform)]
            targets += [label_to_index(label)]
        # Group the list of tensors into a batched tensor
        tensors = pad_sequence(tensors)
        targets = torch.stack(targets)
        return tensors, targets

    def loader(dataset, batch_size=6, shuffle=False):
        return data.DataLoader(dataset, batch_size=batch_size, shuffle=shuffle,
                               drop_last=False, collate_fn=collate_fn)

    return M5, loader, index_to_label


def count_parameters(model):
    return sum(p.numel() for p in model.parameters() if p.requires_grad)


def number_of_correct(pred, target):
    # count number of correct predictions
    return pred.squeeze().eq(target).sum().item()


def get_likely_index(tensor):
    # find most likely label index for each element in the batch
    return tensor.argmax(dim=-1)


def run(torch, model, train_loader, test_loader, n_epoch=2):
    _, nn, F, optim = libraries(torch)

    def transform(waveform):  # Resample(orig_freq=sample_rate, new_freq=8000) in the tutorial
        return waveform

    optimizer = optim.Adam(model.parameters(), lr=0.01, weight_decay=0.0001)
    scheduler = optim.lr_scheduler.StepLR(optimizer, step_size=1, gamma=0.5)
    losses, grads, accuracies = [], [], []
    for epoch in range(1, n_epoch + 1):
        model.train()
        for batch_idx, (data, target) in enumerate(train_loader):
            data = transform(data)
            output = model(data)
            # negative log-likelihood for a tensor of size (batch x 1 x n_output)
            loss = F.nll_loss(output.squeeze(), target)
            optimizer.zero_grad()
            loss.backward()
            grads.append(to_numpy(model.conv1.weight.grad))
            optimizer.step()
            losses.append(loss.item())
        scheduler.step()
        model.eval()
        correct = 0
        for data, target in test_loader:
            output = model(transform(data))
            pred = get_likely_index(output)
            correct += number_of_correct(pred, target)
        accuracies.append(correct / len(test_loader.dataset))
    return losses, grads, accuracies


def test_m5_trains_step_for_step_as_pytorch(torch):
    train_set, test_set = generated_speech(18, seed=0), generated_speech(9, seed=1)
    torch.manual_seed(0)
    M5_theirs, loader_theirs, _ = program(torch)
    M5_ours, loader_ours, index_to_label = program(None)
    theirs = M5_theirs(n_input=1, n_output=len(labels), stride=4, n_channel=8)
    ours = M5_ours(n_input=1, n_output=len(labels), stride=4, n_channel=8)
    assert count_parameters(ours) == count_parameters(theirs)
    copy_weights(ours, theirs)
    got = run(None, ours, loader_ours(train_set, shuffle=False), loader_ours(test_set))
    want = run(torch, theirs, loader_theirs(train_set, shuffle=False),
               loader_theirs(test_set))
    np.testing.assert_allclose(got[0], want[0], rtol=1e-10)
    for mine, theirs_grad in zip(got[1], want[1]):
        np.testing.assert_allclose(mine, theirs_grad, atol=1e-10)
    assert got[2] == want[2]
    assert_same_grads(ours, theirs)
    assert_same_state(ours, theirs)  # running means and variances too
    assert index_to_label(1) == "chirp"


def test_collate_pads_to_the_longest_waveform(torch):
    items = generated_speech(4, seed=3)
    longest = max(item[0].shape[1] for item in items)
    for library in (None, torch):
        _, loader, _ = program(library)
        tensors, targets = next(iter(loader(items, batch_size=4)))
        assert tuple(tensors.shape) == (4, 1, longest)
        assert targets.tolist() == [0, 1, 2, 0] and str(targets.dtype).endswith("int64")
        short = min(range(4), key=lambda i: items[i][0].shape[1])
        assert not to_numpy(tensors)[short, 0, items[short][0].shape[1]:].any()
