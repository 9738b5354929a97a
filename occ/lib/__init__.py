"""Helpers shared by the apps. Nothing here imports an app: apps import these, never the reverse."""
