"""Races between threads (session 38): taking the write clock's number and storing it were
two steps, so a thread paused between them stored an older number after a newer one and a
backward skipped the in-place check (1 in 40,000); tidying a base's list of views dropped a
view another thread was appending (its values then went stale after a write)."""
import sys
import threading

import numpy as np

import autograd as ag
from autograd.clock import INPLACE, last_write, record_write


def _in_threads(work, n_threads=4):
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # switch threads as often as possible
    try:
        threads = [threading.Thread(target=work, args=(k,)) for k in range(n_threads)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    finally:
        sys.setswitchinterval(interval)


def test_the_write_clock_never_goes_back():
    arrays = [np.zeros(3) for _ in range(4)]
    went_back = []

    def work(k):
        for _ in range(5000):
            before = INPLACE.last
            record_write(arrays[k % 2])
            after = INPLACE.last
            if after < before or last_write(arrays[k % 2]) < before:
                went_back.append((before, after))

    _in_threads(work)
    assert went_back == []
    assert INPLACE.last == max(last_write(a) for a in arrays[:2])


def test_views_taken_by_threads_all_follow_a_write_into_their_base():
    for _ in range(20):
        x = ag.tensor(np.arange(40.0), requires_grad=True)
        y = x * 1.0  # a base the threads share
        kept = [[] for _ in range(6)]

        def work(k):
            for i in range(300):
                j = (k * 7 + i) % 40
                view = y[j]  # listed on y; most die at once, so the list tidies itself
                if i % 3 == 0:
                    kept[k].append((j, view))

        _in_threads(work, n_threads=6)
        y.mul_(2)
        stale = [(j, v.item()) for views in kept for j, v in views if v.item() != 2 * j]
        assert stale == []
        j, view = kept[0][0]
        view.backward()
        assert x.grad.data[j] == 2.0
