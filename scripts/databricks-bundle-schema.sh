#!/usr/bin/env bash
# The JSON Schema of databricks.yml that the Databricks CLI publishes (`databricks bundle schema`),
# from the CLI that scripts/provision-databricks-cli.sh builds. Works offline: no workspace, no
# auth; run with a throwaway HOME so that no ~/.databrickscfg is read.
#
#   bash scripts/databricks-bundle-schema.sh                 # to stdout
#   bash scripts/databricks-bundle-schema.sh FILE            # to FILE (e.g. test-output/databricks-bundle.schema.json)
#
# CLI v1.12.1: ~880 KB of JSON (~105 KB gzipped), no "$schema" keyword; it uses "$defs" (nested by Go
# package path), "deprecated" and VS Code's own keywords (markdownDescription, doNotSuggest,
# enumDescriptions, deprecationMessage), i.e. written for VS Code's JSON language service (draft
# 2019-09 / 2020-12 keywords); Ajv 8 compiles it (strict: false) in about a second.
# LAKEHOUSE_DATABRICKS_CLI names another binary.
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
CLI=${LAKEHOUSE_DATABRICKS_CLI:-$REPO/.tools/databricks-cli/bin/databricks}
die() { echo "databricks-bundle-schema: FAILED: $*" >&2; exit 1; }
[ -x "$CLI" ] || die "the Databricks CLI is not provisioned ($CLI): run bash scripts/provision-databricks-cli.sh"

H=$(mktemp -d)
trap 'rm -rf "$H"' EXIT
run() {
  env -u DATABRICKS_HOST -u DATABRICKS_TOKEN -u DATABRICKS_CONFIG_PROFILE -u DATABRICKS_BUNDLE_ROOT \
    HOME="$H" XDG_CONFIG_HOME="$H/.config" XDG_CACHE_HOME="$H/.cache" DATABRICKS_CONFIG_FILE="$H/.databrickscfg" \
    "$CLI" bundle schema
}
if [ $# -ge 1 ]; then
  mkdir -p "$(dirname "$1")"
  run >"$1.tmp" || die "databricks bundle schema failed"
  mv "$1.tmp" "$1"
  echo "$1: $(wc -c <"$1") bytes, $("$CLI" --version)"
else
  cd "$H" && run
fi
