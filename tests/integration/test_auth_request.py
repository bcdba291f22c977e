"""Protecting a service with nginx auth_request (docs/nginx-auth-request.md), for real: a real
nginx runs the page's configuration (local addresses, ports and a test certificate substituted)
in front of a small upstream that records what it receives, and asks a real 2501-accounts
GET /api/v1/keys/check about every request. A good key passes and the upstream sees the
identity headers (never the key, nor identity headers the client forged); no key, a revoked
key (from the very next request), a missing permission or another organization are refused
before the upstream is called, with the check's code in X-2501-Error; a 429 of the check stays
a 429, and no 2501 node answering is a 503 (never a 401)."""

import http.client
import http.server
import json
import re
import shutil
import ssl
import tempfile
import threading
import unittest
from pathlib import Path

from harness import Client, Server, create_key, create_org, make_key
from nginx_runner import documented_block, free_port, start_nginx
from test_tls import make_certificates

DOC = Path(__file__).resolve().parents[2] / "docs" / "nginx-auth-request.md"
CLIENT_IP = "127.0.0.2"  # the client's own address, as nginx sees it
DOC_ORG = "org_4kM2q8Tz3Jr9Fb0Aa1"  # the page's example organization id
FAILURE_LIMIT = 5  # --key-failure-limit of the 2501 server


def local_config(accounts_port, app_port, port, cert, key, org_id):
    """The documented configuration with this machine's addresses, ports, certificate and
    organization; only those are replaced (each must be found)."""
    conf = documented_block(DOC, "## nginx\n")
    swaps = [
        (r"(    server 10\.0\.0\.1\d:8080[^\n]*\n)+", f"    server 127.0.0.1:{accounts_port};\n"),
        (r"server 10\.0\.0\.21:9000;", f"server 127.0.0.1:{app_port};"),
        (r"listen 443 ssl;", f"listen 127.0.0.1:{port} ssl;"),
        (r"ssl_certificate +\S+;", f"ssl_certificate {cert};"),
        (r"ssl_certificate_key +\S+;", f"ssl_certificate_key {key};"),
        (re.escape(DOC_ORG), org_id),
    ]
    for pattern, value in swaps:
        conf, n = re.subn(pattern, value, conf)
        assert n >= 1, f"the page's configuration no longer has {pattern}"
    return conf


class Upstream:
    """The protected service: answers 200 with the headers it received, and records every
    request (method, path, headers with lower-case names, body)."""

    def __init__(self):
        self.seen = []
        seen = self.seen

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def answer(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length).decode() if length else ""
                headers = {k.lower(): v for k, v in self.headers.items()}
                seen.append({"method": self.command, "path": self.path, "headers": headers,
                             "body": body})
                out = json.dumps({"path": self.path}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(out)))
                self.end_headers()
                self.wfile.write(out)

            do_GET = do_POST = do_DELETE = answer

            def log_message(self, *args):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()


class NginxInFront(unittest.TestCase):
    """nginx with the page's configuration, in front of the upstream and one 2501 server."""

    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp(prefix="tfzo-authreq-")
        cls.ca, cert, key = make_certificates(cls.dir)
        cls.port = free_port()
        cls.upstream = Upstream()
        cls.server = Server("--trusted-proxies", "127.0.0.1/32",
                            "--key-failure-limit", str(FAILURE_LIMIT)).start()
        cls.owner = Client(cls.server)
        cls.owner.signup()
        cls.org = create_org(cls.owner)  # the page's /acme/ organization
        cls.other_org = create_org(cls.owner)
        cls.context = ssl.create_default_context(cafile=cls.ca)
        start_nginx(cls, local_config(cls.server.port, cls.upstream.port, cls.port, cert, key,
                                      cls.org["id"]),
                    lambda: cls.send("GET", "/health", source=CLIENT_IP)[0] == 200)

    @classmethod
    def tearDownClass(cls):
        cls.nginx.stop()
        cls.upstream.stop()
        cls.server.cleanup()
        shutil.rmtree(cls.dir, ignore_errors=True)

    @classmethod
    def send(cls, method, path, secret=None, headers=None, body=None, source=CLIENT_IP):
        """One request to nginx: (status, headers with lower-case names, body)."""
        conn = http.client.HTTPSConnection("127.0.0.1", cls.port, timeout=10,
                                           context=cls.context, source_address=(source, 0))
        hdrs = dict(headers or {})
        if secret is not None:
            hdrs["Authorization"] = f"Bearer {secret}"
        conn.request(method, path, body=body, headers=hdrs)
        r = conn.getresponse()
        data = r.read().decode("utf-8", "replace")
        out = {k.lower(): v for k, v in r.getheaders()}
        conn.close()
        return r.status, out, data

    def request(self, method, path, secret=None, **kw):
        """send(), checking that the key never comes back; also (upstream requests it made)."""
        before = len(self.upstream.seen)
        status, headers, body = self.send(method, path, secret, **kw)
        if secret:
            self.assertNotIn(secret, body)
            self.assertNotIn(secret, str(headers))
        return status, headers, self.upstream.seen[before:]

    def assertRefused(self, method, path, secret, status, code, **kw):
        got, headers, reached = self.request(method, path, secret, **kw)
        self.assertEqual((got, headers.get("x-2501-error")), (status, code), headers)
        self.assertEqual(reached, [], "the upstream must not be called")
        return headers


