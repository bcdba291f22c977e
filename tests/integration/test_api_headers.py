"""Security headers: the console's pages and every API answer; no caching of answers that
carry a key."""

from harness import ServerTestCase, create_key


class HeadersTest(ServerTestCase):
    def test_console_pages_carry_the_security_headers(self):
        r = self.client().get("/")
        self.assertEqual(r.status, 200)
        self.assertIn("text/html", r.header("Content-Type"))
        csp = r.header("Content-Security-Policy")
        self.assertIn("script-src 'self'", csp)
        self.assertNotIn("unsafe-inline", csp)
        self.assertIn("frame-ancestors 'none'", csp)
        self.assertEqual(r.header("X-Frame-Options"), "DENY")
        self.assertEqual(r.header("Referrer-Policy"), "no-referrer")
        self.assertEqual(r.header("X-Content-Type-Options"), "nosniff")
        self.assertNotIn("<script>", r.body)  # no inline script in the page itself
        # Plain HTTP with no https --public-url: HSTS would be ignored (RFC 6797 8.1), so none.
        self.assertIsNone(r.header("Strict-Transport-Security"))

    def test_answers_that_carry_a_key_are_never_cached(self):
        c = self.new_account()
        key, secret = create_key(c)
        created = c.post("/api/keys", {"name": "another"})
        self.assertEqual(created.status, 201)
        self.assertEqual(created.header("Cache-Control"), "no-store")
        rotated = c.post(f"/api/keys/{key['id']}/rotate")
        self.assertEqual(rotated.status, 200)
        self.assertEqual(rotated.header("Cache-Control"), "no-store")
        for path in ("/api/keys", "/api/session"):
            self.assertEqual(c.get(path).header("Cache-Control"), "no-store", path)
        me = c.get("/api/v1/me", bearer=rotated.json()["secret"])
        self.assertEqual(me.header("Cache-Control"), "no-store")
