"""`2501 completion bash|zsh|fish` (issue 16, point 6): the bash script is loaded in a real bash and
its candidates checked the way bash computes them (the completion function, then COMPREPLY)."""

import os
import shutil
import subprocess
import unittest

from test_cli import Cli


class CompletionTest(unittest.TestCase):
    def setUp(self):
        self.cli = Cli()
        p = self.cli.run("completion", "bash")
        self.assertEqual(p.returncode, 0, p)
        self.script = os.path.join(self.cli.home, "2501.bash")
        with open(self.script, "w") as f:
            f.write(p.stdout)
        os.makedirs(os.path.join(self.cli.home, "work", "src"))

    def tearDown(self):
        self.cli.cleanup()

    def candidates(self, line):
        """What bash offers after `line` (the word being completed is its last, maybe empty)."""
        words = line.split(" ")
        program = (
            f"source {self.script}\n"
            f"COMP_WORDS=({' '.join(repr(w) for w in words)})\n"
            f"COMP_CWORD={len(words) - 1}\n"
            f"COMP_LINE={line!r}; COMP_POINT=${{#COMP_LINE}}\n"
            "$(complete -p 2501 | sed -E 's/.*-F ([^ ]+) .*/\\1/') 2501\n"
            "printf '%s\\n' \"${COMPREPLY[@]}\"\n")
        p = subprocess.run(["bash", "--norc", "--noprofile", "-c", program], capture_output=True,
                           text=True, cwd=os.path.join(self.cli.home, "work"), timeout=30)
        self.assertEqual(p.stderr, "")
        return sorted(w for w in p.stdout.split("\n") if w)

    def test_bash_completes_commands_subcommands_and_options(self):
        top = self.candidates("2501 ")
        for w in ("set", "config", "auth", "whoami", "orgs", "agents", "hosts", "init", "scan",
                  "completion", "--profile", "--json"):
            self.assertIn(w, top)
        self.assertEqual(self.candidates("2501 a"), ["agents", "auth"])
        self.assertEqual(self.candidates("2501 set "), ["api_host", "api_key"])
        self.assertEqual(self.candidates("2501 agents "), ["--org", "create", "list", "rm"])
        self.assertEqual(self.candidates("2501 --profile ci agents c"), ["create"])
        self.assertEqual(self.candidates("2501 agents create bot --"), ["--host", "--org"])
        self.assertEqual(self.candidates("2501 completion "), ["bash", "fish", "zsh"])
        self.assertEqual(self.candidates("2501 auth "), ["status"])
        # An option's value is not completed as a command.
        self.assertEqual(self.candidates("2501 --profile "), [])
        # scan takes paths.
        self.assertIn("src", self.candidates("2501 scan s"))
        self.assertIn("--staged", self.candidates("2501 scan --s"))

    def test_zsh_and_fish_scripts_and_an_unknown_shell(self):
        p = self.cli.run("completion", "zsh")
        self.assertEqual(p.returncode, 0)
        self.assertIn("bashcompinit", p.stdout)
        self.assertIn("complete -F", p.stdout)
        p = self.cli.run("completion", "fish")
        self.assertEqual(p.returncode, 0)
        self.assertIn("complete -c 2501 -n '__fish_seen_subcommand_from agents' -a 'create'",
                      p.stdout)
        if shutil.which("fish"):
            f = subprocess.run(["fish", "--no-config", "-n"], input=p.stdout, text=True,
                               capture_output=True)
            self.assertEqual(f.returncode, 0, f.stderr)
        p = self.cli.run("completion", "tcsh")
        self.assertEqual(p.returncode, 2)
        self.assertIn("bash, zsh or fish", p.stderr)
        self.assertEqual(self.cli.run("completion").returncode, 2)


if __name__ == "__main__":
    unittest.main()
