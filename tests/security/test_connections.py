"""Regression tests over real sockets for the connection findings: one address holding
connections that never finish their headers locked everyone out until the read timeout
(30 s); there was no header deadline apart from the body's, nor an idle one for kept-alive
connections; under a descriptor limit below --max-connections the accept loop spun and
flooded the log with "Too many open files".

Every test client is on loopback; Linux routes all of 127.0.0.0/8 there, so binding a client
socket to 127.0.0.2 or 127.0.0.3 makes it another address for the server."""

import os
import re
import resource
import socket
import sys
import time
import unittest
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "integration"))

from harness import Client, Server, wait_until  # noqa: E402

ATTACKER = "127.0.0.2"
BYSTANDER = "127.0.0.3"
# test_closed_connections_give_their_slots_back's own address: the server may still be closing
# its last connection when the next test starts, and that one counts every slot of ATTACKER.
RECYCLER = "127.0.0.4"
PARTIAL = b"GET /healthz HTTP/1.1\r\nHost: x\r\n"  # headers never finished
WHOLE = b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"


def connect(server, source=None, timeout=10):
    return socket.create_connection((server.host, server.port), timeout=timeout,
                                    source_address=(source, 0) if source else None)


def closed_by_server(s, within):
    """True if the server closes (or resets) `s` within `within` seconds."""
    s.settimeout(within)
    try:
        while True:
            if not s.recv(4096):
                return True
    except (ConnectionResetError, BrokenPipeError):
        return True
    except socket.timeout:
        return False


def seconds_until_closed(s, limit):
    """Seconds until the server closes `s`; fails past `limit`."""
    started = time.monotonic()
    if not closed_by_server(s, limit):
        raise AssertionError(f"still open after {limit} s")
    return time.monotonic() - started


def healthz(server, source=None):
    with connect(server, source) as s:
        s.sendall(WHOLE)
        return s.recv(4096)


class PerAddressCapTest(unittest.TestCase):
    """--max-connections 40, --max-connections-per-address 8: an attacker opening 60
    connections that never send a whole request gets 8; everyone else is still served."""

    @classmethod
    def setUpClass(cls):
        cls.server = Server("--max-connections", "40", "--max-connections-per-address", "8",
                            "--header-timeout", "60", "--read-timeout", "60").start()

    @classmethod
    def tearDownClass(cls):
        cls.server.cleanup()

    def test_one_address_holding_connections_does_not_lock_out_others(self):
        # Refusals are logged at most once a second, server-wide: the other test's refusals
        # of RECYCLER may have used this second's warning.
        time.sleep(1.1)
        held = []
        try:
            for _ in range(60):
                s = connect(self.server, ATTACKER)
                try:
                    s.sendall(PARTIAL)
                except (ConnectionResetError, BrokenPipeError):
                    pass
                held.append(s)
            time.sleep(0.5)
            # Another address (and the usual test client) are answered.
            for source in (BYSTANDER, None):
                answer = healthz(self.server, source)
                self.assertTrue(answer.startswith(b"HTTP/1.1 200 "), answer[:100])
            self.assertEqual(Client(self.server, source_address=BYSTANDER)
                             .get("/healthz").status, 200)
            # The attacker's connections over its cap were closed at once, without an
            # answer, and its first 8 are still open, waiting for their headers.
            deadline = time.monotonic() + 10  # generous: a slow (sanitizer) build accepts late
            refused = [s for s in held[8:]
                       if closed_by_server(s, max(0.05, deadline - time.monotonic()))]
            self.assertEqual(len(refused), 52)
            self.assertFalse(any(closed_by_server(s, 0.05) for s in held[:8]))
            self.assertIn(f"refusing a connection from {ATTACKER}: the limit per address (8)",
                          self.server.log())
        finally:
            for s in held:
                s.close()

    def test_closed_connections_give_their_slots_back(self):
        for _ in range(3):
            held = [connect(self.server, RECYCLER) for _ in range(8)]
            for s in held:
                s.close()

            def answered():
                try:
                    return healthz(self.server, RECYCLER).startswith(b"HTTP/1.1 200 ")
                except OSError:  # refused until the server has seen the closes
                    return False

            self.assertTrue(wait_until(answered, timeout=10))


