"""Versioned routers: one module per API version."""
