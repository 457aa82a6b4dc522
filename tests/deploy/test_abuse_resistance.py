"""The deployed stage under attack: throttling, the optional WAF rule, the 429 answer, the digest's resources."""
from __future__ import annotations

import copy
import json
import re
from typing import Any

import boto3
import pytest
from samtranslator.parser.parser import Parser
from samtranslator.translator.translator import Translator

from chalicelib import settings
from localdev import rate_limit
from localdev.tables import DIGEST_INDEX
from tests.support.packaging import PROJECT_DIR, Packaged, lint_problems

PARAMETERS = {"AdminEmail": "admin@example.com", "SenderEmail": "no-reply@example.com"}


def _expand(packaged: Packaged, **parameters: str) -> dict[str, Any]:
    """The template after the SAM transform, with the given parameter values."""
    template = copy.deepcopy(packaged.template)
    for resource in template["Resources"].values():
        if resource["Type"] == "AWS::Serverless::Function":
            resource["Properties"]["CodeUri"] = "s3://artifacts/deployment.zip"
    translator = Translator(None, Parser(), boto_session=boto3.Session(region_name="us-east-1"))
    return translator.translate(template, parameter_values={**PARAMETERS, **parameters}, get_managed_policy_map=dict)


def _one(template: dict[str, Any], kind: str) -> tuple[str, dict[str, Any]]:
    [(logical_id, resource)] = [(key, r) for key, r in template["Resources"].items() if r["Type"] == kind]
    return logical_id, resource


def _openapi_429() -> dict[str, Any]:
    document = json.loads((PROJECT_DIR / "docs" / "openapi.json").read_text(encoding="utf-8"))
    return document["paths"]["/contact"]["post"]["responses"]["429"]


@pytest.fixture(scope="module")
def expanded(packaged: Packaged) -> dict[str, Any]:
    return _expand(packaged)


class TestThrottling:
    def test_every_method_of_the_stage_is_throttled_by_stack_parameters(self, packaged: Packaged, expanded):
        # GIVEN the API stage CloudFormation creates
        _, stage = _one(expanded, "AWS::ApiGateway::Stage")
        # THEN all its methods share rate and burst limits that are stack parameters
        assert stage["Properties"]["MethodSettings"] == [{
            "ResourcePath": "/*", "HttpMethod": "*",
            "ThrottlingRateLimit": {"Ref": "ApiThrottlingRateLimit"},
            "ThrottlingBurstLimit": {"Ref": "ApiThrottlingBurstLimit"},
        }]
        parameters = packaged.template["Parameters"]
        assert parameters["ApiThrottlingRateLimit"]["Type"] == "Number"
        assert parameters["ApiThrottlingBurstLimit"]["Default"] >= parameters["ApiThrottlingRateLimit"]["Default"]

    def test_a_throttled_request_gets_429_in_the_api_error_shape_with_retry_after(self, expanded):
        # GIVEN the gateway responses deployed with the API's definition
        _, api = _one(expanded, "AWS::ApiGateway::RestApi")
        throttled = api["Properties"]["Body"]["x-amazon-apigateway-gateway-responses"]["THROTTLED"]
        # THEN the throttled answer is 429, a Retry-After header and a JSON body {"Code","Message"}
        assert throttled["statusCode"] == "429"
        assert re.fullmatch(r"'[0-9]+'", throttled["responseParameters"]["gatewayresponse.header.Retry-After"])
        body = json.loads(throttled["responseTemplates"]["application/json"])
        # AND it is the answer `make run` gives under RATE_LIMIT_PER_MINUTE, as the OpenAPI document says
        assert body == {"Code": rate_limit.CODE, "Message": rate_limit.MESSAGE}
        assert _openapi_429()["content"]["application/json"]["schema"] == {
            "$ref": "#/components/schemas/TooManyRequests"
        }
        assert "Retry-After" in _openapi_429()["headers"]


