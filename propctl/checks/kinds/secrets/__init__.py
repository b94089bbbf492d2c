"""The `secrets` kind (`kind`): detect-secrets over the repo, with the filters that drop
identifiers and digests that only look random (`identifier_filters`)."""
