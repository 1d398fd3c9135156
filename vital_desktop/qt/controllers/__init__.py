"""Controllers: the behaviour of each screen; the rules they apply live in the core."""
