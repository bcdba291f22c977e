"""The man pages (docs/man/*.1): they render without a warning, and they name every command and
every long option the binaries' --help prints, so a new flag or command without its line in
the man page fails here; `cmake --install` puts them in share/man/man1."""

import os
import re
import subprocess
import tempfile
import unittest

ROOT = os.path.normpath(os.path.join(os.path.dirname(__file__), "..", ".."))
BIN_DIR = os.environ.get("TFZO_BIN_DIR", os.path.join(ROOT, "build", "bin"))
MAN_DIR = os.path.join(ROOT, "docs", "man")
PAGES = {"2501-accounts": "2501-accounts.1", "2501": "2501.1"}


def run_help(program, *args):
    path = os.path.join(BIN_DIR, program)
    if not os.access(path, os.X_OK):
        raise AssertionError(f"{path} is missing: build it first (make build)")
    p = subprocess.run([path, *args, "--help"], capture_output=True, text=True, timeout=30,
                       env=dict(os.environ, TFZO_DB="", XDG_CONFIG_HOME="/nonexistent"))
    if p.returncode != 0:
        raise AssertionError(f"{program} {' '.join(args)} --help: exit {p.returncode}")
    return p.stdout


def section(help_text, title):
    """The first words of the lines under `title:` in CLI11's help (options or subcommands)."""
    lines, inside = [], False
    for line in help_text.splitlines():
        if re.match(rf"^{title}:", line):
            inside = True
        elif inside and line and not line.startswith(" "):
            inside = False
        elif inside and line.strip():
            lines.append(line)
    return lines


def long_options(help_text):
    names = set()
    for line in section(help_text, "Options"):
        head = line.strip().split("  ")[0]  # "-h,--help", "--listen TEXT=...", "--a{false},--b"
        names.update(re.findall(r"--[a-z][a-z0-9-]*", head))
    return names


def subcommands(help_text):
    return [line.split()[0] for line in section(help_text, "Subcommands")]


def source_text(page):
    """The page's roff source as words: escapes removed (\\- is -, \\fB... fonts dropped)."""
    with open(os.path.join(MAN_DIR, page)) as f:
        text = f.read()
    text = text.replace("\\-", "-").replace("\\(dq", '"').replace("\\e", "\\")
    return re.sub(r"\\f[BIRP]", "", text)


def mentions(text, word):
    return re.search(rf"(?<![\w-]){re.escape(word)}(?![\w-])", text) is not None


class ManPagesTest(unittest.TestCase):
    def test_render_without_warnings(self):
        for page in PAGES.values():
            path = os.path.join(MAN_DIR, page)
            p = subprocess.run(["groff", "-man", "-Tutf8", "-ww", "-z", path],
                               capture_output=True, text=True, timeout=60)
            self.assertEqual((p.returncode, p.stderr), (0, ""), page)
            # man(1) itself, as a reader would run it: no warning either.
            p = subprocess.run(["man", "--warnings", "-l", path], capture_output=True,
                               text=True, timeout=60, env=dict(os.environ, MANPAGER="cat",
                                                               PAGER="cat", MANWIDTH="80"))
            self.assertEqual((p.returncode, p.stderr), (0, ""), page)
            self.assertIn("NAME", p.stdout)

    def check_program(self, program, args, text, depth):
        help_text = run_help(program, *args)
        for option in sorted(long_options(help_text)):
            with self.subTest(program=program, command=" ".join(args), option=option):
                self.assertTrue(mentions(text, option),
                                f"{PAGES[program]} does not mention {option} "
                                f"({program} {' '.join(args)})")
        for command in subcommands(help_text):
            words = " ".join([*args, command])
            with self.subTest(program=program, command=words):
                self.assertTrue(mentions(text, words),
                                f"{PAGES[program]} does not mention the command {words!r}")
            if depth > 0:
                self.check_program(program, [*args, command], text, depth - 1)

    def test_server_page_names_every_command_and_option(self):
        self.check_program("2501-accounts", [], source_text(PAGES["2501-accounts"]), 1)

    def test_cli_page_names_every_command_and_option(self):
        self.check_program("2501", [], source_text(PAGES["2501"]), 2)

    def test_the_drift_check_sees_a_missing_option(self):
        text = source_text(PAGES["2501-accounts"])
        self.assertTrue(mentions(text, "--max-connections"))
        text = re.sub(r"max-connections(?!-)", "x", text)
        self.assertFalse(mentions(text, "--max-connections"))
        self.assertTrue(mentions(text, "--max-connections-per-address"))
        self.assertIn("--max-connections", long_options(run_help("2501-accounts", "serve")))

    def test_cmake_install_puts_them_in_man1(self):
        build = os.environ.get("TFZO_BUILD_DIR", os.path.dirname(os.path.abspath(BIN_DIR)))
        with tempfile.TemporaryDirectory() as prefix:
            p = subprocess.run(["cmake", "--install", build, "--prefix", prefix,
                                "--component", "man"], capture_output=True, text=True,
                               timeout=120)
            self.assertEqual(p.returncode, 0, p.stderr)
            for page in PAGES.values():
                installed = os.path.join(prefix, "share", "man", "man1", page)
                with open(installed) as a, open(os.path.join(MAN_DIR, page)) as b:
                    self.assertEqual(a.read(), b.read(), installed)


if __name__ == "__main__":
    unittest.main()
