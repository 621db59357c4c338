"""One module per capability, each with ``register(server)``."""
