"""The flow link: discrete training iterates against the derived flow as eta -> 0.

DESIGN.md's third witness. A result about a flow is trusted when, where the
seeds have a discrete algorithm, its iterates approach the flow as the step
shrinks. The time convention is DESIGN.md's (Conventions, "Time"): the seeds
write a training flow as ``tau dW/dt = -dL/dW`` with ``tau = 1/eta``; one Euler
step of unit length of that flow is one step ``W <- W - eta dL/dW``, so
continuous time counts steps, ``t = k`` after ``k`` steps. A multiplier step
``alpha <- alpha + s dL/dalpha`` is the unit Euler step of
``tau dalpha/dt = r dL/dalpha`` with rate ``r = tau*s = s/eta`` (Minnorm eq. 12).

:func:`iterate_vs_flow` takes, for each ``eta``, ``k = round(T/eta)``
full-batch steps of the training engine (:func:`dynsys.train.trajectory`) and
the SymPy model's flow at ``tau = 1/eta`` (and ``r = s/eta`` when the algorithm
has a multiplier step ``s`` and the model a rate ``r``), integrated to ``t = k``
by :func:`dynsys.integrate.solve_ivp` (``dop853``, tight tolerances; with
``scipy:DOP853`` as a second witness). With ``tau = 1/eta`` the flow at
``t = k`` is the ``tau = 1`` flow at ``t = k eta``, about ``T``; for a fixed
``r`` (the caller's algorithm factory takes ``s = r eta``) the target stays put
as ``eta`` shrinks, and the distance of the last iterate from it is the global
error of Euler's method: first order, ``distance ~ C eta``. (Minnorm updates
its multipliers with the new weights, a Gauss-Seidel Euler step, still first
order.) The fitted order ``d log(distance)/d log(eta)`` is then about 1.

The engine flattens its state as weights (in ``params`` order, each row-major),
then the multipliers alpha (P, n_out) row-major. The caller says where each
entry sits in the model's state with ``layout``: SymPy symbols laid out like
that flat vector (:func:`weight_symbols`, :func:`multiplier_symbols` build
them), or an index array.

A projected update (``alpha <- max(0, ...)``, Minnorm App. A) approaches the
projected flow (``Model.projected_rhs``, what ``Model.compile`` integrates);
where a multiplier reaches the projection, the flow is only piecewise smooth
and the first-order rate is not guaranteed.
"""

from dataclasses import dataclass

import numpy as np

from dynsys.integrate import solve_ivp

from .loop import trajectory


class FlowLinkError(ValueError):
    """A comparison that cannot be set up (bad layout, steps, parameters) or whose solve failed."""


@dataclass(frozen=True)
class FlowLink:
    """The iterates-vs-flow comparison at each step size.

    ``etas`` (n,) step sizes; ``steps`` (n,) ``k = round(T/eta)``; ``iterates``
    and ``flows`` (n, n_state) the last iterate and the flow at ``t = k``, in the
    model's state order (``state_names``); ``distances`` (n,) their max-abs
    distance; ``order`` the least-squares slope of ``log distance`` against
    ``log eta``; ``agreement`` (n,) max |dop853 - scipy:DOP853| at ``t = k``
    (None when not asked); ``params`` the model parameters used at each eta;
    ``paths`` and ``flow_paths`` (with ``whole_path``) the iterates and the flow
    at every step ``t = 0..k`` (each (k+1, n_state)), and ``path_distances`` (n,)
    the max-abs distance over the whole path.
    """

    etas: np.ndarray
    steps: np.ndarray
    state_names: tuple
    iterates: np.ndarray
    flows: np.ndarray
    distances: np.ndarray
    order: float
    agreement: np.ndarray = None
    params: tuple = ()
    paths: tuple = None
    flow_paths: tuple = None
    path_distances: np.ndarray = None

    @property
    def local_orders(self):
        """Slopes of ``log distance`` against ``log eta`` between consecutive step sizes."""
        return np.diff(np.log(self.distances)) / np.diff(np.log(self.etas))

    def evidence(self):
        """One line: distances, fitted order and the second witness's agreement."""
        text = (f"|iterate_k - flow(t = k)| for eta = {self.etas.tolist()}: "
                f"{[float(f'{d:.3g}') for d in self.distances]}; fitted order {self.order:.3f}")
        if self.agreement is not None:
            text += f"; dop853 vs scipy:DOP853 max |diff| {float(np.max(self.agreement)):.1e}"
        return text


