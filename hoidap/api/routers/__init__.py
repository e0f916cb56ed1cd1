"""The API's routes, one module per resource; each `router(...)` is built for one app's limits."""
