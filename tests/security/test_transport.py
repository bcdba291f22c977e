"""Regression tests over real sockets for the transport's answers and logs: transport-level
400/413/431 answers lacked the security headers; a missing or repeated Host was accepted;
"Expect: 100-continue" was never answered; the access log wrote the request target's raw
bytes and any API key pasted into a URL; TLS 1.2 offered suites without forward secrecy and
CBC-SHA1."""

import os
import re
import socket
import subprocess
import sys
import time
import unittest
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "integration"))

from harness import Client, Server, ServerTestCase, raw_request  # noqa: E402
from test_tls import TlsServerTestCase  # noqa: E402

SECURITY_HEADERS = {
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "no-referrer",
    "cache-control": "no-store",
}
KEY = "tfzo_0000000000000000000000000000002C8GjS"  # the test vector of docs/spec/KEYS.md


def headers_of(answer):
    head = answer.split(b"\r\n\r\n", 1)[0].decode("latin-1")
    fields = {}
    for line in head.split("\r\n")[1:]:
        name, _, value = line.partition(":")
        fields[name.strip().lower()] = value.strip()
    return fields


class TransportAnswersTest(ServerTestCase):

    def assert_security_headers(self, answer):
        fields = headers_of(answer)
        for name, value in SECURITY_HEADERS.items():
            self.assertEqual(fields.get(name), value, f"{name} on {answer[:300]!r}")
        self.assertIn("frame-ancestors 'none'", fields.get("content-security-policy", ""))
        self.assertIn("x-request-id", fields)

    def test_transport_errors_carry_the_security_headers(self):
        cases = {
            b"400": b"NOT HTTP AT ALL\r\n\r\n",
            b"431": b"GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 20000 + b"\r\n\r\n",
            b"413": b"POST /api/login HTTP/1.1\r\nHost: x\r\nContent-Length: 999999\r\n\r\n",
        }
        for status, request in cases.items():
            answer = raw_request(self.server, request)
            self.assertTrue(answer.startswith(b"HTTP/1.1 " + status), answer[:200])
            self.assert_security_headers(answer)

    def test_the_api_keeps_its_security_headers(self):
        answer = raw_request(self.server, b"GET /nope HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        self.assertTrue(answer.startswith(b"HTTP/1.1 404 "), answer[:200])
        self.assert_security_headers(answer)

    def test_http_1_1_without_host_is_400(self):
        answer = raw_request(self.server, b"GET /healthz HTTP/1.1\r\n\r\n")
        self.assertTrue(answer.startswith(b"HTTP/1.1 400 "), answer[:200])
        self.assertIn(b'"code":"invalid_request"', answer)
        self.assertIn(b"Host", answer)
        self.assert_security_headers(answer)

    def test_more_than_one_host_is_400(self):
        for version in (b"1.1", b"1.0"):
            answer = raw_request(self.server, b"GET /healthz HTTP/" + version +
                              b"\r\nHost: a.example\r\nHost: b.example\r\n\r\n")
            self.assertTrue(answer.startswith(b"HTTP/1.1 400 "), answer[:200])
            self.assertIn(b'"code":"invalid_request"', answer)

    def test_http_1_0_may_omit_host(self):
        answer = raw_request(self.server, b"GET /healthz HTTP/1.0\r\n\r\n")
        self.assertTrue(answer.startswith(b"HTTP/1.0 200 "), answer[:200])

    def test_expect_100_continue_is_answered_before_the_body(self):
        body = b'{"email": "nobody@example.com", "password": "not the password"}'
        with socket.create_connection((self.server.host, self.server.port), timeout=10) as s:
            s.sendall(b"POST /api/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                      b"Expect: 100-continue\r\nContent-Length: " + str(len(body)).encode() +
                      b"\r\n\r\n")
            s.settimeout(5)
            interim = s.recv(4096)
            self.assertEqual(interim, b"HTTP/1.1 100 Continue\r\n\r\n")
            s.sendall(body)
            s.settimeout(20)
            final = s.recv(65536)
            self.assertRegex(final, rb"^HTTP/1.1 (401|429) ")  # the login itself was judged

    def test_expect_100_continue_with_a_body_too_large_gets_413_and_no_continue(self):
        answer = raw_request(self.server, b"POST /api/login HTTP/1.1\r\nHost: x\r\n"
                          b"Expect: 100-continue\r\nContent-Length: 10000000\r\n\r\n")
        self.assertTrue(answer.startswith(b"HTTP/1.1 413 "), answer[:200])

    def test_any_other_expectation_is_417(self):
        answer = raw_request(self.server, b"POST /api/login HTTP/1.1\r\nHost: x\r\n"
                          b"Expect: something-else\r\nContent-Length: 2\r\n\r\n")
        self.assertTrue(answer.startswith(b"HTTP/1.1 417 "), answer[:200])
        self.assertIn(b'"code":"expectation_failed"', answer)
        self.assert_security_headers(answer)


class AccessLogTest(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.server = Server().start()
        # The log is read as UTF-8 by the harness: read the raw bytes instead, from a file.

    @classmethod
    def tearDownClass(cls):
        cls.server.cleanup()

    def logged_line(self, request_id):
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            lines = [line for line in self.server.log_lines if request_id in line]
            if lines:
                return lines[0]
            time.sleep(0.05)
        self.fail(f"no log line for {request_id}:\n{self.server.log()[-2000:]}")

    def request_id(self, answer):
        m = re.search(rb"X-Request-Id: (\S+)", answer)
        self.assertIsNotNone(m, answer[:300])
        return m.group(1).decode()

    def test_raw_bytes_of_the_target_are_escaped(self):
        answer = raw_request(self.server, b"GET /caf\xc3\xa9/\xff\"\\x HTTP/1.1\r\nHost: x\r\n"
                          b"Connection: close\r\n\r\n")
        self.assertTrue(answer.startswith(b"HTTP/1.1 404 "), answer[:200])
        line = self.logged_line(self.request_id(answer))
        self.assertIn(r'GET /caf\xC3\xA9/\xFF\"\\x 404', line)
        self.assertTrue(line.isascii(), line)

    def test_an_api_key_in_the_url_is_redacted(self):
        for target in (f"/api/v1/keys/{KEY}", f"/{KEY}/x", f"/tfzo%5F{KEY[5:]}"):
            answer = raw_request(self.server, f"GET {target}?key={KEY} HTTP/1.1\r\nHost: x\r\n"
                              "Connection: close\r\n\r\n".encode())
            line = self.logged_line(self.request_id(answer))
            self.assertIn("[redacted]", line)
        self.assertNotIn(KEY[5:], self.server.log())
        self.assertNotIn(KEY[5:15], self.server.log())


def openssl_handshake(port, *args):
    """Runs openssl s_client against the server; returns (accepted, the negotiated cipher)."""
    p = subprocess.run(["openssl", "s_client", "-connect", f"127.0.0.1:{port}", *args],
                       input="", capture_output=True, text=True, timeout=20)
    m = re.search(r"Cipher is (\S+)", p.stdout)
    cipher = m.group(1) if m else None
    return p.returncode == 0 and cipher not in (None, "(NONE)"), cipher


class TlsCipherTest(TlsServerTestCase):
    def test_tls_1_2_refuses_suites_without_forward_secrecy_or_aead(self):
        for cipher in ("AES128-SHA", "AES256-SHA256", "AES128-GCM-SHA256",
                       "ECDHE-RSA-AES128-SHA", "ECDHE-RSA-AES256-SHA384"):
            accepted, negotiated = openssl_handshake(self.server.port, "-tls1_2", "-cipher",
                                                     cipher)
            self.assertFalse(accepted, f"{cipher} was accepted ({negotiated})")

    def test_tls_1_2_accepts_ecdhe_with_aead(self):
        for cipher in ("ECDHE-RSA-AES128-GCM-SHA256", "ECDHE-RSA-AES256-GCM-SHA384",
                       "ECDHE-RSA-CHACHA20-POLY1305"):
            accepted, negotiated = openssl_handshake(self.server.port, "-tls1_2", "-cipher",
                                                     cipher)
            self.assertTrue(accepted, cipher)
            self.assertEqual(negotiated, cipher)

    def test_tls_1_3_still_works(self):
        accepted, _ = openssl_handshake(self.server.port, "-tls1_3")
        self.assertTrue(accepted)
        self.assertEqual(Client(self.server).get("/healthz").status, 200)


if __name__ == "__main__":
    unittest.main()
