"""minGPT's ``projects/chargpt/chargpt.py`` (``get_config``, ``main``, the batch-end
callback printing the loss and sampling a completion) around the ``GPT``, ``Trainer`` and
``CharDataset`` of ``test_pytorch_ports_mingpt.py``, next to PyTorch: both start from the
same weights and PyTorch's ``RandomSampler`` replays the indices ours drew, so losses,
gradients, parameters and what the callback prints agree (float64, dropout 0).
What is written differently is listed in ``test_pytorch_ports_mingpt.py``.
"""

import pytest

import autograd as ag
from test_pytorch_ports_gpt_lecture import TEXT, assert_records, step_records, to_numpy
from test_pytorch_ports_mingpt import libraries, mingpt


def chargpt_model(torch, m, seen: list):
    """chargpt.py's get_config and main up to the model, at a test's sizes."""
    C = m.CN()
    C.system = m.CN()
    C.system.seed = 3407
    C.data = m.CharDataset.get_default_config()
    C.data.block_size = 8
    C.model = m.GPT.get_default_config()
    C.model.model_type = None
    C.model.merge_from_dict(dict(n_layer=2, n_head=2, n_embd=16, embd_pdrop=0.0,
                                 resid_pdrop=0.0, attn_pdrop=0.0))
    C.trainer = m.Trainer.get_default_config()
    C.trainer.learning_rate = 5e-4  # the model we're using is so small we can go faster
    C.trainer.merge_from_dict(dict(batch_size=4, max_iters=4, num_workers=0))
    print(C)
    m.set_seed(C.system.seed)

    class RecordedDataset(m.CharDataset):  # the test's: which samples the loader reads
        def __getitem__(self, idx):
            seen.append(idx)
            return super().__getitem__(idx)

    train_dataset = RecordedDataset(C.data, TEXT)
    C.model.vocab_size = train_dataset.get_vocab_size()
    C.model.block_size = train_dataset.get_block_size()
    return C, train_dataset, m.GPT(C.model)


def chargpt_train(torch, C, train_dataset, model, trainer_class) -> list:
    record = []
    trainer = trainer_class(C.trainer, model, train_dataset)

    def batch_end_callback(trainer):
        if trainer.iter_num % 2 == 0:
            print(f"iter {trainer.iter_num}: train loss {trainer.loss.item():.5f}")
        if trainer.iter_num % 3 == 0:
            model.eval()
            with torch.no_grad():
                context = "First"
                x = torch.tensor([train_dataset.stoi[s] for s in context],
                                 dtype=torch.long)[None, ...].to(trainer.device)
                y = model.generate(x, 12, temperature=1.0, do_sample=True, top_k=1)[0]
                completion = ''.join([train_dataset.itos[int(i)] for i in y])
                print(completion)
            model.train()
        record.extend(step_records(model, trainer.loss))

    trainer.set_callback('on_batch_end', batch_end_callback)
    trainer.run()
    groups = trainer.optimizer.param_groups
    return record + [[len(g['params']) for g in groups], [g['weight_decay'] for g in groups]]


@pytest.mark.filterwarnings("ignore:'pin_memory' argument")  # PyTorch's, without a GPU
def test_chargpt_trains_as_torch(torch, capsys):
    seen = []
    ours_m = mingpt(*libraries())
    config, dataset, ours = chargpt_model(ag, ours_m, seen)
    their_m = mingpt(*libraries(torch, replay=seen))
    their_config, their_dataset, theirs = chargpt_model(torch, their_m, [])
    ours.load_state_dict(to_numpy(theirs.state_dict()))
    assert ours.transformer.h[0].attn.bias.shape == (1, 1, 8, 8)
    assert set(ours.state_dict()) == set(theirs.state_dict())
    assert str(config) == str(their_config) and config.to_dict()['model']['n_embd'] == 16
    setup = capsys.readouterr().out
    assert setup.count("number of parameters: 0.01M") == 2
    del seen[:]
    got = chargpt_train(ag, config, dataset, ours, ours_m.Trainer)
    out = capsys.readouterr().out
    assert len(seen) == 4 * 4 and len(set(seen)) > 4  # random samples, 4 batches of 4
    want = chargpt_train(torch, their_config, their_dataset, theirs, their_m.Trainer)
    assert out == capsys.readouterr().out
    assert "running on device cpu" in out and "iter 2: train loss" in out
    assert_records(got + [p.detach().numpy() for p in ours.parameters()],
                   want + [p.detach().numpy() for p in theirs.parameters()])
