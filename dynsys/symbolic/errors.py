"""The one exception for a user's mistake in a model or its parameters."""


class ModelError(ValueError):
    """An unknown model or parameter, an invalid value, or a reduction that
    does not hold. The command line maps it to exit status 2."""
