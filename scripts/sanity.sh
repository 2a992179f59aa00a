#!/usr/bin/env bash
# ansible-test sanity on a copy laid out as ansible_collections/scaleout/webtier, holding what the
# collection ships plus its tests (not the sandbox, the scripts or the in-repo collections link).
# No ignore files: tests/sanity/ holds none, and this script refuses to run if one appears.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# A virtualenv of its own: ansible-test pins its sanity tools (pylint, yamllint, ...) at versions
# that would fight ansible-lint's in .venv. Reused while requirements.txt is unchanged.
venv="$root/.cache/sanity-venv"
stamp="$venv/.requirements.sha256"
want=$(cat "$root/requirements.txt" "$0" | sha256sum | cut -d' ' -f1)
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  rm -rf "$venv"
  "$root/.venv/bin/python" -m venv "$venv"
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check \
    "$(grep -E '^ansible==' "$root/requirements.txt")" "$(grep -E '^ansible-core==' "$root/requirements.txt")" \
    "$(grep -E '^boto3==' "$root/requirements.txt")" "$(grep -E '^botocore==' "$root/requirements.txt")"
  reqs=$("$venv/bin/python" -c 'import ansible_test, os; print(os.path.join(os.path.dirname(ansible_test.__file__), "_data", "requirements"))')
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check $(printf -- '-r %s ' "$reqs"/sanity.*.txt)
  echo "$want" > "$stamp"
fi
export PATH="$venv/bin:$PATH"
# ansible-test bootstraps pip in its per-test virtualenvs with a script it downloads from a host
# that is not a package index; provide the stand-in at the cache path it documents.
pip_version=$("$venv/bin/python" -c 'from ansible_test._internal.python_requirements import get_venv_packages; from ansible_test._internal.host_configs import NativePythonConfig; print(get_venv_packages(NativePythonConfig(version="3.11", path="'"$venv"'/bin/python"))["pip"])')
mkdir -p ~/.ansible/test/cache
cp "$root/tests/sanity/offline_get_pip.py" ~/.ansible/test/cache/get_pip_${pip_version//./_}.py
if compgen -G "$root/tests/sanity/ignore-*.txt" > /dev/null; then
  echo "sanity: ignore files are not allowed: $(ls "$root"/tests/sanity/ignore-*.txt)" >&2
  exit 1
fi
dest="$root/build/sanity/ansible_collections/scaleout/webtier"
rm -rf "$root/build/sanity"
mkdir -p "$dest"
cd "$root"
{ git ls-files; git ls-files --others --exclude-standard; } | sort -u \
  | grep -Ev '^(collections|sandbox|scripts|benchmarks|\.ci|inventories/sandbox|molecule)/' \
  | while read -r f; do [ -e "$f" ] && printf '%s\0' "$f"; done \
  | xargs -0 cp --parents -t "$dest"
# The collections this one depends on must sit in the same ansible_collections tree.
bundled=$("$venv/bin/python" -c 'import ansible_collections; print(list(ansible_collections.__path__)[0])')
mkdir -p "$root/build/sanity/ansible_collections/amazon" "$root/build/sanity/ansible_collections/community"
ln -sfn "$bundled/amazon/aws" "$root/build/sanity/ansible_collections/amazon/aws"
ln -sfn "$bundled/community/aws" "$root/build/sanity/ansible_collections/community/aws"
cd "$dest"
# ansible-test lists files through git when it finds a repository; give it one of its own.
git init -q && git add -A && git -c user.email=ci@localhost -c user.name=ci commit -qm sanity
exec ansible-test sanity --local --python 3.11 --color no "$@"
