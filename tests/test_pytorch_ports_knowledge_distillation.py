"""PyTorch's knowledge distillation tutorial
(``beginner_source/knowledge_distillation_tutorial.py``), ported as its reader writes it
and shrunk to scikit-learn's 8x8 digits: a teacher ``DeepNN`` and a student ``LightNN``
(``self.features`` / ``self.classifier`` Sequentials) trained with cross-entropy and
Adam; the student again with soft targets at temperature T (``softmax(teacher / T)``
against ``log_softmax(student / T)``, scaled by T**2); the modified nets that also return
hidden representations, trained with ``nn.CosineEmbeddingLoss`` (the teacher's pooled by
``F.avg_pool1d`` to the student's size) and with a regressor's MSE on feature maps,
loading the trained teacher's ``state_dict`` into the modified classes.

Each start is PyTorch's ``torch.manual_seed(42)`` one, copied into ours; both libraries
see the same batches (``shuffle=False``; the tutorial shuffles). ``nn.Dropout`` draws
from each library's own generator, so the step-for-step runs set its ``p`` to 0 (as a
PyTorch user may: ``m.p = 0.0``); a last test trains with the tutorial's 0.1.
"""

import numpy as np

import autograd as ag
import nn
from nn.data import DataLoader, TensorDataset
from test_pytorch_ports import _digits, _to_numpy


def model_classes(torch, nn):
    """The tutorial's six nets, for either library (``torch.flatten``, ``nn.*``), sized
    for 1x8x8 images: the teacher's features end in 8x2x2 = 32, the student's in 16."""
    class DeepNN(nn.Module):
        def __init__(self, num_classes=10):
            super(DeepNN, self).__init__()
            self.features = nn.Sequential(
                nn.Conv2d(1, 16, kernel_size=3, padding=1),
                nn.ReLU(),
                nn.Conv2d(16, 8, kernel_size=3, padding=1),
                nn.ReLU(),
                nn.MaxPool2d(kernel_size=2, stride=2),
                nn.Conv2d(8, 8, kernel_size=3, padding=1),
                nn.ReLU(),
                nn.Conv2d(8, 8, kernel_size=3, padding=1),
                nn.ReLU(),
                nn.MaxPool2d(kernel_size=2, stride=2),
            )
            self.classifier = nn.Sequential(
                nn.Linear(32, 32),
                nn.ReLU(),
                nn.Dropout(0.1),
                nn.Linear(32, num_classes)
            )

        def forward(self, x):
            x = self.features(x)
            x = torch.flatten(x, 1)
            x = self.classifier(x)
            return x

    class LightNN(nn.Module):
        def __init__(self, num_classes=10):
            super(LightNN, self).__init__()
            self.features = nn.Sequential(
                nn.Conv2d(1, 4, kernel_size=3, padding=1),
                nn.ReLU(),
                nn.MaxPool2d(kernel_size=2, stride=2),
                nn.Conv2d(4, 4, kernel_size=3, padding=1),
                nn.ReLU(),
                nn.MaxPool2d(kernel_size=2, stride=2),
            )
            self.classifier = nn.Sequential(
                nn.Linear(16, 16),
                nn.ReLU(),
                nn.Dropout(0.1),
                nn.Linear(16, num_classes)
            )

        def forward(self, x):
            x = self.features(x)
            x = torch.flatten(x, 1)
            x = self.classifier(x)
            return x

    class ModifiedDeepNNCosine(DeepNN):  # the tutorial repeats DeepNN's __init__
        def forward(self, x):
            x = self.features(x)
            flattened_conv_output = torch.flatten(x, 1)
            x = self.classifier(flattened_conv_output)
            # torch.nn.functional.avg_pool1d: nn is a package of its own here
            flattened_conv_output_after_pooling = nn.functional.avg_pool1d(
                flattened_conv_output, 2)
            return x, flattened_conv_output_after_pooling

    class ModifiedLightNNCosine(LightNN):
        def forward(self, x):
            x = self.features(x)
            flattened_conv_output = torch.flatten(x, 1)
            x = self.classifier(flattened_conv_output)
            return x, flattened_conv_output

    class ModifiedDeepNNRegressor(DeepNN):
        def forward(self, x):
            x = self.features(x)
            conv_feature_map = x
            x = torch.flatten(x, 1)
            x = self.classifier(x)
            return x, conv_feature_map

    class ModifiedLightNNRegressor(LightNN):
        def __init__(self, num_classes=10):
            super(ModifiedLightNNRegressor, self).__init__(num_classes)
            # Include an extra regressor (in our case linear)
            self.regressor = nn.Sequential(
                nn.Conv2d(4, 8, kernel_size=3, padding=1)
            )

        def forward(self, x):
            x = self.features(x)
            regressor_output = self.regressor(x)
            x = torch.flatten(x, 1)
            x = self.classifier(x)
            return x, regressor_output

    return (DeepNN, LightNN, ModifiedDeepNNCosine, ModifiedLightNNCosine,
            ModifiedDeepNNRegressor, ModifiedLightNNRegressor)


