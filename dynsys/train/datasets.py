"""Data sets of the discrete training engine.

Everything here is local: MNIST's official test set (t10k) ships with the
package, the small scikit-learn sets are the ones bundled with scikit-learn,
and the synthetic sets are drawn from a seed. Nothing is ever fetched from
the network.

A :class:`Dataset` holds inputs ``X`` of shape (P, n_in) and either integer
class labels ``y`` of shape (P,) (classification, ``n_classes >= 2``) or
float targets of shape (P, n_out) (regression, ``n_classes is None``).
"""

from __future__ import annotations

import functools
import gzip
import hashlib
import numbers
import os
import struct
import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

MNIST_DIR = Path(__file__).parent / "data" / "mnist"
MNIST_IMAGES = "t10k-images-idx3-ubyte.gz"
MNIST_LABELS = "t10k-labels-idx1-ubyte.gz"
MNIST_SHA256 = {
    MNIST_IMAGES: "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6",
    MNIST_LABELS: "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6",
}

# idx type code -> big-endian element type
IDX_TYPES = {
    0x08: np.dtype(">u1"),
    0x09: np.dtype(">i1"),
    0x0B: np.dtype(">i2"),
    0x0C: np.dtype(">i4"),
    0x0D: np.dtype(">f4"),
    0x0E: np.dtype(">f8"),
}

# unit normal of the line through the origin that separates ``separable_2d``'s classes
SEPARABLE_NORMAL = np.array([0.6, 0.8])


class DataError(ValueError):
    """A data set that cannot be read, is malformed, or is asked for wrongly."""


# ---------------------------------------------------------------- containers


@dataclass(frozen=True, eq=False)
class Dataset:
    """Inputs and targets of one data set.

    Parameters
    ----------
    X : numpy.ndarray
        Inputs, float, shape (P, n_in).
    y : numpy.ndarray
        Class labels in ``0 .. n_classes - 1``, shape (P,), stored as int64
        (classification), or float targets of shape (P, n_out) (regression).
    n_classes : int or None
        Number of classes (at least 2), or None for regression.
    name : str
        A short name, used in messages and reports.

    Raises
    ------
    DataError
        If the shapes, dtypes or labels do not fit together.
    """

    X: np.ndarray
    y: np.ndarray
    n_classes: int | None
    name: str

    def __post_init__(self):
        X, y = np.asarray(self.X), np.asarray(self.y)
        if X.ndim != 2 or X.dtype.kind != "f":
            raise DataError(f"{self.name}: X must be a 2-D float array, got {X.ndim}-D {X.dtype}")
        if self.n_classes is None:
            if y.ndim != 2 or y.dtype.kind != "f":
                raise DataError(f"{self.name}: regression targets y must be a 2-D float array, "
                                f"got {y.ndim}-D {y.dtype}")
        else:
            if (isinstance(self.n_classes, bool) or not isinstance(self.n_classes, numbers.Integral)
                    or self.n_classes < 2):
                raise DataError(f"{self.name}: n_classes must be an integer >= 2 or None, got {self.n_classes!r}")
            if y.ndim != 1 or y.dtype.kind not in "iu":
                raise DataError(f"{self.name}: class labels y must be a 1-D integer array, got {y.ndim}-D {y.dtype}")
            y = y.astype(np.int64, copy=False)
            if y.size and (y.min() < 0 or y.max() >= self.n_classes):
                raise DataError(f"{self.name}: labels must lie in 0..{self.n_classes - 1}, got {y.min()}..{y.max()}")
        if len(y) != len(X):
            raise DataError(f"{self.name}: X has {len(X)} examples but y has {len(y)}")
        object.__setattr__(self, "X", X)
        object.__setattr__(self, "y", y)

    @property
    def n_examples(self) -> int:
        """Number of examples P."""
        return self.X.shape[0]

    @property
    def n_inputs(self) -> int:
        """Number of input features."""
        return self.X.shape[1]

    @property
    def n_outputs(self) -> int:
        """Network outputs: ``n_classes`` (> 2 classes), 1 (binary), or ``y.shape[1]`` (regression)."""
        if self.n_classes is None:
            return self.y.shape[1]
        return self.n_classes if self.n_classes > 2 else 1

    def subset(self, index, name: str | None = None) -> Dataset:
        """The examples picked by ``index`` (integer array, boolean mask or slice).

        Parameters
        ----------
        index : array_like or slice
            Which examples to keep, indexing the first axis.
        name : str, optional
            Name of the result; by default this data set's name.

        Returns
        -------
        Dataset
        """
        return Dataset(self.X[index], self.y[index], self.n_classes, self.name if name is None else name)


@dataclass(frozen=True, eq=False)
class Split:
    """A data set cut into disjoint training, validation and test parts."""

    train: Dataset
    validation: Dataset
    test: Dataset