def weight_symbols(network, name="W", bias_name="b"):
    """SymPy symbols laid out like ``network``'s parameters: ``[W1, (b1,) W2, ...]``.

    ``W{l}`` is a ``sympy.Matrix`` of shape ``(n_{l-1}, n_l)`` with real entries
    named ``W{l}_{i}_{j}`` (all indices from 1), ``b{l}`` a 1 x n_l matrix
    ``b{l}_{j}``; flattened row-major they match the engine's flat vector.
    """
    import sympy

    out = []
    for layer, (n_in, n_out) in enumerate(zip(network.widths[:-1], network.widths[1:]), start=1):
        out.append(sympy.Matrix(n_in, n_out, lambda i, j: sympy.Symbol(f"{name}{layer}_{i + 1}_{j + 1}", real=True)))
        if network.bias:
            out.append(sympy.Matrix(1, n_out, lambda i, j: sympy.Symbol(f"{bias_name}{layer}_{j + 1}", real=True)))
    return out


def multiplier_symbols(n_examples, n_out=1, name="alpha"):
    """A ``sympy.Matrix`` (P, n_out) of real multiplier symbols laid out like the engine's alpha.

    Named ``alpha_{mu}`` (from 1) for one output, ``alpha_{mu}_{i}`` otherwise.
    """
    import sympy

    def symbol(mu, i):
        return sympy.Symbol(f"{name}_{mu + 1}" if n_out == 1 else f"{name}_{mu + 1}_{i + 1}", real=True)

    return sympy.Matrix(n_examples, n_out, symbol)


def _flatten(layout):
    """The entries of ``layout`` (symbols, matrices, arrays, nested lists) in row-major order."""
    out = []
    for item in layout:
        if hasattr(item, "tolist"):
            item = item.tolist()
        if isinstance(item, (list, tuple)):
            out.extend(_flatten(item))
        else:
            out.append(item)
    return out


def state_index(model, layout, n_flat):
    """``index`` with ``model_state = engine_flat[index]``, from ``layout``.

    ``layout`` is None (the engine's order is the model's), an integer index
    array, or symbols laid out like the engine's flat vector (weights in
    ``params`` order, row-major, then alpha row-major), each state symbol once.
    """
    n_state = len(model.state)
    if n_flat != n_state:
        raise FlowLinkError(f"the engine trains {n_flat} numbers, model '{model.id}' has {n_state} state variables")
    if layout is None:
        return np.arange(n_state)
    if isinstance(layout, np.ndarray) and layout.dtype.kind in "iu":
        index = layout.astype(np.int64).reshape(-1)
    else:
        entries = _flatten(layout)
        if entries and all(isinstance(e, (int, np.integer)) and not isinstance(e, bool) for e in entries):
            index = np.asarray(entries, dtype=np.int64)
        else:
            if len(entries) != n_flat:
                raise FlowLinkError(f"the layout has {len(entries)} entries, the engine's flat vector {n_flat}")
            position = {}
            for i, entry in enumerate(entries):
                if entry in position:
                    raise FlowLinkError(f"the layout names {entry} twice")
                position[entry] = i
            missing = [str(v) for v in model.state if v not in position]
            extra = [str(e) for e in entries if e not in set(model.state)]
            if missing or extra:
                raise FlowLinkError(f"layout and model '{model.id}' state differ: missing {missing}, extra {extra}")
            index = np.array([position[v] for v in model.state], dtype=np.int64)
    if sorted(index.tolist()) != list(range(n_flat)):
        raise FlowLinkError(f"the index must be a permutation of 0..{n_flat - 1}, got {index.tolist()}")
    return index


def flow_parameters(model, algorithm, eta, params=None, time_param="tau", rate_param="r", objective_scale=1.0):
    """The model's parameter values for step ``eta``: ``params``, ``tau = 1/(eta c)``, ``r = s/eta``.

    ``c = objective_scale`` is the engine's objective over the model's (1 when
    they are the same; ``1/P`` when the engine averages over ``P`` examples a
    loss the model sums, as Theory III's flows do): steps ``v <- v - eta c
    dL/dv`` are the unit Euler steps of ``tau dv/dt = -dL/dv`` with ``tau =
    1/(eta c)``. ``r`` is set when the algorithm has a multiplier step ``s``
    and the model a parameter named ``rate_param`` (DESIGN.md: ``r = tau*s``).
    """
    params = dict(params or {})
    names = {p.name for p in model.params}
    if time_param not in names:
        raise FlowLinkError(f"model '{model.id}' has no time-scale parameter '{time_param}' (tau = 1/eta)")
    set_here = {time_param: 1.0 / (eta * objective_scale)}
    if rate_param in names and hasattr(algorithm, "s"):
        set_here[rate_param] = algorithm.s / eta
    clash = sorted(set(params) & set(set_here))
    if clash:
        raise FlowLinkError(f"parameters {clash} are set from eta (tau = 1/eta, r = s/eta); do not pass them")
    return model.param_values(**params, **set_here)


def _solve(flow, k, y0, p, method, rtol, atol, t_eval):
    result = solve_ivp(flow, (0.0, float(k)), y0, method=method, t_eval=t_eval, rtol=rtol, atol=atol, args=(p,),
                       max_steps=10_000_000)
    if result.status != 0:
        raise FlowLinkError(f"{method} solve to t = {k} failed: {result.message}")
    return result.y.T


