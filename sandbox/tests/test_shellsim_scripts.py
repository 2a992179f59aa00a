"""The shell simulation reads scripts as a shell runs them: here-document bodies are data and
function bodies run only when called; `wait` waits for the background loads."""

from scaleout_sandbox.shellsim import executed_lines, plan_script

SCRIPT = """#!/bin/bash
set -euo pipefail
report_failure() {
  printf '%s %s\n' "provisioning-failed" "$1"
}
trap 'report_failure "$LINENO"' ERR
function helper {
  echo "inside a function"
}
cat > /etc/page <<'PAGE'
echo "inside a here-document"
exit 3
PAGE
echo "done"
"""


def test_function_and_heredoc_bodies_are_not_run():
    lines = executed_lines(SCRIPT)
    assert 'echo "inside a function"' not in lines
    assert not any("inside a here-document" in line for line in lines)
    assert "cat > /etc/page" in lines
    plan = plan_script(SCRIPT)
    assert plan.stdout == "done\n"
    assert plan.exit_code == 0


def test_wait_blocks_until_bounded_background_loads_end():
    plan = plan_script("timeout 600 sha256sum /dev/zero &\ntimeout 600 sha256sum /dev/zero &\nwait\nexit 0")
    assert [load.threads for load in plan.loads] == [1, 1]
    assert plan.duration == 600.0
    assert plan.exit_code == 0


def test_wait_on_an_unbounded_background_load_never_ends():
    plan = plan_script("sha256sum /dev/zero &\nwait\necho never")
    assert plan.duration is None
    assert plan.stdout == ""
