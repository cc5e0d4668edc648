"""Training benchmark: one epoch of dynsys's engine against PyTorch, in one run.

Times one epoch of the 2 x 800 MNIST network (784-800-800-10, ReLU, biases)
on 6000 MNIST images (the first 6000 of the shipped t10k set) in minibatches
of 128 (47 steps, the last one of 112), float32, from the same initial weights
and the same shuffled order on both sides:

* dynsys ``GradientDescent(eta=0.1, loss="softmax_ce")``: the inner loop of
  ``dynsys.train.train`` (index the batch, ``algorithm.step``), without the
  metrics it records after each epoch;
* PyTorch: ``nn.Linear`` layers, ``CrossEntropyLoss`` (mean over the batch),
  ``torch.optim.SGD(lr=0.1)`` without momentum: the same update;
* for information, dynsys ``MinnormClassification(eta=1e-5, s=7.8125)``,
  whose step adds a forward pass (the multiplier update at the new weights);
* the metric evaluation ``dynsys.train.metrics.evaluate`` on the 6000
  examples (loss, error, weight norm, the capacity measure with one
  symmetric eigenvalue problem per weight matrix), split into its forward and
  its capacity part.

Each epoch starts from fresh copies of the initial parameters (at these
settings Minnorm's weights overflow to NaN in its second epoch on these
data, which would distort its timing), is warmed up once and
timed ``--repeat`` times, dynsys and PyTorch interleaved; the best time is
reported. NumPy's BLAS (via threadpoolctl) and PyTorch (``set_num_threads``)
run on the same number of threads, by default all cores. The parameters
after one epoch are compared between the two, as a check that both do the
same work. The target is dynsys GD no more than 1.5 times PyTorch's time.

With a working GPU (``--backend cupy``, or ``auto``, the default) the same is
timed with CuPy against PyTorch on CUDA (float32 products, no TF32 on
either side), synchronising before and after each timed epoch.

    python benchmarks/bench_train.py [--repeat N] [--threads N] [--backend numpy|cupy|auto]
                                     [--examples P] [--batch Q]
"""

import argparse
import os
import time

import numpy as np
from threadpoolctl import threadpool_info, threadpool_limits

from dynsys.train import GradientDescent, MinnormClassification, Network, get_backend, get_loss
from dynsys.train.backend import BackendError
from dynsys.train.losses import classification_error
from dynsys.train.metrics import capacity, evaluate

WIDTHS = (784, 800, 800, 10)
TARGET = 1.5


def load_data(n_examples):
    """The first ``n_examples`` MNIST images (float32 in [0, 1]) and labels, and where they came from."""
    try:
        from dynsys.train.datasets import load_mnist

        data = load_mnist()
        return np.ascontiguousarray(data.X[:n_examples]), np.array(data.y[:n_examples]), "MNIST t10k"
    except Exception as error:  # no data set module or files yet: same shapes, random numbers
        rng = np.random.default_rng(0)
        X = rng.random((n_examples, WIDTHS[0]), dtype=np.float32)
        return X, rng.integers(0, WIDTHS[-1], n_examples), f"random (MNIST unavailable: {error})"


def busy_fraction(seconds=0.5):
    """Fraction of CPU time that other processes used over ``seconds`` (Linux), or None where unknown."""
    def ticks():
        with open("/proc/stat") as stat:
            values = [int(v) for v in stat.readline().split()[1:]]
        return sum(values), values[3] + values[4]  # all, idle + iowait

    try:
        total0, idle0 = ticks()
        time.sleep(seconds)
        total1, idle1 = ticks()
    except (OSError, ValueError, IndexError):
        return None
    return 1 - (idle1 - idle0) / max(total1 - total0, 1)


def timed(call, sync=lambda: None):
    """Wall time of one ``call(timer)``: ``call`` does its own set-up, then calls ``timer()`` where the
    timed work begins; the time ends once ``call`` has returned and ``sync()`` (the device) has finished."""
    begin = []
    call(lambda: (sync(), begin.append(time.perf_counter())))
    sync()
    return time.perf_counter() - begin[0]


