"""Learning without Forgetting (Li and Hoiem, ECCV 2016) as its readers write it, two ways.
First the multi-class version iCaRL made standard (as ``Impression2805/IL2A`` writes it): a
``network`` whose ``Incremental_learning`` widens ``self.fc`` by a new ``nn.Linear`` and
copies the old rows in (``self.fc.weight.data[:out_feature] = weight[:out_feature]``), a
``copy.deepcopy`` of the trained model as the frozen old model, and the loss
``binary_cross_entropy_with_logits`` against one-hot targets (``zeros(...).scatter(1,
idx, value=1.)``) whose old columns are replaced by ``sigmoid(old_model(x))``. Then the
paper's multi-head version: a shared body with an ``nn.ModuleList`` of heads, the old
head's responses recorded before training, a warm-up with the body frozen
(``requires_grad_(False)``, the optimizer over ``filter(lambda p: p.requires_grad, ...)``),
and joint training with the knowledge-distillation loss at temperature 2
(``kl_div(log_softmax(new / T), softmax(old / T), reduction='batchmean') * T * T``).
Tasks: scikit-learn's digits 0-4, then 5-9. Each program is written once for a library
``torch`` (``autograd`` here, PyTorch there) and runs step for step next to PyTorch's from
the same weights (float64): losses, widened weights and accuracies agree to 1e-10.

Lines written differently here: ``torch.optim`` is ``nn.optim`` (``autograd`` never
imports ``nn``). ``self.fc.weight.data[:k] = weight[:k]`` stays as written: ``.data`` is
NumPy's array here (by design) and takes the old rows as PyTorch's tensor does.
"""

import copy

from test_pytorch_ports_continual_agem import (assert_records, initial_state, libraries,
                                               split_digits)


def lwf_multiclass_program(torch, state: dict) -> list:
    """Five classes, then ten: the fc layer widened, old outputs distilled by BCE."""
    T, nn, F, optim = libraries(torch)
    record = []

    class network(nn.Module):
        def __init__(self, numclass, feature_extractor):
            super(network, self).__init__()
            self.feature = feature_extractor
            self.fc = nn.Linear(32, numclass, bias=True)

        def forward(self, input):
            x = self.feature(input)
            x = self.fc(x)
            return x

        def Incremental_learning(self, numclass):
            weight = self.fc.weight.data
            bias = self.fc.bias.data
            in_feature = self.fc.in_features
            out_feature = self.fc.out_features
            self.fc = nn.Linear(in_feature, numclass, bias=True)
            self.fc.weight.data[:out_feature] = weight[:out_feature]
            self.fc.bias.data[:out_feature] = bias[:out_feature]

    def get_one_hot(target, num_class):
        one_hot = T.zeros(target.shape[0], num_class)
        one_hot = one_hot.scatter(dim=1, index=target.long().view(-1, 1), value=1.)
        return one_hot

    T.manual_seed(0)
    model = network(5, nn.Sequential(nn.Linear(64, 32), nn.ReLU()))
    model.feature[0].load_state_dict({"weight": T.tensor(state["0.weight"]),
                                      "bias": T.tensor(state["0.bias"])})
    with T.no_grad():  # the same first head in both libraries
        model.fc.weight.copy_(T.tensor(state["2.weight"][:5]))
        model.fc.bias.copy_(T.tensor(state["2.bias"][:5]))
    old_model, numclass = None, 5
    tasks = [(T.tensor(x), T.tensor(y)) for x, y in split_digits()]
    for task, (x, y) in enumerate(tasks):
        if task > 0:
            numclass += 5
            model.Incremental_learning(numclass)
            with T.no_grad():  # the new rows: PyTorch's draw, copied
                model.fc.weight[5:] = T.tensor(state["2.weight"][5:])
                model.fc.bias[5:] = T.tensor(state["2.bias"][5:])
            record += [model.fc.weight, model.fc.bias]
        opt = optim.SGD(model.parameters(), lr=3.0, weight_decay=1e-5)
        for epoch in range(6):
            for i in range(0, len(y), 25):
                imgs, target = x[i:i + 25], y[i:i + 25]
                output = model(imgs)
                target = get_one_hot(target, numclass)
                if old_model is None:
                    loss_value = F.binary_cross_entropy_with_logits(output, target)
                else:
                    old_target = T.sigmoid(old_model(imgs))
                    old_task_size = old_target.shape[1]
                    target[..., :old_task_size] = old_target
                    loss_value = F.binary_cross_entropy_with_logits(output, target)
                opt.zero_grad()
                loss_value.backward()
                opt.step()
                record.append(loss_value.item())
        old_model = copy.deepcopy(model)
        old_model.eval()
        for p in old_model.parameters():
            p.requires_grad = False
        model.eval()
        with T.no_grad():
            for xs, ys in tasks[:task + 1]:
                record.append((model(xs).argmax(dim=1) == ys).sum().item() / len(ys))
        model.train()
    return record


