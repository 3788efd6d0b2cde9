"""Stanford CS231n, assignment 2's ``PyTorch.ipynb``, ported as students write it: Part II's
barebones networks (``flatten`` by ``x.view(N, -1)``, ``two_layer_fc`` with ``x.mm(w1)``,
``three_layer_convnet`` with ``F.conv2d(x, w, b, padding=2)``, ``random_weight``'s Kaiming
scale by hand and ``w.requires_grad = True``, ``zero_weight``, ``check_accuracy_part2``,
``train_part2``'s update ``w -= learning_rate * w.grad; w.grad.zero_()`` under
``torch.no_grad()``), Part III's ``nn.Module`` API (``TwoLayerFC``, ``ThreeLayerConvNet``
with ``nn.init.kaiming_normal_`` and ``nn.init.constant_``, ``check_accuracy_part34``,
``train_part34``), Part IV's ``nn.Sequential`` API (a ``Flatten`` module, SGD with Nesterov
momentum) and a Part V style network (BatchNorm, max pooling, ``nn.Flatten``, Adam with
weight decay, two epochs, ``best_model`` on the test split). Each
program runs step for step next to PyTorch (float64) on 3-channel 8x8 digits standing in
for CIFAR-10: every printed line, loss and parameter agrees to 1e-10.

Lines written differently here, and why:
- ``device = torch.device('cuda')`` is never taken (``torch.cuda.is_available()`` is
  False here); ``dtype = torch.float32`` is ``torch.float64`` in both runs, for the
  comparison;
- ``_, preds = scores.max(1)`` is ``scores.max(dim=1)``: a bare ``max(1)`` is a
  ``UsageError`` here by design (NumPy's gives the values, PyTorch's the pair);
- the test's glue: ``torch.randn`` is ours replayed on PyTorch's side (``RandomDraws``), the
  modules start from our weights in both, and PyTorch's loader reads the images our
  ``SubsetRandomSampler`` chose, in that order (``CifarLike(replay=...)``).
"""

import contextlib
import io

import numpy as np

from cs231n_helpers import CifarLike, RandomDraws, colour_digits, libraries
from interpret_helpers import numpy_of
from pytorch_examples_helpers import assert_printed

NUM_TRAIN, NUM_VAL, BATCH = 48, 16, 16