def best_time(call, repeat, sync=lambda: None):
    """Smallest of ``repeat`` :func:`timed` calls, after one warm-up call."""
    timed(call, sync)
    return min(timed(call, sync) for _ in range(repeat))


class Dynsys:
    """One epoch of an algorithm's steps, as ``dynsys.train.train`` runs them (minus metrics)."""

    def __init__(self, backend, algorithm, params0, X, y, order, batch):
        self.bk, self.xp = backend, backend.xp
        self.algorithm, self.network = algorithm, Network(WIDTHS)
        self.params0 = [self.bk.asarray(p) for p in params0]
        self.X, self.y = self.bk.asarray(X), self.bk.asarray(y)
        self.order, self.batch = order, batch

    def epoch(self, timer=lambda: None):
        xp, bk, n = self.xp, self.bk, self.X.shape[0]
        state = self.algorithm.start(xp, self.network, [p.copy() for p in self.params0], n)
        timer()
        for start in range(0, n, self.batch):
            index = bk.asarray(self.order[start:start + self.batch])
            self.algorithm.step(xp, self.network, state, index, self.X[index], self.y[index])
        return state

    def params(self, state):
        return [self.bk.to_numpy(p) for p in self.algorithm.parameters(self.xp, self.network, state)]


class Torch:
    """One epoch of PyTorch SGD on the same network, data, order and initial parameters."""

    def __init__(self, torch, device, params0, X, y, order, batch):
        self.torch, self.device = torch, device
        layers = []
        for n_in, n_out in zip(WIDTHS[:-1], WIDTHS[1:]):
            layers += [torch.nn.Linear(n_in, n_out), torch.nn.ReLU()]
        self.model = torch.nn.Sequential(*layers[:-1]).to(device)
        self.linears = [m for m in self.model if isinstance(m, torch.nn.Linear)]
        self.params0 = [torch.from_numpy(np.array(p)).to(device) for p in params0]
        self.X = torch.from_numpy(np.array(X)).to(device)
        self.y = torch.from_numpy(np.asarray(y, dtype=np.int64)).to(device)
        self.order, self.batch = order, batch
        self.loss = torch.nn.CrossEntropyLoss()

    def epoch(self, timer=lambda: None):
        torch, n = self.torch, self.X.shape[0]
        with torch.no_grad():
            for layer, (W, b) in zip(self.linears, zip(self.params0[::2], self.params0[1::2])):
                layer.weight.copy_(W.T)
                layer.bias.copy_(b)
        optimizer = torch.optim.SGD(self.model.parameters(), lr=0.1)
        timer()
        for start in range(0, n, self.batch):
            index = torch.from_numpy(self.order[start:start + self.batch]).to(self.device)
            optimizer.zero_grad(set_to_none=True)
            self.loss(self.model(self.X[index]), self.y[index]).backward()
            optimizer.step()

    def params(self):
        out = []
        for layer in self.linears:
            out += [layer.weight.detach().T.cpu().numpy(), layer.bias.detach().cpu().numpy()]
        return out


def relative_difference(a, b):
    """Largest ``|a - b| / max|b|`` over the parameter arrays."""
    return max(float(np.abs(p - q).max() / np.abs(q).max()) for p, q in zip(a, b))


