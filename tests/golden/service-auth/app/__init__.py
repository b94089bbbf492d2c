"""Auth service of the Propmubi platform."""

__version__ = "0.1.0"
