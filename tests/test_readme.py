"""README.md's two commands are the ones the project really runs."""

import re

from conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")
COMMANDS = re.findall(r"```bash\n# \d\. [^\n]*\n([^\n]+)\n```", README)


def test_readme_gives_a_setup_command_and_a_test_command():
    assert len(COMMANDS) == 2
    setup, tests = COMMANDS
    assert setup.startswith("python3 -m venv .venv") and setup.endswith("nnlib lab")
    assert tests.endswith("python -m pytest")


def test_ci_runs_exactly_the_readme_test_command():
    ci_lines = (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    assert COMMANDS[1] in ci_lines