def iterate_vs_flow(model, network, algorithm_factory, data, params0, T, etas, *, alpha0=None, layout=None,
                    params=None, rtol=1e-11, atol=1e-13, second_witness=True, whole_path=False,
                    time_param="tau", rate_param="r", dtype=np.float64, objective_scale=1.0):
    """Last iterate after ``k = round(T/eta)`` steps vs the flow at ``t = k``, for each ``eta``.

    Parameters
    ----------
    model : dynsys.symbolic.Model
        The derived flow; it must have the time scale ``tau`` (``time_param``)
        and, for multiplier methods, the rate ``r`` (``rate_param``). Its
        compiled flow (projections applied) is integrated.
    network, data :
        As for :func:`dynsys.train.trajectory` (full batch: every step sees all of ``data``).
    algorithm_factory : callable
        ``eta -> Algorithm``, e.g. ``lambda eta: MinnormRegression(eta, s=r*eta, rho=0.3)``.
    params0 : list of arrays
        Initial parameters, as the network lays them out; ``alpha0`` the
        initial multipliers (P, n_out) (None: the algorithm's start, zeros).
    T : float
        Horizon in units of ``tau`` (number of steps times eta).
    etas : sequence of float
        Step sizes, at least two.
    layout :
        Where the engine's flat entries sit in the model's state (see :func:`state_index`).
    params : dict
        The model's other parameter values by name (defaults otherwise); ``tau``
        and ``r`` are set from ``eta``.
    rtol, atol : float
        Tolerances of the ``dop853`` solve (and of ``scipy:DOP853``).
    second_witness : bool
        Also solve with ``scipy:DOP853`` and record the agreement.
    whole_path : bool
        Keep the iterates and the flow at every step ``t = 0..k``.
    objective_scale : float
        The engine's objective over the model's (see :func:`flow_parameters`):
        ``1/P`` compares the engine's mean loss with a model's summed loss,
        at ``tau = P/eta``.

    Returns
    -------
    FlowLink
    """
    etas = np.asarray(etas, dtype=float)
    if etas.ndim != 1 or etas.size < 2 or not np.all(etas > 0):
        raise FlowLinkError(f"etas must be at least two positive step sizes, got {etas.tolist()}")
    flow = model.compile()
    steps, iterates, flows, distances, agreement, used, paths, flow_paths, path_distances = ([] for _ in range(9))
    index = None
    for eta in etas:
        k = int(round(T / eta))
        if k < 1:
            raise FlowLinkError(f"T = {T:g} is less than one step at eta = {eta:g}")
        algorithm = algorithm_factory(float(eta))
        if not np.isclose(algorithm.eta, eta, rtol=1e-12, atol=0):
            raise FlowLinkError(f"the algorithm factory gave eta = {algorithm.eta:g} for eta = {eta:g}")
        rows = trajectory(network, algorithm, data, k, params0, alpha=alpha0, dtype=dtype)
        if len(rows) < k + 1:
            raise FlowLinkError(f"the iterates at eta = {eta:g} diverged after {len(rows) - 1} of {k} steps")
        if index is None:
            index = state_index(model, layout, rows.shape[1])
        rows = rows[:, index]
        values = flow_parameters(model, algorithm, eta, params, time_param, rate_param, objective_scale)
        p = np.array([values[s.name] for s in model.params], dtype=float)
        t_eval = np.arange(k + 1, dtype=float) if whole_path else np.array([float(k)])
        ours = _solve(flow, k, rows[0], p, "dop853", rtol, atol, t_eval)
        if second_witness:
            theirs = _solve(flow, k, rows[0], p, "scipy:DOP853", rtol, atol, t_eval)
            agreement.append(float(np.max(np.abs(ours - theirs))))
        steps.append(k)
        used.append(values)
        iterates.append(rows[-1])
        flows.append(ours[-1])
        distances.append(float(np.max(np.abs(rows[-1] - ours[-1]))))
        if whole_path:
            paths.append(rows)
            flow_paths.append(ours)
            path_distances.append(float(np.max(np.abs(rows - ours))))
    distances = np.array(distances)
    if not np.all(distances > 0):
        raise FlowLinkError(f"a distance is zero ({distances.tolist()}); no order can be fitted")
    order = float(np.polyfit(np.log(etas), np.log(distances), 1)[0])
    return FlowLink(
        etas=etas,
        steps=np.array(steps),
        state_names=tuple(s.name for s in model.state),
        iterates=np.array(iterates),
        flows=np.array(flows),
        distances=distances,
        order=order,
        agreement=np.array(agreement) if second_witness else None,
        params=tuple(used),
        paths=tuple(paths) if whole_path else None,
        flow_paths=tuple(flow_paths) if whole_path else None,
        path_distances=np.array(path_distances) if whole_path else None,
    )
