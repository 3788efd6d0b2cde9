"""The path of ``torch.distributions.studentT``, for
``from autograd.distributions.studentT import StudentT``
(the class lives in ``student_t.py``)."""

from .student_t import StudentT

__all__ = ["StudentT"]
