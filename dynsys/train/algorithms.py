"""The papers' discrete training algorithms, each a small object over one shared step.

Every algorithm minimises, on a minibatch ``S`` of the training set, an
objective of the form

    L_S(W) = c * sum_l |W_l|_F^2 / 2 + sum_{mu in S} phi_mu(f(x^mu))

and steps ``v <- v - eta dL_S/dv`` in the variables of its parametrisation
(the weights themselves unless told otherwise), then updates its own state
(the Lagrange multipliers of Minnorm). They differ only in ``c`` (the weight
penalty, :attr:`penalty`) and in ``dphi_mu/df`` (:meth:`output_gradient`).
Biases are never penalised.
"""

from .losses import get_loss, regression_targets, sign_targets
from .parametrisation import Identity


class AlgorithmError(ValueError):
    """An algorithm that cannot run with the given settings (a user error)."""


def _number(name, value):
    try:
        return float(value)
    except (TypeError, ValueError):
        raise AlgorithmError(f"{name} must be a number, got {value!r}") from None


def _positive(name, value):
    value = _number(name, value)
    if not value > 0:
        raise AlgorithmError(f"{name} must be positive, got {value:g}")
    return value


def _nonnegative(name, value):
    value = _number(name, value)
    if not value >= 0:
        raise AlgorithmError(f"{name} must be non-negative, got {value:g}")
    return value


class Algorithm:
    """The shared step; subclasses set :attr:`penalty` and :meth:`output_gradient`."""

    name = "algorithm"
    penalty = 0.0
    multipliers = False  # whether the state carries Lagrange multipliers alpha (P, n_out)

    def __init__(self, eta, parametrisation=None):
        self.eta = _positive("learning rate eta", eta)
        self.parametrisation = parametrisation or Identity()

    def start(self, xp, network, params, n_examples):
        """The training state: the trained variables and, for Minnorm, multipliers alpha = 0."""
        mask = network.weight_mask()
        state = {"variables": self.parametrisation.variables(xp, params, mask),
                 "gradients": [xp.empty_like(p) for p in params]}  # reused by every step: see step
        if self.multipliers:
            state["alpha"] = xp.zeros((n_examples, network.widths[-1]), dtype=params[0].dtype)
        return state

    def parameters(self, xp, network, state):
        """The network parameters the state stands for."""
        return self.parametrisation.parameters(xp, state["variables"], network.weight_mask())

    def objective_gradient(self, xp, network, state, index, X, y, out=None):
        """``dL_S/dv`` for the batch ``index`` (rows ``X``, labels ``y``), one array per variable.

        The arrays are new, or ``out`` (one array per parameter) when given; never a view of the variables,
        so the caller may overwrite them.
        """
        mask = network.weight_mask()
        params = self.parametrisation.parameters(xp, state["variables"], mask)
        f, cache = network.forward(xp, params, X, keep=True)
        grads = network.backward(xp, params, cache, self.output_gradient(xp, f, y, state, index), out=out)
        if self.penalty:
            for grad, param, is_weight in zip(grads, params, mask):
                if is_weight:
                    grad += self.penalty * param  # in place: backward's arrays are this step's own
        return self.parametrisation.pullback(xp, state["variables"], grads, mask)

    def step(self, xp, network, state, index, X, y):
        """One update on the batch: the weight step, then the algorithm's own state."""
        variables = state["variables"]
        # Into buffers allocated once: a fresh array the size of a layer per step costs page faults that,
        # for the rank-one gradients of a LinearNetwork, take longer than computing them.
        steps = self.objective_gradient(xp, network, state, index, X, y, out=state["gradients"])
        for variable, step in zip(variables, steps):
            step *= self.eta  # in place (no temporary the size of the weights); the gradient is ours
            variable -= step
        self.parametrisation.retract(xp, variables, network.weight_mask(), steps)
        if self.multipliers:
            f = network.forward(xp, self.parameters(xp, network, state), X)
            self.update_multipliers(xp, state, index, f, y)

    def output_gradient(self, xp, f, y, state, index):
        raise NotImplementedError

    def update_multipliers(self, xp, state, index, f, y):
        raise NotImplementedError

    def settings(self):
        """The hyper-parameters, for records."""
        out = {"algorithm": self.name, "eta": self.eta, "parametrisation": self.parametrisation.name}
        out.update({k: getattr(self, k) for k in ("loss_name", "weight_decay", "rho", "s") if hasattr(self, k)})
        return out


