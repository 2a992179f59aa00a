#!/usr/bin/env bash
# Quick start: set everything up and run playbooks/site.yml end to end on the local sandbox.
# Extra arguments go to ansible-playbook (for example: --skip-tags scale_test).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
"$root/scripts/bootstrap.sh"
cd "$root"
export PATH="$root/.venv/bin:$PATH"
exec ansible-playbook playbooks/site.yml "$@"