# ---------------------------------------------------------------- idx files


def _read_bytes(path: Path) -> bytes:
    """The file's bytes, decompressed if its name ends in ``.gz``."""
    try:
        if path.name.endswith(".gz"):
            with gzip.open(path, "rb") as f:
                return f.read()
        return path.read_bytes()
    except FileNotFoundError:
        raise DataError(f"{path}: no such file") from None
    except (OSError, EOFError, zlib.error) as exc:
        raise DataError(f"{path}: cannot read ({exc})") from None


def read_idx(path) -> np.ndarray:
    """Read an array from a file in the idx format (MNIST's).

    The format: two zero bytes, a type code byte (0x08 ubyte, 0x09 byte,
    0x0B short, 0x0C int, 0x0D float, 0x0E double, all big-endian), a byte
    with the number of dimensions, one big-endian uint32 size per dimension,
    then the data in C order. A name ending in ``.gz`` is read through gzip.

    Parameters
    ----------
    path : str or pathlib.Path

    Returns
    -------
    numpy.ndarray
        The array, in native byte order, of the shape the header gives.

    Raises
    ------
    DataError
        If the file is missing, unreadable or malformed (bad magic, unknown
        type code, a header or data of the wrong length, truncated gzip).
    """
    path = Path(path)
    data = _read_bytes(path)
    if len(data) < 4:
        raise DataError(f"{path}: {len(data)} bytes, too short for an idx header")
    if data[:2] != b"\0\0":
        raise DataError(f"{path}: bad magic {data[:2].hex()}, not an idx file")
    code, ndim = data[2], data[3]
    if code not in IDX_TYPES:
        raise DataError(f"{path}: unknown idx type code 0x{code:02X}")
    start = 4 + 4 * ndim
    if len(data) < start:
        raise DataError(f"{path}: header truncated ({ndim} dimensions need {start} bytes, file has {len(data)})")
    shape = struct.unpack(f">{ndim}I", data[4:start])
    dtype = IDX_TYPES[code]
    need = int(np.prod(shape, dtype=object)) * dtype.itemsize
    if len(data) - start != need:
        raise DataError(f"{path}: {len(data) - start} data bytes, shape {shape} of {dtype.name} needs {need}")
    return np.frombuffer(data, dtype, offset=start).reshape(shape).astype(dtype.newbyteorder("="))


# ---------------------------------------------------------------- MNIST


def sha256(path) -> str:
    """Hex SHA-256 digest of a file's bytes."""
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def _verify(path: Path) -> None:
    """Raise DataError unless ``path`` has the SHA-256 recorded in MNIST_SHA256."""
    if not path.is_file():
        raise DataError(f"{path}: no such file")
    expected, got = MNIST_SHA256[path.name], sha256(path)
    if got != expected:
        raise DataError(f"{path}: checksum mismatch (corrupted or altered file): sha256 {got}, expected {expected}")


@functools.lru_cache(maxsize=4)
def _mnist_arrays(directory: str) -> tuple[np.ndarray, np.ndarray]:
    """Verified, decoded, read-only (X, y) of the MNIST test set in ``directory``."""
    images, labels = Path(directory) / MNIST_IMAGES, Path(directory) / MNIST_LABELS
    _verify(images)
    _verify(labels)
    raw = read_idx(images)
    X = raw.reshape(len(raw), -1).astype(np.float32)
    X /= 255
    y = read_idx(labels).astype(np.int64)
    X.flags.writeable = False
    y.flags.writeable = False
    return X, y


def mnist_directory(directory=None) -> str:
    """The folder MNIST is read from: ``directory``, else ``$DYNSYS_MNIST_DIR``, else the shipped copy."""
    if directory is None:
        directory = os.environ.get("DYNSYS_MNIST_DIR") or MNIST_DIR
    return str(Path(directory).resolve())


def load_mnist(directory=None) -> Dataset:
    """MNIST's official test set (t10k): 10000 images of 28 x 28 pixels, 10 classes.

    The two idx files are checked against their recorded SHA-256 before they
    are read. Decoded arrays are cached per directory for the process; they
    are read-only, so no caller can alter the cache.

    Parameters
    ----------
    directory : str or pathlib.Path, optional
        Folder holding ``t10k-images-idx3-ubyte.gz`` and
        ``t10k-labels-idx1-ubyte.gz``; by default ``$DYNSYS_MNIST_DIR`` if set,
        else the copy shipped with dynsys.

    Returns
    -------
    Dataset
        X float32 (10000, 784) in [0, 1], y int64 (10000,), name "mnist-t10k".

    Raises
    ------
    DataError
        If a file is missing or its checksum does not match.
    """
    X, y = _mnist_arrays(mnist_directory(directory))
    return Dataset(X, y, 10, "mnist-t10k")


