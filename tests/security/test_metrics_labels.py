"""Regression test of the hardening finding "every unknown HTTP method token becomes a new
/metrics series, forever": requests with thousands of distinct method tokens (some 15 KB long)
and distinct unknown paths, sent over real HTTP, must add no series to /metrics. Label values
come from fixed sets (docs/spec/API.md "Operations"): the method is GET, HEAD, POST, PUT,
PATCH, DELETE, OPTIONS or "other"; the route is a route pattern, "static" or "unknown".
"""

import http.client
import re
import sys
import unittest
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "integration"))

from harness import Server  # noqa: E402

METHODS = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "other"}
SERIES_RE = re.compile(r'^tfzo_http_requests_total\{route="([^"]*)",method="([^"]*)",'
                       r'status="(\d+)"\} \d+$', re.M)

# Paths every round hits: the console's root, a static file that is not there, an API path
# that is not there, a path that answers other methods (405), one with a parameter, and one
# outside "/" (absolute form).
PATHS = ["/", "/no-such-file.js", "/api/v1/no-such-thing", "/healthz",
         "/api/v1/orgs/org_x/keys", "http://example.test/"]


class MetricsLabelsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = Server().start()

    @classmethod
    def tearDownClass(cls):
        cls.server.cleanup()

    def connect(self):
        return http.client.HTTPConnection(self.server.host, self.server.port, timeout=10)

    def send(self, conn, method, path):
        """Sends one request on a keep-alive connection (reopened when the server closes it);
        returns (status, the connection to use next)."""
        for _ in range(2):
            try:
                conn.putrequest(method, path, skip_host=True, skip_accept_encoding=True)
                conn.putheader("Host", "x")
                conn.endheaders()
                res = conn.getresponse()
                res.read()
                if res.will_close:
                    conn.close()
                    conn = self.connect()
                return res.status, conn
            except (http.client.HTTPException, OSError):
                conn.close()
                conn = self.connect()
        self.fail(f"no answer to {method[:40]} {path}")

    def series(self):
        conn = self.connect()
        try:
            conn.request("GET", "/metrics")
            res = conn.getresponse()
            self.assertEqual(res.status, 200)
            text = res.read().decode()
        finally:
            conn.close()
        return text, {m.group(1, 2, 3) for m in SERIES_RE.finditer(text)}

    def odd_round(self, tokens, unknown_paths):
        conn = self.connect()
        statuses = set()
        try:
            for i, token in enumerate(tokens):
                status, conn = self.send(conn, token, PATHS[i % len(PATHS)])
                statuses.add(status)
            for path in unknown_paths:
                for method in ("GET", "POST", "BREW"):
                    status, conn = self.send(conn, method, path)
                    statuses.add(status)
        finally:
            conn.close()
        return statuses

    def test_odd_methods_and_paths_add_no_series(self):
        # Warm up: one odd token per path, so each (route, "other", status) series exists.
        warm = [f"WARM{i}" for i in range(2 * len(PATHS))]
        self.odd_round(warm, ["/warm-unknown", "/api/warm-unknown"])
        self.series()  # and the GET /metrics series
        text_before, before = self.series()
        self.assertTrue(before, text_before)

        # The attack: 2,000 distinct tokens, every 50th 15 KB long, and 200 distinct paths.
        tokens = []
        for i in range(2000):
            token = f"X{i}~!#$%&'*+-.^_`|Q"
            if i % 50 == 0:
                token += "L" * (15 * 1024)
            tokens.append(token)
        paths = [f"/odd-{i}" for i in range(100)] + [f"/api/odd-{i}" for i in range(100)]
        statuses = self.odd_round(tokens, paths)
        self.assertTrue(all(400 <= s < 500 for s in statuses), statuses)

        text_after, after = self.series()
        self.assertEqual(after, before, "odd requests added series")
        for route, method, _ in after:
            self.assertIn(method, METHODS, route)
            self.assertTrue(route in ("static", "unknown") or route.startswith("/"), route)
            self.assertNotIn("odd-", route)
        self.assertNotIn("X1~", text_after)
        self.assertNotIn("WARM", text_after)
        self.assertNotIn("LLLL", text_after)
        self.assertLess(len(text_after), 64 * 1024, "the exposition stays small")
        # The requests were counted, under "other".
        self.assertIn('method="other"', text_after)


if __name__ == "__main__":
    unittest.main()
