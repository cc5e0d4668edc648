"""Discrete training: the papers' algorithms on NumPy or CuPy, the third witness of the flows.

``train(Network(widths), algorithm, data, epochs, batch_size)`` runs any of
:data:`ALGORITHMS` on a fully connected network and returns a :class:`History`
of per-epoch metrics. Everything is written once against an array module
(:func:`get_backend`).
"""

from .algorithms import (ALGORITHMS, AlgorithmError, GradientDescent, MinnormClassification, MinnormRegression,
                         WeightDecay, get_algorithm)
from .backend import Backend, BackendError, get_backend
from .history import History
from .loop import TrainingError, train, trajectory
from .losses import LOSSES, get_loss
from .network import Network, NetworkError
from .parametrisation import Identity, NormDirection, ParametrisationError, PrescribedNorm

__all__ = ["ALGORITHMS", "AlgorithmError", "Backend", "BackendError", "GradientDescent", "History", "Identity",
           "LOSSES", "MinnormClassification", "MinnormRegression", "Network", "NetworkError", "NormDirection",
           "ParametrisationError", "PrescribedNorm", "TrainingError", "WeightDecay", "get_algorithm", "get_backend",
           "get_loss", "train", "trajectory"]
