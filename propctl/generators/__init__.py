"""Generators: one module per generator (`service.py`, `lint.py`, `concerns.py` for `scaffold
add`, ...), each building a `Generation` that `engine/` renders, plans and applies; `target/`
reads what several generators need of the target repository; the few modules beside the
generators that build none hold the support code of one generator (`action_pins` for the
workflows, `api_k8s`, `pyimports` and `token_signing` for `scaffold add`)."""
