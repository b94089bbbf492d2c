"""Checks, by role: `engine/` runs them (the kind API and registry, the file index, workers,
the result cache), `gate/` judges their results (the rules, waivers, attestations, a replayed
run), `kinds/` holds one module or package per check kind, `support/` what several kinds
share, and `status.py` the outcomes every part names."""
