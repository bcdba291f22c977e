"""The deployment docs/deployment.md recommends, for real: nginx terminating TLS in front of the
server, with the nginx configuration taken from that page. Through it: the session cookie is
__Host- and Secure, every answer carries HSTS, the audit log records the client's address (not
nginx's, and not one the client forged in X-Forwarded-For), and port 80 only redirects."""

import http.client
import re
import shutil
import socket
import ssl
import tempfile
import unittest
from pathlib import Path

from harness import Client, Server
from nginx_runner import documented_block, free_port, start_nginx
from test_tls import make_certificates

DOC = Path(__file__).resolve().parents[2] / "docs" / "deployment.md"
CLIENT_IP = "127.0.0.2"  # the client's own address, as nginx sees it


def local_config(upstream_port, https_port, http_port, cert, key):
    """The documented configuration with this machine's addresses, ports and certificate."""
    conf = documented_block(DOC, "## nginx in front")
    conf = re.sub(r"(    server 10\.0\.0\.\d+:8080[^\n]*\n)+",
                  f"    server 127.0.0.1:{upstream_port};\n", conf)
    conf = conf.replace("listen 443 ssl", f"listen 127.0.0.1:{https_port} ssl")
    conf = conf.replace("listen 80;", f"listen 127.0.0.1:{http_port};")
    conf = re.sub(r"ssl_certificate +\S+;", f"ssl_certificate {cert};", conf)
    conf = re.sub(r"ssl_certificate_key +\S+;", f"ssl_certificate_key {key};", conf)
    return conf


class Endpoint:
    """Where a Client connects: nginx's TLS port."""

    def __init__(self, port, ca):
        self.scheme, self.host, self.port = "https", "127.0.0.1", port
        self.ssl_context = ssl.create_default_context(cafile=ca)


class NginxProxyTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp(prefix="tfzo-nginx-")
        cls.ca, cert, key = make_certificates(cls.dir)
        cls.https_port, cls.http_port = free_port(), free_port()
        cls.server = Server("--trusted-proxies", "127.0.0.1/32",
                            "--public-url", f"https://127.0.0.1:{cls.https_port}").start()
        cls.proxy = Endpoint(cls.https_port, cls.ca)
        start_nginx(cls, local_config(cls.server.port, cls.https_port, cls.http_port, cert, key),
                    lambda: Client(cls.proxy).get("/healthz").status == 200)

    @classmethod
    def tearDownClass(cls):
        cls.nginx.stop()
        cls.server.cleanup()
        shutil.rmtree(cls.dir, ignore_errors=True)

    def client(self):
        return Client(self.proxy, source_address=CLIENT_IP)

    def test_session_cookie_is_host_prefixed_and_secure_behind_the_proxy(self):
        c = self.client()
        r = c.signup()
        cookies = r.header("Set-Cookie")
        self.assertEqual(len(cookies), 1, cookies)
        attributes = [a.strip() for a in cookies[0].split(";")]
        self.assertTrue(attributes[0].startswith("__Host-tfzo_session="), attributes[0][:20])
        self.assertIn("Secure", attributes)
        self.assertIn("HttpOnly", attributes)
        self.assertIn("Path=/", attributes)
        self.assertFalse(any(a.lower().startswith("domain=") for a in attributes))
        self.assertEqual(c.get("/api/session").status, 200)  # the cookie signs the next request in

    def test_every_answer_carries_hsts(self):
        c = self.client()
        for path, status in (("/healthz", 200), ("/", 200), ("/api/nope", 404),
                             ("/api/session", 401)):
            with self.subTest(path=path):
                r = c.get(path)
                self.assertEqual(r.status, status, r)
                self.assertEqual(r.header("Strict-Transport-Security"), "max-age=31536000")

    def test_audit_records_the_clients_address_not_the_proxys_or_a_forged_one(self):
        c = self.client()
        c.signup()
        # A forged X-Forwarded-For: nginx appends the real peer, and the server takes the
        # right-most address that is not a trusted proxy.
        r = c.post("/api/orgs", {"name": "Proxied"}, headers={"X-Forwarded-For": "203.0.113.9"})
        self.assertEqual(r.status, 201, r)
        events = c.get("/api/audit").json()["events"]
        self.assertEqual({e["action"] for e in events}, {"account.signup", "session.login", "org.created"}, events)
        self.assertEqual({e["ip"] for e in events}, {CLIENT_IP}, events)

    def test_same_origin_is_the_public_url_behind_the_proxy(self):
        # nginx passes Host without the port (proxy_set_header Host $host): the origin a
        # browser sends is --public-url's, and only that one is same-origin.
        own = f"https://127.0.0.1:{self.https_port}"
        body = {"email": "nobody@example.com", "password": "not the password"}
        for origin, status, code in ((own, 401, "invalid_credentials"),
                                     ("https://127.0.0.1", 403, "cross_site_request"),
                                     ("https://evil.example", 403, "cross_site_request")):
            with self.subTest(origin=origin):
                r = self.client().post("/api/login", body, headers={"Origin": origin})
                self.assertEqual((r.status, r.json()["error"]["code"]), (status, code), r)

    def test_port_80_only_redirects_to_https(self):
        for path in ("/", "/api/session", "/api/login", "/healthz"):
            with self.subTest(path=path):
                conn = http.client.HTTPConnection("127.0.0.1", self.http_port, timeout=10)
                conn.request("GET", path, headers={"Host": "accounts.example.com"})
                r = conn.getresponse()
                r.read()
                self.assertEqual(r.status, 301)
                self.assertEqual(r.getheader("Location"), f"https://accounts.example.com{path}")
                self.assertIsNone(r.getheader("X-Request-Id"))  # the server never saw it
                self.assertIsNone(r.getheader("Set-Cookie"))
                conn.close()

    def test_tls_1_2_offers_only_forward_secret_aead_suites(self):
        for cipher, accepted in (("ECDHE-RSA-AES128-GCM-SHA256", True),
                                 ("ECDHE-RSA-AES128-SHA", False), ("AES128-GCM-SHA256", False),
                                 ("AES256-SHA", False)):
            with self.subTest(cipher=cipher):
                ctx = ssl.create_default_context(cafile=self.ca)
                ctx.maximum_version = ssl.TLSVersion.TLSv1_2
                ctx.set_ciphers(cipher)
                try:
                    with socket.create_connection(("127.0.0.1", self.https_port), timeout=10) as s:
                        with ctx.wrap_socket(s, server_hostname="127.0.0.1"):
                            handshake = True
                except ssl.SSLError:
                    handshake = False
                self.assertEqual(handshake, accepted)


if __name__ == "__main__":
    unittest.main()
