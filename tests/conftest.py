"""Test-session setup: one BLAS thread per xdist worker.

With ``-n 2`` on two cores, each worker's BLAS would otherwise start a thread
per core, and the oversubscribed, spin-waiting threads slow the matrix-heavy
tests (the MNIST study) several-fold.
"""

import os

if os.environ.get("PYTEST_XDIST_WORKER"):
    import numpy.linalg  # noqa: F401  (load the BLAS first: threadpoolctl limits only loaded libraries)
    import scipy.linalg  # noqa: F401
    from threadpoolctl import threadpool_limits

    threadpool_limits(1)
