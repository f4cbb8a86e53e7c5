"""The ``/api/*`` endpoints, one module per family; ``ENDPOINTS`` lists them all."""
