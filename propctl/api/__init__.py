"""The library face: one typed function per command; only propctl.cli imports it."""