def notebook(torch, nn, F, optim, data, dataset, record):
    """The notebook's cells, from its setup to Part V; ``dataset(train)`` builds the
    CIFAR-10 stand-in."""
    sampler = data.sampler if hasattr(data, "sampler") else data
    loader_train = data.DataLoader(dataset(True), batch_size=BATCH,
                                   sampler=sampler.SubsetRandomSampler(range(NUM_TRAIN)))
    loader_val = data.DataLoader(dataset(True), batch_size=BATCH,
                                 sampler=sampler.SubsetRandomSampler(
                                     range(NUM_TRAIN, NUM_TRAIN + NUM_VAL)))
    loader_test = data.DataLoader(dataset(False), batch_size=BATCH)

    USE_GPU = True
    dtype = torch.float64  # torch.float32 in the notebook: see the top
    if USE_GPU and torch.cuda.is_available():
        device = torch.device('cuda')
    else:
        device = torch.device('cpu')
    print_every = 2
    print('using device:', device)

    def flatten(x):
        N = x.shape[0]  # read in N, C, H, W
        return x.view(N, -1)  # "flatten" the C * H * W values into a single vector per image

    x = torch.arange(12).view(2, 1, 3, 2)
    print('Before flattening: ', x)
    print('After flattening: ', flatten(x))
    record.append([x, flatten(x)])

    def two_layer_fc(x, params):
        x = flatten(x)  # shape: [batch_size, C x H x W]
        w1, w2 = params
        x = F.relu(x.mm(w1))
        x = x.mm(w2)
        return x

    def two_layer_fc_test():
        hidden_layer_size = 42
        x = torch.zeros((64, 50), dtype=dtype)  # minibatch size 64, feature dimension 50
        w1 = torch.zeros((50, hidden_layer_size), dtype=dtype)
        w2 = torch.zeros((hidden_layer_size, 10), dtype=dtype)
        scores = two_layer_fc(x, [w1, w2])
        print(scores.size())  # you should see [64, 10]
        record.append(list(scores.size()))

    two_layer_fc_test()

    def three_layer_convnet(x, params):
        conv_w1, conv_b1, conv_w2, conv_b2, fc_w, fc_b = params
        x = F.relu(F.conv2d(x, conv_w1, conv_b1, padding=2))
        x = F.relu(F.conv2d(x, conv_w2, conv_b2, padding=1))
        x = flatten(x)
        scores = x.mm(fc_w) + fc_b
        return scores

    def three_layer_convnet_test():
        x = torch.zeros((64, 3, 32, 32), dtype=dtype)  # minibatch size 64, image size [3, 32, 32]
        conv_w1 = torch.zeros((6, 3, 5, 5))  # [out_channel, in_channel, kernel_H, kernel_W]
        conv_b1 = torch.zeros((6,))  # out_channel
        conv_w2 = torch.zeros((9, 6, 3, 3))  # [out_channel, in_channel, kernel_H, kernel_W]
        conv_b2 = torch.zeros((9,))  # out_channel
        fc_w = torch.zeros((9 * 32 * 32, 10))
        fc_b = torch.zeros(10)
        scores = three_layer_convnet(x, [conv_w1, conv_b1, conv_w2, conv_b2, fc_w, fc_b])
        print(scores.size())  # you should see [64, 10]

    three_layer_convnet_test()

    def random_weight(shape):
        if len(shape) == 2:  # FC weight
            fan_in = shape[0]
        else:
            fan_in = np.prod(shape[1:])  # conv weight [out_channel, in_channel, kH, kW]
        # randn is standard normal distribution generator.
        w = torch.randn(shape, device=device, dtype=dtype) * np.sqrt(2. / fan_in)
        w.requires_grad = True
        return w

    def zero_weight(shape):
        return torch.zeros(shape, device=device, dtype=dtype, requires_grad=True)

    # create a weight of shape [3 x 5]
    print(random_weight((3, 5)))
    record.append(random_weight((3, 5)))

    def check_accuracy_part2(loader, model_fn, params):
        split = 'val' if loader.dataset.train else 'test'
        print('Checking accuracy on the %s set' % split)
        num_correct, num_samples = 0, 0
        with torch.no_grad():
            for x, y in loader:
                x = x.to(device=device, dtype=dtype)  # move to device, e.g. GPU
                y = y.to(device=device, dtype=torch.int64)
                scores = model_fn(x, params)
                _, preds = scores.max(dim=1)  # scores.max(1): see the top
                num_correct += (preds == y).sum()
                num_samples += preds.size(0)
            acc = float(num_correct) / num_samples
            print('Got %d / %d correct (%.2f%%)' % (num_correct, num_samples, 100 * acc))
        return acc

    def train_part2(model_fn, params, learning_rate):
        for t, (x, y) in enumerate(loader_train):
            x = x.to(device=device, dtype=dtype)
            y = y.to(device=device, dtype=torch.long)
            scores = model_fn(x, params)
            loss = F.cross_entropy(scores, y)
            loss.backward()
            record.append(loss.item())
            with torch.no_grad():
                for w in params:
                    w -= learning_rate * w.grad
                    # Manually zero the gradients after running the backward pass
                    w.grad.zero_()
            if t % print_every == 0:
                print('Iteration %d, loss = %.4f' % (t, loss.item()))
                record.append(check_accuracy_part2(loader_val, model_fn, params))
                print()

    hidden_layer_size = 20
    learning_rate = 1e-2
    w1 = random_weight((3 * 8 * 8, hidden_layer_size))
    w2 = random_weight((hidden_layer_size, 10))
    train_part2(two_layer_fc, [w1, w2], learning_rate)
    record.append([w1, w2])

    channel_1, channel_2 = 6, 4
    conv_w1 = random_weight((channel_1, 3, 5, 5))
    conv_b1 = zero_weight((channel_1,))
    conv_w2 = random_weight((channel_2, channel_1, 3, 3))
    conv_b2 = zero_weight((channel_2,))
    fc_w = random_weight((channel_2 * 8 * 8, 10))
    fc_b = zero_weight(10)
    params = [conv_w1, conv_b1, conv_w2, conv_b2, fc_w, fc_b]
    train_part2(three_layer_convnet, params, learning_rate)
    record.append(params)
    return flatten, check_accuracy_part2, (loader_train, loader_val, loader_test), device


