"""The roadmap as data: models, loader, score model, Markdown import and render."""

from propctl.roadmap.loader import load_roadmap, parse_roadmap
from propctl.roadmap.models import Check, Criterion, Roadmap, Subtask, Task, Tier

__all__ = ["Check", "Criterion", "Roadmap", "Subtask", "Task", "Tier", "load_roadmap",
           "parse_roadmap"]
