"""How trained variables make the network's parameters: directly, or as a norm times a direction.

An algorithm steps the variables ``v``; a parametrisation maps them to the
parameters ``p(v)`` the network uses, pulls the parameter gradient back to the
variables (``dL/dv = (dp/dv)^T dL/dp``), and may restore a constraint after a
step (``retract``). Adding a reparametrised update (weight normalisation, the
rho/V flows of Theory III) adds a parametrisation, not a copy of an algorithm.
"""


class Identity:
    """``p = v``: plain training of the weights."""

    name = "weights"

    def variables(self, xp, params, weight_mask):
        """The trained variables that give ``params``."""
        return list(params)

    def parameters(self, xp, variables, weight_mask):
        return variables

    def pullback(self, xp, variables, grads, weight_mask):
        return grads

    def retract(self, xp, variables, weight_mask):
        pass


class NormDirection:
    """``W_l = rho_l V_l / |V_l|_F`` for every weight matrix; biases trained directly.

    With ``unit_directions=False`` this is weight normalisation (Salimans and
    Kingma 2016), the parametrisation Theory III sec. 4.5.2 identifies with its
    dynamics (B): gradients ``dL/drho = <G, V>/|V|``,
    ``dL/dV = (rho/|V|) (G - <G, V> V/|V|^2)``. With ``unit_directions=True``
    the directions are kept on the unit sphere after every step (tangent
    gradient plus projection), the discrete counterpart of the Lagrange
    multiplier flow of Theory III eq. 14, 22.

    Variables are ``[rho_1, V_1, (b_1,) rho_2, V_2, ...]``: each weight matrix
    becomes a scalar norm (shape ``()``) followed by its direction.
    """

    def __init__(self, unit_directions=False):
        self.unit_directions = unit_directions
        self.name = "rho_v" if unit_directions else "weight_norm"

    def variables(self, xp, params, weight_mask):
        out = []
        for param, is_weight in zip(params, weight_mask):
            if is_weight:
                norm = xp.sqrt((param * param).sum(keepdims=True)).reshape(())
                out += [norm, param / norm if self.unit_directions else param.copy()]
            else:
                out.append(param)
        return out

    def _groups(self, variables, weight_mask):
        index = 0
        for is_weight in weight_mask:
            if is_weight:
                yield True, variables[index], variables[index + 1]
                index += 2
            else:
                yield False, variables[index], None
                index += 1

    def parameters(self, xp, variables, weight_mask):
        params = []
        for is_weight, first, direction in self._groups(variables, weight_mask):
            if is_weight:
                params.append(first * direction / xp.sqrt((direction * direction).sum()))
            else:
                params.append(first)
        return params

    def pullback(self, xp, variables, grads, weight_mask):
        out = []
        for (is_weight, first, direction), grad in zip(self._groups(variables, weight_mask), grads):
            if not is_weight:
                out.append(grad)
                continue
            norm = xp.sqrt((direction * direction).sum())
            unit = direction / norm
            radial = (grad * unit).sum()
            out += [radial.reshape(()), (first / norm) * (grad - radial * unit)]
        return out

    def retract(self, xp, variables, weight_mask):
        if not self.unit_directions:
            return
        index = 0
        for is_weight in weight_mask:
            if is_weight:
                direction = variables[index + 1]
                direction /= xp.sqrt((direction * direction).sum())
                index += 2
            else:
                index += 1

