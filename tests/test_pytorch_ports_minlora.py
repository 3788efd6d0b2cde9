"""minLoRA (cccntu) as its readers use it: ``minlora``'s ``LoRAParametrization``
(``W + B A * alpha / r`` through ``torch.nn.utils.parametrize.register_parametrization``),
``add_lora`` over ``model.apply``, ``merge_lora`` and ``remove_lora`` by
``parametrize.remove_parametrizations(leave_parametrized=...)``, ``name_is_lora``,
``get_lora_params``, ``get_lora_state_dict``, ``enable_lora``/``disable_lora``,
``load_multiple_lora``/``select_lora`` and ``tie_weights``; the cells of ``demo.ipynb``
and ``advanced_usage.ipynb``; and LoRA fine-tuning of a frozen classifier of
scikit-learn's digits (the rest frozen by ``requires_grad_(False)``, AdamW on the LoRA
parameters, then merged), next to PyTorch from the same weights (float64): outputs,
losses, gradients and the merged weights agree to 1e-10.

Written differently here: ``torch.nn.init`` and ``torch.nn.utils.parametrize`` are
``nn.init`` and ``nn.utils.parametrize`` (``autograd`` never imports ``nn``); the random
draws (``kaiming_uniform_`` of ``lora_A``, the notebook's ``normal_``, ``torch.randn``)
differ between the libraries, so PyTorch's are loaded into ours where they are drawn
(``sync``); ``apply_lora`` removes the parametrizations while it iterates over
``list(layer.parametrizations.keys())``, not the live ``keys()``: PyTorch 2 keeps a
module's children in a plain dict, whose iteration raises once an entry is deleted
(the ``OrderedDict`` of PyTorch 1 let the loop end after its last key).
"""

from functools import partial

import numpy as np

import autograd as ag
import nn
from minlora_program import minlora
from test_pytorch_ports_gpt_lecture import assert_records


def libraries(torch=None) -> tuple:
    if torch is None:
        return ag, nn, nn.functional, nn.optim, nn.utils.parametrize
    return torch, torch.nn, torch.nn.functional, torch.optim, torch.nn.utils.parametrize


def numpy(t) -> np.ndarray:
    return np.array(t.detach().numpy() if hasattr(t, "detach") else t, copy=True)


def syncs() -> tuple:
    """(PyTorch's sync, ours): the first records PyTorch's LoRA parameters where they are
    drawn, the second loads them into our model at the same line."""
    drawn = []

    def record(m, model):
        drawn.append({k: numpy(v) for k, v in m.get_lora_state_dict(model).items()})

    def load(m, model):
        model.load_state_dict(drawn.pop(0), strict=False)

    return record, load


def demo(torch, nn, m, sync, x, start) -> list:
    """demo.ipynb's cells; ``start`` holds the Sequential's weights."""
    record = []
    _ = torch.set_grad_enabled(False)
    # a simple model
    model = nn.Sequential(
        nn.Linear(in_features=5, out_features=7),
        nn.Linear(in_features=7, out_features=3),
    )
    model.load_state_dict(start)
    y = model(x)
    record.append(numpy(y))
    Y0 = y
    # add lora to the model; becase B is initialized to 0, the output is the same as before
    m.add_lora(model)
    sync(m, model)
    y = model(x)
    assert torch.allclose(y, Y0)
    # to make the output different, we need to initialize B to something non-zero
    model.apply(m.apply_to_lora(lambda x: nn.init.ones_(x.lora_B)))
    y = model(x)
    record.append(numpy(y))
    assert not torch.allclose(y, Y0)
    Y1 = y
    # now let's try to disable lora, the output is the same as before lora is added
    m.disable_lora(model)
    y = model(x)
    assert torch.allclose(y, Y0)
    # enable lora again
    m.enable_lora(model)
    y = model(x)
    assert torch.allclose(y, Y1)
    # let's save the state dict for later use
    state_dict_to_save = m.get_lora_state_dict(model)
    record.append(str(list(state_dict_to_save.keys())))
    # you can remove lora from the model
    m.remove_lora(model)
    # lets try to load the lora back: first we need to add lora to the model
    m.add_lora(model)
    # strict=False is needed because we are loading a subset of the parameters
    _ = model.load_state_dict(state_dict_to_save, strict=False)
    y = model(x)
    assert torch.allclose(y, Y1)
    # we can merge it to make it a normal linear layer, so there is no overhead for inference
    m.merge_lora(model)
    y = model(x)
    assert torch.allclose(y, Y1)
    # model now has no lora parameters
    record.append(repr(model))
    return record


