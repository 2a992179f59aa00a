#!/usr/bin/env bash
# The Galaxy artifact: build it, check it ships nothing it should not, install it into an empty
# collections path, and from there: document every module, filter and role with ansible-doc
# (no failure, no warning, module examples that parse as YAML), and syntax-check every playbook
# by its FQCN.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
work="$root/build/artifact"
rm -rf "$work"
mkdir -p "$work/dist" "$work/collections"
cd "$root"
ansible-galaxy collection build --output-path "$work/dist" --force
tarball=$(ls "$work"/dist/scaleout-webtier-*.tar.gz)
contents=$(tar -tzf "$tarball")
unwanted=$(echo "$contents" | grep -E '^(sandbox|tests|molecule|scripts|collections|build|benchmarks|reports|inventories/sandbox)(/|$)|^\.|^(ansible\.cfg|pytest\.ini|requirements\.txt|execution-environment\.yml|changelogs/\.plugin-cache\.yaml)$' || true)
if [ -n "$unwanted" ]; then
  echo "the artifact ships files it must not:" >&2
  echo "$unwanted" >&2
  exit 1
fi
for must in MANIFEST.json meta/runtime.yml playbooks/site.yml playbooks/teardown.yml roles/network/meta/argument_specs.yml \
  meta/execution-environment.yml meta/ee-requirements.txt CHANGELOG.md changelogs/changelog.yaml; do
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

