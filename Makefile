# The two set-up commands of the README. Both create/refresh the virtual
# environment first when the requirements changed since the last install.
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.mmrelvit-installed

.PHONY: install demo test lint

$(STAMP): requirements/*.txt setup.py tools/install.sh
	MMRELVIT_VENV=$(VENV) bash tools/install.sh
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	PYTHON=$(abspath $(PY)) bash tools/demo.sh

test: $(STAMP)
	$(PY) -m pytest tests

lint: $(STAMP)
	$(PY) -m flake8 mmrelvit tools tests configs
	$(PY) -m isort --check-only --diff mmrelvit tools tests
