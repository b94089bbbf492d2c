"""Golden trees are expected generator output, compared file by file by the generator tests;
the test suites inside them (a generated service's own tests) are not propctl's tests."""

collect_ignore_glob = ["*/*"]
