#!/usr/bin/env bash
# The Galaxy artifact: build it, check it ships nothing it should not, install it into an empty
# collections path, and list and document its plugins from there.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
work="$root/build/artifact"
rm -rf "$work"
mkdir -p "$work/dist" "$work/collections"
cd "$root"
ansible-galaxy collection build --output-path "$work/dist" --force
tarball=$(ls "$work"/dist/scaleout-webtier-*.tar.gz)
contents=$(tar -tzf "$tarball")
unwanted=$(echo "$contents" | grep -E '^(sandbox|tests|molecule|scripts|collections|build|reports|inventories/sandbox)(/|$)|^\.|^(ansible\.cfg|pytest\.ini|requirements\.txt)$' || true)
if [ -n "$unwanted" ]; then
  echo "the artifact ships files it must not:" >&2
  echo "$unwanted" >&2
  exit 1
fi
for must in MANIFEST.json meta/runtime.yml playbooks/site.yml playbooks/teardown.yml roles/network/meta/argument_specs.yml; do
  grep -qx "$must" <<< "$contents" || { echo "the artifact lacks $must" >&2; exit 1; }
done
# No repository ansible.cfg: an empty one of our own.
printf '[defaults]\n' > "$work/ansible.cfg"
export ANSIBLE_CONFIG="$work/ansible.cfg"
# An empty collections path: only the artifact, plus amazon.aws/community.aws from the bundle.
ansible-galaxy collection install --no-deps -p "$work/collections" "$tarball"
cd "$work"
listing=$(ANSIBLE_COLLECTIONS_PATH="$work/collections" ansible-doc -l scaleout.webtier)
echo "$listing"
echo "$listing" | grep -q '^scaleout.webtier.instance_type_offerings_info' || { echo "ansible-doc -l does not list the modules" >&2; exit 1; }
filters=$(ANSIBLE_COLLECTIONS_PATH="$work/collections" ansible-doc -t filter -l scaleout.webtier)
echo "$filters" | grep -q '^scaleout.webtier.select_subnets' || { echo "ansible-doc does not list the filters" >&2; exit 1; }
echo "artifact OK: $(basename "$tarball")"
