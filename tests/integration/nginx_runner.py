"""A real nginx for the tests that put it in front of the server, configured from a block of
the docs (so the documented configuration is the one tested): the block is taken from the page,
the test swaps in this machine's addresses, ports and certificate, and `Nginx` runs it in a
temporary directory of its own, in the foreground, until `stop`."""
import os
import re
import shutil
import socket
import subprocess

from harness import wait_until

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def documented_block(doc, heading):
    """The first ```nginx block after `heading` in the Markdown file `doc` (a Path)."""
    text = doc.read_text()
    section = text[text.index(heading):]
    return re.search(r"```nginx\n(.*?)```", section, re.S).group(1)


def full_config(http_block, workdir):
    """`http_block` (the documented upstream and server blocks) as a whole nginx.conf that keeps
    every file nginx writes in `workdir`."""
    temp = "\n".join(f"    {kind}_temp_path {workdir}/{kind};"
                     for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    user = "user root;\n" if os.geteuid() == 0 else ""
    return (f"{user}daemon off;\nworker_processes 1;\npid {workdir}/nginx.pid;\n"
            f"error_log {workdir}/error.log warn;\nevents {{}}\nhttp {{\n"
            f"    access_log off;\n{temp}\n{http_block}}}\n")


class Nginx:
    """One nginx process. `start` returns once `is_up()` holds (or raises)."""

    def __init__(self, workdir, http_block):
        self.workdir = workdir
        self.conf = os.path.join(workdir, "nginx.conf")
        with open(self.conf, "w") as f:
            f.write(full_config(http_block, workdir))
        self.proc = None

    def start(self, is_up, timeout=20):
        self.proc = subprocess.Popen([NGINX, "-c", self.conf, "-p", self.workdir],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

        def up():
            try:
                return is_up()
            except OSError:
                return False

        if not wait_until(up, timeout=timeout):
            self.stop()
            raise AssertionError("nginx did not start")
        return self

    def stop(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=10)


def start_nginx(test_class, http_block, is_up):
    """From a test class's setUpClass: runs `http_block` in `test_class.dir` as
    `test_class.nginx` and returns once `is_up()` holds; if it does not, runs the class's
    tearDownClass (which stops nginx) and raises."""
    test_class.nginx = Nginx(test_class.dir, http_block)
    try:
        test_class.nginx.start(is_up)
    except AssertionError:
        test_class.tearDownClass()
        raise
