"""Data sets of the discrete training engine (dynsys.train.datasets)."""

import gzip
import hashlib
import shutil
import struct
from pathlib import Path

import numpy as np
import pytest

from dynsys.train import datasets as ds
from dynsys.train.datasets import DataError, Dataset

# sha256sum of the official t10k files (as downloaded from the MNIST site)
IMAGES_SHA256 = "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6"
LABELS_SHA256 = "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6"
# the official class counts of MNIST's test set
T10K_COUNTS = [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]


# ---------------------------------------------------------------- MNIST


def test_shipped_mnist_files_have_the_official_checksums():
    folder = Path(ds.__file__).parent / "data" / "mnist"
    images = hashlib.sha256((folder / "t10k-images-idx3-ubyte.gz").read_bytes()).hexdigest()
    labels = hashlib.sha256((folder / "t10k-labels-idx1-ubyte.gz").read_bytes()).hexdigest()
    assert (images, labels) == (IMAGES_SHA256, LABELS_SHA256)
    assert ds.MNIST_SHA256 == {"t10k-images-idx3-ubyte.gz": IMAGES_SHA256, "t10k-labels-idx1-ubyte.gz": LABELS_SHA256}


def test_mnist_shapes_types_and_names():
    data = ds.load_mnist()
    assert data.X.shape == (10000, 784) and data.X.dtype == np.float32
    assert data.y.shape == (10000,) and data.y.dtype == np.int64
    assert (data.n_classes, data.name) == (10, "mnist-t10k")
    assert (data.n_examples, data.n_inputs, data.n_outputs) == (10000, 784, 10)


def test_mnist_labels_are_the_official_ones():
    y = ds.load_mnist().y
    assert np.bincount(y).tolist() == T10K_COUNTS
    assert y[0] == 7


def test_mnist_pixels_are_bytes_scaled_to_unit_interval():
    X = ds.load_mnist().X
    assert X.min() == 0.0 and X.max() == 1.0
    scaled = X.astype(np.float64) * 255
    assert np.abs(scaled - np.round(scaled)).max() < 1e-4  # each pixel is k / 255


def test_mnist_is_cached_and_the_cache_cannot_be_altered():
    a, b = ds.load_mnist(), ds.load_mnist()
    assert a.X is b.X and a.y is b.y
    with pytest.raises(ValueError):
        a.X[0, 0] = 0.5
    with pytest.raises(ValueError):
        a.y[0] = 3
    assert ds.load_mnist().y[0] == 7


