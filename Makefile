# Tugboat: `make up` runs the whole cluster on this host; `make test` runs every suite.
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
export PATH := $(CURDIR)/$(VENV)/bin:$(PATH)

.PHONY: install docker images path up test unit integration compat e2e lint bench clean

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	test -x $(PY) || python3 -m venv $(VENV)
	$(PIP) install -q --upgrade pip >/dev/null 2>&1 || true
	$(PIP) install -q -e '.[test]'
	touch $@

docker:
	bash deploy/ensure-docker.sh
	bash deploy/ensure-netfilter.sh

images: docker
	bash deploy/images/build.sh

# `tug` and the daemons on PATH: symlinks in BINDIR when it is writable (never over a file
# that is not already a symlink), otherwise the line that does it for this shell.
BINDIR ?= /usr/local/bin
TOOLS := tug tug-apiserver tug-scheduler tug-controller-manager tug-kubelet tug-proxy tug-dns

path: install
	@if [ -d "$(BINDIR)" ] && [ -w "$(BINDIR)" ]; then \
	  for t in $(TOOLS); do \
	    if [ -e "$(BINDIR)/$$t" ] && [ ! -L "$(BINDIR)/$$t" ]; then \
	      echo "$(BINDIR)/$$t exists and is not ours: left alone"; \
	    else ln -sfn "$(CURDIR)/$(VENV)/bin/$$t" "$(BINDIR)/$$t"; fi; \
	  done; \
	  echo "tug is on PATH: $(BINDIR)/tug -> $(CURDIR)/$(VENV)/bin/tug"; \
	else \
	  echo "$(BINDIR) is not writable, so tug is not on PATH; in your shell run:"; \
	  echo "  export PATH=$(CURDIR)/$(VENV)/bin:\$$PATH"; \
	  echo "(or make path BINDIR=~/.local/bin, or sudo make path)"; \
	fi

up: install images path
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
	$(VENV)/bin/ruff check tugboat tests bench hack
	$(VENV)/bin/lint-imports

bench: install
	$(PY) bench/api.py

clean:
	rm -rf $(VENV) *.egg-info .pytest_cache .ruff_cache
