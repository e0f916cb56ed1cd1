"""Answer strategies: one module per kind of answer, tried in the order of `registry.STRATEGIES`."""
