"""What runs the checks: the kind API and its registry (`base`), the run itself (`runner`), the
file index, the worker processes, the sealed cache outside the tree, path and parameter
validation, and the redaction every result passes through."""