def module_api(torch, nn, F, optim, flatten, check_accuracy_part2, loaders, device, start,
               record):
    """Parts III to V: ``start(model)`` is the test's glue (both runs from our weights)."""
    loader_train, loader_val, loader_test = loaders
    dtype = torch.float64
    print_every = 2

    class TwoLayerFC(nn.Module):
        def __init__(self, input_size, hidden_size, num_classes):
            super().__init__()
            # assign layer objects to class attributes
            self.fc1 = nn.Linear(input_size, hidden_size)
            # nn.init package contains convenient initialization methods
            # http://pytorch.org/docs/master/nn.html#torch-nn-init
            nn.init.kaiming_normal_(self.fc1.weight)
            self.fc2 = nn.Linear(hidden_size, num_classes)
            nn.init.kaiming_normal_(self.fc2.weight)

        def forward(self, x):
            # forward always defines connectivity
            x = flatten(x)
            scores = self.fc2(F.relu(self.fc1(x)))
            return scores

    def test_TwoLayerFC():
        input_size = 50
        x = torch.zeros((64, input_size), dtype=dtype)  # minibatch size 64, feature dimension 50
        model = TwoLayerFC(input_size, 42, 10)
        scores = model(x)
        print(scores.size())  # you should see [64, 10]

    test_TwoLayerFC()

    class ThreeLayerConvNet(nn.Module):
        def __init__(self, in_channel, channel_1, channel_2, num_classes):
            super().__init__()
            self.conv1 = nn.Conv2d(in_channel, channel_1, kernel_size=5, padding=2, bias=True)
            nn.init.kaiming_normal_(self.conv1.weight)
            nn.init.constant_(self.conv1.bias, 0)
            self.conv2 = nn.Conv2d(channel_1, channel_2, kernel_size=3, padding=1, bias=True)
            nn.init.kaiming_normal_(self.conv2.weight)
            nn.init.constant_(self.conv2.bias, 0)
            self.fc = nn.Linear(channel_2 * 8 * 8, num_classes)  # 32 * 32 in the notebook
            nn.init.kaiming_normal_(self.fc.weight)
            nn.init.constant_(self.fc.bias, 0)

        def forward(self, x):
            x = F.relu(self.conv1(x))
            x = F.relu(self.conv2(x))
            scores = self.fc(flatten(x))
            return scores

    def check_accuracy_part34(loader, model):
        if loader.dataset.train:
            print('Checking accuracy on validation set')
        else:
            print('Checking accuracy on test set')
        num_correct = 0
        num_samples = 0
        model.eval()  # set model to evaluation mode
        with torch.no_grad():
            for x, y in loader:
                x = x.to(device=device, dtype=dtype)  # move to device, e.g. GPU
                y = y.to(device=device, dtype=torch.long)
                scores = model(x)
                _, preds = scores.max(dim=1)  # scores.max(1): see the top
                num_correct += (preds == y).sum()
                num_samples += preds.size(0)
            acc = float(num_correct) / num_samples
            print('Got %d / %d correct (%.2f)' % (num_correct, num_samples, 100 * acc))
        return acc

    def train_part34(model, optimizer, epochs=1):
        model = model.to(device=device)  # move the model parameters to CPU/GPU
        for e in range(epochs):
            for t, (x, y) in enumerate(loader_train):
                model.train()  # put model to training mode
                x = x.to(device=device, dtype=dtype)  # move to device, e.g. GPU
                y = y.to(device=device, dtype=torch.long)

                scores = model(x)
                loss = F.cross_entropy(scores, y)
                # Zero out all of the gradients for the variables which the optimizer
                # will update.
                optimizer.zero_grad()
                loss.backward()
                # Actually update the parameters of the model using the gradients
                # computed by the backwards pass.
                optimizer.step()
                record.append(loss.item())

                if t % print_every == 0:
                    print('Iteration %d, loss = %.4f' % (t, loss.item()))
                    record.append(check_accuracy_part34(loader_val, model))
                    print()
        record.append(model.state_dict())

    hidden_layer_size = 20
    learning_rate = 1e-2
    model = start(TwoLayerFC(3 * 8 * 8, hidden_layer_size, 10))
    optimizer = optim.SGD(model.parameters(), lr=learning_rate)
    train_part34(model, optimizer)

    model = start(ThreeLayerConvNet(3, 6, 4, 10))
    optimizer = optim.SGD(model.parameters(), lr=learning_rate)
    train_part34(model, optimizer)

    # Part IV. PyTorch Sequential API
    class Flatten(nn.Module):
        def forward(self, x):
            return flatten(x)

    model = nn.Sequential(
        Flatten(),
        nn.Linear(3 * 8 * 8, hidden_layer_size),
        nn.ReLU(),
        nn.Linear(hidden_layer_size, 10),
    )
    model = start(model)
    # you can use Nesterov momentum in optim.SGD
    optimizer = optim.SGD(model.parameters(), lr=learning_rate,
                          momentum=0.9, nesterov=True)
    train_part34(model, optimizer)

    # Part V. CIFAR-10 open-ended challenge, as students often write it
    model = nn.Sequential(
        nn.Conv2d(3, 8, 3, padding=1), nn.BatchNorm2d(8), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(8, 8, 3, padding=1), nn.BatchNorm2d(8), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Dropout(0.0), nn.Linear(8 * 2 * 2, 10))
    model = start(model)
    optimizer = optim.Adam(model.parameters(), lr=1e-3, weight_decay=1e-4)
    train_part34(model, optimizer, epochs=2)
    best_model = model
    record.append(check_accuracy_part34(loader_test, best_model))