class TestWaf:
    def test_waf_is_off_unless_asked_for(self, packaged: Packaged):
        # GIVEN the stack parameters
        parameter = packaged.template["Parameters"]["EnableWaf"]
        # THEN the web ACL and its association exist only when EnableWaf is true (default false)
        assert parameter["Default"] == "false" and parameter["AllowedValues"] == ["true", "false"]
        assert packaged.template["Conditions"]["WafEnabled"] == {"Fn::Equals": [{"Ref": "EnableWaf"}, "true"]}
        assert packaged.resources["WebAcl"]["Condition"] == "WafEnabled"
        assert packaged.resources["WebAclAssociation"]["Condition"] == "WafEnabled"

    def test_waf_blocks_an_ip_beyond_its_rate_with_the_same_429(self, packaged: Packaged):
        # GIVEN the web ACL's one rule
        acl = packaged.properties("WebAcl")
        [rule] = acl["Rules"]
        # THEN it counts requests per IP over one minute, up to a stack parameter
        assert acl["Scope"] == "REGIONAL" and acl["DefaultAction"] == {"Allow": {}}
        assert rule["Statement"]["RateBasedStatement"] == {
            "AggregateKeyType": "IP", "EvaluationWindowSec": 60, "Limit": {"Ref": "WafRequestsPerIpPerMinute"},
        }
        assert packaged.template["Parameters"]["WafRequestsPerIpPerMinute"]["MinValue"] >= 10
        # AND blocks with 429, Retry-After and the API's error body, like the stage throttling
        response = rule["Action"]["Block"]["CustomResponse"]
        assert response["ResponseCode"] == 429
        assert response["ResponseHeaders"] == [{"Name": "Retry-After", "Value": "60"}]
        body = acl["CustomResponseBodies"][response["CustomResponseBodyKey"]]
        assert body["ContentType"] == "APPLICATION_JSON"
        assert json.loads(body["Content"]) == {"Code": rate_limit.CODE, "Message": rate_limit.MESSAGE}

    def test_enabled_waf_is_associated_with_the_deployed_stage(self, packaged: Packaged):
        # GIVEN the template expanded with EnableWaf=true
        template = _expand(packaged, EnableWaf="true")
        stage_id, _ = _one(template, "AWS::ApiGateway::Stage")
        _, association = _one(template, "AWS::WAFv2::WebACLAssociation")
        # THEN the web ACL guards this API's stage, which exists before the association
        arn = association["Properties"]["ResourceArn"]["Fn::Sub"]
        assert arn.endswith("::/restapis/${RestAPI}/stages/${" + stage_id + "}")
        assert association["Properties"]["WebACLArn"] == {"Fn::GetAtt": ["WebAcl", "Arn"]}
        # AND that template lints clean too
        assert lint_problems(json.dumps(template)) == []


class TestDigestResources:
    def test_digest_runs_every_digest_interval_parameter(self, packaged: Packaged, expanded):
        # GIVEN the digest's schedule rule
        rules = [r["Properties"] for r in expanded["Resources"].values()
                 if r["Type"] == "AWS::Events::Rule" and "ScheduleExpression" in r["Properties"]]
        [rule] = rules
        assert rule["Targets"][0]["Arn"] == {"Fn::GetAtt": ["SendDigest", "Arn"]}
        assert rule["ScheduleExpression"] == {
            "Fn::FindInMap": ["DigestSchedule", {"Ref": "DigestIntervalSeconds"}, "Expression"]
        }
        # THEN every allowed interval maps to the EventBridge rate of the same length (default 5 minutes)
        parameter = packaged.template["Parameters"]["DigestIntervalSeconds"]
        assert parameter["Default"] == settings.DEFAULT_DIGEST_INTERVAL_SECONDS == 300
        mapping = packaged.template["Mappings"]["DigestSchedule"]
        for seconds in parameter["AllowedValues"]:
            minutes = int(re.fullmatch(r"rate\((\d+) minutes?\)", mapping[str(seconds)]["Expression"]).group(1))
            assert minutes * 60 == seconds

    def test_tickets_table_has_the_sparse_keys_only_digest_index(self, packaged: Packaged):
        # GIVEN the tickets table
        properties = packaged.properties("TicketsTable")
        [index] = properties["GlobalSecondaryIndexes"]
        # THEN the index is the one the app queries and `make run` builds
        assert index["IndexName"] == settings.DIGEST_INDEX
        assert index["KeySchema"] == DIGEST_INDEX["KeySchema"]
        assert index["Projection"] == {"ProjectionType": "KEYS_ONLY"}
        defined = {a["AttributeName"]: a["AttributeType"] for a in properties["AttributeDefinitions"]}
        assert defined == {"ticketId": "S", "digestStatus": "S", "digestUpdatedAt": "S"}

    def test_counters_table_expires_its_items(self, packaged: Packaged):
        # GIVEN the counters table
        properties = packaged.properties("CountersTable")
        # THEN it is the app's, keyed by id, with the TTL attribute the quota writes
        assert properties["TableName"] == "contact-form-counters"
        assert properties["KeySchema"] == [{"AttributeName": "id", "KeyType": "HASH"}]
        assert properties["TimeToLiveSpecification"] == {"AttributeName": "expiresAt", "Enabled": True}
        assert properties["BillingMode"] == "PAY_PER_REQUEST"
        assert packaged.resources["CountersTable"]["DeletionPolicy"] == "Delete"

    def test_quota_and_digest_parameters_reach_the_functions(self, packaged: Packaged):
        # GIVEN the quota parameter
        parameter = packaged.template["Parameters"]["AdminEmailsPerMinute"]
        # THEN its default is the app's, and both the notifier and the digest read it
        assert parameter["Default"] == settings.DEFAULT_ADMIN_EMAILS_PER_MINUTE == 10
        for function in ("NotifyAdmin", "SendDigest"):
            variables = packaged.properties(function)["Environment"]["Variables"]
            assert variables["ADMIN_EMAILS_PER_MINUTE"] == {"Ref": "AdminEmailsPerMinute"}
