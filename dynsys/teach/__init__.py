"""Teaching tools: phase portraits of any model (``portrait``) and an interactive explorer (``explore``)."""

from .portrait import Portrait, phase_portrait

__all__ = ["Portrait", "phase_portrait"]
