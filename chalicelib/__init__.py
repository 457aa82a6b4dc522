"""Code deployed with the Chalice app: one module a concern."""