# ---------------------------------------------------------------- splits


def _sizes(sizes, n_examples: int, name: str) -> tuple[int, int, int]:
    """Check split sizes: three non-negative integers with sum <= n_examples."""
    sizes = tuple(sizes)
    if len(sizes) != 3 or not all(isinstance(s, numbers.Integral) and not isinstance(s, bool) and s >= 0
                                  for s in sizes):
        raise DataError(f"split sizes must be three non-negative integers (train, validation, test), got {sizes!r}")
    if sum(sizes) > n_examples:
        raise DataError(f"split sizes {sizes} sum to {sum(sizes)}, more than the {n_examples} examples of {name}")
    return tuple(int(s) for s in sizes)


def _stratified_counts(class_counts: np.ndarray, part_sizes: np.ndarray) -> np.ndarray:
    """Examples of each class in each part: the floor or the ceiling of its proportional share.

    The share of class c in part k is ``n_c s_k / P``; the counts returned
    have row sums ``n_c`` and column sums ``s_k`` (``part_sizes`` sum to P).
    Which shares are rounded up is a maximum flow (such a rounding always
    exists; the flow's integrality finds one).
    """
    from scipy.sparse import csr_matrix
    from scipy.sparse.csgraph import maximum_flow

    n_c, s_k = class_counts[:, None], part_sizes[None, :]
    total = max(int(part_sizes.sum()), 1)
    counts, fractional = np.divmod(n_c * s_k, total)
    row_need = class_counts - counts.sum(axis=1)  # ceilings each class still needs
    col_need = part_sizes - counts.sum(axis=0)
    C, K = counts.shape
    # nodes: 0 source, 1..C classes, C+1..C+K parts, C+K+1 sink
    edges = [(0, 1 + c, row_need[c]) for c in range(C)]
    edges += [(1 + c, 1 + C + k, 1) for c, k in zip(*np.nonzero(fractional))]
    edges += [(1 + C + k, C + K + 1, col_need[k]) for k in range(K)]
    rows, cols, caps = zip(*edges)
    n = C + K + 2
    graph = csr_matrix((np.array(caps, dtype=np.int32), (rows, cols)), shape=(n, n))
    result = maximum_flow(graph, 0, n - 1)
    if result.flow_value != row_need.sum():  # impossible by the rounding theorem
        raise RuntimeError("stratified split: no rounding of the class shares found")
    up = result.flow.toarray()[1 : 1 + C, 1 + C : 1 + C + K] > 0
    return counts + up


def split(dataset: Dataset, sizes, seed: int = 0) -> Split:
    """Cut a data set into disjoint training, validation and test parts.

    Parameters
    ----------
    dataset : Dataset
    sizes : sequence of 3 int
        Examples in the training, validation and test parts; their sum may be
        less than the data set's size (the rest is left out).
    seed : int
        Seed of ``numpy.random.default_rng``: the same seed gives the same parts.

    Returns
    -------
    Split
        For classification the split is stratified: each part holds, of each
        class, the floor or the ceiling of its proportional share
        ``n_class * size / P``. Examples are in random order in each part.

    Raises
    ------
    DataError
        If the sizes are not three non-negative integers summing to at most P.
    """
    sizes = _sizes(sizes, dataset.n_examples, dataset.name)
    rng = np.random.default_rng(seed)
    P = dataset.n_examples
    if dataset.n_classes is None:
        order = rng.permutation(P)
        ends = np.cumsum(sizes)
        parts = [order[end - s : end] for s, end in zip(sizes, ends)]
    else:
        part_sizes = np.array([*sizes, P - sum(sizes)])
        class_counts = np.bincount(dataset.y, minlength=dataset.n_classes)
        counts = _stratified_counts(class_counts, part_sizes)
        pieces = [[] for _ in sizes]
        for c in range(dataset.n_classes):
            members = rng.permutation(np.flatnonzero(dataset.y == c))
            ends = np.cumsum(counts[c])
            for k in range(len(sizes)):
                pieces[k].append(members[ends[k] - counts[c, k] : ends[k]])
        parts = [rng.permutation(np.concatenate(p)) for p in pieces]
    names = ("train", "validation", "test")
    return Split(*(dataset.subset(idx, f"{dataset.name}/{n}") for idx, n in zip(parts, names)))


def mnist_split(seed: int = 0, sizes=(6000, 2000, 2000)) -> Split:
    """MNIST t10k split (stratified) into training, validation and test parts; see :func:`split`."""
    return split(load_mnist(), sizes, seed)


# ---------------------------------------------------------------- scikit-learn's bundled sets


def load_digits() -> Dataset:
    """scikit-learn's bundled 8 x 8 digits: X (1797, 64) = pixels / 16 in [0, 1], 10 classes."""
    from sklearn import datasets

    bunch = datasets.load_digits()
    return Dataset(bunch.data / 16.0, bunch.target.astype(np.int64), 10, "digits")


