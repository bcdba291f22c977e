"""Transport limits of the Beast session: header size, stalled clients (header and idle
deadlines), connection cap, pipelining, serving others while hundreds of connections hang
half-open, and the same on several I/O threads."""

import http.client
import json
import re
import socket
import threading
import time
import unittest

from harness import Client, Server, create_key, raw_request, wait_until


class HttpLimitsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = Server("--header-timeout", "2", "--read-timeout", "2", "--idle-timeout", "2",
                            "--max-connections", "400",
                            "--max-connections-per-address", "400").start()

    @classmethod
    def tearDownClass(cls):
        cls.server.cleanup()

    def test_oversized_headers_get_431_with_the_error_body(self):
        big = b"X-Filler: " + b"a" * (20 * 1024) + b"\r\n"
        answer = raw_request(self.server, b"GET /healthz HTTP/1.1\r\nHost: x\r\n" + big + b"\r\n")
        self.assertTrue(answer.startswith(b"HTTP/1.1 431"), answer[:200])
        self.assertIn(b'"code":"headers_too_large"', answer)
        self.assertIn(b"X-Request-Id", answer)

    def test_garbage_gets_400_invalid_request(self):
        answer = raw_request(self.server, b"NOT HTTP AT ALL\r\n\r\n")
        self.assertTrue(answer.startswith(b"HTTP/1.1 400"), answer[:200])
        self.assertIn(b'"code":"invalid_request"', answer)

    def test_a_stalled_client_is_disconnected_after_the_header_timeout(self):
        with socket.create_connection((self.server.host, self.server.port), timeout=10) as s:
            s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")  # never finishes the headers
            started = time.time()
            self.assertEqual(s.recv(1024), b"")  # closed by the server
            self.assertLess(time.time() - started, 6)

    def test_a_slow_keep_alive_client_is_given_the_timeout_per_request(self):
        # Each request moves the deadline: 4 requests 1 s apart outlive one 2 s timeout.
        with socket.create_connection((self.server.host, self.server.port), timeout=10) as s:
            for _ in range(4):
                s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
                self.assertTrue(s.recv(4096).startswith(b"HTTP/1.1 200 "))
                time.sleep(1)
            started = time.time()
            while s.recv(4096):  # then, idle, it is closed after the timeout
                pass
            self.assertLess(time.time() - started, 4)

    def test_pipelined_requests_are_answered_in_order(self):
        reqs = b"".join(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n" for _ in range(3))
        reqs += b"GET /nope HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
        answer = raw_request(self.server, reqs)
        statuses = re.findall(rb"HTTP/1.1 (\d{3}) ", answer)
        self.assertEqual(statuses, [b"200", b"200", b"200", b"404"])

    def test_serves_others_while_hundreds_of_connections_hang_half_open(self):
        hanging = []
        try:
            for _ in range(300):
                s = socket.create_connection((self.server.host, self.server.port), timeout=5)
                s.sendall(b"POST /api/login HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{")
                hanging.append(s)
            started = time.time()
            c = Client(self.server)
            for _ in range(20):
                self.assertEqual(c.get("/healthz").status, 200)
            self.assertLess(time.time() - started, 2)
        finally:
            for s in hanging:
                s.close()


class ConnectionCapTest(unittest.TestCase):
    def test_connections_over_the_cap_are_refused_and_others_keep_working(self):
        server = Server("--max-connections", "20").start()
        held = []
        try:
            for _ in range(20):
                s = socket.create_connection((server.host, server.port), timeout=30)
                # One answered request: the server has accepted it (no sleep racing the accept).
                s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
                self.assertTrue(s.recv(4096).startswith(b"HTTP/1.1 200 "))
                held.append(s)
            with socket.create_connection((server.host, server.port), timeout=5) as extra:
                try:
                    extra.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
                    answer = extra.recv(1024)
                except ConnectionResetError:
                    answer = b""
                self.assertEqual(answer, b"")  # closed (or reset) without an answer
            for s in held:
                s.close()
            held = []

            def answered():
                try:
                    return Client(server).get("/healthz").status == 200
                except OSError:  # refused until the server has seen the closes
                    return False

            self.assertTrue(wait_until(answered, timeout=10))
        finally:
            for s in held:
                s.close()
            server.cleanup()


class IoThreadsTest(unittest.TestCase):
    """--threads 3: connections are spread over three I/O threads, each with its own event
    loop; every answer goes back on the connection it belongs to, and SIGTERM still drains."""

    def test_keep_alive_clients_on_several_io_threads(self):
        server = Server("--threads", "3", "--read-timeout", "30").start()
        try:
            owner = Client(server)
            owner.signup()
            secrets = [create_key(owner)[1] for _ in range(3)]
            ids = [Client(server).get("/api/v1/me", bearer=k).json()["key"]["id"] for k in secrets]
            errors = []

            def client(n):
                try:
                    conn = http.client.HTTPConnection(server.host, server.port, timeout=10)
                    for i in range(60):
                        k = n % 3
                        if i % 10 == 9:  # now and then a route answered on the worker pool
                            conn.request("GET", "/healthz")
                            r = conn.getresponse()
                            body = json.loads(r.read())
                            if r.status != 200 or body != {"status": "ok"}:
                                errors.append(f"client {n}: healthz {r.status} {body}")
                            continue
                        conn.request("GET", "/api/v1/me",
                                     headers={"Authorization": "Bearer " + secrets[k]})
                        r = conn.getresponse()
                        body = json.loads(r.read())
                        if r.status != 200 or body["key"]["id"] != ids[k]:
                            errors.append(f"client {n}: {r.status} {body}")
                    conn.close()
                except Exception as e:  # noqa: BLE001 - reported below
                    errors.append(f"client {n}: {e!r}")

            threads = [threading.Thread(target=client, args=(n,)) for n in range(12)]
            for t in threads:
                t.start()
            for t in threads:
                t.join(60)
            self.assertEqual(errors, [])

            # Idle keep-alive connections on every thread are closed by SIGTERM, not by their
            # 30 s read timeout.
            idle = [socket.create_connection((server.host, server.port)) for _ in range(3)]
            started = time.time()
            self.assertEqual(server.stop(), 0)
            self.assertLess(time.time() - started, 5)
            for s in idle:
                s.close()
        finally:
            server.cleanup()
