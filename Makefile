# Two commands on a fresh machine:  make demo  and  make test  (see README.md).
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-stamp

.PHONY: venv test demo system-deps lint bench clean

venv: $(STAMP)

$(STAMP): pyproject.toml
	python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

# Debian packages the tests use (redis-server, promtool, chromium, PostgreSQL); installs only
# what is missing. The servers themselves are started by the test fixtures and stopped after.
system-deps:
	bash .ci/system-deps.sh

# TEST_WORKERS=N runs the suite in N pytest-xdist workers, each test module whole in one worker
# (the grouping and order are tests/conftest.py's); 0 runs it in this process. Two, one per core
# of the 2-core machines CI uses: a fresh clone's `CI=true bash .ci/run` took 17m56s there, venv
# and system packages included (pytest 972 s, the demo test 676 s of it), where one process takes
# about an hour.
TEST_WORKERS ?= 2
test: $(STAMP) system-deps lint
	$(PY) -m pytest -n $(TEST_WORKERS) --dist loadfile --no-loadscope-reorder

# PROPCTL_TODAY fixes "today" for every propctl command; make demo passes the real date
demo: $(STAMP) system-deps
	PROPCTL_TODAY=$${PROPCTL_TODAY:-$$(date -u +%F)} bash examples/demo.sh

# lint, format and types are part of make test, so CI holds them
lint: $(STAMP)
	$(VENV)/bin/ruff check propctl tests benchmarks
	$(VENV)/bin/ruff format --check propctl tests benchmarks
	$(VENV)/bin/mypy

bench: $(STAMP)
	for b in benchmarks/*.py; do $(PY) $$b || exit 1; done

clean:
	rm -rf $(VENV) build dist *.egg-info .pytest_cache
