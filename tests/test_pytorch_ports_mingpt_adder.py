"""minGPT's ``projects/adder/adder.py``: ``AdditionDataset`` (every n-digit sum split by
``torch.randperm(num, generator=rng)`` of a seeded ``torch.Generator``, the sum's digits
reversed, ``y[:ndigit*2-1] = -1`` masking the loss through ``ignore_index=-1``),
``eval_split`` (greedy ``model.generate``, ``d3.flip(1)``, digits weighted by
``factors``, ``int(correct[i])``, ``%d`` and ``%.2f%%`` of 0-d tensors) and the training
callback, around the ``GPT`` and ``Trainer`` of ``test_pytorch_ports_mingpt.py``; next to
PyTorch from the same weights, on the same samples: losses, gradients, parameters and
everything printed agree.

Written differently here: the two libraries' generators differ, so ours' datasets take
PyTorch's permutation (``ixes``) once built, and PyTorch's ``RandomSampler`` replays
the indices ours drew; ``model.generate(..., do_sample=False)`` is the current
minGPT's spelling of the older ``sample(model, ...)``.
"""

import types

import numpy as np
import pytest

import autograd as ag
import nn
from test_pytorch_ports_gpt_lecture import assert_records, step_records, to_numpy
from test_pytorch_ports_mingpt import libraries, mingpt


def adder(torch, data, m):
    """adder.py's AdditionDataset."""

    class AdditionDataset(data.Dataset):
        """n-digit addition problems: "8550531" is 85 + 50 = 135, the sum reversed."""

        @staticmethod
        def get_default_config():
            C = m.CN()
            C.ndigit = 2
            return C

        def __init__(self, config, split):
            self.config = config
            self.split = split  # train/test

            # split up all addition problems into either training data or test data
            ndigit = self.config.ndigit
            assert ndigit <= 3, "the lines below would be very memory inefficient"
            num = (10**ndigit)**2  # total number of possible addition problems
            rng = torch.Generator()
            rng.manual_seed(1337)
            perm = torch.randperm(num, generator=rng)
            num_test = min(int(num * 0.2), 500)  # 20% of the whole dataset, or up to 500
            self.ixes = perm[:num_test] if split == 'test' else perm[num_test:]

        def get_vocab_size(self):
            return 10  # digits 0..9

        def get_block_size(self):
            # a,b,a+b, and +1 due to potential carry overflow, but then also -1 because
            # very last digit doesn't ever plug back (no explicit <EOS> token)
            return 3 * self.config.ndigit + 1 - 1

        def __len__(self):
            return self.ixes.nelement()

        def __getitem__(self, idx):
            ndigit = self.config.ndigit
            # given a problem index idx, first recover the associated a + b
            idx = self.ixes[idx].item()
            nd = 10**ndigit
            a = idx // nd
            b = idx % nd
            # calculate the "label" of the addition problem a + b
            c = a + b
            # encode the digits of a, b, c into strings
            astr = f'%0{ndigit}d' % a
            bstr = f'%0{ndigit}d' % b
            cstr = (f'%0{ndigit+1}d' % c)[::-1]  # reverse c to make addition easier
            render = astr + bstr + cstr
            dix = [int(s) for s in render]  # convert each character to its token index
            # x will be input to GPT and y will be the associated expected outputs
            x = torch.tensor(dix[:-1], dtype=torch.long)
            y = torch.tensor(dix[1:], dtype=torch.long)  # predict the next token
            y[:ndigit * 2 - 1] = -1  # we will only train in the output locations
            return x, y

    return AdditionDataset


