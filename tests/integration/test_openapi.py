"""docs/openapi.yaml, the API description: valid OpenAPI 3.1, covering exactly the routes the
server registers, served at GET /api/openapi.json, and enforced by the harness's checks."""

import glob
import json
import os
import re
import unittest

import yaml

import openapi_check
from harness import ServerTestCase

SRC_HTTP = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "src", "http")
# Where routes are registered: Routes::Public/SignIn/Console/Cli/KeyCheck(verb::x, pattern,
# ...), the pattern a literal or a named constant (`std::string(kKeyCheckPath)`).
KINDS = r'\b(?:Public|SignIn|Console|Cli|KeyCheck)\(\s*verb::'
REGISTRATION = re.compile(KINDS + r'(\w+),\s*(?:"([^"]+)"|(?:std::string\()?(k\w+)\)?)')
CALL = re.compile(KINDS)
CONSTANT = re.compile(r'\b(k\w+)\s*=\s*"([^"]*)"')


def registered_routes(test):
    constants = {}
    for path in glob.glob(os.path.join(SRC_HTTP, "*.h")) + glob.glob(os.path.join(SRC_HTTP, "*.cc")):
        with open(path, encoding="utf-8") as f:
            constants.update(CONSTANT.findall(f.read()))
    routes = set()
    for path in sorted(glob.glob(os.path.join(SRC_HTTP, "*.cc"))):
        if path.endswith("_test.cc"):
            continue
        with open(path, encoding="utf-8") as f:
            text = f.read()
        found = REGISTRATION.findall(text)
        # A registration this pattern cannot read (a pattern built at run time) would escape
        # the comparison: refuse it.
        test.assertEqual(len(found), len(CALL.findall(text)),
                         f"{os.path.basename(path)}: a route registration the test cannot read")
        for method, pattern, constant in found:
            if constant:
                test.assertIn(constant, constants, f"{os.path.basename(path)}: {constant}")
                pattern = constants[constant]
            routes.add((method.rstrip("_"), pattern))
    return routes


def described_routes():
    doc = openapi_check.spec().doc
    return {(m, p) for p, item in doc["paths"].items() for m in item if m in openapi_check.METHODS}


class DocumentTest(unittest.TestCase):

    def test_document_is_valid_openapi_3_1(self):
        with open(openapi_check.DOC_PATH, encoding="utf-8") as f:
            doc = yaml.safe_load(f)
        self.assertEqual(doc["openapi"], "3.1.0")
        self.assertEqual(openapi_check.document_problems(doc), [])

    def test_a_broken_document_is_refused(self):
        doc = json.loads(json.dumps(openapi_check.spec().doc))
        doc["paths"]["/api/keys"]["get"]["responses"]["200"]["content"]["application/json"][
            "schema"] = {"$ref": "#/components/schemas/Nothing"}
        del doc["paths"]["/healthz"]["get"]["responses"]
        doc["paths"]["/metrics"]["get"]["responses"]["2xx"] = {"description": "not a status"}
        problems = " ".join(openapi_check.document_problems(doc))
        self.assertIn("#/components/schemas/Nothing does not resolve", problems)
        self.assertIn("GET /healthz: no responses", problems)
        self.assertIn("meta-schema: at /paths//metrics/get/responses", problems)

    def test_every_registered_route_is_described(self):
        registered = registered_routes(self)
        self.assertGreater(len(registered), 60)
        described = described_routes()
        self.assertEqual(sorted(registered - described), [], "registered, not in docs/openapi.yaml")
        self.assertEqual(sorted(described - registered), [],
                         "in docs/openapi.yaml, not registered by the server")

    def test_answers_that_disagree_are_caught(self):
        json_type = {"content-type": "application/json; charset=utf-8"}
        check = openapi_check.answer_problem
        self.assertIsNone(check("GET", "/api/keys?limit=5", 200, json_type,
                                '{"keys": [], "next_cursor": null}'))
        self.assertIn("status 418 is not declared", check("GET", "/api/keys", 418, {}, ""))
        problem = check("GET", "/api/keys", 200, json_type,
                        '{"keys": [{"id": "key_1", "secret": "tfzo_not_shown"}], "next_cursor": 3}')
        self.assertIn("GET /api/keys: status 200: the body does not match", problem)
        self.assertNotIn("tfzo_not_shown", problem)  # never a value of the body
        self.assertIn("body does not match", check(
            "GET", "/api/keys", 401, json_type, '{"error": {"code": "no_such_code", "message": "x"}}'))
        self.assertIn("declares a body and came without one",
                      check("POST", "/api/keys", 201, json_type, ""))
        self.assertIsNone(check("POST", "/api/keys/key_1/revoke", 404, json_type,
                                '{"error": {"code": "not_found", "message": "No such key."}}'))
        # The literal route wins over the template, as in the server.
        self.assertIn("POST /api/keys/revoke:", check("POST", "/api/keys/revoke", 201, {}, ""))
        self.assertIn("no such operation", check("GET", "/api/nothing", 200, json_type, "{}"))
        self.assertNotIn("tfzo_", check("GET", "/api/keys/tfzo_x/y/z", 200, json_type, "{}"))
        # Envoy's forwarded checks: any method, any path under the check's.
        ident = {"x-2501-account": "acc_1", "x-2501-key": "key_1", "x-2501-org": ""}
        self.assertIsNone(check("POST", "/api/v1/keys/check/svc/x?y=1", 200, ident, ""))
        self.assertIn("came without its X-2501-Key header",
                      check("GET", "/api/v1/keys/check", 204, {"x-2501-account": "a"}, ""))
        self.assertIn("came without its Retry-After header", check(
            "GET", "/api/keys", 429, json_type, '{"error": {"code": "rate_limited", "message": "x"}}'))
        self.assertIn("came without its WWW-Authenticate header", check(
            "GET", "/api/v1/me", 401, json_type, '{"error": {"code": "key_invalid", "message": "x"}}'))


class ServedTest(ServerTestCase):

    def test_served_json_is_the_yaml(self):
        r = self.client().get("/api/openapi.json")
        self.assertEqual(r.status, 200, r)
        self.assertTrue(r.header("Content-Type").startswith("application/json"), r.headers)
        self.assertEqual(r.header("Cache-Control"), "no-cache")
        with open(openapi_check.DOC_PATH, encoding="utf-8") as f:
            self.assertTrue(r.json() == yaml.safe_load(f),
                            "the served description is not docs/openapi.yaml (rebuild?)")
        etag = r.header("ETag")
        self.assertRegex(etag, r'^"[0-9a-f]{32}"$')
        again = self.client().get("/api/openapi.json", headers={"If-None-Match": f'"x", {etag}'})
        self.assertEqual(again.status, 304, again)
        self.assertEqual(again.body, "")
        self.assertEqual(again.header("ETag"), etag)
        other = self.client().get("/api/openapi.json", headers={"If-None-Match": '"other"'})
        self.assertEqual(other.status, 200)

    def test_every_operation_answers_as_described_without_a_credential(self):
        # Each answer goes through the harness's check; none may be "no such path".
        c = self.client()
        for method, template in sorted(described_routes() & registered_routes(self)):
            path = re.sub(r"{[^}]+}", "x1", template)
            r = c.request(method.upper(), path, body={} if method != "get" else None)
            if r.status in (404, 405):
                self.assertNotIn("No such path", r.body, f"{method.upper()} {template}")
                self.assertNotEqual(r.status, 405, f"{method.upper()} {template}")


if __name__ == "__main__":
    unittest.main()
