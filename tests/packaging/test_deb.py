"""The Debian packages, for real: contents, dpkg -i, the installed binaries, the unit's
ExecStart run as the system user, systemd-analyze, dpkg -r, dpkg -P.

Run by ctest (packaging.test_deb) after the deb fixture built the packages with cpack, as
`make deb` does. Needs root (dpkg -i): without it the test fails, it never skips. Whatever
happens, the packages are purged at the end, leaving the machine as it was.

Environment: TFZO_DEB_DIR (where the .deb files are), TFZO_VERSION (the project's version),
TFZO_SOURCE_DIR (to know which man pages exist).
"""

import os
import pwd
import grp
import re
import shlex
import shutil
import signal
import stat
import subprocess
import tempfile
import time
import unittest
import urllib.request

SERVER = "2501-accounts"
CLI = "2501"
USER = "2501-accounts"
UNIT = "/lib/systemd/system/2501-accounts.service"
CONFIG = "/etc/2501-accounts/config.toml"
STATE = "/var/lib/2501-accounts"
# What a removed unit may leave behind until purge (deb-systemd-helper's state and links).
SYSTEMD_LEFTOVERS = [
    "/etc/systemd/system/multi-user.target.wants/2501-accounts.service",
    "/etc/systemd/system/2501-accounts.service",
    "/var/lib/systemd/deb-systemd-helper-enabled/2501-accounts.service.dsh-also",
    "/var/lib/systemd/deb-systemd-helper-enabled/multi-user.target.wants/2501-accounts.service",
    "/var/lib/systemd/deb-systemd-helper-masked/2501-accounts.service",
]


def run(*argv, check=True, **kwargs):
    """Runs argv, returns the CompletedProcess (text); a failure names the command."""
    p = subprocess.run(argv, capture_output=True, text=True, **kwargs)
    if check and p.returncode != 0:
        raise AssertionError(f"{shlex.join(argv)}: exit {p.returncode}\n{p.stderr[-2000:]}")
    return p


def dpkg(*args):
    """dpkg, waiting (up to 2 minutes) while another dpkg or apt holds the lock."""
    deadline = time.monotonic() + 120
    while True:
        p = run("dpkg", *args, check=False)
        if p.returncode == 0:
            return p
        if "lock" not in p.stderr or time.monotonic() > deadline:
            raise AssertionError(f"dpkg {' '.join(args)}: exit {p.returncode}\n{p.stderr[-2000:]}")
        time.sleep(2)


def status(package):
    """dpkg's status of a package ("install ok installed", "deinstall ok config-files"), or ""
    when nothing of it is on the machine (unknown to dpkg, or known as not installed)."""
    p = run("dpkg-query", "-W", "-f=${Status}", package, check=False)
    value = p.stdout.strip() if p.returncode == 0 else ""
    return "" if value.endswith(" not-installed") else value


def contents(deb):
    """dpkg-deb -c as {path: (mode string, owner/group, link target or None)}."""
    out = {}
    for line in run("dpkg-deb", "-c", deb).stdout.splitlines():
        fields = line.split(None, 5)
        path, _, target = fields[5].partition(" -> ")
        out[path.removeprefix(".").rstrip("/") or "/"] = (fields[0], fields[1], target or None)
    return out


def field(deb, name):
    return run("dpkg-deb", "-f", deb, name).stdout.strip()


def user_exists(name):
    try:
        pwd.getpwnam(name)
        return True
    except KeyError:
        return False


def group_exists(name):
    try:
        grp.getgrnam(name)
        return True
    except KeyError:
        return False


class DebTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        if os.geteuid() != 0:
            raise AssertionError(
                "tests/packaging/test_deb.py must run as root: it installs the packages with "
                "dpkg -i (CI runs as root; run `make test` as root)")
        cls.version = os.environ["TFZO_VERSION"]
        cls.source = os.environ["TFZO_SOURCE_DIR"]
        arch = run("dpkg", "--print-architecture").stdout.strip()
        deb_dir = os.environ["TFZO_DEB_DIR"]
        cls.server_deb = os.path.join(deb_dir, f"{SERVER}_{cls.version}_{arch}.deb")
        cls.cli_deb = os.path.join(deb_dir, f"{CLI}_{cls.version}_{arch}.deb")
        for deb in (cls.server_deb, cls.cli_deb):
            if not os.path.isfile(deb):
                raise AssertionError(f"{deb} is missing: `make deb` builds it")
        # The test installs and purges: it must not take over an installation it did not make.
        for package in (SERVER, CLI):
            if status(package):
                raise AssertionError(
                    f"{package} is already known to dpkg ({status(package)}); this test installs "
                    f"and purges it: `dpkg -P {SERVER} {CLI}` first")
        if user_exists(USER) or group_exists(USER) or os.path.exists(STATE):
            raise AssertionError(f"the user {USER} or {STATE} already exists: purge it first")

    @classmethod
    def tearDownClass(cls):
        # Leave the machine as it was, whatever failed.
        installed = [p for p in (SERVER, CLI) if status(p)]
        if installed:
            run("dpkg", "-P", *installed, check=False)

    def test_1_contents(self):
        def man(page):  # man pages are packaged when the source has them
            return os.path.exists(os.path.join(self.source, "docs/man", page))

        server = contents(self.server_deb)
        expected = {
            "/usr/bin/2501-accounts": "-rwxr-xr-x",
            UNIT: "-rw-r--r--",
            CONFIG: "-rw-r-----",  # may hold a database password
            "/usr/share/doc/2501-accounts/configuration.md": "-rw-r--r--",
        }
        if man("2501-accounts.1"):
            expected["/usr/share/man/man1/2501-accounts.1.gz"] = "-rw-r--r--"
        for path, mode in expected.items():
            self.assertIn(path, server)
            self.assertEqual(server[path][0], mode, path)
        for path, (mode, owner, _) in server.items():
            self.assertEqual(owner, "root/root", path)
        # The state directory is made by postinst (the user exists only then), not shipped.
        self.assertNotIn(STATE, server)
        self.assertNotIn("/usr/bin/2501", server)

        cli = contents(self.cli_deb)
        expected = {
            "/usr/bin/2501": "-rwxr-xr-x",
            "/usr/share/bash-completion/completions/2501": "-rw-r--r--",
            "/usr/share/zsh/vendor-completions/_2501": "-rw-r--r--",
            "/usr/share/fish/vendor_completions.d/2501.fish": "-rw-r--r--",
        }
        if man("2501.1"):
            expected["/usr/share/man/man1/2501.1.gz"] = "-rw-r--r--"
        for path, mode in expected.items():
            self.assertIn(path, cli)
            self.assertEqual(cli[path][0], mode, path)
        self.assertEqual(cli["/usr/bin/@2501"][0][0], "l")
        self.assertEqual(cli["/usr/bin/@2501"][2], "2501")
        self.assertNotIn("/usr/bin/2501-accounts", cli)

        for deb, name, section in ((self.server_deb, SERVER, "net"), (self.cli_deb, CLI, "utils")):
            self.assertEqual(field(deb, "Package"), name)
            self.assertEqual(field(deb, "Version"), self.version)
            self.assertEqual(field(deb, "Architecture"),
                             run("dpkg", "--print-architecture").stdout.strip())
            self.assertEqual(field(deb, "Section"), section)
            self.assertRegex(field(deb, "Maintainer"), r"^[^<]+ <[^@>]+@[^>]+>$")
            self.assertTrue(field(deb, "Description"))
            depends = field(deb, "Depends")
            # From dpkg-shlibdeps: the C and C++ runtimes at least.
            self.assertIn("libc6", depends)
            self.assertIn("libstdc++6", depends)
        self.assertIn("adduser", field(self.server_deb, "Depends"))
        self.assertIn("libsqlite3-0", field(self.server_deb, "Depends"))
        # The server allocates with jemalloc (docs/DESIGN.md's dependency table), except in the
        # sanitizer build, which keeps ASan's allocator.
        if os.environ["TFZO_SANITIZE"] == "1":
            self.assertNotIn("libjemalloc", field(self.server_deb, "Depends"))
        else:
            self.assertIn("libjemalloc2", field(self.server_deb, "Depends"))
        self.assertIn("libcurl", field(self.cli_deb, "Depends"))
        conffiles = run("dpkg-deb", "-I", self.server_deb, "conffiles").stdout.split()
        self.assertEqual(conffiles, [CONFIG])
        for script in ("postinst", "prerm", "postrm"):
            run("dpkg-deb", "-I", self.server_deb, script)

    def test_2_install_run_remove_purge(self):
        dpkg("-i", self.server_deb, self.cli_deb)
        self.assertEqual(status(SERVER), "install ok installed")
        self.assertEqual(status(CLI), "install ok installed")

        # The system user, its state directory, the config file's permissions.
        user = pwd.getpwnam(USER)
        self.assertLess(user.pw_uid, 1000)
        self.assertEqual(user.pw_shell, "/usr/sbin/nologin")
        st = os.stat(STATE)
        self.assertEqual((st.st_uid, st.st_gid), (user.pw_uid, user.pw_gid))
        self.assertEqual(stat.S_IMODE(st.st_mode), 0o700)
        st = os.stat(CONFIG)
        self.assertEqual((st.st_uid, st.st_gid, stat.S_IMODE(st.st_mode)),
                         (0, user.pw_gid, 0o640))

        # The installed binaries.
        self.assertEqual(run("/usr/bin/2501-accounts", "--version").stdout.strip(),
                         f"2501-accounts {self.version}")
        self.assertEqual(run("/usr/bin/2501", "--version").stdout.strip(), f"2501 {self.version}")
        self.assertEqual(os.readlink("/usr/bin/@2501"), "2501")
        self.assertIn("2501", run("/usr/bin/@2501", "--help").stdout)
        for path in ("/usr/share/bash-completion/completions/2501",
                     "/usr/share/zsh/vendor-completions/_2501",
                     "/usr/share/fish/vendor_completions.d/2501.fish"):
            with open(path) as f:
                self.assertIn("2501", f.read(), path)
        # bash completes a command; zsh autoloads _2501 from its vendor directory for both names,
        # and the file hands over to the bash function.
        p = run("bash", "-c", "source /usr/share/bash-completion/completions/2501; "
                "COMP_WORDS=(2501 ag); COMP_CWORD=1; _2501_complete; echo \"${COMPREPLY[*]}\"")
        self.assertEqual(p.stdout.strip(), "agents")
        p = run("zsh", "-f", "-c", "fpath=(/usr/share/zsh/vendor-completions $fpath); "
                "autoload -U compinit; compinit -u -D; print -r -- $_comps[2501] $_comps[@2501]; "
                "_2501 2>/dev/null; print -r -- $_comps[2501]")
        self.assertEqual(p.stdout.splitlines(),
                         ["_2501 _2501", "_bash_complete -F _2501_complete"])

        self.run_exec_start(user)

        # systemd accepts the installed unit, and its hardening has not regressed.
        p = run("systemd-analyze", "verify", UNIT, check=False)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertNotIn(os.path.basename(UNIT), p.stderr)  # no warning about our unit
        p = run("systemd-analyze", "security", "--offline=yes", UNIT, check=False)
        score = re.search(r"Overall exposure level for \S+: ([0-9.]+)", p.stdout)
        self.assertIsNotNone(score, p.stdout[-500:])
        self.assertLessEqual(float(score.group(1)), 2.0, "the unit's hardening regressed")

        # The user's data: must survive dpkg -r, go with dpkg -P.
        data = os.path.join(STATE, "accounts.db")
        with open(data, "w") as f:
            f.write("data")
        os.chown(data, user.pw_uid, user.pw_gid)
        shipped = [p for deb in (self.server_deb, self.cli_deb)
                   for p, (mode, _, _) in contents(deb).items() if not mode.startswith("d")]

        dpkg("-r", SERVER, CLI)
        self.assertEqual(status(SERVER), "deinstall ok config-files")
        self.assertEqual(status(CLI), "")  # no conffile: nothing kept
        for path in shipped:
            if path != CONFIG:
                self.assertFalse(os.path.lexists(path), f"{path} left after dpkg -r")
        self.assertTrue(os.path.exists(CONFIG), "the conffile stays until purge")
        self.assertTrue(os.path.exists(data), "dpkg -r must keep the user's data")
        self.assertTrue(user_exists(USER))

        dpkg("-P", SERVER, CLI)
        self.assertEqual(status(SERVER), "")
        self.assertEqual(status(CLI), "")
        for path in shipped + [STATE, "/etc/2501-accounts"] + SYSTEMD_LEFTOVERS:
            self.assertFalse(os.path.lexists(path), f"{path} left after dpkg -P")
        self.assertFalse(user_exists(USER), "the system user is removed on purge")
        self.assertFalse(group_exists(USER))

    def run_exec_start(self, user):
        """Starts the server with the installed unit's ExecStart line, as the unit's user, on a
        temporary state directory and port 0; checks /healthz; stops it."""
        with open(UNIT) as f:
            unit = f.read()
        lines = re.findall(r"^ExecStart=(.*)$", unit, re.M)
        self.assertEqual(len(lines), 1, "one ExecStart line")
        argv = shlex.split(lines[0])
        self.assertEqual(argv[:2], ["/usr/bin/2501-accounts", "serve"])
        self.assertIn(f"User={USER}", unit)
        self.assertIn("StateDirectory=2501-accounts", unit)

        tmp = tempfile.mkdtemp(prefix="test_deb.")
        self.addCleanup(shutil.rmtree, tmp, True)
        os.chmod(tmp, 0o755)
        state = os.path.join(tmp, "state")
        os.mkdir(state, 0o700)
        os.chown(state, user.pw_uid, user.pw_gid)
        overrides = {"listen": "127.0.0.1:0", "db": f"sqlite:{state}/accounts.db",
                     "outbox": f"{state}/outbox"}
        if "--config" in argv:
            # The installed config with the paths and the port moved to the temporary place.
            i = argv.index("--config") + 1
            self.assertEqual(argv[i], CONFIG)
            with open(CONFIG) as f:
                text = f.read()
            for key, value in overrides.items():
                text, n = re.subn(rf"^{key} = .*$", f'{key} = "{value}"', text, flags=re.M)
                self.assertEqual(n, 1, f"{CONFIG} sets {key} once")
            argv[i] = os.path.join(tmp, "config.toml")
            with open(argv[i], "w") as f:
                f.write(text)
            os.chown(argv[i], 0, user.pw_gid)
            os.chmod(argv[i], 0o640)
        else:
            for key, value in overrides.items():
                flag = f"--{key}"
                self.assertIn(flag, argv)
                argv[argv.index(flag) + 1] = value

        # As systemd would: the unit's user and group, no new privileges, umask 0077, its
        # state directory as the working directory.
        server = subprocess.Popen(
            ["setpriv", f"--reuid={user.pw_uid}", f"--regid={user.pw_gid}", "--init-groups",
             "--no-new-privs", "--", *argv],
            cwd=state, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            preexec_fn=lambda: os.umask(0o077))
        self.addCleanup(lambda: server.poll() is None and server.kill())
        line = server.stdout.readline()
        match = re.match(r"listening on (http://127\.0\.0\.1:\d+)", line)
        if not match:
            server.kill()
            self.fail(f"the server did not start: {line!r} {server.stderr.read()[-2000:]}")
        with urllib.request.urlopen(match.group(1) + "/healthz", timeout=10) as answer:
            self.assertEqual(answer.status, 200)
        server.send_signal(signal.SIGTERM)
        self.assertEqual(server.wait(timeout=30), 0)
        server.stderr.close()
        server.stdout.close()
        # What it wrote belongs to the user, for the user only.
        db = os.stat(os.path.join(state, "accounts.db"))
        self.assertEqual(db.st_uid, user.pw_uid)
        self.assertEqual(stat.S_IMODE(db.st_mode) & 0o077, 0)


if __name__ == "__main__":
    unittest.main()
