# Sourced by the tests/build/check_*.sh scripts: a virtualenv of its own under .cache/ with the
# pinned ansible-builder and antsibull-changelog (tests/build/tools-requirements.txt), plus
# requirements.txt's ansible-core (antsibull-changelog imports it to learn which plugin and object
# types are documentable: without it, filters and roles go unnoticed). Recreated only when these
# pins or this file change. Expects $root (the repository root).
tools_venv="$root/.cache/build-tools-venv"
tools_core=$(grep -E '^ansible-core==' "$root/requirements.txt")
tools_want=$(printf '%s\n' "$tools_core" | cat - "$root/tests/build/tools-requirements.txt" "${BASH_SOURCE[0]}" | sha256sum | cut -d' ' -f1)
mkdir -p "$root/.cache"
(
  # Two checks started together must not build the same virtualenv at once.
  flock 9
  if [ "$(cat "$tools_venv/.requirements.sha256" 2>/dev/null)" != "$tools_want" ]; then
    echo "build tools: installing $(grep -Ev '^\s*(#|$)' "$root/tests/build/tools-requirements.txt" | tr '\n' ' ')$tools_core into $tools_venv"
    rm -rf "$tools_venv"
    "$root/.venv/bin/python" -m venv "$tools_venv"
    "$tools_venv/bin/python" -m pip install --quiet --disable-pip-version-check \
      -r "$root/tests/build/tools-requirements.txt" "$tools_core"
    echo "$tools_want" > "$tools_venv/.requirements.sha256"
  fi
) 9> "$root/.cache/build-tools-venv.lock"
# .venv first: its ansible-doc and ansible-galaxy see amazon.aws and community.aws (the modules'
# documentation extends their fragments); the tools venv adds ansible-builder and
# antsibull-changelog, which .venv does not have.
export PATH="$root/.venv/bin:$tools_venv/bin:$PATH"
