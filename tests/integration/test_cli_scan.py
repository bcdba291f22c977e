"""`2501 scan`: finds real keys (checksum checked) in files, honours .gitignore inside a git work
tree, scans the index with --staged, and its pre-commit hook blocks a commit that adds a key.
Needs no server."""

import json
import os
import stat
import unittest

from test_cli import Cli, git, hint, lookalike_key, make_key


class ScanTest(unittest.TestCase):
    def setUp(self):
        self.cli = Cli()
        self.dir = os.path.join(self.cli.home, "project")
        os.makedirs(os.path.join(self.dir, "src", "deep"))
        self.key = make_key()
        self.env = self.cli.env()

    def tearDown(self):
        for out in self.cli.outputs:
            self.assertNotIn(self.key, out)
        self.cli.cleanup()

    def write(self, rel, text):
        path = os.path.join(self.dir, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as f:
            f.write(text)
        return path

    def git_init(self):
        git(self.dir, "init", "-q", env=self.env)

    def test_finds_a_real_key_with_file_and_line(self):
        self.write("src/deep/settings.py", "A = 1\n\nTOKEN = '" + self.key + "'\n")
        self.write("README.md", "nothing here\n")
        p = self.cli.run("scan", cwd=self.dir)
        self.assertEqual(p.returncode, 1, p)
        self.assertEqual(p.stdout, f"src/deep/settings.py:3: {hint(self.key)}\n")
        self.assertIn("found 1", p.stderr)

    def test_named_paths_and_json(self):
        self.write("a.env", "K=" + self.key + "\n")
        self.write("src/b.txt", "x\n" + self.key + "\n")
        p = self.cli.run("scan", "a.env", "src", "--json", cwd=self.dir)
        self.assertEqual(p.returncode, 1, p)
        body = json.loads(p.stdout)
        self.assertEqual(body["findings"], [
            {"file": "a.env", "line": 1, "hint": hint(self.key)},
            {"file": "src/b.txt", "line": 2, "hint": hint(self.key)},
        ])

    def test_lookalike_with_a_wrong_checksum_is_not_reported(self):
        self.write("config.yaml", "api_key: " + lookalike_key() + "\n")
        p = self.cli.run("scan", cwd=self.dir)
        self.assertEqual(p.returncode, 0, p)
        self.assertEqual(p.stdout, "")
        self.assertIn("No 2501 API key found", p.stderr)

    def test_clean_directory_exits_zero(self):
        self.write("a.txt", "tfzo_ is our prefix\n")
        p = self.cli.run("scan", self.dir)
        self.assertEqual(p.returncode, 0, p)

    def test_gitignored_file_is_skipped_inside_a_git_work_tree(self):
        self.write(".gitignore", "secrets.env\n")
        self.write("secrets.env", "KEY=" + self.key + "\n")
        # Outside a work tree .gitignore means nothing: the file is scanned.
        p = self.cli.run("scan", cwd=self.dir)
        self.assertEqual(p.returncode, 1, p)
        self.assertIn("secrets.env:1:", p.stdout)
        self.git_init()
        p = self.cli.run("scan", cwd=self.dir)
        self.assertEqual(p.returncode, 0, p)
        self.assertNotIn("secrets.env", p.stdout)
        # Untracked, not ignored files are still scanned; and a file named explicitly is too.
        self.write("new.txt", self.key + "\n")
        p = self.cli.run("scan", cwd=self.dir)
        self.assertEqual(p.returncode, 1, p)
        self.assertEqual(p.stdout, f"new.txt:1: {hint(self.key)}\n")
        p = self.cli.run("scan", "secrets.env", cwd=self.dir)
        self.assertEqual(p.returncode, 1, p)

    def test_missing_path_is_a_usage_error(self):
        p = self.cli.run("scan", "does-not-exist", cwd=self.dir)
        self.assertEqual(p.returncode, 2, p)
        self.assertIn("does-not-exist", p.stderr)

    def test_staged_scans_the_index_only(self):
        self.git_init()
        self.write("app.env", "A=1\n")
        git(self.dir, "add", "app.env", env=self.env)
        git(self.dir, "commit", "-q", "-m", "init", env=self.env)
        # A key in the work tree but not staged: not part of the commit.
        self.write("app.env", "A=1\nKEY=" + self.key + "\n")
        p = self.cli.run("scan", "--staged", cwd=self.dir)
        self.assertEqual(p.returncode, 0, p)
        git(self.dir, "add", "app.env", env=self.env)
        p = self.cli.run("scan", "--staged", cwd=self.dir)
        self.assertEqual(p.returncode, 1, p)
        self.assertEqual(p.stdout, f"app.env:2: {hint(self.key)}\n")
        self.assertIn("commit is blocked", p.stderr)

    def test_staged_outside_git_is_a_usage_error(self):
        p = self.cli.run("scan", "--staged", cwd=self.dir)
        self.assertEqual(p.returncode, 2, p)

    def test_pre_commit_hook_blocks_a_commit_that_adds_a_key(self):
        self.git_init()
        p = self.cli.run("scan", "--install-hook", cwd=self.dir)
        self.assertEqual(p.returncode, 0, p)
        hook = os.path.join(self.dir, ".git", "hooks", "pre-commit")
        self.assertTrue(os.stat(hook).st_mode & stat.S_IXUSR)
        with open(hook) as f:
            self.assertIn("scan --staged", f.read())
        # Installing again replaces our own hook.
        self.assertEqual(self.cli.run("scan", "--install-hook", cwd=self.dir).returncode, 0)

        self.write("ok.txt", "hello\n")
        git(self.dir, "add", "ok.txt", env=self.env)
        c = git(self.dir, "commit", "-q", "-m", "clean", env=self.env, check=False)
        self.assertEqual(c.returncode, 0, c.stderr)

        self.write("deploy.sh", "export TFZO_API_KEY=" + self.key + "\n")
        git(self.dir, "add", "deploy.sh", env=self.env)
        c = git(self.dir, "commit", "-q", "-m", "leak", env=self.env, check=False)
        self.assertNotEqual(c.returncode, 0, "the commit with a key went through")
        self.assertIn(f"deploy.sh:1: {hint(self.key)}", c.stdout + c.stderr)
        self.assertNotIn(self.key, c.stdout + c.stderr)
        count = git(self.dir, "rev-list", "--count", "HEAD", env=self.env).stdout.strip()
        self.assertEqual(count, "1")

        # A lookalike does not block anything.
        self.write("deploy.sh", "export TFZO_API_KEY=" + lookalike_key() + "\n")
        git(self.dir, "add", "deploy.sh", env=self.env)
        c = git(self.dir, "commit", "-q", "-m", "fixed", env=self.env, check=False)
        self.assertEqual(c.returncode, 0, c.stdout + c.stderr)

    def test_install_hook_refuses_to_overwrite_a_foreign_hook(self):
        self.git_init()
        hook = self.write(".git/hooks/pre-commit", "#!/bin/sh\nexit 0\n")
        p = self.cli.run("scan", "--install-hook", cwd=self.dir)
        self.assertEqual(p.returncode, 1, p)
        self.assertIn("2501 scan --staged", p.stderr)
        with open(hook) as f:
            self.assertEqual(f.read(), "#!/bin/sh\nexit 0\n")

    def test_install_hook_outside_git(self):
        p = self.cli.run("scan", "--install-hook", cwd=self.dir)
        self.assertEqual(p.returncode, 1, p)


if __name__ == "__main__":
    unittest.main()
