"""The benchmark server's settings: production's, with the benchmark's bare view routed (bench/urls.py)."""

from occ.production import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
