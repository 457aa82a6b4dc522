"""Every resource name of the product, in one place (deployed with the app: constants only, no imports).

chalicelib/settings.py, localdev/, the tests and the ASL substitutions read them from here; a test
holds .chalice/config.json and deploy/resources.yaml to the same values.
"""
from __future__ import annotations

APP_NAME = "contact-form"

# DynamoDB
TICKETS_TABLE = "contact-form-tickets"
TICKETS_TABLE_KEY = "ticketId"
IDEMPOTENCY_TABLE = "contact-form-idempotency"
IDEMPOTENCY_TABLE_KEY = "id"
COUNTERS_TABLE = "contact-form-counters"
COUNTERS_TABLE_KEY = "id"
# The tickets table's sparse index of tickets waiting for the admin digest
DIGEST_INDEX = "digest"

# SQS
SUBMISSIONS_QUEUE = "contact-form-submissions"
SUBMISSIONS_DLQ = "contact-form-submissions-dlq"

# EventBridge
EVENT_BUS = "default"
EVENT_SOURCE = "contact-form"
SUBMITTED_DETAIL_TYPE = "Contact Form Submitted"
PROCESSED_DETAIL_TYPE = "Contact Form Processed"

# Step Functions: machine names and their ASL files under statemachine/
EXPRESS_STATE_MACHINE = "contact-form-processing"
PARENT_STATE_MACHINE = "contact-form-parent"
EXPRESS_DEFINITION_FILE = "contact_form.asl.json"
PARENT_DEFINITION_FILE = "parent.asl.json"

# Chalice function names (the deployed Lambda is `<APP_NAME>-<stage>-<name>`)
GENERATE_TICKET_ID_FUNCTION = "generate_ticket_id"
NOTIFY_ADMIN_FUNCTION = "notify_admin"
PROCESS_QUEUED_SUBMISSIONS_FUNCTION = "process_queued_submissions"
PROCESS_SUBMISSION_EVENT_FUNCTION = "process_submission_event"
SEND_DIGEST_FUNCTION = "send_digest"

# The ${...} keys of the ASL files (CloudFormation DefinitionSubstitutions)
GENERATE_TICKET_ID_ARN_KEY = "GenerateTicketIdFunctionArn"
NOTIFY_ADMIN_ARN_KEY = "NotifyAdminFunctionArn"
TICKETS_TABLE_NAME_KEY = "TicketsTableName"
CONTACT_FORM_STATE_MACHINE_ARN_KEY = "ContactFormStateMachineArn"
