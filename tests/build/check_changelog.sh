#!/usr/bin/env bash
# The changelog: antsibull-changelog lints the fragments and changelogs/changelog.yaml, then, on a
# copy of the collection, redoes what a maintainer runs before tagging and compares:
#  - galaxy.yml's version already released in changelog.yaml (until its tag): `release` folds in
#    every fragment (new or edited, always_refresh) and every plugin or role with that
#    version_added; changelog.yaml and CHANGELOG.md must already hold them.
#  - not released yet (work towards the next version): `generate`; CHANGELOG.md must be current,
#    and fragments may wait for the release.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
# shellcheck source=tests/build/tools_venv.sh
. "$root/tests/build/tools_venv.sh"
work="$root/build/changelog"
copy="$work/collection"
rm -rf "$work"
mkdir -p "$copy"
cd "$root"
fail() {
  echo "check_changelog: $*" >&2
  exit 1
}

antsibull-changelog lint || fail "a fragment in changelogs/fragments/ does not lint (see above)"
antsibull-changelog lint-changelog-yaml changelogs/changelog.yaml || fail "changelogs/changelog.yaml does not lint (see above)"
[ -f CHANGELOG.md ] || fail "CHANGELOG.md is missing: run $tools_venv/bin/antsibull-changelog generate"

# The files Git does not ignore, as the collection (not the in-repo collections/ link back to the
# root, nor what never ships); no plugin cache, so plugin metadata is read afresh.
{ git ls-files; git ls-files --others --exclude-standard; } | sort -u \
  | grep -Ev '^(collections|sandbox|scripts|tests|molecule|\.ci)/' \
  | while read -r f; do [ -e "$f" ] && printf '%s\0' "$f"; done \
  | xargs -0 cp --parents -t "$copy"
# The copy sits inside this repository's ignored build/: Git-aware copying would find no file in it.
sed -i '/^vcs:/d' "$copy/changelogs/config.yaml"
echo 'vcs: none' >> "$copy/changelogs/config.yaml"
version=$("$root/.venv/bin/python" -c 'import sys, yaml; print(yaml.safe_load(open(sys.argv[1]))["version"])' galaxy.yml)
released=$("$root/.venv/bin/python" -c 'import sys, yaml; print(sys.argv[2] in ((yaml.safe_load(open(sys.argv[1])) or {}).get("releases") or {}))' changelogs/changelog.yaml "$version")
if [ "$released" = True ]; then
  command=(antsibull-changelog release --reload-plugins)
else
  command=(antsibull-changelog generate --reload-plugins)
fi
(cd "$copy" && "${command[@]}") > "$work/antsibull-changelog.log" 2>&1 \
  || { cat "$work/antsibull-changelog.log" >&2; fail "'${command[*]}' failed on a copy of the collection (see above)"; }
# Plugin metadata must have been read: an empty cache would hide every new plugin.
modules=$("$root/.venv/bin/python" -c 'import sys, yaml; print(len((yaml.safe_load(open(sys.argv[1]))["plugins"].get("module") or {})))' "$copy/changelogs/.plugin-cache.yaml")
[ "$modules" -gt 0 ] || { cat "$work/antsibull-changelog.log" >&2; fail "antsibull-changelog read no module of the collection (see above)"; }
stale=()
for file in changelogs/changelog.yaml CHANGELOG.md; do
  if ! diff -u "$file" "$copy/$file" > "$work/$(basename "$file").diff"; then
    stale+=("$file")
    cat "$work/$(basename "$file").diff" >&2
  fi
done
if [ ${#stale[@]} -gt 0 ]; then
  fail "${stale[*]} not up to date for version $version (diff above): run, at the repository root, with .venv/bin on PATH:
  $tools_venv/bin/${command[*]}"
fi
fragments=$(find changelogs/fragments -maxdepth 1 -type f \( -name '*.yml' -o -name '*.yaml' \) | wc -l)
echo "changelog OK: version $version $([ "$released" = True ] && echo released || echo "not released yet"), $fragments fragment(s), CHANGELOG.md current ($(antsibull-changelog --version))"
