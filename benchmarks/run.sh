#!/usr/bin/env bash
# The benchmark, one command (see docs/benchmarks.md):
#   ./benchmarks/run.sh [--runs N] [--quick] [--port 4650] [--output docs/benchmarks.md] [--json build/benchmarks/results.json]
# Creates .venv if needed, then runs benchmarks/run.py on the local sandbox (127.0.0.1 only).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
"$root/scripts/bootstrap.sh"
cd "$root"
exec "$root/.venv/bin/python" "$root/benchmarks/run.py" "$@"
