"""Losses of the network outputs, per example, with their gradients with respect to the outputs.

Each loss maps outputs ``f`` (P, n_out) and labels ``y`` to per-example
values ``l_mu`` (P,) and to ``dl_mu/df_mu`` (P, n_out); algorithms sum or
average them. Labels are in the data set's form: class indices (P,) for
classification, targets (P, n_out) for regression. The margin losses (binary
cross-entropy, exponential) use sign targets ``y_i = +-1``: one output for two
classes, one-vs-all over ``n_out`` outputs otherwise (Minnorm App. A).
All are stable for any finite outputs: no overflow at large margins of either sign
except the exponential loss itself, whose value at a large negative margin is
genuinely huge.
"""

from dataclasses import dataclass
from typing import Callable


def is_classification(y):
    """Class indices (integer, one-dimensional) rather than regression targets."""
    return y.ndim == 1 and y.dtype.kind in "iu"


def sign_targets(xp, y, n_out, dtype):
    """``+-1`` targets (P, n_out) from class indices: ``2y - 1`` for one output, one-vs-all otherwise."""
    if n_out == 1:
        return (2 * y - 1).astype(dtype)[:, None]
    return (2 * one_hot(xp, y, n_out, dtype) - 1).astype(dtype)


def one_hot(xp, y, n_out, dtype):
    """Rows of the identity (P, n_out) picked by class indices ``y``."""
    return (y[:, None] == xp.arange(n_out)[None, :]).astype(dtype)


def regression_targets(xp, f, y):
    """Targets shaped like ``f``, in its dtype: as given, or sign targets from class indices.

    The dtype matters: float64 targets would otherwise turn a float32 run's
    gradients, and the matrix products behind them, into float64.
    """
    if is_classification(y):
        return sign_targets(xp, y, f.shape[1], f.dtype)
    return y.reshape(f.shape).astype(f.dtype, copy=False)


def _squared_value(xp, f, y):
    return 0.5 * ((f - regression_targets(xp, f, y)) ** 2).sum(axis=1)


def _squared_gradient(xp, f, y):
    return f - regression_targets(xp, f, y)


def _log_sigmoid_negative(xp, m):
    """``log(1 + exp(-m))`` without overflow."""
    return xp.logaddexp(0, -m)


def _sigmoid_negative(xp, m):
    """``1/(1 + exp(m))`` without overflow."""
    return 0.5 * (1 - xp.tanh(0.5 * m))


def _bce_value(xp, f, y):
    return _log_sigmoid_negative(xp, sign_targets(xp, y, f.shape[1], f.dtype) * f).sum(axis=1)


def _bce_gradient(xp, f, y):
    s = sign_targets(xp, y, f.shape[1], f.dtype)
    return -s * _sigmoid_negative(xp, s * f)


def _log_sum_exp(xp, f):
    top = f.max(axis=1, keepdims=True)
    return (top + xp.log(xp.exp(f - top).sum(axis=1, keepdims=True)))[:, 0]


def _softmax_value(xp, f, y):
    return _log_sum_exp(xp, f) - (f * one_hot(xp, y, f.shape[1], f.dtype)).sum(axis=1)


def _softmax_gradient(xp, f, y):
    p = xp.exp(f - f.max(axis=1, keepdims=True))
    p /= p.sum(axis=1, keepdims=True)
    p -= one_hot(xp, y, f.shape[1], f.dtype)
    return p


def _hinge_value(xp, f, y):
    return xp.maximum(1 - sign_targets(xp, y, f.shape[1], f.dtype) * f, 0).sum(axis=1)


def _hinge_gradient(xp, f, y):
    s = sign_targets(xp, y, f.shape[1], f.dtype)
    return -s * (s * f < 1)


def _exponential_value(xp, f, y):
    return xp.exp(-sign_targets(xp, y, f.shape[1], f.dtype) * f).sum(axis=1)


def _exponential_gradient(xp, f, y):
    s = sign_targets(xp, y, f.shape[1], f.dtype)
    return -s * xp.exp(-s * f)


@dataclass(frozen=True)
class Loss:
    """A per-example loss ``value(xp, f, y) -> (P,)`` and its output gradient ``gradient(xp, f, y) -> (P, n_out)``."""

    name: str
    formula: str
    value: Callable
    gradient: Callable
    classification: bool


LOSSES = {
    "squared": Loss("squared", "l = |f - y|^2 / 2", _squared_value, _squared_gradient, False),
    "bce": Loss("bce", "l = sum_i log(1 + exp(-y_i f_i)), y_i = +-1", _bce_value, _bce_gradient, True),
    "softmax_ce": Loss("softmax_ce", "l = log sum_j exp(f_j) - f_y", _softmax_value, _softmax_gradient, True),
    "exponential": Loss("exponential", "l = sum_i exp(-y_i f_i), y_i = +-1", _exponential_value,
                        _exponential_gradient, True),
    "hinge": Loss("hinge", "l = sum_i max(0, 1 - y_i f_i), y_i = +-1 (Minnorm eq. 58)", _hinge_value,
                  _hinge_gradient, True),
}


class LossError(ValueError):
    """An unknown loss (a user error)."""


def get_loss(name):
    """The loss called ``name`` (a :class:`Loss` passes through)."""
    if isinstance(name, Loss):
        return name
    if name not in LOSSES:
        raise LossError(f"unknown loss {name!r}; choose from {', '.join(LOSSES)}")
    return LOSSES[name]


def classification_error(xp, f, y):
    """Fraction of examples misclassified: sign of the one output, or the arg-max of several."""
    if f.shape[1] == 1:
        return float(((f[:, 0] > 0) != (y == 1)).mean())
    return float((f.argmax(axis=1) != y).mean())
