"""Symbolic models: state, parameters, objective -> derived vector field, with
reductions that prove themselves and the analysis of fixed points, stability
and invariants."""

from . import analysis
from .errors import ModelError
from .groups import Ascent, Descent
from .model import Model
from .proof import Proof
from .symbols import t

__all__ = ["Ascent", "Descent", "Model", "ModelError", "Proof", "analysis", "t"]
