# Tugboat: `make up` runs the whole cluster on this host; `make test` runs every suite.
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
export PATH := $(CURDIR)/$(VENV)/bin:$(PATH)

.PHONY: install docker images up test unit integration compat e2e lint bench clean

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	test -x $(PY) || python3 -m venv $(VENV)
	$(PIP) install -q --upgrade pip >/dev/null 2>&1 || true
	$(PIP) install -q -e '.[test]'
	touch $@

docker:
	bash deploy/ensure-docker.sh

images: docker
	bash deploy/images/build.sh

up: install images
	mkdir -p $(HOME)/.tug/data
	$(VENV)/bin/tug up

test: install lint images
	$(VENV)/bin/pytest tests/unit tests/integration tests/compat tests/e2e

unit: install
	$(VENV)/bin/pytest tests/unit

integration: install
	$(VENV)/bin/pytest tests/integration

compat: install
	$(VENV)/bin/pytest tests/compat

e2e: install images
	$(VENV)/bin/pytest tests/e2e

lint: install
	$(VENV)/bin/ruff check tugboat tests bench
	$(VENV)/bin/lint-imports

bench: install
	$(PY) bench/api.py

clean:
	rm -rf $(VENV) *.egg-info .pytest_cache .ruff_cache