# ------------------------------------------------------------------ the tutorial's loops
def train(torch, nn, optim, model, train_loader, epochs, learning_rate, device, log):
    criterion = nn.CrossEntropyLoss()
    optimizer = optim.Adam(model.parameters(), lr=learning_rate)
    model.to(device)
    model.train()
    for epoch in range(epochs):
        running_loss = 0.0
        for inputs, labels in train_loader:
            inputs, labels = inputs.to(device), labels.to(device)
            optimizer.zero_grad()
            outputs = model(inputs)
            loss = criterion(outputs, labels)
            loss.backward()
            optimizer.step()
            running_loss += loss.item()
        log.append(running_loss / len(train_loader))


def evaluate(torch, model, test_loader, device, multiple_outputs=False):
    """The tutorial's ``test`` and ``test_multiple_outputs`` (pytest would collect a
    function named ``test``)."""
    model.to(device)
    model.eval()
    correct = 0
    total = 0
    with torch.no_grad():
        for inputs, labels in test_loader:
            inputs, labels = inputs.to(device), labels.to(device)
            if multiple_outputs:
                outputs, _ = model(inputs)  # we disregard the second tensor of the tuple
            else:
                outputs = model(inputs)
            # torch.max(outputs.data, 1) is ambiguous here (NumPy's values or PyTorch's
            # pair: a UsageError), so the axis is named; outputs.data is a NumPy array
            _, predicted = torch.max(outputs.data, dim=1)
            total += labels.size(0)
            correct += (predicted == labels).sum().item()
    accuracy = 100 * correct / total
    return accuracy


def train_knowledge_distillation(torch, nn, optim, teacher, student, train_loader, epochs,
                                 learning_rate, T, soft_target_loss_weight, ce_loss_weight,
                                 device, log, kl_form=False):
    ce_loss = nn.CrossEntropyLoss()
    optimizer = optim.Adam(student.parameters(), lr=learning_rate)
    teacher.to(device)
    student.to(device)
    teacher.eval()  # Teacher set to evaluation mode
    student.train()  # Student to train mode
    for epoch in range(epochs):
        running_loss = 0.0
        for inputs, labels in train_loader:
            inputs, labels = inputs.to(device), labels.to(device)
            optimizer.zero_grad()
            with torch.no_grad():
                teacher_logits = teacher(inputs)
            student_logits = student(inputs)
            soft_targets = nn.functional.softmax(teacher_logits / T, dim=-1)
            soft_prob = nn.functional.log_softmax(student_logits / T, dim=-1)
            if kl_form:  # the tutorial's earlier version: the KL divergence
                soft_targets_loss = torch.sum(soft_targets * (
                    soft_targets.log() - soft_prob)) / soft_prob.size()[0] * (T**2)
            else:
                soft_targets_loss = -torch.sum(
                    soft_targets * soft_prob) / soft_prob.size()[0] * (T**2)
            label_loss = ce_loss(student_logits, labels)
            loss = soft_target_loss_weight * soft_targets_loss + ce_loss_weight * label_loss
            loss.backward()
            optimizer.step()
            running_loss += loss.item()
        log.append(running_loss / len(train_loader))


