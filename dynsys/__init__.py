"""dynsys: derive, simulate and verify the continuous-time dynamics of training.

The pipeline (see DESIGN.md): ``symbolic`` derives a vector field from an
objective, ``codegen`` compiles it to numba, ``integrate`` solves it, and
``models`` holds the seeds' systems.
"""

__version__ = "0.1.0"
