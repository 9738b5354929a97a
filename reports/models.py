"""Reports store nothing of their own: they read interactions (see reports/selectors.py)."""
