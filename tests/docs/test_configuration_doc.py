"""docs/configuration.md's complete example names every option of `2501-accounts serve --help`
as a key (`KEY = ...`, commented out or not), so the documented format cannot drift from the
options: a new flag without its line fails here."""

import os
import re
import subprocess
import tempfile
import unittest

from test_man_pages import BIN_DIR, ROOT, long_options, run_help

DOC = os.path.join(ROOT, "docs", "configuration.md")
# Not keys: the file's own option, --help, and a negated flag's second name.
NOT_KEYS = {"--config", "--help", "--version"}


def example():
    with open(DOC) as f:
        doc = f.read()
    found = re.search(r"## A complete example.*?```toml\n(.*?)```", doc, re.S)
    if found is None:
        raise AssertionError("docs/configuration.md lost its complete example")
    return found.group(1)


class ConfigurationDocTest(unittest.TestCase):
    def test_every_serve_option_is_a_key_in_the_example(self):
        keys = set(re.findall(r"^#?\s*([a-z][a-z0-9-]*) = ", example(), re.M))
        options = long_options(run_help("2501-accounts", "serve"))
        self.assertIn("--listen", options)
        wanted = {o[2:] for o in options - NOT_KEYS if not o.startswith("--no-")}
        self.assertEqual(sorted(wanted - keys), [], "serve options missing from the example")
        self.assertEqual(sorted(keys - wanted), [], "keys in the example that are no option")

    def test_the_server_accepts_every_value_of_the_example(self):
        # Every line uncommented: each value has its option's type. The start then fails on
        # the example's certificate paths (exit 1), after the file was accepted (not exit 2).
        text = re.sub(r"^# ([a-z][a-z0-9-]* = )", r"\1", example(), flags=re.M)
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "config.toml")
            with open(path, "w") as f:
                f.write(text)
            p = subprocess.run([os.path.join(BIN_DIR, "2501-accounts"), "serve", "--config", path,
                                "--listen", "127.0.0.1:0", "--db", "sqlite:./a.db", "--outbox",
                                "./outbox"], cwd=d, capture_output=True, text=True, timeout=60)
        self.assertEqual(p.returncode, 1, p.stderr)
        self.assertNotIn("config.toml", p.stderr)
        self.assertIn("tls", p.stderr.lower())


if __name__ == "__main__":
    unittest.main()