def load_iris() -> Dataset:
    """scikit-learn's bundled iris: X (150, 4) standardised (mean 0, std 1 per feature), 3 classes."""
    from sklearn import datasets

    bunch = datasets.load_iris()
    X = (bunch.data - bunch.data.mean(axis=0)) / bunch.data.std(axis=0)
    return Dataset(X, bunch.target.astype(np.int64), 3, "iris")


# ---------------------------------------------------------------- synthetic sets


def _positive_int(value, what: str) -> int:
    """``value`` as an int, DataError unless it is an integer >= 1."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 1:
        raise DataError(f"{what} must be a positive integer, got {value!r}")
    return int(value)


def separable_2d(n: int = 100, margin: float = 0.5, seed: int = 0) -> Dataset:
    """Two linearly separable point clouds in the plane, binary labels {0, 1}.

    Points lie at distance ``margin + |N(0, 1)|`` from the line through the
    origin with unit normal ``SEPARABLE_NORMAL`` = (0.6, 0.8): label 1 on the
    side the normal points to, label 0 on the other; their position along the
    line is N(0, 1). So the geometric margin is at least ``margin``. Labels
    alternate 0, 1 before a random shuffle: the classes differ by at most one.

    Parameters
    ----------
    n : int
        Number of points, at least 2.
    margin : float
        Least distance of any point from the separating line, >= 0.
    seed : int
        Seed of ``numpy.random.default_rng``.

    Returns
    -------
    Dataset
        X float64 (n, 2), y int64 (n,), n_classes 2, name "separable_2d".
    """
    n = _positive_int(n, "n")
    if n < 2:
        raise DataError(f"separable_2d needs n >= 2 (one point of each class), got {n}")
    if not margin >= 0:
        raise DataError(f"margin must be >= 0, got {margin!r}")
    rng = np.random.default_rng(seed)
    y = rng.permutation(np.arange(n) % 2)
    along = rng.standard_normal(n)
    distance = margin + np.abs(rng.standard_normal(n))
    normal = SEPARABLE_NORMAL
    tangent = np.array([-normal[1], normal[0]])
    X = along[:, None] * tangent + ((2 * y - 1) * distance)[:, None] * normal
    return Dataset(X, y.astype(np.int64), 2, "separable_2d")


def student_teacher(n: int = 200, n_inputs: int = 10, n_outputs: int = 1, hidden=(), noise: float = 0.0,
                    seed: int = 0) -> Dataset:
    """Regression targets of a random teacher network on Gaussian inputs.

    The inputs are N(0, 1). The teacher is linear (``hidden=()``) or a ReLU
    network with the given hidden widths; each layer's weights are
    N(0, 1/fan_in), no biases, no activation after the last layer. Gaussian
    noise of standard deviation ``noise`` is added to the targets. Random
    numbers are drawn in the order teacher, inputs, noise, so the same seed
    gives the same inputs and noise-free targets for any ``noise``.

    Parameters
    ----------
    n : int
        Number of examples.
    n_inputs, n_outputs : int
        Input and output dimensions.
    hidden : sequence of int
        Hidden layer widths of the teacher; empty for a linear teacher.
    noise : float
        Standard deviation of the target noise, >= 0.
    seed : int
        Seed of ``numpy.random.default_rng``.

    Returns
    -------
    Dataset
        X float64 (n, n_inputs), y float64 (n, n_outputs), n_classes None.
    """
    n = _positive_int(n, "n")
    widths = [_positive_int(n_inputs, "n_inputs"), *(_positive_int(h, "hidden width") for h in hidden),
              _positive_int(n_outputs, "n_outputs")]
    if not noise >= 0:
        raise DataError(f"noise must be >= 0, got {noise!r}")
    rng = np.random.default_rng(seed)
    weights = [rng.standard_normal((a, b)) / np.sqrt(a) for a, b in zip(widths[:-1], widths[1:])]
    X = rng.standard_normal((n, widths[0]))
    y = X
    for W in weights[:-1]:
        y = np.maximum(y @ W, 0.0)
    y = y @ weights[-1] + noise * rng.standard_normal((n, widths[-1]))
    return Dataset(X, y, None, "student-teacher")


# ---------------------------------------------------------------- registry

DATASETS = {
    "mnist": load_mnist,
    "digits": load_digits,
    "iris": load_iris,
    "separable_2d": separable_2d,
    "student_teacher": student_teacher,
}


def load(name: str, **kwargs) -> Dataset:
    """The data set ``name`` of :data:`DATASETS`, its loader called with ``kwargs``."""
    if name not in DATASETS:
        raise DataError(f"unknown data set {name!r}; choose from {', '.join(DATASETS)}")
    return DATASETS[name](**kwargs)
