#!/usr/bin/env bash
# Every test: unit (pytest), ansible-lint (production profile), ansible-test sanity, the Galaxy
# artifact, the molecule scenarios against the sandbox, and the reliability tests (faults,
# interruptions, bad input, least privilege). Fails when any part fails, and says which.
# Run a subset with: scripts/test.sh unit lint sanity build molecule reliability
# The long fault and interruption matrices: SCALEOUT_RELIABILITY_LONG=1 scripts/test.sh reliability
#
# The steps run in lanes side by side (SCALEOUT_TEST_PARALLEL=0 runs them one after the other,
# streaming their output): the quick checks in one lane, each molecule scenario in a lane of its
# own, and the reliability tests spread over pytest-xdist workers. Most of a molecule or
# reliability run waits on the sandbox's simulated clock, so the lanes overlap that waiting. Each
# lane has its own sandbox (port and state directory), so no lane sees another's resources. A lane's
# output goes to build/test-logs/<step>.log and is printed whole when the step fails.
set -uo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
"$root/scripts/bootstrap.sh" || exit 1
cd "$root"
export PATH="$root/.venv/bin:$PATH"
# The tests' own sandboxes: ports and state of their own, so a demo sandbox keeps running beside them.
base_port=${SCALEOUT_TEST_SANDBOX_PORT:-4600}
export SCALEOUT_SANDBOX_PORT=$base_port
export SCALEOUT_SANDBOX_STATE_DIR="$root/.sandbox/test"
export ANSIBLE_FORCE_COLOR=0 PY_COLORS=0 NO_COLOR=1
parallel=${SCALEOUT_TEST_PARALLEL:-1}
# Reliability workers: each starts a sandbox of its own and runs one playbook at a time.
reliability_workers=${SCALEOUT_RELIABILITY_WORKERS:-3}
logs="$root/build/test-logs"
mkdir -p "$logs"

steps=("$@")
[ ${#steps[@]} -gt 0 ] || steps=(unit lint sanity build molecule reliability)
for step in "${steps[@]}"; do
  case $step in
    unit | lint | sanity | build | molecule | reliability) ;;
    *) echo "unknown step: $step (choose from unit lint sanity build molecule reliability)" >&2; exit 2 ;;
  esac
done
if [ -n "${SCALEOUT_RELIABILITY_LONG:-}" ] && [ "${SCALEOUT_RELIABILITY_LONG}" != 0 ]; then
  export SCALEOUT_RELIABILITY_FAULT_RUNS=${SCALEOUT_RELIABILITY_FAULT_RUNS:-5}
fi

# One molecule scenario on a sandbox of its own (port offset, state directory).
molecule_scenario() {
  local scenario=$1 offset=$2
  SCALEOUT_SANDBOX_PORT=$((base_port + offset)) SCALEOUT_SANDBOX_STATE_DIR="$root/.sandbox/test-$scenario" \
    molecule test -s "$scenario"
}

molecule_step() {
  if [ "$parallel" = 0 ]; then
    molecule_scenario default 0 && molecule_scenario scale_test 1
    return
  fi
  molecule_scenario default 0 > "$logs/molecule-default.log" 2>&1 &
  local default_pid=$!
  molecule_scenario scale_test 1 > "$logs/molecule-scale_test.log" 2>&1
  local scale_rc=$?
  wait "$default_pid"
  local default_rc=$?
  cat "$logs/molecule-default.log" "$logs/molecule-scale_test.log"
  [ "$default_rc" = 0 ] && [ "$scale_rc" = 0 ]
}

reliability_step() {
  if [ "$parallel" = 0 ] || [ "$reliability_workers" -le 1 ]; then
    pytest -p no:cacheprovider tests/reliability
  else
    # loadfile: a file's tests stay together on one worker, so that a module-scoped run (the
    # bad-input table, the least-privilege lifecycle) is set up once, not again after interleaving.
    pytest -p no:cacheprovider -n "$reliability_workers" --dist loadfile tests/reliability
  fi
}

step_command() {
  case $1 in
    unit) pytest ;;
    lint) ansible-lint --offline ;;
    sanity) "$root/scripts/sanity.sh" ;;
    build) bash -c 'set -e; for check in check_artifact check_ee check_changelog; do "$0/tests/build/$check.sh"; done' "$root" ;;
    molecule) molecule_step ;;
    reliability) reliability_step ;;
  esac
}

# Runs one step, its output to its log (or streamed when not parallel); writes its verdict line.
run_step() {
  local name=$1 started=$SECONDS rc
  if [ "$parallel" = 0 ]; then
    echo "=== $name"
    step_command "$name"
    rc=$?
  else
    step_command "$name" > "$logs/$name.log" 2>&1
    rc=$?
  fi
  if [ "$rc" = 0 ]; then
    echo "passed $((SECONDS - started))" > "$logs/$name.verdict"
  else
    echo "FAILED $((SECONDS - started))" > "$logs/$name.verdict"
  fi
}

run_lane() {
  local name
  for name in "$@"; do
    run_step "$name"
    report "$name"
  done
}

report() {
  local name=$1 verdict seconds
  read -r verdict seconds < "$logs/$name.verdict"
  if [ "$parallel" != 0 ]; then
    if [ "$verdict" = passed ]; then
      # The step's closing line (pytest's summary, molecule's recap) says what ran.
      grep -E '^(=+ .*(passed|failed|error).* =+|INFO +Molecule executed .*|Passed: .*)$' "$logs/$name.log" | tail -n 2 | sed "s/^/[$name] /"
    else
      echo "--- output of $name (build/test-logs/$name.log):"
      cat "$logs/$name.log"
    fi
  fi
  echo "=== $name: $verdict in ${seconds}s"
}

rm -f "$logs"/*.verdict
selected() {
  local want=$1 step
  for step in "${steps[@]}"; do [ "$step" = "$want" ] && echo "$want"; done
}
if [ "$parallel" = 0 ]; then
  run_lane "${steps[@]}"
else
  quick=($(selected unit) $(selected lint) $(selected sanity) $(selected build))
  pids=()
  [ ${#quick[@]} -gt 0 ] && { run_lane "${quick[@]}" & pids+=($!); }
  [ -n "$(selected molecule)" ] && { run_lane molecule & pids+=($!); }
  [ -n "$(selected reliability)" ] && { run_lane reliability & pids+=($!); }
  wait "${pids[@]}"
fi
# Whatever a failed scenario left running.
"$root/scripts/sandbox" down > /dev/null 2>&1 || true
for scenario in default:0 scale_test:1; do
  SCALEOUT_SANDBOX_PORT=$((base_port + ${scenario#*:})) SCALEOUT_SANDBOX_STATE_DIR="$root/.sandbox/test-${scenario%:*}" \
    "$root/scripts/sandbox" down > /dev/null 2>&1 || true
done

passed=()
failed=()
for step in "${steps[@]}"; do
  if [ "$(cut -d' ' -f1 "$logs/$step.verdict" 2>/dev/null)" = passed ]; then passed+=("$step"); else failed+=("$step"); fi
done
echo
echo "test steps passed: ${passed[*]:-none}"
if [ ${#failed[@]} -gt 0 ]; then
  echo "test steps FAILED: ${failed[*]}"
  echo "${#passed[@]} passed, ${#failed[@]} failed"
  exit 1
fi
echo "${#passed[@]} passed, 0 failed"
