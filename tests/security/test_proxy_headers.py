"""Regression tests over real HTTP for X-Forwarded-For behind a proxy: the server ignored it,
so the audit showed the proxy's address for everyone and the per-address limit on unknown
keys became one limit shared by every client. With --trusted-proxies, a trusted peer's
X-Forwarded-For names the client (the right-most address that is not a trusted proxy);
anybody else's is ignored.

The "proxy" is a client bound to 127.0.0.2 (Linux routes all of 127.0.0.0/8 to loopback)."""

import subprocess
import sys
import unittest
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "integration"))

from harness import SERVER_BIN, Client, Server, make_key  # noqa: E402

PROXY = "127.0.0.2"
NOT_A_PROXY = "127.0.0.3"
LIMIT = 3  # --key-failure-limit


class ForwardingClient(Client):
    """A client that connects from `source` and sends X-Forwarded-For on every request."""

    def __init__(self, server, forwarded_for, source=PROXY):
        super().__init__(server, source_address=source)
        self.forwarded_for = forwarded_for

    def request(self, method, path, body=None, headers=None, **kw):
        headers = dict(headers or {})
        headers["X-Forwarded-For"] = self.forwarded_for
        return super().request(method, path, body=body, headers=headers, **kw)


class TrustedProxyTest(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.server = Server("--trusted-proxies", f"10.0.0.0/8, {PROXY}, ::1",
                            "--key-failure-limit", str(LIMIT)).start()

    @classmethod
    def tearDownClass(cls):
        cls.server.cleanup()

    def signup_address(self, client):
        client.signup()
        r = client.get("/api/audit")
        self.assertEqual(r.status, 200, r)
        signup = [e for e in r.json()["events"] if e["action"] == "account.signup"]
        self.assertEqual(len(signup), 1, r.json())
        return signup[0]["ip"]

    def test_the_audit_records_the_client_a_trusted_proxy_names(self):
        self.assertEqual(self.signup_address(ForwardingClient(self.server, "203.0.113.9")),
                         "203.0.113.9")

    def test_the_right_most_untrusted_address_wins_over_what_the_client_wrote(self):
        # The client sent "X-Forwarded-For: 198.51.100.1"; its proxy appended the address it
        # saw, then an inner trusted proxy appended the first proxy's.
        client = ForwardingClient(self.server, "198.51.100.1, 203.0.113.10, 10.1.2.3")
        self.assertEqual(self.signup_address(client), "203.0.113.10")

    def test_all_trusted_gives_the_left_most_and_garbage_is_never_believed(self):
        self.assertEqual(self.signup_address(ForwardingClient(self.server, "10.9.9.9, 10.1.1.1")),
                         "10.9.9.9")
        self.assertEqual(self.signup_address(ForwardingClient(self.server, "203.0.113.11, bogus")),
                         PROXY)

    def test_an_untrusted_peer_cannot_choose_its_address(self):
        client = ForwardingClient(self.server, "203.0.113.50", source=NOT_A_PROXY)
        self.assertEqual(self.signup_address(client), NOT_A_PROXY)

    def test_the_unknown_key_limit_counts_each_forwarded_client_apart(self):
        noisy = ForwardingClient(self.server, "203.0.113.20")
        quiet = ForwardingClient(self.server, "203.0.113.21")
        for _ in range(LIMIT):
            self.assertEqual(noisy.get("/api/v1/me", bearer=make_key()).status, 401)
        self.assertEqual(noisy.get("/api/v1/me", bearer=make_key()).status, 429)
        # Another client behind the same proxy still gets its own answer.
        r = quiet.get("/api/v1/me", bearer=make_key())
        self.assertEqual(r.status, 401, r)
        self.assertEqual(r.json()["error"]["code"], "key_invalid")

    def test_the_unknown_key_limit_cannot_be_dodged_by_an_untrusted_peer(self):
        for n in range(LIMIT):
            r = ForwardingClient(self.server, f"203.0.113.{100 + n}", source=NOT_A_PROXY).get(
                "/api/v1/me", bearer=make_key())
            self.assertEqual(r.status, 401, r)
        r = ForwardingClient(self.server, "203.0.113.199", source=NOT_A_PROXY).get(
            "/api/v1/me", bearer=make_key())
        self.assertEqual(r.status, 429, r)


class TrustedProxyConnectionCapTest(unittest.TestCase):
    """A trusted proxy carries many clients: the per-address connection cap exempts it."""

    def test_a_trusted_proxy_is_not_held_to_the_per_address_cap(self):
        server = Server("--trusted-proxies", PROXY, "--max-connections-per-address", "2").start()
        import socket
        held = []
        try:
            for _ in range(6):
                held.append(socket.create_connection((server.host, server.port), timeout=5,
                                                     source_address=(PROXY, 0)))
            for s in held:
                s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Forwarded-For: 203.0.113.1\r\n"
                          b"\r\n")
                self.assertTrue(s.recv(4096).startswith(b"HTTP/1.1 200 "))
        finally:
            for s in held:
                s.close()
            server.cleanup()


class BadTrustedProxiesTest(unittest.TestCase):

    def test_a_list_that_is_not_cidrs_stops_the_server_with_a_clear_error(self):
        for bad in ("10.0.0.0/33", "proxy.internal", "10.0.0.1,::1/200"):
            p = subprocess.run([SERVER_BIN, "serve", "--listen", "127.0.0.1:0", "--db",
                                "sqlite::memory:", "--trusted-proxies", bad],
                               capture_output=True, text=True, timeout=20)
            self.assertNotEqual(p.returncode, 0)
            self.assertIn("--trusted-proxies: ", p.stderr)
            self.assertRegex(p.stderr, r"is not an IPv4 or IPv6 address or CIDR|prefix longer")


if __name__ == "__main__":
    unittest.main()
