#!/usr/bin/env bash
# Every test: unit (pytest), ansible-lint (production profile), ansible-test sanity, the Galaxy
# artifact, and the molecule scenarios against the sandbox. Fails when any part fails, and says
# which. Run a subset with: scripts/test.sh unit lint sanity build molecule
set -uo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
"$root/scripts/bootstrap.sh" || exit 1
cd "$root"
export PATH="$root/.venv/bin:$PATH"
# The tests' own sandbox: a port and state of their own, so a demo sandbox keeps running beside it.
export SCALEOUT_SANDBOX_PORT=${SCALEOUT_TEST_SANDBOX_PORT:-4600}
export SCALEOUT_SANDBOX_STATE_DIR="$root/.sandbox/test"
export ANSIBLE_FORCE_COLOR=0 PY_COLORS=0 NO_COLOR=1

steps=("$@")
[ ${#steps[@]} -gt 0 ] || steps=(unit lint sanity build molecule)
failed=()
passed=()

run_step() {
  local name=$1
  shift
  echo "=== $name: $*"
  local started=$SECONDS
  if "$@"; then
    passed+=("$name")
    echo "=== $name: passed in $((SECONDS - started))s"
  else
    failed+=("$name")
    echo "=== $name: FAILED after $((SECONDS - started))s"
  fi
}

for step in "${steps[@]}"; do
  case $step in
    unit) run_step unit pytest ;;
    lint) run_step lint ansible-lint --offline ;;
    sanity) run_step sanity "$root/scripts/sanity.sh" ;;
    build) run_step build "$root/tests/build/check_artifact.sh" ;;
    molecule) run_step molecule molecule test --all ;;
    *) echo "unknown step: $step (choose from unit lint sanity build molecule)" >&2; exit 2 ;;
  esac
done
"$root/scripts/sandbox" down > /dev/null 2>&1 || true

echo
echo "test steps passed: ${passed[*]:-none}"
if [ ${#failed[@]} -gt 0 ]; then
  echo "test steps FAILED: ${failed[*]}"
  echo "${#passed[@]} passed, ${#failed[@]} failed"
  exit 1
fi
echo "${#passed[@]} passed, 0 failed"