def lwf_multihead_program(torch, state: dict) -> list:
    """The paper's LwF: shared body, one head per task, warm-up, then joint training."""
    T, nn, F, optim = libraries(torch)
    record = []

    class MultiHead(nn.Module):
        def __init__(self):
            super().__init__()
            self.body = nn.Sequential(nn.Linear(64, 32), nn.ReLU())
            self.heads = nn.ModuleList([nn.Linear(32, 5)])

        def add_head(self, n):
            self.heads.append(nn.Linear(32, n))

        def forward(self, x):
            h = self.body(x)
            return [head(h) for head in self.heads]

    def distillation(y, teacher_scores, T_):
        p = F.log_softmax(y / T_, dim=1)
        q = F.softmax(teacher_scores / T_, dim=1)
        return F.kl_div(p, q, reduction='batchmean') * T_ * T_

    model = MultiHead()
    model.body.load_state_dict({"0.weight": T.tensor(state["0.weight"]),
                                "0.bias": T.tensor(state["0.bias"])})
    model.heads[0].load_state_dict({"weight": T.tensor(state["2.weight"][:5]),
                                    "bias": T.tensor(state["2.bias"][:5])})
    (xa, ya), (xb, yb) = [(T.tensor(x), T.tensor(y)) for x, y in split_digits()]
    yb = yb - 5
    optimizer = optim.SGD(model.parameters(), lr=0.3, momentum=0.9)
    for epoch in range(4):
        for i in range(0, len(ya), 25):
            optimizer.zero_grad()
            loss = F.cross_entropy(model(xa[i:i + 25])[0], ya[i:i + 25])
            loss.backward()
            optimizer.step()
            record.append(loss.item())
    model.add_head(5)
    with T.no_grad():
        model.heads[1].weight.copy_(T.tensor(state["2.weight"][5:]))
        model.heads[1].bias.copy_(T.tensor(state["2.bias"][5:]))
        model.eval()
        old_responses = model(xb)[0].clone()  # recorded once, before training
    model.train()
    for p in model.body.parameters():  # warm-up: only the new head learns
        p.requires_grad_(False)
    for p in model.heads[0].parameters():
        p.requires_grad_(False)
    warmup = optim.SGD(filter(lambda p: p.requires_grad, model.parameters()), lr=0.3)
    for epoch in range(2):
        for i in range(0, len(yb), 25):
            warmup.zero_grad()
            loss = F.cross_entropy(model(xb[i:i + 25])[1], yb[i:i + 25])
            loss.backward()
            warmup.step()
            record += [loss.item(), model.body[0].weight.grad is None]
    for p in model.parameters():
        p.requires_grad_(True)
    optimizer = optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    for epoch in range(4):
        for i in range(0, len(yb), 25):
            optimizer.zero_grad()
            old_out, new_out = model(xb[i:i + 25])
            loss_new = F.cross_entropy(new_out, yb[i:i + 25])
            loss_old = distillation(old_out, old_responses[i:i + 25], 2.0)
            (loss_new + 1.0 * loss_old).backward()
            optimizer.step()
            record += [loss_new.item(), loss_old.item()]
    model.eval()
    with T.no_grad():
        record.append((model(xa)[0].argmax(1) == ya).double().mean())
        record.append((model(xb)[1].argmax(1) == yb).double().mean())
    return record


def test_lwf_multiclass_widened_head_and_bce_distillation(torch):
    state = initial_state(torch)
    want = lwf_multiclass_program(torch, state)
    assert_records(lwf_multiclass_program(None, state), want)
    assert want[-2] > 0.7 and want[-1] > 0.7  # old classes partly kept, new learned


def test_lwf_multihead_warmup_and_distillation(torch):
    state = initial_state(torch)
    want = lwf_multihead_program(torch, state)
    assert_records(lwf_multihead_program(None, state), want)
    assert float(want[-2]) > 0.8 and float(want[-1]) > 0.8  # old task kept, new learned
