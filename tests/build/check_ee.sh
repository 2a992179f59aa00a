#!/usr/bin/env bash
# The execution environment: build the collection artifact, render the build context of
# execution-environment.yml with ansible-builder (no container engine needed), and check that the
# context holds everything the image needs: amazon.aws and community.aws, this collection, and
# boto3/botocore/matplotlib. Then replay offline what the image build does with them: install the
# artifact beside amazon.aws/community.aws (the bundle's), and let ansible-builder's introspection
# collect the Python requirements from the installed collections.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
# shellcheck source=tests/build/tools_venv.sh
. "$root/tests/build/tools_venv.sh"
work="$root/build/ee"
context="$root/build/ee-context"
rm -rf "$work" "$context"
mkdir -p "$work/dist"
cd "$root"
fail() {
  echo "check_ee: $*" >&2
  exit 1
}

# The artifact, where execution-environment.yml takes it from (additional_build_files).
ansible-galaxy collection build --output-path "$work/dist" --force > /dev/null
tarball=$(ls "$work"/dist/scaleout-webtier-*.tar.gz)
contents=$(tar -tzf "$tarball")
for must in meta/execution-environment.yml meta/ee-requirements.txt; do
  grep -qx "$must" <<< "$contents" || fail "the artifact lacks $must (ansible-builder reads the collection's Python requirements from it)"
done

# --output-filename: the same Containerfile whichever engine this machine has.
ansible-builder create -f execution-environment.yml -c "$context" --output-filename Containerfile -v 1 > "$work/create.log" 2>&1 \
  || { cat "$work/create.log" >&2; fail "ansible-builder create failed"; }
if grep -q 'WARNING' "$work/create.log"; then
  cat "$work/create.log" >&2
  fail "ansible-builder create warned (a file of additional_build_files missing?)"
fi

# What the context must hold; every problem is named, then the check fails.
"$root/.venv/bin/python" - "$context" "$tarball" "$root" <<'EOF'
import json
import re
import sys
import tarfile
from pathlib import Path

import yaml

context, tarball, root = Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3])
build = context / "_build"
problems = []

containerfile = context / "Containerfile"
if not containerfile.is_file():
    problems.append(f"no Containerfile in {context}")
else:
    text = containerfile.read_text()
    definition = yaml.safe_load((root / "execution-environment.yml").read_text())
    base = definition["images"]["base_image"]["name"]
    if f"ARG EE_BASE_IMAGE=\"{base}\"" not in text and f"ARG EE_BASE_IMAGE={base}" not in text:
        problems.append(f"the Containerfile does not build from the base image {base}")
    if not re.search(r"ansible-galaxy collection install .*-r requirements\.yml", text):
        problems.append("the Containerfile does not install requirements.yml")
    if not re.search(r"ansible-galaxy collection install .*/build/collections/scaleout-webtier-\*\.tar\.gz", text):
        problems.append("the Containerfile does not install the scaleout.webtier artifact")

galaxy = build / "requirements.yml"
if not galaxy.is_file():
    problems.append(f"no Galaxy requirements file {galaxy}")
else:
    wanted = {c["name"]: c.get("version") for c in yaml.safe_load((root / "requirements.yml").read_text())["collections"]}
    found = {c["name"]: c.get("version") for c in (yaml.safe_load(galaxy.read_text()) or {}).get("collections", [])}
    for name in ("amazon.aws", "community.aws"):
        if name not in found:
            problems.append(f"{galaxy} lacks the collection {name}")
    if found != wanted:
        problems.append(f"{galaxy} differs from requirements.yml: {found} != {wanted}")

python = build / "requirements.txt"
if not python.is_file():
    problems.append(f"no Python requirements file {python}")
else:
    names = {re.split(r"[<>=!~;\[ ]", line.strip(), maxsplit=1)[0].lower()
             for line in python.read_text().splitlines() if line.strip() and not line.lstrip().startswith("#")}
    for name in ("boto3", "botocore", "matplotlib"):
        if name not in names:
            problems.append(f"{python} lacks the Python package {name}")

artifacts = sorted((build / "collections").glob("scaleout-webtier-*.tar.gz"))
if len(artifacts) != 1:
    problems.append(f"expected the scaleout.webtier artifact in {build / 'collections'}, found {[a.name for a in artifacts]}")
else:
    with tarfile.open(artifacts[0]) as shipped, tarfile.open(tarball) as built:
        info = json.load(shipped.extractfile("MANIFEST.json"))["collection_info"]
        if (info["namespace"], info["name"]) != ("scaleout", "webtier"):
            problems.append(f"{artifacts[0].name} holds {info['namespace']}.{info['name']}, not scaleout.webtier")
        if shipped.extractfile("MANIFEST.json").read() != built.extractfile("MANIFEST.json").read():
            problems.append(f"{artifacts[0].name} is not the artifact just built")

if problems:
    print("check_ee: the execution environment context is incomplete:", *problems, sep="\n  - ", file=sys.stderr)
    sys.exit(1)
EOF

# The galaxy stage, offline: the artifact installs next to amazon.aws/community.aws (here the
# ones of the ansible bundle) without asking Galaxy for its dependencies.
stage="$work/galaxy-stage"
bundled=$("$root/.venv/bin/python" -c 'import ansible_collections, os; print(list(ansible_collections.__path__)[0])')
mkdir -p "$stage/ansible_collections/amazon" "$stage/ansible_collections/community"
ln -s "$bundled/amazon/aws" "$stage/ansible_collections/amazon/aws"
ln -s "$bundled/community/aws" "$stage/ansible_collections/community/aws"
printf '[defaults]\n' > "$work/ansible.cfg"
ANSIBLE_CONFIG="$work/ansible.cfg" ansible-galaxy collection install --offline --collections-path "$stage" \
  "$context"/_build/collections/scaleout-webtier-*.tar.gz > "$work/galaxy-stage.log" 2>&1 \
  || { cat "$work/galaxy-stage.log" >&2; fail "the artifact does not install offline beside amazon.aws and community.aws"; }
# The builder stage's introspection: the requirements it would install, from the user's file and
# from every installed collection's EE metadata.
ansible-builder introspect --user-pip "$context/_build/requirements.txt" "$stage" > "$work/introspect.yml" \
  || fail "ansible-builder introspect failed"
"$root/.venv/bin/python" - "$work/introspect.yml" <<'EOF'
import sys

import yaml

data = yaml.safe_load(open(sys.argv[1]))
lines = data.get("python") or []
by_package = {}
for line in lines:
    requirement, _, origin = line.partition("#")
    name = requirement.strip().split(">")[0].split("=")[0].split("<")[0].strip().lower()
    by_package.setdefault(name, []).append(origin.strip())
problems = []
for name in ("boto3", "botocore", "matplotlib"):
    if name not in by_package:
        problems.append(f"the image would not get {name}")
if not any("scaleout.webtier" in origin for origins in by_package.values() for origin in origins):
    problems.append("introspection found no requirement of scaleout.webtier (meta/execution-environment.yml not read?)")
if problems:
    print("check_ee: introspection of the installed collections:", *problems, sep="\n  - ", file=sys.stderr)
    print(open(sys.argv[1]).read(), file=sys.stderr)
    sys.exit(1)
print("introspected Python requirements: " + ", ".join(lines))
EOF
echo "execution environment OK: $context (Containerfile; $(basename "$tarball"); $(ansible-builder --version))"
