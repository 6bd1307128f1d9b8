"""The article service: a small production-shaped backend that shipit builds, deploys and checks."""

__version__ = "0.1.0"
