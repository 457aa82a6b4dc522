# Contact-form processing on Step Functions Synchronous Express Workflows.
# `make run` runs the whole product offline; `make test` runs every test.

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
API_PORT ?= 8000
SFN_PORT ?= 8083
AWS_PORT ?= 5000
STAGE ?= dev
AWS_REGION ?= us-east-1
S3_BUCKET ?=
PYTEST_ARGS ?=

.PHONY: install run test package deploy bench fuzz load tickets emails clean clean-data

install: $(VENV)/.installed

# Re-installs only when a requirements file changed. A venv without pip (Debian's python3 without
# python3.X-venv leaves one half-made) is made again, after tools/venv.py installed what it lacks.
# The wheelhouse holds what the runtime needs as a package of its own: tests/packaging installs it
# into a clean venv from there, with no network.
$(VENV)/.installed: requirements.txt requirements-dev.txt packaging/stepfunctions-local/pyproject.toml
	$(PY) -m pip --version >/dev/null 2>&1 || { $(PYTHON) -m tools.venv && rm -rf $(VENV) && $(PYTHON) -m venv $(VENV); }
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	$(PY) -m pip download --quiet --disable-pip-version-check --dest $(VENV)/wheelhouse \
	  ./packaging/stepfunctions-local pytest setuptools wheel
	touch $@

# FRESH=1 starts with empty services; otherwise tickets, queued messages and emails of the last run
# come back from .localdev/state/. LOG_LEVEL=INFO|DEBUG makes it talk.
FRESH ?=
run: install
	$(PY) -m localdev run --api-port $(API_PORT) --sfn-port $(SFN_PORT) --aws-port $(AWS_PORT) $(if $(FRESH),--fresh)

# tools/browser.py finds Chrome/Chromium and chromedriver, installs them with apt on Debian/Ubuntu,
# or stops with the one command that would: the browser tests never skip.
test: install
	$(PY) -m tools.browser
	$(VENV)/bin/ruff check --quiet .
	$(VENV)/bin/mypy
	$(PY) -m pytest $(PYTEST_ARGS)

package: install
	$(PY) -m deploy.package --stage $(STAGE) --out out

# Needs an AWS account: an artifact bucket for the Lambda zip, and a verified SES sender.
deploy: package
	test -n "$(S3_BUCKET)" || { echo "set S3_BUCKET=<artifact bucket in $(AWS_REGION)>"; exit 2; }
	$(VENV)/bin/aws cloudformation package --region $(AWS_REGION) \
	  --template-file out/$(STAGE)/sam.json --s3-bucket $(S3_BUCKET) \
	  --output-template-file out/$(STAGE)/packaged.yaml
	$(VENV)/bin/aws cloudformation deploy --region $(AWS_REGION) \
	  --template-file out/$(STAGE)/packaged.yaml --stack-name contact-form-$(STAGE) \
	  --s3-bucket $(S3_BUCKET) --capabilities CAPABILITY_IAM CAPABILITY_AUTO_EXPAND \
	  --parameter-overrides AdminEmail=$(ADMIN_EMAIL) SenderEmail=$(SENDER_EMAIL) \
	  $(if $(ALLOWED_ORIGIN),AllowedOrigin=$(ALLOWED_ORIGIN))

bench: install
	$(PY) -m bench

# Thousands of generated inputs (FUZZ_EXAMPLES=N per property); prints the count tried and failures.
fuzz: install
	$(PY) -m pytest tests/reliability/test_bad_input.py tests/reliability/test_openapi.py \
		tests/stepfunctions_local/test_server_bad_input.py -n 0 -p no:randomly --hypothesis-profile=fuzz

# Concurrent clients against the offline stack; checks every answered ticket is stored, and no other.
CLIENTS ?= 16
DURATION ?= 30
load: install
	$(PY) -m loadtest --clients $(CLIENTS) --duration $(DURATION)

tickets: install
	$(PY) -m localdev tickets --aws-port $(AWS_PORT)

emails: install
	$(PY) -m localdev emails --aws-port $(AWS_PORT)

# The data `make run` keeps between runs (tickets, queued messages, sent emails).
clean-data:
	rm -rf .localdev/state

clean:
	rm -rf $(VENV) out .pytest_cache
