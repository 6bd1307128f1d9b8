"""shipit: take a containerized backend from a laptop to AWS and prove every step works."""

__version__ = "0.1.0"