def demo_training(torch, nn, optim, m, sync, x, start) -> list:
    """demo.ipynb's "Training a model" and the cells after it."""
    record = []
    model = nn.Linear(in_features=5, out_features=3)
    model.load_state_dict(start)
    # Step 1: Add LoRA to the model
    m.add_lora(model)
    # Step 2: Collect the parameters, pass them to the optimizer
    parameters = [
        {"params": list(m.get_lora_params(model))},
    ]
    optimizer = optim.AdamW(parameters, lr=1e-3)
    record.append(len(optimizer.param_groups[0]["params"]))
    # Step 3: Train the model; simulate training, update the LoRA parameters
    model.apply(m.apply_to_lora(lambda x: nn.init.normal_(x.lora_A)))
    model.apply(m.apply_to_lora(lambda x: nn.init.normal_(x.lora_B)))
    sync(m, model)
    # Step 4: export the LoRA parameters
    state_dict = model.state_dict()
    lora_state_dict = {k: v for k, v in state_dict.items() if m.name_is_lora(k)}
    record.append(str(sorted(lora_state_dict)))

    # Loading and Inferencing with LoRA
    # Step 1: Add LoRA to your model (a second time: the notebook's model still has one)
    m.add_lora(model)
    sync(m, model)
    # Step 2: Load the LoRA parameters
    _ = model.load_state_dict(lora_state_dict, strict=False)
    # Step 3: Merge the LoRA parameters into the model
    m.merge_lora(model)
    record += [type(model).__name__, numpy(model.weight), numpy(model(x))]

    # Inferencing with multiple LoRA models
    # to avoid re-adding lora to the model when rerun the cell, remove lora first
    m.remove_lora(model)
    # Step 1: Add LoRA to your model
    m.add_lora(model)
    sync(m, model)
    # Step 2: Load the LoRA parameters; fake 3 sets of LoRA parameters
    lora_state_dict_0 = lora_state_dict
    lora_state_dict_1 = {k: torch.ones_like(v) for k, v in lora_state_dict.items()}
    lora_state_dict_2 = {k: torch.zeros_like(v) for k, v in lora_state_dict.items()}
    lora_state_dicts = [lora_state_dict_0, lora_state_dict_1, lora_state_dict_2]
    m.load_multiple_lora(model, lora_state_dicts)
    # Step 3: Select which LoRA to use at inference time
    Y0 = m.select_lora(model, 0)(x)
    Y1 = m.select_lora(model, 1)(x)
    Y2 = m.select_lora(model, 2)(x)
    record += [numpy(Y0), numpy(Y1), numpy(Y2)]

    m.remove_lora(model)
    init_state_dict = model.state_dict()
    # verify that it's the same as if we load the lora parameters one by one
    for state_dict, want in zip(lora_state_dicts, (Y0, Y1, Y2)):
        m.remove_lora(model)
        _ = model.load_state_dict(init_state_dict, strict=False)
        m.add_lora(model)
        _ = model.load_state_dict(state_dict, strict=False)
        m.merge_lora(model)
        y = model(x)
        assert torch.allclose(y, want)
        print(y)
    return record


