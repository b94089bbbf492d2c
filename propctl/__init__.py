"""propctl: the Propmubi roadmap as code."""

__version__ = "0.1.0"