@pytest.mark.parametrize("name", ["t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"])
def test_mnist_copy_with_one_flipped_byte_fails_its_checksum(tmp_path, name):
    shutil.copytree(ds.MNIST_DIR, tmp_path, dirs_exist_ok=True)
    path = tmp_path / name
    raw = bytearray(path.read_bytes())
    raw[len(raw) // 2] ^= 0x01
    path.write_bytes(bytes(raw))
    with pytest.raises(DataError, match="checksum mismatch") as info:
        ds.load_mnist(tmp_path)
    assert name in str(info.value) and "\n" not in str(info.value)


def test_mnist_intact_copy_loads_and_missing_file_is_a_data_error(tmp_path):
    shutil.copytree(ds.MNIST_DIR, tmp_path, dirs_exist_ok=True)
    assert np.bincount(ds.load_mnist(tmp_path).y).tolist() == T10K_COUNTS
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(DataError, match="t10k-images"):
        ds.load_mnist(empty)


# ---------------------------------------------------------------- idx files


def idx_bytes(array, code):
    """An idx file written from the format's description, independently of read_idx."""
    header = bytes([0, 0, code, array.ndim]) + struct.pack(">" + "I" * array.ndim, *array.shape)
    return header + array.astype(array.dtype.newbyteorder(">")).tobytes()


CASES = [
    (0x08, np.uint8, (5,)),
    (0x09, np.int8, (3, 4)),
    (0x0B, np.int16, (2, 3, 4)),
    (0x0C, np.int32, (7, 1)),
    (0x0D, np.float32, (4, 2, 1, 3)),
    (0x0E, np.float64, (6, 5)),
    (0x08, np.uint8, (0, 3)),
]


@pytest.mark.parametrize("compress", [False, True])
@pytest.mark.parametrize("code, dtype, shape", CASES)
def test_read_idx_round_trip(tmp_path, code, dtype, shape, compress):
    rng = np.random.default_rng(code)
    info = np.iinfo(dtype) if np.dtype(dtype).kind in "iu" else None
    if info is None:
        array = rng.standard_normal(shape).astype(dtype)
    else:
        array = rng.integers(info.min, info.max, size=shape, endpoint=True).astype(dtype)
    raw = idx_bytes(array, code)
    path = tmp_path / ("a.idx.gz" if compress else "a.idx")
    path.write_bytes(gzip.compress(raw) if compress else raw)
    out = ds.read_idx(path)
    assert out.shape == shape and out.dtype == np.dtype(dtype)
    np.testing.assert_array_equal(out, array)


def test_read_idx_big_endian_values(tmp_path):
    path = tmp_path / "x.idx"  # int16 [258, -2], written byte by byte
    path.write_bytes(bytes([0, 0, 0x0B, 1, 0, 0, 0, 2, 0x01, 0x02, 0xFF, 0xFE]))
    assert ds.read_idx(path).tolist() == [258, -2]


GOOD = bytes([0, 0, 0x08, 2, 0, 0, 0, 2, 0, 0, 0, 3]) + bytes(range(6))
MALFORMED = {
    "empty": b"",
    "short": b"\0\0\x08",
    "magic": b"\x01" + GOOD[1:],
    "type": GOOD[:2] + b"\x0a" + GOOD[3:],
    "header": GOOD[:9],
    "long data": GOOD + b"\0",
    "short data": GOOD[:-1],
}


@pytest.mark.parametrize("kind", sorted(MALFORMED))
def test_read_idx_malformed_plain(tmp_path, kind):
    assert ds.read_idx(_write(tmp_path / "good.idx", GOOD)).tolist() == [[0, 1, 2], [3, 4, 5]]
    path = _write(tmp_path / "bad.idx", MALFORMED[kind])
    with pytest.raises(DataError) as info:
        ds.read_idx(path)
    assert "bad.idx" in str(info.value) and "\n" not in str(info.value)


@pytest.mark.parametrize("content", [gzip.compress(GOOD, mtime=0)[:-9], b"not gzip at all",
                                     gzip.compress(GOOD[:-2], mtime=0)],
                         ids=["truncated gzip", "not gzip", "gzip of short data"])
def test_read_idx_malformed_gzip(tmp_path, content):
    path = _write(tmp_path / "bad.idx.gz", content)
    with pytest.raises(DataError) as info:
        ds.read_idx(path)
    assert "bad.idx.gz" in str(info.value) and "\n" not in str(info.value)


def test_read_idx_missing_file(tmp_path):
    with pytest.raises(DataError, match="nothing.idx"):
        ds.read_idx(tmp_path / "nothing.idx")


def _write(path, content):
    path.write_bytes(content)
    return path


# ---------------------------------------------------------------- Dataset


def test_dataset_outputs_and_subset():
    X = np.arange(12.0).reshape(6, 2)
    binary = Dataset(X, np.array([0, 1, 0, 1, 1, 0]), 2, "b")
    three = Dataset(X, np.array([0, 1, 2, 2, 1, 0], dtype=np.uint8), 3, "t")
    regression = Dataset(X, np.zeros((6, 4)), None, "r")
    assert (binary.n_outputs, three.n_outputs, regression.n_outputs) == (1, 3, 4)
    assert three.y.dtype == np.int64 and (three.n_examples, three.n_inputs) == (6, 2)
    part = three.subset([4, 1])
    assert part.X.tolist() == [[8.0, 9.0], [2.0, 3.0]] and part.y.tolist() == [1, 1]
    assert regression.subset(slice(1, 3)).y.shape == (2, 4)


@pytest.mark.parametrize(
    "X, y, n_classes",
    [
        (np.zeros(4), np.zeros(4, int), 2),  # X 1-D
        (np.zeros((4, 2), int), np.zeros(4, int), 2),  # X not float
        (np.zeros((4, 2)), np.zeros(3, int), 2),  # lengths differ
        (np.zeros((4, 2)), np.zeros(4), 2),  # float labels
        (np.zeros((4, 2)), np.array([0, 1, 2, 1]), 2),  # label out of range
        (np.zeros((4, 2)), np.array([0, -1, 0, 1]), 2),  # negative label
        (np.zeros((4, 2)), np.zeros(4, int), 1),  # one class
        (np.zeros((4, 2)), np.zeros(4), None),  # regression targets 1-D
        (np.zeros((4, 2)), np.zeros((5, 1)), None),  # regression lengths differ
    ],
)
def test_dataset_rejects_bad_shapes(X, y, n_classes):
    with pytest.raises(DataError):
        Dataset(X, y, n_classes, "bad")


# ---------------------------------------------------------------- splits


def indexed_classes(counts, seed=0):
    """Classification data whose X[:, 0] is the example's index; shuffled labels with the given class counts."""
    y = np.random.default_rng(seed).permutation(np.repeat(np.arange(len(counts)), counts))
    X = np.stack([np.arange(len(y)), np.zeros(len(y))], axis=1).astype(float)
    return Dataset(X, y, len(counts), "toy")


def parts(split):
    return split.train, split.validation, split.test


def ids(part):
    return part.X[:, 0].astype(int)


def test_split_sizes_disjoint_and_stratified():
    counts = [50, 31, 20, 7]  # P = 108
    data = indexed_classes(counts)
    sizes = (60, 25, 13)
    result = ds.split(data, sizes, seed=3)
    for part, size in zip(parts(result), sizes):
        assert part.n_examples == size
        assert np.array_equal(part.y, data.y[ids(part)])  # rows stay paired
        share = np.array(counts) * size / 108
        assert np.all(np.abs(np.bincount(part.y, minlength=4) - share) < 1)
    everything = np.concatenate([ids(p) for p in parts(result)])
    assert len(np.unique(everything)) == 98


def test_mnist_split_keeps_class_proportions():
    result = ds.mnist_split()
    for part, fraction in zip(parts(result), (0.6, 0.2, 0.2)):
        assert part.n_examples == 10000 * fraction
        counts = np.bincount(part.y, minlength=10)
        assert np.all(np.abs(counts - fraction * np.array(T10K_COUNTS)) < 1)


def test_split_is_reproducible_by_seed_and_seeds_differ():
    data = indexed_classes([40, 40, 20])
    a, b, c = (ds.split(data, (50, 20, 20), seed=s) for s in (7, 7, 8))
    for pa, pb, pc in zip(parts(a), parts(b), parts(c)):
        assert np.array_equal(ids(pa), ids(pb))
        assert not np.array_equal(ids(pa), ids(pc))
    assert set(ids(a.train)) != set(ids(c.train))


def test_split_of_regression_data():
    data = ds.student_teacher(n=30, n_inputs=3)
    result = ds.split(data, (10, 10, 10), seed=1)
    rows = np.concatenate([p.X for p in parts(result)])
    assert rows.shape == (30, 3)
    assert len(np.unique(rows, axis=0)) == 30  # a permutation of the 30 distinct rows
    assert np.array_equal(np.sort(rows[:, 0]), np.sort(data.X[:, 0]))


@pytest.mark.parametrize("sizes", [(50, 30, 30), (10, 10), (10, -1, 5), (1.5, 2, 3)])
def test_split_rejects_bad_sizes(sizes):
    with pytest.raises(DataError):
        ds.split(indexed_classes([50, 50]), sizes)


# ---------------------------------------------------------------- scikit-learn's sets


def test_digits_and_iris_match_sklearn():
    from sklearn import datasets as sk

    digits, iris = ds.load_digits(), ds.load_iris()
    sk_digits, sk_iris = sk.load_digits(), sk.load_iris()
    assert digits.X.shape == sk_digits.data.shape == (1797, 64)
    assert iris.X.shape == sk_iris.data.shape == (150, 4)
    np.testing.assert_array_equal(digits.X * 16, sk_digits.data)
    assert digits.X.dtype == np.float64 and digits.X.max() == 1.0
    assert np.array_equal(digits.y, sk_digits.target) and np.array_equal(iris.y, sk_iris.target)
    assert (digits.n_classes, iris.n_classes) == (10, 3)
    np.testing.assert_allclose(iris.X.mean(axis=0), 0, atol=1e-12)
    np.testing.assert_allclose(iris.X.std(axis=0), 1, rtol=1e-12)


# ---------------------------------------------------------------- synthetic sets


@pytest.mark.parametrize("margin", [0.0, 0.1, 0.5, 2.0])
def test_separable_2d_has_the_requested_margin(margin):
    from sklearn.svm import LinearSVC

    data = ds.separable_2d(n=100, margin=margin, seed=4)
    assert data.X.shape == (100, 2) and set(data.y.tolist()) == {0, 1} and data.n_outputs == 1
    normal = np.array([0.6, 0.8])  # the documented separating direction
    signed = (2 * data.y - 1) * (data.X @ normal) / np.linalg.norm(normal)
    assert signed.min() >= margin - 1e-12
    if margin > 0:
        svm = LinearSVC(C=100.0, fit_intercept=False, max_iter=10000).fit(data.X, data.y)
        assert svm.score(data.X, data.y) == 1.0


def test_separable_2d_is_reproducible_and_balanced():
    a, b, c = ds.separable_2d(seed=1), ds.separable_2d(seed=1), ds.separable_2d(seed=2)
    assert np.array_equal(a.X, b.X) and np.array_equal(a.y, b.y)
    assert not np.array_equal(a.X, c.X)
    assert np.bincount(ds.separable_2d(n=101).y).tolist() == [51, 50]


def test_student_teacher_linear_is_fit_exactly_by_least_squares():
    data = ds.student_teacher(n=50, n_inputs=6, n_outputs=2, seed=3)
    assert data.X.shape == (50, 6) and data.y.shape == (50, 2) and data.n_classes is None
    W, *_ = np.linalg.lstsq(data.X, data.y, rcond=None)
    assert np.abs(data.X @ W - data.y).max() < 1e-10
    assert np.abs(data.y).max() > 0.1


def test_student_teacher_noise_and_reproducibility():
    a, b = ds.student_teacher(seed=5), ds.student_teacher(seed=5)
    assert np.array_equal(a.X, b.X) and np.array_equal(a.y, b.y)
    assert not np.array_equal(a.X, ds.student_teacher(seed=6).X)
    noisy = ds.student_teacher(n=2000, noise=0.3, seed=5)
    clean = ds.student_teacher(n=2000, seed=5)
    assert np.array_equal(noisy.X, clean.X)
    assert abs(np.std(noisy.y - clean.y) - 0.3) < 0.03


def test_student_teacher_relu_teacher_is_not_linear():
    data = ds.student_teacher(n=300, n_inputs=4, hidden=(8, 8), seed=0)
    assert data.y.shape == (300, 1)
    W, *_ = np.linalg.lstsq(data.X, data.y, rcond=None)
    assert np.abs(data.X @ W - data.y).max() > 1e-3


# ---------------------------------------------------------------- registry


def test_load_by_name():
    assert set(ds.DATASETS) == {"mnist", "digits", "iris", "separable_2d", "student_teacher"}
    assert ds.load("separable_2d", n=10, seed=2).X.tolist() == ds.separable_2d(n=10, seed=2).X.tolist()
    with pytest.raises(DataError, match=r"unknown data set 'x'; choose from mnist, digits"):
        ds.load("x")
