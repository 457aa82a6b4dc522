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
PYTEST_ARGS ?=

.PHONY: install run test package deploy bench fuzz load tickets emails clean

install: $(VENV)/.installed

# Re-installs only when a requirements file changed.
$(VENV)/.installed: requirements.txt requirements-dev.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@

run: install
	$(PY) -m localdev run --api-port $(API_PORT) --sfn-port $(SFN_PORT) --aws-port $(AWS_PORT)

test: install
	$(PY) -m pytest $(PYTEST_ARGS)

package: install
	$(PY) -m deploy.package --stage $(STAGE) --out out

deploy: package
	aws cloudformation deploy --template-file out/$(STAGE)/packaged.yaml \
	  --stack-name contact-form-$(STAGE) --capabilities CAPABILITY_IAM \
	  --parameter-overrides AdminEmail=$(ADMIN_EMAIL) SenderEmail=$(SENDER_EMAIL)

bench: install
	$(PY) -m bench

tickets: install
	$(PY) -m localdev tickets --aws-port $(AWS_PORT)

emails: install
	$(PY) -m localdev emails --aws-port $(AWS_PORT)

clean:
	rm -rf $(VENV) out .pytest_cache