def test_the_demo_as_torch(torch, capsys):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(1, 5))
    start = {"0.weight": rng.normal(size=(7, 5)), "0.bias": rng.normal(size=7),
             "1.weight": rng.normal(size=(3, 7)), "1.bias": rng.normal(size=3)}
    start2 = {"weight": rng.normal(size=(3, 5)), "bias": rng.normal(size=3)}
    record, load = syncs()
    runs = []
    for lib, sync in ((torch, record), (None, load)):
        T, nn_, _, optim, parametrize = libraries(lib)
        m = minlora(T, nn_, parametrize)
        as_tensors = lambda d: {k: T.tensor(v) for k, v in d.items()}  # noqa: E731
        try:
            runs.append(demo(T, nn_, m, sync, T.tensor(x), as_tensors(start))
                        + demo_training(T, nn_, optim, m, sync, T.tensor(x),
                                        as_tensors(start2)))
        finally:
            T.set_grad_enabled(True)
        runs[-1].append(capsys.readouterr().out.count("\n"))  # three tensors printed
    theirs, ours = runs
    assert ours[2] == theirs[2] == str([f"{i}.parametrizations.weight.0.lora_{n}"
                                        for i in (0, 1) for n in "AB"])
    assert "(parametrizations)" not in ours[3]
    assert_records(ours, theirs)


def finetune(torch, nn, F, optim, m, sync, start, X, y) -> list:
    """LoRA on a frozen classifier: add_lora, freeze all but LoRA, AdamW, merge."""
    model = nn.Sequential(nn.Linear(64, 32), nn.ReLU(), nn.Linear(32, 10))
    model.load_state_dict(start)
    lora_config = {nn.Linear: {"weight": partial(m.LoRAParametrization.from_linear,
                                                   rank=2, lora_alpha=4)}}
    m.add_lora(model, lora_config=lora_config)
    sync(m, model)
    for name, param in model.named_parameters():
        if not m.name_is_lora(name):
            param.requires_grad_(False)
    optimizer = optim.AdamW(m.get_lora_params(model), lr=1e-2)
    record = [[n for n, p in model.named_parameters() if p.requires_grad]]
    for step in range(4):
        xb, yb = X[step * 16:(step + 1) * 16], y[step * 16:(step + 1) * 16]
        loss = F.cross_entropy(model(xb), yb)
        optimizer.zero_grad()
        loss.backward()
        record.append(loss.item())
        record += [p.grad for p in m.get_lora_params(model)]
        assert model[0].parametrizations.weight.original.grad is None
        optimizer.step()
    with torch.no_grad():
        before = model(X)
    m.merge_lora(model)
    after = model(X)
    assert torch.allclose(before, after) and type(model[0]).__name__ == "Linear"
    assert not model[0].weight.requires_grad  # the merged weight keeps the frozen flag
    return record + [numpy(v) for v in model.state_dict().values()] + [numpy(after)]


def test_lora_finetuning_as_torch(torch):
    from sklearn.datasets import load_digits

    X, y = load_digits(return_X_y=True)
    X, y = X[:64] / 16.0, y[:64]
    rng = np.random.default_rng(1)
    start = {"0.weight": rng.normal(0, 0.1, (32, 64)), "0.bias": np.zeros(32),
             "2.weight": rng.normal(0, 0.1, (10, 32)), "2.bias": np.zeros(10)}
    record, load = syncs()
    runs = []
    for lib, sync in ((torch, record), (None, load)):
        T, nn_, F, optim, parametrize = libraries(lib)
        m = minlora(T, nn_, parametrize)
        runs.append(finetune(T, nn_, F, optim, m, sync,
                             {k: T.tensor(v) for k, v in start.items()},
                             T.tensor(X), T.tensor(y)))
    theirs, ours = runs
    assert ours[0] == theirs[0] == [f"{i}.parametrizations.weight.0.lora_{n}"
                                    for i in (0, 2) for n in "AB"]
    assert_records([numpy(r) for r in ours[1:]], [numpy(r) for r in theirs[1:]])