class GradientDescent(Algorithm):
    """(Minibatch) gradient descent on the mean loss: ``W <- W - eta (1/|S|) sum_{mu in S} dl_mu/dW``.

    With a minibatch this is the SGD of Minnorm App. D.1; with ``weight_decay =
    gamma > 0`` it adds ``gamma |W|^2/2`` to the objective (the L2 penalty of
    Minnorm eq. 8 and App. D.2): ``W <- W - eta (dl/dW + gamma W)``.
    """

    name = "gd"

    def __init__(self, eta, loss="softmax_ce", weight_decay=0.0, parametrisation=None):
        super().__init__(eta, parametrisation)
        self.loss = get_loss(loss)
        self.loss_name = self.loss.name
        self.weight_decay = self.penalty = _nonnegative("weight decay", weight_decay)

    def output_gradient(self, xp, f, y, state, index):
        return self.loss.gradient(xp, f, y) / f.shape[0]


class WeightDecay(GradientDescent):
    """Gradient descent with an L2 penalty ``gamma |W|^2 / 2`` (Minnorm eq. 8, App. D.2)."""

    name = "weight_decay"

    def __init__(self, eta, weight_decay, loss="softmax_ce", parametrisation=None):
        super().__init__(eta, loss, weight_decay, parametrisation)
        _positive("weight decay", weight_decay)


class _Minnorm(Algorithm):
    """Dual ascent on an augmented Lagrangian: the norm term ``|W|^2/2``, multipliers stepped by ``s``."""

    penalty = 1.0
    multipliers = True

    def __init__(self, eta, s, rho=0.0, parametrisation=None):
        super().__init__(eta, parametrisation)
        self.s = _positive("multiplier step s", s)
        self.rho = _nonnegative("augmented Lagrangian coefficient rho", rho)


class MinnormRegression(_Minnorm):
    """Minnorm Alg. 1 (eq. 3-5): dual ascent on the augmented Lagrangian of a regression.

    ``L_S = sum_l |W_l|^2/2 + sum_{mu in S} alpha_mu (y_mu - f_mu) + rho/2 sum_{mu in S} |y_mu - f_mu|^2``;
    ``W <- W - eta dL_S/dW`` (eq. 4), then ``alpha_mu <- alpha_mu + s (y_mu - f_mu(W_new))``
    for ``mu in S`` (eq. 5). Class labels are fitted as sign targets.
    """

    name = "minnorm_regression"

    def output_gradient(self, xp, f, y, state, index):
        return -state["alpha"][index] + self.rho * (f - regression_targets(xp, f, y))

    def update_multipliers(self, xp, state, index, f, y):
        state["alpha"][index] += self.s * (regression_targets(xp, f, y) - f)


class MinnormClassification(_Minnorm):
    """Minnorm for classification with projected multipliers: App. A (binary, eq. 38-41) and Alg. 2 (one-vs-all).

    Constraints ``y_i^mu f_i(x^mu) >= 1`` with sign targets ``y_i^mu = +-1`` (one
    output for two classes, one per class otherwise, eq. 42);
    ``L_S = sum_l |W_l|^2/2 + sum_{mu in S, i} alpha_i^mu (1 - y_i^mu f_i^mu)
    + rho/2 sum_{mu in S, i: alpha_i^mu > 0} (1 - y_i^mu f_i^mu)^2``;
    ``W <- W - eta dL_S/dW``, then
    ``alpha_i^mu <- max(0, alpha_i^mu + s (1 - y_i^mu f_i^mu(W_new)))``.
    Two misprints of App. A are read as the Lagrangian (38) implies: eq. 40
    omits the ``-eta W`` of the norm term, and eq. 41 prints ``1 - f`` for
    ``1 - y f`` (claims ``minnorm.appA.eq40``, ``minnorm.appA.eq41``). The augmented term is applied per active
    multiplier (``alpha_i^mu > 0``), the usual augmented Lagrangian of an
    inequality; App. D uses ``rho = 0``, where the choice does not matter.
    """

    name = "minnorm"

    def output_gradient(self, xp, f, y, state, index):
        signs = sign_targets(xp, y, f.shape[1], f.dtype)
        alpha = state["alpha"][index]
        gradient = -alpha * signs
        if self.rho:
            gradient -= self.rho * (alpha > 0) * (1 - signs * f) * signs
        return gradient

    def update_multipliers(self, xp, state, index, f, y):
        signs = sign_targets(xp, y, f.shape[1], f.dtype)
        state["alpha"][index] = xp.maximum(state["alpha"][index] + self.s * (1 - signs * f), 0)


ALGORITHMS = {
    "gd": GradientDescent,
    "weight_decay": WeightDecay,
    "minnorm_regression": MinnormRegression,
    "minnorm": MinnormClassification,
}


def get_algorithm(name, **settings):
    """The algorithm called ``name`` built with ``settings`` (an AlgorithmError for an unknown name)."""
    if name not in ALGORITHMS:
        raise AlgorithmError(f"unknown algorithm {name!r}; choose from {', '.join(ALGORITHMS)}")
    try:
        return ALGORITHMS[name](**settings)
    except TypeError as error:
        raise AlgorithmError(f"algorithm {name!r}: {error}") from None
