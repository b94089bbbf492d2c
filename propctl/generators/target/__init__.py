"""What generators read from (and check in) the target repository, shared by several of them:
how its API is laid out (`app_layout`), whether the app still imports (`import_check`), the
Python it runs on (`repo_python`), the ports already taken (`taken_ports`), and the environments
its Kubernetes manifests deploy into (`k8s_environments`)."""