def train_hidden(torch, nn, optim, teacher, student, train_loader, epochs, learning_rate,
                 hidden_rep_loss_weight, ce_loss_weight, device, log, loss_kind):
    """The tutorial's ``train_cosine_loss`` (``loss_kind="cosine"``) and
    ``train_mse_loss`` ("mse"), which differ in the hidden loss only."""
    ce_loss = nn.CrossEntropyLoss()
    cosine_loss = nn.CosineEmbeddingLoss()
    mse_loss = nn.MSELoss()
    optimizer = optim.Adam(student.parameters(), lr=learning_rate)
    teacher.to(device)
    student.to(device)
    teacher.eval()
    student.train()
    for epoch in range(epochs):
        running_loss = 0.0
        for inputs, labels in train_loader:
            inputs, labels = inputs.to(device), labels.to(device)
            optimizer.zero_grad()
            with torch.no_grad():
                _, teacher_hidden_representation = teacher(inputs)
            student_logits, student_hidden_representation = student(inputs)
            if loss_kind == "cosine":
                hidden_rep_loss = cosine_loss(student_hidden_representation,
                                              teacher_hidden_representation,
                                              target=torch.ones(inputs.size(0)).to(device))
            else:
                hidden_rep_loss = mse_loss(student_hidden_representation,
                                           teacher_hidden_representation)
            label_loss = ce_loss(student_logits, labels)
            loss = hidden_rep_loss_weight * hidden_rep_loss + ce_loss_weight * label_loss
            loss.backward()
            optimizer.step()
            running_loss += loss.item()
        log.append(running_loss / len(train_loader))


# ------------------------------------------------------------------ the whole program
def tutorial(torch, nn, optim, loaders, start, epochs=2, kl_form=False):
    """The tutorial's experiments in order; ``start(model)`` gives a new model its start
    (PyTorch's ``manual_seed(42)`` weights). Returns what it prints and the models."""
    (DeepNN, LightNN, ModifiedDeepNNCosine, ModifiedLightNNCosine, ModifiedDeepNNRegressor,
     ModifiedLightNNRegressor) = model_classes(torch, nn)
    device = torch.device("cpu")
    train_loader, test_loader = loaders
    seen = {"losses": []}
    log = seen["losses"]
    torch.manual_seed(42)
    nn_deep = start(DeepNN(num_classes=10))
    train(torch, nn, optim, nn_deep, train_loader, epochs + 1, 0.01, device, log)
    seen["teacher"] = evaluate(torch, nn_deep, test_loader, device)
    torch.manual_seed(42)
    nn_light = start(LightNN(num_classes=10))
    torch.manual_seed(42)
    new_nn_light = start(LightNN(num_classes=10))
    seen["norms"] = [torch.norm(nn_light.features[0].weight).item(),
                     torch.norm(new_nn_light.features[0].weight).item()]
    seen["params"] = ["{:,}".format(sum(p.numel() for p in model.parameters()))
                      for model in (nn_deep, nn_light)]
    train(torch, nn, optim, nn_light, train_loader, epochs, 0.01, device, log)
    seen["student_ce"] = evaluate(torch, nn_light, test_loader, device)
    train_knowledge_distillation(torch, nn, optim, teacher=nn_deep, student=new_nn_light,
                                 train_loader=train_loader, epochs=epochs,
                                 learning_rate=0.01, T=2, soft_target_loss_weight=0.25,
                                 ce_loss_weight=0.75, device=device, log=log,
                                 kl_form=kl_form)
    seen["student_kd"] = evaluate(torch, new_nn_light, test_loader, device)
    modified_nn_deep = ModifiedDeepNNCosine(num_classes=10)
    modified_nn_deep.load_state_dict(nn_deep.state_dict())
    seen["norms_deep"] = [torch.norm(nn_deep.features[0].weight).item(),
                          torch.norm(modified_nn_deep.features[0].weight).item()]
    torch.manual_seed(42)
    modified_light_nn = start(ModifiedLightNNCosine(num_classes=10))
    train_hidden(torch, nn, optim, modified_nn_deep, modified_light_nn, train_loader, epochs,
                 0.01, 0.25, 0.75, device, log, "cosine")
    seen["student_cosine"] = evaluate(torch, modified_light_nn, test_loader, device, True)
    torch.manual_seed(42)
    modified_light_nn_mse = start(ModifiedLightNNRegressor(num_classes=10))
    modified_nn_deep_reg = ModifiedDeepNNRegressor(num_classes=10)
    modified_nn_deep_reg.load_state_dict(nn_deep.state_dict())
    train_hidden(torch, nn, optim, modified_nn_deep_reg, modified_light_nn_mse, train_loader,
                 epochs, 0.01, 0.25, 0.75, device, log, "mse")
    seen["student_mse"] = evaluate(torch, modified_light_nn_mse, test_loader, device, True)
    return seen, [nn_deep, nn_light, new_nn_light, modified_light_nn, modified_light_nn_mse]