def run_adder(torch, data, m, config, model, train_dataset, test_dataset):
    """adder.py's main after the model: eval_split, the callback and trainer.run()."""
    record = []
    trainer = m.Trainer(config.trainer, model, train_dataset)

    def eval_split(trainer, split, max_batches=None):
        dataset = {'train': train_dataset, 'test': test_dataset}[split]
        ndigit = config.data.ndigit
        results = []
        mistakes_printed_already = 0
        factors = torch.tensor([[10**i for i in range(ndigit + 1)][::-1]]).to(trainer.device)
        loader = data.DataLoader(dataset, batch_size=100, num_workers=0, drop_last=False)
        for b, (x, y) in enumerate(loader):
            x = x.to(trainer.device)
            # isolate the first two digits of the input sequence alone
            d1d2 = x[:, :ndigit * 2]
            # let the model sample the rest of the sequence, greedily
            d1d2d3 = model.generate(d1d2, ndigit + 1, do_sample=False)
            # isolate the last digit of the sampled sequence
            d3 = d1d2d3[:, -(ndigit + 1):]
            d3 = d3.flip(1)  # reverse the digits to their "normal" order
            # decode the integers from individual digits
            d1i = (d1d2[:, :ndigit] * factors[:, 1:]).sum(1)
            d2i = (d1d2[:, ndigit:ndigit * 2] * factors[:, 1:]).sum(1)
            d3i_pred = (d3 * factors).sum(1)
            d3i_gt = d1i + d2i  # manually calculate the ground truth
            # evaluate the correctness of the results in this batch
            correct = (d3i_pred == d3i_gt).cpu()
            for i in range(x.size(0)):
                results.append(int(correct[i]))
                if not correct[i] and mistakes_printed_already < 5:  # print up to 5 mistakes
                    mistakes_printed_already += 1
                    print("GPT claims that %d + %d = %d but gt is %d" % (
                        d1i[i], d2i[i], d3i_pred[i], d3i_gt[i]))
            if max_batches is not None and b + 1 >= max_batches:
                break
        rt = torch.tensor(results, dtype=torch.float)
        print("%s final score: %d/%d = %.2f%% correct" % (split, rt.sum(), len(results),
                                                         100 * rt.mean()))
        return rt.sum()

    def batch_end_callback(trainer):
        record.extend(step_records(model, trainer.loss))
        if trainer.iter_num % 3 == 0:
            print(f"iter {trainer.iter_num}: train loss {trainer.loss.item():.5f}")
            model.eval()
            with torch.no_grad():
                train_score = eval_split(trainer, 'train', max_batches=1)
                test_score = eval_split(trainer, 'test', max_batches=None)
            score = train_score + test_score
            record.append(score.item())
            model.train()

    trainer.set_callback('on_batch_end', batch_end_callback)
    trainer.run()
    return record + [p.detach().numpy() for p in model.parameters()]


def setup(torch, m, AdditionDataset, ixes=None):
    """adder.py's get_config and main up to the model, at a test's sizes."""
    C = m.CN()
    C.system = m.CN()
    C.system.seed = 1337
    C.data = AdditionDataset.get_default_config()
    C.model = m.GPT.get_default_config()
    C.model.merge_from_dict(dict(model_type=None, n_layer=1, n_head=2, n_embd=16,
                                 embd_pdrop=0.0, resid_pdrop=0.0, attn_pdrop=0.0))
    C.trainer = m.Trainer.get_default_config()
    C.trainer.learning_rate = 5e-4
    C.trainer.merge_from_dict(dict(batch_size=8, max_iters=4, num_workers=0))
    m.set_seed(C.system.seed)
    train_dataset = AdditionDataset(C.data, split='train')
    test_dataset = AdditionDataset(C.data, split='test')
    if ixes is not None:  # the test's: PyTorch's permutation
        train_dataset.ixes, test_dataset.ixes = (torch.tensor(i) for i in ixes)
    C.model.vocab_size = train_dataset.get_vocab_size()
    C.model.block_size = train_dataset.get_block_size()
    return C, m.GPT(C.model), train_dataset, test_dataset


def recording(seen: list):
    """Our ``data`` namespace, whose ``RandomSampler`` notes the indices it gives."""

    class RecordedSampler(nn.data.RandomSampler):
        def __iter__(self):
            for index in super().__iter__():
                seen.append(index)
                yield index

    return types.SimpleNamespace(DataLoader=nn.data.DataLoader, Dataset=nn.data.Dataset,
                                 RandomSampler=RecordedSampler)


@pytest.mark.filterwarnings("ignore:'pin_memory' argument")  # PyTorch's, without a GPU
def test_adder_trains_and_scores_as_torch(torch, capsys):
    seen = []
    their_m = mingpt(*libraries(torch, replay=seen))
    their_data = libraries(torch, replay=seen)[4]
    theirs_setup = setup(torch, their_m, adder(torch, their_data, their_m))
    ours_data = recording(seen)
    ours_m = mingpt(*libraries()[:4], ours_data)
    ours_setup = setup(ag, ours_m, adder(ag, ours_data, ours_m),
                       ixes=[d.ixes.numpy() for d in theirs_setup[2:]])
    assert len(ours_setup[2]) == 9500 and len(ours_setup[3]) == 500
    x, y = ours_setup[3][0]
    assert x.shape == y.shape == (6,) and (y[:3] == -1).all() and x.dtype == np.int64
    ours_setup[1].load_state_dict(to_numpy(theirs_setup[1].state_dict()))
    capsys.readouterr()
    got = run_adder(ag, ours_data, ours_m, *ours_setup)
    printed = capsys.readouterr().out
    assert len(seen) == 4 * 8  # the trainer's draws, which PyTorch's sampler replays
    want = run_adder(torch, their_data, their_m, *theirs_setup)
    assert printed == capsys.readouterr().out
    assert "test final score: " in printed and "GPT claims that" in printed
    assert_records(got, want)
