"""Naming rules the roadmap and the generators share. The standard library only: the scaffold
commands use them without loading the roadmap's models."""

from __future__ import annotations

import re

# a service is `apps/<name>-service` and names Kubernetes objects: a DNS label, 2-40 characters
SERVICE_RE = re.compile(r"^[a-z][a-z0-9-]{0,38}[a-z0-9]$")
