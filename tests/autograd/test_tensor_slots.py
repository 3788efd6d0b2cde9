"""A Tensor carries no per-instance ``__dict__``: every class it is assembled from declares
``__slots__``. One mixin without them gives every tensor a dictionary (more memory per
graph node, against the 600 bytes/node target of the deep-chain benchmark), which is how
a new method set can regress it without any test of its own failing."""

import autograd as ag


def test_every_class_tensor_is_assembled_from_declares_slots():
    missing = [cls.__qualname__ for cls in ag.Tensor.__mro__
               if cls is not object and "__slots__" not in vars(cls)]
    assert missing == []


def test_a_tensor_has_no_instance_dictionary():
    x = ag.tensor([1.0, 2.0], requires_grad=True)
    for t in (x, x * 2, (x * 2).sum()):
        assert not hasattr(t, "__dict__")


def test_a_tensor_takes_weak_references_as_pytorch(torch):
    """PyTorch's tensors can be weakly referenced (hooks and caches that must not keep a
    tensor alive); the slots keep ``__weakref__`` for that."""
    import gc
    import weakref

    for lib in (torch, ag):
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        h = (x * 2).tanh()
        ref = weakref.ref(h)
        assert ref() is h
        del h
        gc.collect()
        assert ref() is None
