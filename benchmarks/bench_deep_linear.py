"""Deep linear network benchmark (Minnorm Fig. 5): one full-batch step, and the Fig. 5C study.

One BGD step on the Fig. 5 student (300-300-300-1 linear, 150 examples,
float64, the sum of squares), from the same weights, timed as the best of
``--repeat`` runs of ``--steps`` steps:

* dynsys ``LinearNetwork`` (products from the output end: rank-one gradients);
* dynsys ``Network(widths, "linear", bias=False)`` (generic backpropagation);
* PyTorch: ``nn.Linear`` layers without bias, ``0.5 * sum((f - y)^2)``,
  ``torch.optim.SGD`` at the same step, float64 (skipped when not installed).

The weights after the timed steps are compared across the three. With
``--study`` the full Fig. 5C study (7 scales x 20 runs x 2 methods, 3000
steps each) runs on ``--workers`` processes and its wall time is printed
(the target: under 5 minutes on 2 cores), as is the quick study's (target:
under 30 s).

    python benchmarks/bench_deep_linear.py [--steps N] [--repeat N] [--threads N] [--study] [--workers N]
"""

import argparse
import time

import numpy as np
from threadpoolctl import threadpool_limits

from dynsys.train.algorithms import GradientDescent
from dynsys.train.experiments import frozen_subspace as fs
from dynsys.train.network import Network


def _engine(network, params, data, steps):
    algorithm = GradientDescent(fs.ETA * data.X.shape[0], loss="squared")
    state = algorithm.start(np, network, [p.copy() for p in params], data.X.shape[0])
    index = np.arange(data.X.shape[0])
    start = time.perf_counter()
    for _ in range(steps):
        algorithm.step(np, network, state, index, data.X, data.y)
    return time.perf_counter() - start, state["variables"]


def _torch(params, data, steps):
    import torch

    layers = []
    for weight in params:
        layer = torch.nn.Linear(*weight.shape, bias=False, dtype=torch.float64)
        with torch.no_grad():
            layer.weight.copy_(torch.from_numpy(weight.T))
        layers.append(layer)
    model = torch.nn.Sequential(*layers)
    optimiser = torch.optim.SGD(model.parameters(), lr=fs.ETA)
    X, y = torch.from_numpy(data.X), torch.from_numpy(data.y)
    start = time.perf_counter()
    for _ in range(steps):
        optimiser.zero_grad()
        loss = 0.5 * ((model(X) - y) ** 2).sum()
        loss.backward()
        optimiser.step()
    seconds = time.perf_counter() - start
    return seconds, [layer.weight.detach().numpy().T.copy() for layer in layers]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--study", action="store_true")
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    data = fs.task(0)
    linear = fs.network()
    generic = Network(linear.widths, "linear", bias=False)
    params = linear.init(np, sigma_w=1.0, seed=0)
    runners = {"dynsys LinearNetwork": lambda: _engine(linear, params, data, args.steps),
               "dynsys Network (generic)": lambda: _engine(generic, params, data, args.steps)}
    try:
        import torch

        torch.set_num_threads(args.threads)
        runners["PyTorch"] = lambda: _torch(params, data, args.steps)
    except ImportError:
        print("PyTorch not installed: skipped")
    best, final = {}, {}
    with threadpool_limits(args.threads):
        for name, runner in runners.items():
            runner()  # warm-up
            times = []
            for _ in range(args.repeat):
                seconds, final[name] = runner()
                times.append(seconds)
            best[name] = min(times) / args.steps
    reference = final["dynsys LinearNetwork"]
    print(f"one BGD step, widths {linear.widths}, {data.X.shape[0]} examples, float64, {args.threads} thread(s):")
    for name, seconds in best.items():
        gap = max(np.abs(a - b).max() for a, b in zip(final[name], reference))
        print(f"  {name:26s} {seconds * 1e3:8.3f} ms/step   {seconds / best['dynsys LinearNetwork']:6.2f} x "
              f"LinearNetwork   weights differ by {gap:.1e} after {args.steps} steps")
    if args.study:
        for quick, workers in ((True, 1), (False, args.workers)):
            start = time.perf_counter()
            fs.scale_study.__wrapped__(quick, workers=workers)
            print(f"Fig. 5C study, {'quick' if quick else 'full'} ({len(fs.SCALES[quick])} scales x {fs.RUNS[quick]} "
                  f"runs x 2 methods, {workers} worker(s)): {time.perf_counter() - start:.1f} s")


if __name__ == "__main__":
    main()