def advanced_usage(torch, nn, m) -> list:
    """advanced_usage.ipynb's cells (its draws only compared within one library)."""
    record = []
    lora_config = {
        nn.Embedding: {
            "weight": partial(m.LoRAParametrization.from_embedding, rank=4),
        },
        nn.Linear: {
            "weight": partial(m.LoRAParametrization.from_linear, rank=4),
        },
    }
    model = nn.Sequential(
        nn.Embedding(num_embeddings=3, embedding_dim=2),
        nn.Linear(in_features=2, out_features=3),
    )
    m.add_lora(model, lora_config=lora_config)
    record.append([type(layer).__name__ for layer in model])
    # Tying weights
    linear = nn.Linear(in_features=2, out_features=3)
    embedding = nn.Embedding(num_embeddings=3, embedding_dim=2)
    embedding.weight = linear.weight
    record.append(torch.allclose(embedding.weight, linear.weight))
    m.add_lora(linear)
    linear.apply(m.apply_to_lora(lambda x: nn.init.ones_(x.lora_B)))
    record.append(torch.allclose(embedding.weight, linear.weight))
    # `weight` is now a computed tensor, no Parameter anymore
    record.append([type(linear.weight).__name__, type(embedding.weight).__name__])
    m.add_lora(embedding, lora_config=lora_config)
    embedding.parametrizations.weight[0].lora_A = linear.parametrizations.weight[0].lora_B
    embedding.parametrizations.weight[0].lora_B = linear.parametrizations.weight[0].lora_A
    linear.apply(m.apply_to_lora(lambda x: nn.init.uniform_(x.lora_B)))
    assert torch.allclose(linear.weight, embedding.weight)
    record.append([tuple(layer.parametrizations.weight[0].lora_A.shape)
                   for layer in (embedding, linear)])
    linear.apply(m.apply_to_lora(lambda x: nn.init.uniform_(x.lora_B)))
    linear.apply(m.apply_to_lora(lambda x: nn.init.uniform_(x.lora_A)))
    record.append(torch.allclose(linear.weight, embedding.weight))
    embedding.apply(m.apply_to_lora(lambda x: nn.init.uniform_(x.lora_B)))
    embedding.apply(m.apply_to_lora(lambda x: nn.init.uniform_(x.lora_A)))
    record.append(torch.allclose(linear.weight, embedding.weight))
    # now back to our first model with lora
    m.tie_weights(model[0], model[1])
    m.apply_to_lora(lambda x: nn.init.uniform_(x.lora_B))(model[1])
    assert torch.allclose(model[0].weight, model[1].weight)
    m.merge_lora(model)
    assert torch.allclose(model[0].weight, model[1].weight)
    record.append([type(layer).__name__ for layer in model])
    return record


def test_the_advanced_usage_as_torch(torch):
    runs = []
    for lib in (torch, None):
        T, nn_, _, _, parametrize = libraries(lib)
        with T.no_grad():
            runs.append(advanced_usage(T, nn_, minlora(T, nn_, parametrize)))
    assert runs[0] == runs[1]
    assert runs[1][0] == ["ParametrizedEmbedding", "ParametrizedLinear"]


def test_lora_on_a_convolution_as_torch(torch):
    """``LoRAParametrization.from_conv2d``: B A of (out, in * k * k) viewed as the kernel."""
    from sklearn.datasets import load_digits

    images, labels = load_digits(return_X_y=True)
    x, y = images[:16].reshape(16, 1, 8, 8) / 16.0, labels[:16]
    record, load = syncs()
    runs, start = [], None
    for lib, sync in ((torch, record), (None, load)):
        T, nn_, F, optim, parametrize = libraries(lib)
        m = minlora(T, nn_, parametrize)
        T.manual_seed(0)
        model = nn_.Sequential(nn_.Conv2d(1, 3, 3), nn_.ReLU(), nn_.Flatten(),
                               nn_.Linear(3 * 6 * 6, 10))
        if start is None:
            start = {k: v.copy() for k, v in
                     {k: v.detach().numpy() for k, v in model.state_dict().items()}.items()}
        model.load_state_dict({k: T.tensor(v) for k, v in start.items()})
        m.add_lora(model, lora_config={
            nn_.Conv2d: {"weight": partial(m.LoRAParametrization.from_conv2d, rank=2)},
            nn_.Linear: {"weight": partial(m.LoRAParametrization.from_linear, rank=2)}})
        model.apply(m.apply_to_lora(lambda x: nn_.init.ones_(x.lora_B)))
        sync(m, model)
        optimizer = optim.SGD(m.get_lora_params(model), lr=0.1)
        run = []
        for _ in range(2):
            loss = F.cross_entropy(model(T.tensor(x)), T.tensor(y))
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            run.append(loss.item())
        m.merge_lora(model)
        runs.append(run + [numpy(v) for v in model.state_dict().values()])
    assert_records(runs[1], runs[0])