def bench(backend, torch, device, X, y, args):
    """Time and print the rows for one backend and its PyTorch peer."""
    bk = backend
    sync = bk.synchronize if device == "cpu" else (lambda: (bk.synchronize(), torch.cuda.synchronize()))
    network = Network(WIDTHS)
    params0 = network.init(np, seed=0, dtype=np.float32)
    order = np.random.default_rng([0, 1]).permutation(X.shape[0])
    steps = -(-X.shape[0] // args.batch)
    gd = Dynsys(bk, GradientDescent(eta=0.1, loss="softmax_ce"), params0, X, y, order, args.batch)
    minnorm = Dynsys(bk, MinnormClassification(eta=1e-5, s=7.8125), params0, X, y, order, args.batch)
    peer = Torch(torch, device, params0, X, y, order, args.batch)

    gd_params = gd.params(gd.epoch())
    peer.epoch()
    agreement = relative_difference(gd_params, peer.params())

    epochs = {"dynsys gd": gd.epoch, "torch sgd": peer.epoch, "dynsys minnorm": minnorm.epoch}
    times = {label: [] for label in epochs}
    minnorm.epoch()  # warm-up (gd and torch ran above)
    for _ in range(args.repeat):  # interleaved, so that a noisy neighbour hits all alike
        for label, epoch in epochs.items():
            times[label].append(timed(epoch, sync))
    rows = {label: min(values) for label, values in times.items()}

    xp = bk.xp
    params = [bk.asarray(p) for p in gd_params]
    parts = {"train": (bk.asarray(X), bk.asarray(y))}
    loss = get_loss("softmax_ce")
    weights = network.weights(params)

    def forward_metrics():
        X_train, y_train = parts["train"]
        f = network.forward(xp, params, X_train)
        return float(loss.value(xp, f, y_train).mean()), classification_error(xp, f, y_train)

    evaluation = {
        "evaluate (all metrics)": best_time(lambda timer: (timer(), evaluate(xp, network, params, parts, loss)),
                                            args.repeat, bk.synchronize),
        "  forward + loss + error": best_time(lambda timer: (timer(), forward_metrics()), args.repeat,
                                             bk.synchronize),
        "  capacity (eigvalsh)": best_time(lambda timer: (timer(), capacity(xp, weights)), args.repeat,
                                       bk.synchronize),
    }

    print(f"\n{bk.name} against torch on {device}: {X.shape[0]} examples, batch {args.batch} ({steps} steps), "
          f"float32, best of {args.repeat}")
    print(f"  {'':26s} {'epoch [ms]':>11s} {'step [ms]':>10s} {'/ torch':>8s}")
    for label, seconds in rows.items():
        print(f"  {label:26s} {1e3 * seconds:11.1f} {1e3 * seconds / steps:10.3f} "
              f"{seconds / rows['torch sgd']:8.2f}")
    for label, seconds in evaluation.items():
        print(f"  {label:26s} {1e3 * seconds:11.1f}")
    ratio = rows["dynsys gd"] / rows["torch sgd"]
    print(f"  parameters after one epoch, dynsys vs torch: max relative difference {agreement:.1e}")
    print(f"  ratio dynsys gd / torch sgd: {ratio:.2f} (target <= {TARGET}: "
          f"{'met' if ratio <= TARGET else 'NOT met'})")
    return ratio


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--threads", type=int, default=os.cpu_count())
    parser.add_argument("--backend", choices=("numpy", "cupy", "auto"), default="auto",
                        help="numpy: CPU only; cupy: also the GPU (a message if there is none); auto: the GPU "
                             "when one works")
    parser.add_argument("--examples", type=int, default=6000)
    parser.add_argument("--batch", type=int, default=128)
    args = parser.parse_args()

    import torch

    X, y, source = load_data(args.examples)
    threadpool_limits(args.threads)
    torch.set_num_threads(args.threads)
    blas = ", ".join(sorted({f"{lib['internal_api']} {lib['version']}" for lib in threadpool_info()
                             if lib["user_api"] == "blas"}))
    torch_blas = "MKL" if torch.backends.mkl.is_available() else "no MKL"
    print(f"data: {source}; {args.threads} threads; NumPy {np.__version__} ({blas}), "
          f"torch {torch.__version__} ({torch_blas})")
    busy = busy_fraction()
    if busy is not None and busy > 0.25:
        print(f"warning: the CPUs were {100 * busy:.0f}% busy before the run; other processes make multithreaded "
              f"timings unreliable (BLAS and OpenMP threads wait on each other), compare with --threads 1")

    bench(get_backend("numpy"), torch, "cpu", X, y, args)

    if args.backend == "numpy":
        return
    try:
        gpu = get_backend("cupy")
    except BackendError as error:
        print(f"\ncupy against torch on cuda: skipped, {error}")
        return
    if not torch.cuda.is_available():
        print(f"\ncupy against torch on cuda: skipped, this torch ({torch.__version__}) has no CUDA device")
        return
    torch.backends.cuda.matmul.allow_tf32 = False  # the default, as CuPy's: true float32 products on both
    bench(gpu, torch, "cuda", X, y, args)


if __name__ == "__main__":
    main()
