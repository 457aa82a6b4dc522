"""Set-up helpers `make` runs before anything else; standard library only (they run before `.venv` exists)."""