def no_dropout(lib, model):
    """Dropout off for the step-for-step runs (each library draws its own masks)."""
    for m in model.modules():
        if isinstance(m, lib.Dropout):
            m.p = 0.0
    return model


def digit_loaders(T, dataset, loader, n_train=256, n_test=64, batch_size=64):
    """The tutorial's loaders on digits; no shuffling, so both libraries see the same
    batches (and no num_workers, which would start PyTorch worker processes)."""
    images, labels = _digits(n_train + n_test, lambda a: a / 16.0)
    x, y = T.tensor(images), T.tensor(labels)
    train_dataset = dataset(x[:n_train], y[:n_train])
    test_dataset = dataset(x[n_train:], y[n_train:])
    return (loader(train_dataset, batch_size=batch_size, shuffle=False),
            loader(test_dataset, batch_size=batch_size, shuffle=False))


def run_both(torch, kl_form=False):
    classes = {cls.__name__: cls for cls in model_classes(torch, torch.nn)}
    starts = {}
    for name, cls in classes.items():  # PyTorch's seeded starts, copied into ours
        torch.manual_seed(42)
        starts[name] = _to_numpy(cls(num_classes=10).state_dict())

    def ours_start(model):
        model.load_state_dict(starts[type(model).__name__])
        return no_dropout(nn, model)

    data = torch.utils.data
    got = tutorial(ag, nn, nn.optim, digit_loaders(ag, TensorDataset, DataLoader),
                   ours_start, kl_form=kl_form)
    want = tutorial(torch, torch.nn, torch.optim,
                    digit_loaders(torch, data.TensorDataset, data.DataLoader),
                    lambda model: no_dropout(torch.nn, model), kl_form=kl_form)
    return got, want


def test_distillation_tutorial_as_torch(torch):
    (seen, models), (want, theirs) = run_both(torch)
    assert seen.keys() == want.keys()
    assert len(seen["losses"]) == 11
    for key in seen.keys() - {"params"}:
        np.testing.assert_allclose(seen[key], want[key], rtol=1e-9, err_msg=key)
    assert seen["norms"][0] == seen["norms"][1] and seen["params"] == want["params"]
    for ours, model in zip(models, theirs):
        for name, value in model.state_dict().items():
            np.testing.assert_allclose(ours.state_dict()[name].numpy(), value.numpy(),
                                       rtol=1e-8, atol=1e-11, err_msg=name)
    assert seen["teacher"] > 25  # chance is 10; a few Adam steps on 256 digits


def test_kl_form_of_the_soft_target_loss_as_torch(torch):
    """The tutorial's earlier loss, sum p (log p - log q) / batch * T^2 (the KL divergence,
    with ``soft_targets.log()``), as PyTorch's."""
    (seen, _), (want, _) = run_both(torch, kl_form=True)
    np.testing.assert_allclose(seen["losses"], want["losses"], rtol=1e-9)
    assert seen["student_kd"] == want["student_kd"]


def test_students_train_with_the_tutorials_dropout():
    DeepNN, LightNN = model_classes(ag, nn)[:2]
    nn.manual_seed(0)
    teacher, student = DeepNN(num_classes=10), LightNN(num_classes=10)
    assert [type(m).__name__ for m in student.classifier] == ["Linear", "ReLU", "Dropout",
                                                              "Linear"]
    loaders = digit_loaders(ag, TensorDataset, DataLoader)
    log = []
    train(ag, nn, nn.optim, teacher, loaders[0], 3, 0.01, "cpu", log)
    train_knowledge_distillation(ag, nn, nn.optim, teacher, student, loaders[0], 3, 0.01, 2,
                                 0.25, 0.75, "cpu", log)
    assert log[2] < log[0] and log[5] < log[3]
