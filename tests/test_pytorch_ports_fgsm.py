"""PyTorch's tutorial "Adversarial Example Generation" (``beginner_source/fgsm_tutorial.py``,
Nathan Inkawhich), ported as its readers write it and run step for step next to PyTorch
(float64): the training steps, every attacked example's loss, input gradient, perturbed
image and predictions, the printed accuracy for each epsilon and the adversarial
examples agree.

The tutorial's program: the LeNet of pytorch/examples' MNIST (``Net``: two ``Conv2d``,
two ``Dropout``, ``torch.flatten(x, 1)``, ``F.log_softmax``), ``torch.manual_seed(42)``,
the device line, ``model.load_state_dict(torch.load(pretrained_model,
map_location=device, weights_only=True))`` and ``model.eval()``, ``fgsm_attack``
(``data_grad.sign()``, ``torch.clamp``), ``denorm`` (``torch.tensor(mean).to(device)``,
``std.view(1, -1, 1, 1)``), ``test`` (``data.requires_grad = True``, ``output.max(1,
keepdim=True)[1]``, ``init_pred.item() != target.item()``, ``F.nll_loss``,
``model.zero_grad()``, ``loss.backward()``, re-normalising the perturbed image, the
adversarial examples' ``squeeze().detach().cpu().numpy()``) and the run over ``epsilons``.

Lines written differently here, and why:
- the pretrained file (a download) is made here: the same ``Net`` trained briefly on
  scikit-learn's 8x8 digits (two epochs of ``Adadelta``, as pytorch/examples' MNIST, in
  order) and saved with ``torch.save``, which is ``nn.save`` here, as ``torch.load`` is
  ``nn.load`` (NumPy's format, never pickle); ``fc1`` takes ``64 * 2 * 2`` (8x8 images);
- MNIST's test set is 30 other digits (``Digits``), normalised with MNIST's mean and std
  as ``transforms.Normalize((0.1307,), (0.3081,))`` does; the loader shuffles as written,
  and PyTorch's reads the samples in the order ours drew (the generators differ);
  torchvision's ``Normalize`` (not installed) is a stand-in with its call form, for both;
- ``data_grad = data.grad.data``: ``.data`` is NumPy's array here, so ``data.grad`` (a
  Tensor with no graph, as ``.data`` is in PyTorch);
- ``torch.device("cuda" if ...)`` runs as written (``autograd.device``); each ``Net()``
  starts from PyTorch's weights and PyTorch's dropout keeps what ours kept (the test's
  glue, marked: the generators differ).
"""

import contextlib
import io

import numpy as np

import nn
import nn.data
from pytorch_examples_helpers import (Digits, assert_steps, digits, libraries,
                                      record_dropout, record_steps, replay_dropout)


class Normalize:
    """torchvision's ``transforms.Normalize(mean, std)`` for a batch of images of
    either library: ``(image - mean[c]) / std[c]`` per channel, on a copy."""

    def __init__(self, mean, std) -> None:
        self.mean, self.std = mean, std

    def __call__(self, tensor):
        (mean,), (std,) = self.mean, self.std  # one channel (MNIST's)
        return (tensor - mean) / std


class Transforms:
    Normalize = Normalize


