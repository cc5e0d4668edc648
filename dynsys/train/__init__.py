"""Discrete training: the papers' algorithms, the third witness of the flows."""
