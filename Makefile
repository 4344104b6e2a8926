# actviz_widgets developer tasks.  Needs only python3 (>= 3.10) and make.
#
#   make venv    create .venv (reused if present) and install the package
#                in editable mode with the [test,lab] extras
#   make test    unit tests (tests/), then the notebooks under nbval
#   make lab     start JupyterLab on notebooks/
#                  NO_BROWSER=1       do not open a browser (headless machines)
#                  LAB_ARGS='...'     extra arguments for `jupyter lab`,
#                                     e.g. LAB_ARGS='--port 8899'
#                Running as root adds --allow-root (Jupyter refuses root otherwise).
#   make bench   run every benchmarks/bench_*.py
#   make clean   remove .venv and caches

PYTHON ?= python3
VENV   := .venv
VPY    := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.DEFAULT_GOAL := help
.PHONY: help venv test lab bench clean

help:
	@sed -n '3,13s/^# \{0,1\}//p' $(firstword $(MAKEFILE_LIST))

venv: $(STAMP)

# Reinstall whenever pyproject.toml changes.  pip is upgraded only if it is
# too old for editable installs from pyproject.toml (PEP 660 needs >= 21.3).
$(STAMP): pyproject.toml
	@test -x $(VPY) || $(PYTHON) -m venv $(VENV) || { \
	  echo "could not create $(VENV) with $(PYTHON); on Debian/Ubuntu: apt-get install python3-venv" >&2; \
	  exit 1; }
	$(VPY) -m pip install --quiet 'pip>=21.3'
	$(VPY) -m pip install -e '.[test,lab]'
	touch $@

# Shell snippet: run $(1); pytest's exit code 5 ("no tests collected")
# counts as success, any other non-zero code fails the target.
pytest_ok = rc=0; $(1) || rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "(no tests collected: ok)"; \
	elif [ $$rc -ne 0 ]; then exit $$rc; fi

# Unit tests render with the Agg backend; the notebooks run in a kernel that
# must pick its own (inline) backend, so MPLBACKEND is removed for nbval.
test: $(STAMP)
	@echo "MPLBACKEND=Agg $(VPY) -m pytest tests"
	@$(call pytest_ok,MPLBACKEND=Agg $(VPY) -m pytest tests)
	@set -- notebooks/*.ipynb; \
	if [ ! -e "$$1" ]; then echo "no notebooks/*.ipynb: skipping nbval"; exit 0; fi; \
	sanitize=""; \
	if [ -f notebooks/sanitize.cfg ]; then sanitize="--nbval-sanitize-with notebooks/sanitize.cfg"; fi; \
	echo "env -u MPLBACKEND $(VPY) -m pytest --nbval notebooks $$sanitize"; \
	$(call pytest_ok,env -u MPLBACKEND $(VPY) -m pytest --nbval notebooks $$sanitize)

LAB_FLAGS = $(if $(filter 1 yes true,$(NO_BROWSER)),--no-browser) \
            $(if $(filter 0,$(shell id -u)),--allow-root)

lab: $(STAMP)
	$(VENV)/bin/jupyter lab notebooks $(strip $(LAB_FLAGS)) $(LAB_ARGS)

bench: $(STAMP)
	@set -e; set -- benchmarks/bench_*.py; \
	if [ ! -e "$$1" ]; then echo "no benchmarks/bench_*.py found"; exit 0; fi; \
	for script in "$$@"; do echo "== $$script"; $(VPY) "$$script"; done

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis build dist *.egg-info
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
	find . -name .ipynb_checkpoints -type d -prune -exec rm -rf {} +