def tutorial(torch, nn, optim, data, glue: dict) -> tuple:
    """The tutorial's program for the library ``torch``; ``glue`` holds the test's data,
    weights, dropout and step records. Returns (accuracies, examples, records)."""
    F = nn.functional
    transforms = Transforms
    save, load = glue["save"], glue["load"]  # torch.save / torch.load
    records = []

    epsilons = [0, .05, .1, .15, .2, .25, .3]
    pretrained_model = glue["path"]  # "data/lenet_mnist_model.pth"
    use_cuda = True
    # Set random seed for reproducibility
    torch.manual_seed(42)

    # LeNet Model definition
    class Net(nn.Module):
        def __init__(self):
            super(Net, self).__init__()
            self.conv1 = nn.Conv2d(1, 32, 3, 1)
            self.conv2 = nn.Conv2d(32, 64, 3, 1)
            self.dropout1 = nn.Dropout(0.25)
            self.dropout2 = nn.Dropout(0.5)
            self.fc1 = nn.Linear(64 * 2 * 2, 128)  # the tutorial: 9216 (28x28 images)
            self.fc2 = nn.Linear(128, 10)

        def forward(self, x):
            x = self.conv1(x)
            x = F.relu(x)
            x = self.conv2(x)
            x = F.relu(x)
            x = F.max_pool2d(x, 2)
            x = self.dropout1(x)
            x = torch.flatten(x, 1)
            x = self.fc1(x)
            x = F.relu(x)
            x = self.dropout2(x)
            x = self.fc2(x)
            output = F.log_softmax(x, dim=1)
            return output

    # the pretrained file, made as pytorch/examples' MNIST trains (see the top)
    model = Net()
    model.load_state_dict(glue["start"])  # the test's glue: the same start
    glue["dropout"](model)
    optimizer = optim.Adadelta(model.parameters(), lr=1.0)
    record_steps(optimizer, records)
    train_loader = data.DataLoader(data.TensorDataset(*glue["train"]), batch_size=32)
    for epoch in range(2):
        model.train()
        for batch_idx, (images, target) in enumerate(train_loader):
            optimizer.zero_grad()
            loss = F.nll_loss(model(images), target)
            loss.backward()
            optimizer.step()
    save(model.state_dict(), pretrained_model)

    # MNIST Test dataset and dataloader declaration
    test_loader = data.DataLoader(glue["test"], batch_size=1, shuffle=True)

    # Define what device we are using
    print("CUDA Available: ", torch.cuda.is_available())
    device = torch.device("cuda" if use_cuda and torch.cuda.is_available() else "cpu")

    # Initialize the network
    model = Net().to(device)

    # Load the pretrained model
    model.load_state_dict(load(pretrained_model, map_location=device, weights_only=True))

    # Set the model in evaluation mode. In this case this is for the Dropout layers
    model.eval()

    # FGSM attack code
    def fgsm_attack(image, epsilon, data_grad):
        # Collect the element-wise sign of the data gradient
        sign_data_grad = data_grad.sign()
        # Create the perturbed image by adjusting each pixel of the input image
        perturbed_image = image + epsilon*sign_data_grad
        # Adding clipping to maintain [0,1] range
        perturbed_image = torch.clamp(perturbed_image, 0, 1)
        # Return the perturbed image
        return perturbed_image

    # restores the tensors to their original scale
    def denorm(batch, mean=[0.1307], std=[0.3081]):
        if isinstance(mean, list):
            mean = torch.tensor(mean).to(device)
        if isinstance(std, list):
            std = torch.tensor(std).to(device)

        return batch * std.view(1, -1, 1, 1) + mean.view(1, -1, 1, 1)

    def test(model, device, test_loader, epsilon):
        # Accuracy counter
        correct = 0
        adv_examples = []

        # Loop over all examples in test set
        for data, target in test_loader:
            # Send the data and label to the device
            data, target = data.to(device), target.to(device)

            # Set requires_grad attribute of tensor. Important for Attack
            data.requires_grad = True

            # Forward pass the data through the model
            output = model(data)
            # get the index of the max log-probability
            init_pred = output.max(1, keepdim=True)[1]

            # If the initial prediction is wrong, don't bother attacking, just move on
            if init_pred.item() != target.item():
                continue

            # Calculate the loss
            loss = F.nll_loss(output, target)

            # Zero all existing gradients
            model.zero_grad()

            # Calculate gradients of model in backward pass
            loss.backward()

            # Collect ``datagrad``
            data_grad = data.grad  # the tutorial: data.grad.data (see the top)

            # Restore the data to its original scale
            data_denorm = denorm(data)

            # Call FGSM Attack
            perturbed_data = fgsm_attack(data_denorm, epsilon, data_grad)

            # Reapply normalization
            perturbed_data_normalized = transforms.Normalize((0.1307,), (0.3081,))(
                perturbed_data)

            # Re-classify the perturbed image
            output = model(perturbed_data_normalized)
            records.append([loss.item(), data_grad.numpy().copy(),
                            perturbed_data.detach().numpy().copy(),
                            output.detach().numpy().copy()])

            # Check for success
            # get the index of the max log-probability
            final_pred = output.max(1, keepdim=True)[1]
            if final_pred.item() == target.item():
                correct += 1
                # Special case for saving 0 epsilon examples
                if epsilon == 0 and len(adv_examples) < 5:
                    adv_ex = perturbed_data.squeeze().detach().cpu().numpy()
                    adv_examples.append((init_pred.item(), final_pred.item(), adv_ex))
            else:
                # Save some adv examples for visualization later
                if len(adv_examples) < 5:
                    adv_ex = perturbed_data.squeeze().detach().cpu().numpy()
                    adv_examples.append((init_pred.item(), final_pred.item(), adv_ex))

        # Calculate final accuracy for this epsilon
        final_acc = correct/float(len(test_loader))
        print(f"Epsilon: {epsilon}\tTest Accuracy = {correct} / {len(test_loader)} = "
              f"{final_acc}")

        # Return the accuracy and an adversarial example
        return final_acc, adv_examples

    accuracies = []
    examples = []

    # Run test for each epsilon
    for eps in epsilons:
        acc, ex = test(model, device, test_loader, eps)
        accuracies.append(acc)
        examples.append(ex)
    return accuracies, examples, records


