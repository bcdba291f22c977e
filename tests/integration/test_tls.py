"""TLS: the server with a certificate made by the test, the session cookie's __Host- prefix
and Secure flag, TLS 1.2+ only, and the CLI verifying the certificate (--cacert)."""

import os
import shutil
import ssl
import subprocess
import tempfile
import unittest

from harness import CLI_BIN, Client, Server, create_key


def make_certificates(directory):
    """A private CA and a server certificate for 127.0.0.1 signed by it."""
    def run(*args):
        subprocess.run(["openssl", *args], cwd=directory, check=True, capture_output=True)

    run("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=Test CA",
        "-keyout", "ca.key", "-out", "ca.pem")
    run("req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=127.0.0.1", "-keyout",
        "server.key", "-out", "server.csr")
    with open(os.path.join(directory, "ext.cnf"), "w") as f:
        f.write("subjectAltName=IP:127.0.0.1\n")
    run("x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
        "-CAcreateserial", "-days", "2", "-extfile", "ext.cnf", "-out", "server.pem")
    return (os.path.join(directory, "ca.pem"), os.path.join(directory, "server.pem"),
            os.path.join(directory, "server.key"))


class TlsServerTestCase(unittest.TestCase):
    """One server per class with --tls-cert and --tls-key, from a CA made by the test."""

    @classmethod
    def setUpClass(cls):
        cls.certs = tempfile.mkdtemp(prefix="tfzo-tls-")
        cls.ca, cert, key = make_certificates(cls.certs)
        cls.server = Server("--tls-cert", cert, "--tls-key", key)
        cls.server.ssl_context = ssl.create_default_context(cafile=cls.ca)
        cls.server.start()

    @classmethod
    def tearDownClass(cls):
        cls.server.cleanup()
        shutil.rmtree(cls.certs, ignore_errors=True)


class TlsTest(TlsServerTestCase):
    def test_prints_an_https_url(self):
        self.assertEqual(self.server.scheme, "https")
        self.assertIn(f"listening on https://127.0.0.1:{self.server.port}", self.server.log())

    def test_session_cookie_is_host_prefixed_and_secure(self):
        c = Client(self.server)
        r = c.signup()
        cookie = r.headers["set-cookie"][0]
        self.assertTrue(cookie.startswith("__Host-tfzo_session="), cookie)
        for attribute in ("Secure", "HttpOnly", "SameSite=Strict", "Path=/"):
            self.assertIn(attribute, cookie)
        self.assertEqual(c.get("/api/session").status, 200)  # the prefixed cookie is honoured

    def test_every_answer_carries_hsts(self):
        c = Client(self.server)
        for path in ("/healthz", "/", "/api/nope"):
            self.assertEqual(c.get(path).header("Strict-Transport-Security"), "max-age=31536000",
                             path)

    def test_refuses_tls_older_than_1_2(self):
        old = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        old.load_verify_locations(self.ca)
        old.minimum_version = ssl.TLSVersion.TLSv1
        old.maximum_version = ssl.TLSVersion.TLSv1_1
        old.set_ciphers("DEFAULT@SECLEVEL=0")
        self.server.ssl_context = old
        try:
            with self.assertRaises(ssl.SSLError):
                Client(self.server).get("/healthz")
        finally:
            self.server.ssl_context = ssl.create_default_context(cafile=self.ca)
        modern = ssl.create_default_context(cafile=self.ca)
        modern.maximum_version = ssl.TLSVersion.TLSv1_2
        self.server.ssl_context = modern
        try:
            self.assertEqual(Client(self.server).get("/healthz").status, 200)
        finally:
            self.server.ssl_context = ssl.create_default_context(cafile=self.ca)

    def test_plain_http_to_the_tls_port_gets_no_answer(self):
        import http.client
        conn = http.client.HTTPConnection(self.server.host, self.server.port, timeout=5)
        with self.assertRaises((ConnectionError, http.client.HTTPException, OSError)):
            conn.request("GET", "/healthz")
            conn.getresponse()

    def test_cli_verifies_the_certificate_and_accepts_a_private_ca(self):
        owner = Client(self.server)
        owner.signup()
        _, secret = create_key(owner)
        home = tempfile.mkdtemp(prefix="tfzo-tls-cli-")
        env = dict(os.environ, HOME=home, XDG_CONFIG_HOME=os.path.join(home, "config"),
                   TFZO_API_KEY=secret)
        env.pop("TFZO_CACERT", None)
        try:
            untrusted = subprocess.run([CLI_BIN, "--host", self.server.url, "whoami"], env=env,
                                       capture_output=True, text=True, timeout=30)
            self.assertEqual(untrusted.returncode, 5, untrusted.stderr)
            self.assertRegex(untrusted.stderr.lower(), "certificate|ssl")
            trusted = subprocess.run(
                [CLI_BIN, "--host", self.server.url, "--cacert", self.ca, "whoami"], env=env,
                capture_output=True, text=True, timeout=30)
            self.assertEqual(trusted.returncode, 0, trusted.stderr)
            self.assertIn(owner.email, trusted.stdout)
            for output in (untrusted.stdout, untrusted.stderr, trusted.stdout, trusted.stderr):
                self.assertNotIn(secret, output)
        finally:
            shutil.rmtree(home, ignore_errors=True)
