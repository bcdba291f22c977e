"""Device authorization (issue 16, docs/spec/API.md "Device authorization"): a CLI asks for a
code without a credential, a signed-in person approves or denies it through the console's
session API, and the CLI's poll receives the key and its value exactly once. The value never
reaches the console. Also POST /api/v1/me/revoke, a key revoking itself."""

import datetime
import re
import secrets
import unittest

from harness import (Client, ServerTestCase, TwoNodesTestCase, create_key, create_org,
                     parse_rfc3339, run_sql)

USER_CODE = re.compile(r"^[BCDFGHJKLMNPQRSTVWXZ]{4}-[BCDFGHJKLMNPQRSTVWXZ]{4}$")


def start(client, **fields):
    r = client.post("/api/v1/device/code", fields)
    if r.status != 200:
        raise AssertionError(f"device code failed: {r}")
    return r.json()


def poll(client, device_code):
    return client.post("/api/v1/device/token", {"device_code": device_code})


def days_from_now(text):
    delta = parse_rfc3339(text) - datetime.datetime.now(datetime.timezone.utc).timestamp()
    return delta / 86400


class DeviceFlowTest(ServerTestCase):

    def test_approved_code_gives_the_key_once_and_never_to_the_browser(self):
        cli = self.client()
        code = start(cli, client_name="2501 CLI", hostname="build-host")
        self.assertEqual(set(code), {"device_code", "user_code", "verification_uri",
                                     "verification_uri_complete", "expires_in", "interval"})
        self.assertRegex(code["user_code"], USER_CODE)
        self.assertEqual(code["verification_uri"], self.server.url + "/#/device")
        self.assertEqual(code["verification_uri_complete"],
                         self.server.url + "/#/device?code=" + code["user_code"])
        self.assertEqual((code["expires_in"], code["interval"]), (900, 5))

        self.assertError(poll(cli, code["device_code"]), 400, "authorization_pending")
        # Polled again at once, sooner than the interval: slow_down (RFC 8628 3.5).
        self.assertError(poll(cli, code["device_code"]), 400, "slow_down")

        person = self.new_account()
        # The code as typed: lower case, without its dash.
        r = person.get("/api/device/" + code["user_code"].lower().replace("-", ""))
        self.assertEqual(r.status, 200, r)
        request = r.json()["request"]
        self.assertEqual(request["client_name"], "2501 CLI")
        self.assertEqual(request["hostname"], "build-host")
        self.assertEqual(request["ip"], "127.0.0.1")
        self.assertEqual(request["status"], "pending")
        self.assertAlmostEqual(parse_rfc3339(request["expires_at"]) -
                               parse_rfc3339(request["created_at"]), 900, delta=1)

        r = person.post(f"/api/device/{code['user_code']}/approve", {})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(set(r.json()), {"key"})
        key = r.json()["key"]
        self.assertEqual(key["name"], "2501 CLI on build-host")
        self.assertAlmostEqual(days_from_now(key["expires_at"]), 90, delta=0.01)
        self.assertEqual(person.get(f"/api/device/{code['user_code']}").json()["request"]["status"],
                         "approved")
        # A second decision finds nothing pending.
        self.assertError(person.post(f"/api/device/{code['user_code']}/deny"), 404, "not_found")

        r = poll(cli, code["device_code"])
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json()["key"]["id"], key["id"])
        secret = r.json()["secret"]
        self.assertEqual(cli.get("/api/v1/me", bearer=secret).json()["key"]["id"], key["id"])
        # Exactly once.
        self.assertError(poll(cli, code["device_code"]), 400, "expired_token")
        self.assertError(person.get(f"/api/device/{code['user_code']}"), 404, "not_found")
        # The value never reached the console, nor the log.
        for path in ("/api/keys", "/api/audit", "/api/session"):
            self.assertNotIn(secret, person.get(path).body)
        self.assertNotIn(secret, self.server.log())
        self.assertNotIn(code["device_code"], self.server.log())
        events = [e["action"] for e in person.get("/api/audit").json()["events"]
                  if e["target_id"] == key["id"]]
        self.assertIn("key.created", events)

    def test_the_person_chooses_name_expiry_and_organization(self):
        cli = self.client()
        code = start(cli, hostname="laptop")
        person = self.new_account()
        org = create_org(person)
        r = person.post(f"/api/device/{code['user_code']}/approve",
                        {"name": "my laptop", "expires_at": "2099-01-01T00:00:00Z",
                         "org_id": org["id"], "permissions": ["orgs:read"]})
        self.assertEqual(r.status, 200, r)
        key = r.json()["key"]
        self.assertEqual((key["name"], key["expires_at"], key["org_id"]),
                         ("my laptop", "2099-01-01T00:00:00Z", org["id"]))
        self.assertEqual(key["permissions"], ["orgs:read"])
        r = poll(cli, code["device_code"])
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json()["key"]["org_id"], org["id"])

    def test_an_organization_of_another_account_is_refused_and_the_code_stays_pending(self):
        cli = self.client()
        code = start(cli)
        stranger_org = create_org(self.new_account())
        person = self.new_account()
        r = person.post(f"/api/device/{code['user_code']}/approve", {"org_id": stranger_org["id"]})
        self.assertError(r, 403, "forbidden")
        self.assertEqual(person.get(f"/api/device/{code['user_code']}").json()["request"]["status"],
                         "pending")
        self.assertEqual(person.get("/api/keys").json()["keys"], [])
        r = person.post(f"/api/device/{code['user_code']}/approve", {})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json()["key"]["name"], "2501 CLI")

    def test_denied_code(self):
        cli = self.client()
        code = start(cli, hostname="h")
        person = self.new_account()
        r = person.post(f"/api/device/{code['user_code']}/deny")
        self.assertEqual(r.status, 204, r)
        self.assertError(poll(cli, code["device_code"]), 400, "access_denied")
        self.assertError(person.post(f"/api/device/{code['user_code']}/approve", {}), 404,
                         "not_found")
        self.assertEqual(person.get("/api/keys").json()["keys"], [])
        events = [e for e in person.get("/api/audit").json()["events"]
                  if e["action"] == "device.denied"]
        self.assertEqual(len(events), 1, events)
        self.assertEqual(events[0]["actor_id"], person.account["id"])

    def test_expired_code(self):
        cli = self.client()
        code = start(cli)
        run_sql(self.server, "UPDATE device_codes SET expires_at = created_at")
        self.assertError(poll(cli, code["device_code"]), 400, "expired_token")
        person = self.new_account()
        self.assertError(person.get(f"/api/device/{code['user_code']}"), 404, "not_found")
        self.assertError(person.post(f"/api/device/{code['user_code']}/approve", {}), 404,
                         "not_found")

    def test_unknown_and_bad_input(self):
        cli = self.client()
        self.assertError(poll(cli, secrets.token_hex(32)), 400, "expired_token")
        r = cli.post("/api/v1/device/token", {})
        self.assertError(r, 400, "invalid_request")
        self.assertIn("device_code", r.json()["error"]["message"])
        r = cli.post("/api/v1/device/token", {"device_code": 5})
        self.assertError(r, 400, "invalid_request")
        self.assertIn("device_code", r.json()["error"]["message"])
        r = cli.post("/api/v1/device/code", {"hostname": "evil\u202ehost"})
        self.assertError(r, 400, "invalid_request")
        self.assertIn("hostname", r.json()["error"]["message"])
        r = cli.post("/api/v1/device/code", {"client_name": ["x"]})
        self.assertError(r, 400, "invalid_request")
        self.assertIn("client_name", r.json()["error"]["message"])
        r = cli.post("/api/v1/device/code", {"scope": "all"})
        self.assertError(r, 400, "invalid_request")
        # The console's routes need a session; the approval's body is checked like /api/keys's.
        self.assertError(cli.get("/api/device/BCDF-GHJK"), 401, "unauthenticated")
        code = start(cli)
        person = self.new_account()
        r = person.post(f"/api/device/{code['user_code']}/approve", {"expires_at": "soon"})
        self.assertError(r, 400, "invalid_request")
        self.assertIn("expires_at", r.json()["error"]["message"])
        self.assertError(person.get("/api/device/not-a-code"), 404, "not_found")

    def test_a_key_revokes_itself_and_only_itself(self):
        person = self.new_account()
        key, secret = create_key(person, name="laptop")
        other, other_secret = create_key(person, name="ci")
        cli = self.client()
        r = cli.post("/api/v1/me/revoke", bearer=secret)
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json()["key"]["id"], key["id"])
        self.assertEqual(r.json()["key"]["status"], "revoked")
        self.assertError(cli.get("/api/v1/me", bearer=secret), 401, "key_revoked")
        self.assertEqual(cli.get("/api/v1/me", bearer=other_secret).status, 200)
        events = [e for e in person.get("/api/audit").json()["events"]
                  if e["action"] == "key.revoked"]
        self.assertEqual([e["target_id"] for e in events], [key["id"]])
        self.assertError(cli.post("/api/v1/me/revoke"), 401, "unauthenticated")