# Every plugin and role, found in the installed tree (not a list kept here), rendered by ansible-doc.
export ANSIBLE_COLLECTIONS_PATH="$work/collections" ANSIBLE_NOCOLOR=1
coll="$work/collections/ansible_collections/scaleout/webtier"
stems() { # python files of a plugin directory, by name (module_utils-style _private files left out)
  [ -d "$1" ] || return 0
  find "$1" -maxdepth 1 -name '*.py' ! -name '_*' -printf '%f\n' | sed 's/\.py$//' | sort
}
mapfile -t modules < <(stems "$coll/plugins/modules")
mapfile -t actions < <(stems "$coll/plugins/action")
# A filter file may export several filters: its name and every name ansible-doc lists.
mapfile -t filters < <({ stems "$coll/plugins/filter"
  ansible-doc -t filter -l --json scaleout.webtier | "$root/.venv/bin/python" -c 'import json, sys; print("\n".join(n.split(".")[-1] for n in json.load(sys.stdin)))'
} | sort -u)
mapfile -t roles < <(find "$coll/roles" -mindepth 1 -maxdepth 1 -type d -printf '%f\n' | sort)
mapfile -t playbooks < <(find "$coll/playbooks" -maxdepth 1 \( -name '*.yml' -o -name '*.yaml' \) -printf '%f\n' | sed -E 's/\.ya?ml$//' | sort)
problems=()
[ ${#modules[@]} -gt 0 ] || problems+=("no module in $coll/plugins/modules")
[ ${#filters[@]} -gt 0 ] || problems+=("no filter in $coll/plugins/filter")
[ ${#roles[@]} -gt 0 ] || problems+=("no role in $coll/roles")
[ ${#playbooks[@]} -gt 0 ] || problems+=("no playbook in $coll/playbooks")
# An action plugin documents itself through the module of the same name.
for action in "${actions[@]}"; do
  [ -f "$coll/plugins/modules/$action.py" ] || problems+=("action plugin $action has no module (and so no documentation) of the same name")
done
bad_output() { grep -E '\[(WARNING|DEPRECATION WARNING|ERROR)\]|Traceback' <<< "$1" || true; }
render() { # type name: the text rendering must succeed, say something and warn about nothing
  local out
  if ! out=$(ansible-doc -t "$1" "scaleout.webtier.$2" 2>&1); then
    problems+=("ansible-doc -t $1 scaleout.webtier.$2 failed: $(bad_output "$out" | head -3)")
  elif [ -n "$(bad_output "$out")" ]; then
    problems+=("ansible-doc -t $1 scaleout.webtier.$2 warned: $(bad_output "$out" | head -3)")
  elif [ -z "$out" ]; then
    problems+=("ansible-doc -t $1 scaleout.webtier.$2 printed nothing$([ "$1" = role ] && echo " (no meta/argument_specs.yml?)")")
  fi
}
for name in "${modules[@]}"; do render module "$name"; done
for name in "${filters[@]}"; do render filter "$name"; done
for name in "${roles[@]}"; do render role "$name"; done
# The same through --json, one call per type: the documentation is complete, the examples of every
# module (and filter) parse as YAML, every role has a main entry point with an argument spec.
json_check() { # type names...
  local type=$1 out
  shift
  if ! out=$(ansible-doc -t "$type" --json "${@/#/scaleout.webtier.}" 2> "$work/ansible-doc-$type.err"); then
    problems+=("ansible-doc -t $type --json failed: $(head -3 "$work/ansible-doc-$type.err")")
    return
  fi
  if [ -n "$(bad_output "$(cat "$work/ansible-doc-$type.err")")" ]; then
    problems+=("ansible-doc -t $type --json warned: $(bad_output "$(cat "$work/ansible-doc-$type.err")" | head -3)")
  fi
  local found
  found=$("$root/.venv/bin/python" -c '
import json, sys
import yaml
kind, names, docs = sys.argv[1], sys.argv[2:], json.load(sys.stdin)
for name in names:
    fqcn = "scaleout.webtier." + name
    entry = docs.get(fqcn)
    if not entry:
        print(f"{kind} {fqcn}: no documentation in ansible-doc --json")
        continue
    if kind == "role":
        main = (entry.get("entry_points") or {}).get("main")
        if not main or not main.get("short_description"):
            print(f"role {fqcn}: no main entry point with a short_description in meta/argument_specs.yml")
        continue
    doc = entry.get("doc") or {}
    for key in ("short_description", "description", "author"):
        if not doc.get(key):
            print(f"{kind} {fqcn}: DOCUMENTATION has no {key}")
    examples = entry.get("examples") or ""
    if kind == "module" and not examples.strip():
        print(f"module {fqcn}: no EXAMPLES")
    try:
        yaml.safe_load(examples)
    except yaml.YAMLError as exc:
        print(f"{kind} {fqcn}: EXAMPLES is not valid YAML: " + str(exc).replace("\n", " "))
' "$type" "$@" <<< "$out")
  while IFS= read -r line; do [ -z "$line" ] || problems+=("$line"); done <<< "$found"
}
json_check module "${modules[@]}"
json_check filter "${filters[@]}"
json_check role "${roles[@]}"
# What ansible-doc -l lists must be what the tree holds: a module whose documentation fails to
# load drops out of the list.
listed=$(ansible-doc -t module -l --json scaleout.webtier 2> /dev/null | "$root/.venv/bin/python" -c 'import json, sys; print(" ".join(sorted(n.split(".")[-1] for n in json.load(sys.stdin))))')
[ "$listed" = "${modules[*]}" ] || problems+=("ansible-doc -l lists the modules [$listed], the artifact holds [${modules[*]}]")

# Every playbook by its FQCN, against an inventory with the group the playbooks target.
cat > "$work/inventory.yml" <<'YAML'
webtier_stacks:
  hosts:
    syntax-check:
      ansible_connection: local
YAML
for playbook in "${playbooks[@]}"; do
  if ! out=$(ansible-playbook -i "$work/inventory.yml" --syntax-check "scaleout.webtier.$playbook" 2>&1); then
    problems+=("ansible-playbook --syntax-check scaleout.webtier.$playbook failed: $(grep -v '^\s*$' <<< "$out" | head -5)")
  elif [ -n "$(bad_output "$out")" ]; then
    problems+=("ansible-playbook --syntax-check scaleout.webtier.$playbook warned: $(bad_output "$out" | head -3)")
  fi
done

if [ ${#problems[@]} -gt 0 ]; then
  echo "the installed artifact does not document or check out cleanly:" >&2
  printf '  - %s\n' "${problems[@]}" >&2
  exit 1
fi
echo "documented ${#modules[@]} modules (${#actions[@]} action-backed), ${#filters[@]} filters, ${#roles[@]} roles; syntax-checked ${#playbooks[@]} playbooks"
echo "artifact OK: $(basename "$tarball")"
