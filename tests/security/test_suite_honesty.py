"""The suite cannot pass by accident: with the binaries missing (a failed or partial build), the
integration suites fail instead of skipping every test and exiting 0."""

import os
import subprocess
import sys
import tempfile
import unittest
from pathlib import Path

INTEGRATION = Path(__file__).resolve().parent.parent / "integration"


class MissingBinaryTest(unittest.TestCase):
    def run_suite(self, module):
        with tempfile.TemporaryDirectory(prefix="tfzo-nobin-") as empty:
            env = dict(os.environ, TFZO_BIN_DIR=empty)
            return subprocess.run([sys.executable, "-m", "unittest", module], cwd=INTEGRATION,
                                  env=env, capture_output=True, text=True, timeout=120)

    def test_each_suite_fails_without_its_binary(self):
        for module in ("test_cli", "test_cli_scan", "test_api_keys"):
            with self.subTest(module=module):
                p = self.run_suite(module)
                self.assertNotEqual(p.returncode, 0, p.stderr[-2000:])
                tail = p.stderr[-300:]
                self.assertNotIn("skipped=", tail)  # unittest's summary counts skips
                self.assertTrue("is missing or not executable" in p.stderr, tail)


if __name__ == "__main__":
    unittest.main()
