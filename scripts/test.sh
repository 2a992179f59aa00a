#!/usr/bin/env bash
# Every test: unit (pytest), ansible-lint (production profile), ansible-test sanity, the Galaxy
# artifact, the molecule scenarios against the sandbox, and the reliability tests (faults,
# interruptions, bad input, least privilege). Fails when any part fails, and says which.
# Run a subset with: scripts/test.sh unit lint sanity build molecule reliability
# The long fault and interruption matrices: SCALEOUT_RELIABILITY_LONG=1 scripts/test.sh reliability
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
[ ${#steps[@]} -gt 0 ] || steps=(unit lint sanity build molecule reliability)
if [ -n "${SCALEOUT_RELIABILITY_LONG:-}" ] && [ "${SCALEOUT_RELIABILITY_LONG}" != 0 ]; then
  export SCALEOUT_RELIABILITY_FAULT_RUNS=${SCALEOUT_RELIABILITY_FAULT_RUNS:-5}
fi
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
    build) run_step build bash -c 'set -e; for check in check_artifact check_ee check_changelog; do "$0/tests/build/$check.sh"; done' "$root" ;;
    molecule) run_step molecule molecule test --all ;;
    reliability) run_step reliability pytest -p no:cacheprovider tests/reliability ;;
    *) echo "unknown step: $step (choose from unit lint sanity build molecule reliability)" >&2; exit 2 ;;
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