class DeadlinesTest(unittest.TestCase):
    """--header-timeout 1, --idle-timeout 2, --read-timeout 30: each phase has its own."""

    @classmethod
    def setUpClass(cls):
        cls.server = Server("--header-timeout", "1", "--idle-timeout", "2",
                            "--read-timeout", "30").start()

    @classmethod
    def tearDownClass(cls):
        cls.server.cleanup()

    def test_partial_headers_are_cut_off_at_the_header_timeout(self):
        with connect(self.server) as s:
            s.sendall(PARTIAL)
            waited = seconds_until_closed(s, 15)  # far below --read-timeout (30)
            self.assertGreater(waited, 0.7)

    def test_trickled_headers_do_not_extend_the_header_deadline(self):
        with connect(self.server) as s:
            started = time.monotonic()
            closed = False
            for byte in PARTIAL * 20:  # one byte every 0.1 s: 6 s in all if never stopped
                try:
                    s.sendall(bytes([byte]))
                except (ConnectionResetError, BrokenPipeError):
                    closed = True
                    break
                if closed_by_server(s, 0.1):
                    closed = True
                    break
            self.assertTrue(closed)
            self.assertLess(time.monotonic() - started, 5)

    def test_a_silent_new_connection_is_closed_at_the_header_timeout(self):
        with connect(self.server) as s:
            waited = seconds_until_closed(s, 15)
            self.assertGreater(waited, 0.7)

    def test_the_body_has_the_read_timeout_not_the_header_timeout(self):
        with connect(self.server) as s:
            s.sendall(b"POST /api/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                      b"Content-Length: 2\r\n\r\n")
            time.sleep(2.5)  # past --header-timeout and --idle-timeout, within --read-timeout
            s.sendall(b"{}")
            s.settimeout(10)
            answer = s.recv(4096)
            self.assertRegex(answer, rb"^HTTP/1.1 4\d\d ")  # answered (the body is refused)

    def test_an_idle_keep_alive_connection_is_closed_at_the_idle_timeout(self):
        with connect(self.server) as s:
            s.sendall(WHOLE)
            self.assertTrue(s.recv(4096).startswith(b"HTTP/1.1 200 "))
            waited = seconds_until_closed(s, 15)  # far below --read-timeout (30)
            self.assertGreater(waited, 1.5)

    def test_a_keep_alive_connection_idle_less_than_the_timeout_stays_usable(self):
        with connect(self.server) as s:
            for _ in range(4):  # 4 × 1 s: longer than any one deadline in all
                s.sendall(WHOLE)
                s.settimeout(10)
                self.assertTrue(s.recv(4096).startswith(b"HTTP/1.1 200 "))
                time.sleep(1)

    def test_a_slow_request_after_an_idle_pause_gets_the_header_timeout_from_its_first_byte(self):
        with connect(self.server) as s:
            s.sendall(WHOLE)
            self.assertTrue(s.recv(4096).startswith(b"HTTP/1.1 200 "))
            time.sleep(1.2)  # idle, longer than --header-timeout but within --idle-timeout
            s.sendall(WHOLE[:10])
            time.sleep(0.3)
            s.sendall(WHOLE[10:])
            s.settimeout(10)
            self.assertTrue(s.recv(4096).startswith(b"HTTP/1.1 200 "))


def server_cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def warning_lines(server):
    return [line for line in server.log_lines
            if re.search(r"accept failed|Too many open files|refusing a connection", line)]


class DescriptorLimitTest(unittest.TestCase):
    """A descriptor limit below --max-connections (systemd's default soft limit is 1024)."""

    def hold_many_connections(self, server, count, seconds):
        """Opens `count` connections, holds them `seconds`; returns the server's CPU seconds
        in that time."""
        held = []
        try:
            cpu_before = server_cpu_seconds(server.proc.pid)
            for _ in range(count):
                try:
                    held.append(connect(server, timeout=2))
                except OSError:  # the backlog is full: fine, the server is not accepting
                    break
            time.sleep(seconds)
            return server_cpu_seconds(server.proc.pid) - cpu_before
        finally:
            for s in held:
                s.close()

    def assert_serves_again(self, server):
        # Generous: the backlog of closed connections drains through a 1 s back-off, slower
        # still in the sanitizer build on a loaded machine.
        started = time.monotonic()
        deadline = started + 60
        while True:
            try:
                if healthz(server).startswith(b"HTTP/1.1 200 "):
                    print(f"\nanswered again after {time.monotonic() - started:.1f} s",
                          file=sys.stderr)
                    return
            except OSError:
                pass
            self.assertLess(time.monotonic(), deadline, "the server did not answer again")
            time.sleep(0.2)

    def test_max_connections_is_clamped_below_the_limit_and_the_log_is_not_flooded(self):
        def low_limit():
            resource.setrlimit(resource.RLIMIT_NOFILE, (128, 128))

        server = Server("--max-connections", "4096", "--threads", "1",
                        preexec_fn=low_limit).start()
        try:
            cpu = self.hold_many_connections(server, 300, 3)
            lines = warning_lines(server)
            self.assertLessEqual(len(lines), 8, "".join(lines[:20]))
            self.assertLess(cpu, 1.5, "the server spun while out of descriptors")
            self.assertIn("--max-connections 4096 lowered to 64", server.log())
            self.assert_serves_again(server)
        finally:
            server.cleanup()

    def test_out_of_descriptors_the_accept_loop_backs_off(self):
        server = Server("--max-connections", "4096", "--threads", "1").start()
        try:
            pid = server.proc.pid
            open_now = len(list(Path(f"/proc/{pid}/fd").iterdir()))
            # Lowered under the running server, past its own clamping at start: accepting
            # runs out of descriptors after 10 connections.
            resource.prlimit(pid, resource.RLIMIT_NOFILE, (open_now + 10, open_now + 10))
            cpu = self.hold_many_connections(server, 100, 3)
            lines = warning_lines(server)
            self.assertTrue(any("Too many open files" in line for line in lines),
                            server.log()[-2000:])
            self.assertLessEqual(len(lines), 6, "".join(lines[:20]))
            self.assertLess(cpu, 1.5, "the accept loop spun")
            self.assert_serves_again(server)
        finally:
            server.cleanup()


if __name__ == "__main__":
    unittest.main()