def test_fgsm_tutorial_runs_step_for_step_as_pytorch(torch, tmp_path):
    images, labels = digits(286, lambda a: (a - 0.1307) / 0.3081)
    torch.manual_seed(0)  # PyTorch's initial weights of Net's layers, for both runs
    theirs = torch.nn.Module()
    theirs.conv1, theirs.conv2 = torch.nn.Conv2d(1, 32, 3, 1), torch.nn.Conv2d(32, 64, 3, 1)
    theirs.fc1, theirs.fc2 = torch.nn.Linear(256, 128), torch.nn.Linear(128, 10)
    start = {k: v.detach().numpy().copy() for k, v in theirs.state_dict().items()}
    masks, runs, printed, order = [], [], [], []
    for library in (None, torch):
        T, lib, optim, data = libraries(library)
        glue = {"start": {k: T.tensor(v) for k, v in start.items()},
                "train": (T.tensor(images[:256]), T.tensor(labels[:256])),
                "test": Digits(T, images[256:], labels[256:], **{
                    "replay" if library else "order": order}),  # the same shuffles
                "path": str(tmp_path / ("theirs.pth" if library else "ours.pth"))}
        if library is None:
            glue.update(save=nn.save, load=nn.load,
                        dropout=lambda model: record_dropout(model, masks))
        else:
            glue.update(save=torch.save, load=torch.load,
                        dropout=lambda model: replay_dropout(torch, model, masks))
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            runs.append(tutorial(T, lib, optim, data, glue))
        printed.append(out.getvalue())
        if library is None:  # our loader shuffled, every epsilon anew
            assert sorted(order[:30]) == list(range(30)) != order[:30] != order[30:60]
    (got_acc, got_ex, got), (want_acc, want_ex, want) = runs
    assert masks == [] and order == []  # PyTorch's run used every mask and index
    assert printed[0] == printed[1]
    assert got_acc == want_acc and got_acc[0] > 0.6 and got_acc[-1] < got_acc[0]
    assert_steps(got, want)
    for ours, theirs in zip(got_ex, want_ex, strict=True):
        assert [e[:2] for e in ours] == [e[:2] for e in theirs]
        for a, b in zip(ours, theirs):
            np.testing.assert_allclose(a[2], b[2], rtol=1e-10, atol=1e-12)