class AuthRequestTest(NginxInFront):

    def test_a_good_key_passes_and_the_upstream_sees_the_identity_not_the_key(self):
        key, secret = create_key(self.owner)
        forged = {"X-2501-Account": "acc_forged", "X-2501-Key": "key_forged",
                  "X-2501-Org": "org_forged"}
        status, headers, reached = self.request("POST", "/things/1?x=1", secret, headers=forged,
                                                body=b"payload")
        self.assertEqual(status, 200, headers)
        self.assertIsNone(headers.get("x-2501-error"))
        self.assertEqual(len(reached), 1)
        seen = reached[0]
        self.assertEqual((seen["method"], seen["path"], seen["body"]),
                         ("POST", "/things/1?x=1", "payload"))
        self.assertEqual(seen["headers"].get("x-2501-account"), self.owner.account["id"])
        self.assertEqual(seen["headers"].get("x-2501-key"), key["id"])
        self.assertNotIn("x-2501-org", seen["headers"], "no org: none, and not the client's")
        self.assertNotIn("authorization", seen["headers"])

    def test_no_key_is_401_with_the_challenge_and_the_upstream_is_not_called(self):
        headers = self.assertRefused("GET", "/things", None, 401, "unauthenticated")
        self.assertEqual(headers.get("www-authenticate"), 'Bearer realm="2501"')
        headers = self.assertRefused("GET", "/things", "tfzo_notakey", 401, "key_malformed",
                                     source="127.0.0.4")
        self.assertEqual(headers.get("www-authenticate"),
                         'Bearer realm="2501", error="invalid_token"')

    def test_a_revoked_key_is_refused_from_the_very_next_request(self):
        key, secret = create_key(self.owner)
        self.assertEqual(self.request("GET", "/things", secret)[0], 200)
        self.assertEqual(self.owner.post(f"/api/keys/{key['id']}/revoke").status, 200)
        self.assertRefused("GET", "/things", secret, 401, "key_revoked")

    def test_a_location_needing_a_permission_refuses_a_key_without_it(self):
        _, reader = create_key(self.owner, permissions=["agents:read"])
        self.assertRefused("GET", "/agents/1", reader, 403, "permission_denied")
        self.assertEqual(self.request("GET", "/things", reader)[0], 200)  # "/" needs none
        _, writer = create_key(self.owner, permissions=["agents:write"])
        self.assertEqual(self.request("DELETE", "/agents/1", writer)[0], 200)

    def test_an_org_location_refuses_a_key_scoped_to_another_org(self):
        _, elsewhere = create_key(self.owner, org_id=self.other_org["id"])
        self.assertRefused("GET", "/acme/report", elsewhere, 403, "org_out_of_scope")
        _, here = create_key(self.owner, org_id=self.org["id"])
        status, _, reached = self.request("GET", "/acme/report", here)
        self.assertEqual(status, 200)
        self.assertEqual(reached[0]["headers"].get("x-2501-org"), self.org["id"])
        # Outside the org's location, a scoped key still names its org.
        status, _, reached = self.request("GET", "/things", elsewhere)
        self.assertEqual(status, 200)
        self.assertEqual(reached[0]["headers"].get("x-2501-org"), self.other_org["id"])

    def test_open_locations_and_the_internal_check(self):
        status, _, reached = self.request("GET", "/health")
        self.assertEqual((status, len(reached)), (200, 1))
        _, secret = create_key(self.owner)
        self.assertEqual(self.request("GET", "/_2501/check/", secret)[0], 404)

    def test_rate_limited_stays_429_with_retry_after(self):
        # Unknown keys from one client address (X-Forwarded-For through the trusted nginx): the
        # first FAILURE_LIMIT are told key_invalid, then the check answers 429, which nginx
        # would make a 500 without the page's @auth_failed.
        source = "127.0.0.3"
        unknown = make_key()  # well formed, in no store
        codes = []
        for _ in range(FAILURE_LIMIT + 2):
            status, headers, reached = self.request("GET", "/things", unknown, source=source)
            self.assertEqual(reached, [])
            codes.append((status, headers.get("x-2501-error")))
        self.assertEqual(codes[-1], (429, "rate_limited"), codes)
        self.assertTrue(int(headers.get("retry-after", "0")) >= 1, headers)
        # Other clients are not limited.
        _, secret = create_key(self.owner)
        self.assertEqual(self.request("GET", "/things", secret)[0], 200)


class AccountsDownTest(NginxInFront):
    """No 2501 node answers: the check fails, and the client is told to try again (503), not
    that its key is bad (401), nor nginx's bare 500."""

    def test_no_node_answering_is_503_not_401(self):
        key, secret = create_key(self.owner)
        self.assertEqual(self.request("GET", "/things", secret)[0], 200)
        self.server.stop()
        status, _, reached = self.request("GET", "/things", secret)
        self.assertEqual((status, reached), (503, []))
        self.assertEqual(self.request("GET", "/health")[0], 200)  # open locations still work


if __name__ == "__main__":
    unittest.main()