class DeviceLimitsTest(ServerTestCase):
    server_args = ("--max-key-lifetime", "30")

    def test_default_expiry_within_the_server_maximum(self):
        cli = self.client()
        code = start(cli)
        person = self.new_account()
        r = person.post(f"/api/device/{code['user_code']}/approve", {})
        self.assertEqual(r.status, 200, r)
        self.assertAlmostEqual(days_from_now(r.json()["key"]["expires_at"]), 30, delta=0.01)

    def test_wrong_codes_are_throttled(self):
        person = self.new_account()
        for _ in range(10):
            self.assertError(person.get("/api/device/BCDF-GHJK"), 404, "not_found")
        r = person.get("/api/device/BCDF-GHJK")
        self.assertError(r, 429, "rate_limited")
        self.assertTrue(r.header("Retry-After"))
        self.assertIn('tfzo_rate_limited_total{kind="device"} 1', person.get("/metrics").body)


class DeviceAcrossNodesTest(TwoNodesTestCase):

    def test_code_made_on_a_approved_on_b_answered_on_a(self):
        cli = Client(self.a)
        code = start(cli, hostname="node-test")
        self.assertError(poll(cli, code["device_code"]), 400, "authorization_pending")
        person = Client(self.b)
        person.signup()
        r = person.get(f"/api/device/{code['user_code']}")
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json()["request"]["hostname"], "node-test")
        r = person.post(f"/api/device/{code['user_code']}/approve", {})
        self.assertEqual(r.status, 200, r)
        key = r.json()["key"]
        r = poll(cli, code["device_code"])
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json()["key"]["id"], key["id"])
        secret = r.json()["secret"]
        # Taken once across both nodes.
        self.assertError(poll(Client(self.b), code["device_code"]), 400, "expired_token")
        self.assertEqual(Client(self.b).get("/api/v1/me", bearer=secret).status, 200)

    def test_denied_on_b_is_refused_on_a(self):
        cli = Client(self.a)
        code = start(cli)
        person = Client(self.b)
        person.signup()
        self.assertEqual(person.post(f"/api/device/{code['user_code']}/deny").status, 204)
        self.assertError(poll(cli, code["device_code"]), 400, "access_denied")

    def assertError(self, response, status, code):
        self.assertEqual(response.status, status, response)
        self.assertEqual(response.json()["error"]["code"], code, response)


if __name__ == "__main__":
    unittest.main()
