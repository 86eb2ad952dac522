"""The demo: a generated year of submissions run through every DAG (not shipped in the image)."""
