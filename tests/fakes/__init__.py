"""Fakes at process boundaries that cannot run here, each named as a fake."""