def run(torch=None):
    """The notebook in one library: (printed text, record); ours first (its sampler order
    and random draws are replayed on PyTorch's side)."""
    T, nn, F, optim, data = libraries(torch)
    images, labels = colour_digits(NUM_TRAIN + NUM_VAL + BATCH)
    state = run.state if torch is not None else {"order": [], "draws": [], "weights": []}
    if torch is None:
        T = RandomDraws(T, draws=state["draws"])
        order = {"order": state["order"]}
    else:
        T = RandomDraws(T, replay=list(state["draws"]))
        order = {"replay": list(state["order"])}
    weights = list(state["weights"])

    def dataset(train):
        if not train:
            return CifarLike(T, images[-BATCH:], labels[-BATCH:], train=False)
        return CifarLike(T, images, labels, **order)

    def start(model):
        if torch is None:
            state["weights"].append({k: v.numpy().copy() for k, v in
                                     model.state_dict().items()})
        else:
            model.load_state_dict({k: T.tensor(v) for k, v in weights.pop(0).items()})
        return model

    record = []
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        T.manual_seed(0)
        flatten, check, loaders, device = notebook(T, nn, F, optim, data, dataset, record)
        module_api(T, nn, F, optim, flatten, check, loaders, device, start, record)
    run.state = state
    return out.getvalue(), record


def training_lines(printed: str) -> str:
    """The printed lines but for the tensors and sizes: here ``Tensor(...)`` and ``(64,
    10)`` (a ``Size`` prints as the tuple it is), ``tensor(...)`` and ``torch.Size([64,
    10])`` in PyTorch; the record compares their values."""
    lines = printed.splitlines()
    return "\n".join(line for line in lines if line.startswith(("using", "Iteration", "Got",
                                                                 "Checking")))


def test_pytorch_notebook_matches_pytorch(torch):
    ours_printed, ours = run()
    theirs_printed, theirs = run(torch)
    assert_printed(training_lines(ours_printed), training_lines(theirs_printed))
    assert "Iteration 2, loss = " in ours_printed
    assert len(ours) == len(theirs)
    for i, (a, b) in enumerate(zip(ours, theirs)):
        if isinstance(a, dict):
            a, b = list(a.values()), list(b.values())
        a, b = (a, b) if isinstance(a, list) else ([a], [b])
        a, b = [numpy_of(v) for v in a], [numpy_of(v) for v in b]
        for x, y in zip(a, b):
            np.testing.assert_allclose(x, y, rtol=1e-10, atol=1e-12, err_msg=f"record {i}")
