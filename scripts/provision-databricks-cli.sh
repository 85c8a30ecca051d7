#!/usr/bin/env bash
# Provisions the real Databricks CLI, used by the bundle tests (test/unit/bundle/) to check
# samples/spotify/databricks/databricks.yml the way `databricks bundle validate` does. Built from
# source through the Go module proxy (what `go install github.com/databricks/cli@vX.Y.Z` builds; see
# below why not that command): the release binaries are on GitHub, which CI cannot reach.
#
#   bash scripts/provision-databricks-cli.sh                 # idempotent; instant when already provisioned
#   FORCE=1 bash scripts/provision-databricks-cli.sh         # rebuild from scratch
#   KEEP_GO_CACHE=1 ...                                      # keep Go's module and build caches (~1.5 GB) in the folder
#   SKIP_APT=1 ...                                           # never apt-get install golang-go when there is no Go
#   LAKEHOUSE_DATABRICKS_CLI_VERSION=1.12.0 ...              # another release (the default is pinned below)
#
# On success the last line is the path of the binary; on failure it is
# "provision-databricks-cli: FAILED: <reason>" (exit 1).
#
# Where: <repo>/.tools/databricks-cli/ (ignored by git), or $LAKEHOUSE_DATABRICKS_CLI_DIR. Everything
# Go writes stays in that folder (GOPATH, GOMODCACHE, GOCACHE, GOBIN, the toolchain Go may fetch,
# Go's telemetry and config): nothing is written to ~/go, ~/.cache/go-build or ~/.config/go.
# Layout:  <dir>/bin/databricks   <dir>/provisioned.stamp (written last: an interrupted run is redone)
#          <dir>/build.log    <dir>/go/ (GOPATH and caches while building; removed unless KEEP_GO_CACHE=1)
#
# Go: `go` on PATH, else /usr/local/go/bin/go, else Debian's golang-go (apt). The CLI's go.mod asks
# for Go 1.26; an older local Go fetches that toolchain from the Go module proxy by itself
# (GOTOOLCHAIN=auto), into <dir>/go as well. Measured on 2 cores from an empty folder: 6 min 4 s
# (about 4.5 min of CPU; longer when the machine is busy), then ~0.04 s when already provisioned.
set -euo pipefail

VERSION=${LAKEHOUSE_DATABRICKS_CLI_VERSION:-1.12.1}   # newest release the Go module proxy serves here (v1.13.0: 403)
LAYOUT=2                                               # bump when the layout of the folder changes
MODULE=github.com/databricks/cli

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
case "${LAKEHOUSE_DATABRICKS_CLI_DIR:-}" in
  '') DIR="$REPO/.tools/databricks-cli" ;;
  /*) DIR="$LAKEHOUSE_DATABRICKS_CLI_DIR" ;;
  *) DIR="$REPO/$LAKEHOUSE_DATABRICKS_CLI_DIR" ;;
esac
BIN="$DIR/bin/databricks"
# The local Databricks workspace (tools/databricks-workspace/main.go: the CLI's own test server behind
# an HTTPS proxy), built in the CLI's module, for the tests and the local emulator.
WORKSPACE_BIN="$DIR/bin/lakehouse-databricks-workspace"
WORKSPACE_SRC="$REPO/tools/databricks-workspace/main.go"
STAMP="$DIR/provisioned.stamp"
LOG="$DIR/build.log"

T0=$(date +%s)
say() { echo "[databricks-cli $(( $(date +%s) - T0 ))s] $*"; }
die() { echo "provision-databricks-cli: FAILED: $*" >&2; exit 1; }

[[ $VERSION =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]] || die "LAKEHOUSE_DATABRICKS_CLI_VERSION must be a release number like 1.12.1, not '$VERSION'"
WORKSPACE_HASH=$( [ -f "$WORKSPACE_SRC" ] && sha256sum "$WORKSPACE_SRC" | cut -c1-16 || echo none)
STAMP_TEXT="layout=$LAYOUT databricks-cli=$VERSION module=$MODULE@v$VERSION workspace=$WORKSPACE_HASH"
ready() { [ -z "${FORCE:-}" ] && [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$STAMP_TEXT" ] && [ -x "$BIN" ] && [ -x "$WORKSPACE_BIN" ]; }

# ---- fast path ----------------------------------------------------------------------------------
if ready; then
  say "ready ($STAMP_TEXT)"
  echo "$BIN"
  exit 0
fi

# ---- Go -----------------------------------------------------------------------------------------
find_go() {
  if command -v go >/dev/null 2>&1; then command -v go
  elif [ -x /usr/local/go/bin/go ]; then echo /usr/local/go/bin/go
  elif [ -x /usr/lib/go/bin/go ]; then echo /usr/lib/go/bin/go
  fi
}
GO=$(find_go)
if [ -z "$GO" ] && [ -z "${SKIP_APT:-}" ] && command -v apt-get >/dev/null; then
  SUDO=()
  if [ "$(id -u)" != 0 ]; then
    { command -v sudo >/dev/null && sudo -n true 2>/dev/null; } || die "no Go found, and installing Debian's golang-go needs root or passwordless sudo (or install Go 1.26+ yourself)"
    SUDO=(sudo -n)
  fi
  say "no Go found: apt-get install golang-go"
  export DEBIAN_FRONTEND=noninteractive
  inst=("${SUDO[@]}" apt-get install -y -q --no-install-recommends -o Dpkg::Use-Pty=0 golang-go ca-certificates)
  if ! "${inst[@]}" >/tmp/provision-databricks-cli-apt.$$.log 2>&1; then
    "${SUDO[@]}" apt-get update -q >/dev/null 2>&1 || true
    "${inst[@]}" >/tmp/provision-databricks-cli-apt.$$.log 2>&1 ||
      die "apt-get install golang-go failed: $(grep -m1 '^E:' /tmp/provision-databricks-cli-apt.$$.log || tail -1 /tmp/provision-databricks-cli-apt.$$.log)"
  fi
  rm -f /tmp/provision-databricks-cli-apt.$$.log
  GO=$(find_go)
fi
[ -n "$GO" ] || die "no Go toolchain found (go on PATH, /usr/local/go/bin/go): install Go 1.26+ (Debian: apt-get install golang-go)"

mkdir -p "$DIR"
# one provisioning at a time per folder
exec 9>"$DIR/.lock"
flock 9 2>/dev/null || true
if ready; then say "ready (provisioned concurrently)"; echo "$BIN"; exit 0; fi

# ---- the environment of every go command below: all inside $DIR --------------------------------
# The user's own go env file (GOPROXY, GOPRIVATE, ... of a corporate setup) is still read, never written.
USER_GOENV=$(env -u GOFLAGS "$GO" env GOENV 2>/dev/null || true)
export GOPATH="$DIR/go"
export GOMODCACHE="$DIR/go/pkg/mod"
export GOCACHE="$DIR/go/cache"
export GOTMPDIR="$DIR/go/tmp"
export GOBIN="$DIR/go/bin"
export XDG_CONFIG_HOME="$DIR/go/config"      # Go's telemetry counters and `go env -w` land here, not in ~/.config/go
export GOENV="${USER_GOENV:-off}"
export GOFLAGS="-modcacherw"                 # a writable module cache, so that FORCE=1 / rm -rf can remove it
export GOTOOLCHAIN="${GOTOOLCHAIN:-auto}"     # an older Go fetches the toolchain go.mod asks for, from the proxy
export GOTELEMETRY=off
export CGO_ENABLED=0
export GO111MODULE=on
unset GOROOT GOWORK GOOS GOARCH

rm -f "$STAMP"
rm -rf "$DIR/bin" "$GOBIN" "$GOTMPDIR" "$GOCACHE"
[ -n "${FORCE:-}" ] && rm -rf "$GOPATH"
mkdir -p "$GOTMPDIR" "$XDG_CONFIG_HOME" "$DIR/bin"
: >"$LOG"

say "$("$GO" version) ($GO); GOPROXY=$("$GO" env GOPROXY)"

# first, the cheap question whose answer would otherwise come after minutes of downloads
say "go mod download $MODULE@v$VERSION"
if ! "$GO" mod download -json "$MODULE@v$VERSION" >"$DIR/download.json" 2>>"$LOG"; then
  reason=$(sed -n 's/.*"Error": "\(.*\)".*/\1/p' "$DIR/download.json" | head -1 | sed 's/\\n\\t/; /g; s/\\t/ /g')
  [ -n "$reason" ] || reason=$(tail -1 "$LOG")
  die "$MODULE@v$VERSION cannot be had from the Go module proxy: $reason"
fi
SRC=$(sed -n 's/^[[:space:]]*"Dir": "\(.*\)",*$/\1/p' "$DIR/download.json" | head -1)
rm -f "$DIR/download.json"

# `go install $MODULE@v$VERSION` would also ask the proxy for the module's version list (to report a
# deprecation), which the proxy here refuses (403) while it serves the version itself. So build what
# `go install` builds, by hand: the module's own source, verified against the checksum database by
# `go mod download` above, as the main module with its own go.mod and go.sum.
[ -n "$SRC" ] || SRC="$GOMODCACHE/$MODULE@v$VERSION"
[ -f "$SRC/go.mod" ] || die "the source of $MODULE@v$VERSION is not in the module cache ($SRC)"
rm -rf "$DIR/src"; cp -R "$SRC" "$DIR/src"; chmod -R u+w "$DIR/src"

# As the release's .goreleaser.yaml builds it (minus GitHub's commit data): the version is stamped in,
# so `databricks --version` and bundles' databricks_cli_version constraints see the real release.
B=github.com/databricks/cli/internal/build
IFS=. read -r MAJOR MINOR PATCH <<<"$VERSION"
LDFLAGS="-s -w -X $B.buildProjectName=cli -X $B.buildVersion=$VERSION -X $B.buildTag=v$VERSION"
LDFLAGS+=" -X $B.buildMajor=$MAJOR -X $B.buildMinor=$MINOR -X $B.buildPatch=$PATCH -X $B.buildIsSnapshot=false"
say "go build $MODULE@v$VERSION (downloads its modules, compiles the CLI and the Databricks Go SDK: minutes on 2 cores)"
T_BUILD=$(date +%s)
if ! ( cd "$DIR/src" && "$GO" build -trimpath -buildvcs=false -ldflags "$LDFLAGS" -o "$BIN" . ) >>"$LOG" 2>&1; then
  tail -30 "$LOG" >&2
  reason=$(grep -m1 -E 'go: |cannot|error|killed|no space' "$LOG" | cut -c1-240)
  die "go build of $MODULE@v$VERSION failed: ${reason:-see the log} (log: $LOG)"
fi
[ -x "$BIN" ] || die "go build produced no binary ($BIN missing; log: $LOG)"
say "go build the local Databricks workspace (tools/databricks-workspace) in the same module"
[ -f "$WORKSPACE_SRC" ] || die "$WORKSPACE_SRC is missing"
mkdir -p "$DIR/src/cmd/lakehouse-databricks-workspace"
cp "$WORKSPACE_SRC" "$DIR/src/cmd/lakehouse-databricks-workspace/main.go"
if ! ( cd "$DIR/src" && "$GO" build -trimpath -buildvcs=false -ldflags "-s -w" -o "$WORKSPACE_BIN" ./cmd/lakehouse-databricks-workspace ) >>"$LOG" 2>&1; then
  tail -30 "$LOG" >&2
  die "go build of the local Databricks workspace failed (log: $LOG)"
fi
BUILD_SECS=$(( $(date +%s) - T_BUILD ))

# ---- verify -------------------------------------------------------------------------------------
# A throwaway HOME: the CLI must not read or write the user's ~/.databrickscfg or ~/.cache here.
VHOME="$GOTMPDIR/home"; mkdir -p "$VHOME"
got=$(env -i PATH=/usr/bin:/bin HOME="$VHOME" DATABRICKS_CONFIG_FILE="$VHOME/.databrickscfg" \
  "$BIN" --version 2>&1) || die "$BIN does not run: $got"
[ "$got" = "Databricks CLI v$VERSION" ] || die "$BIN says '$got', expected 'Databricks CLI v$VERSION'"

rm -rf "$GOTMPDIR" "$GOBIN" "$DIR/src"
# Go's caches (the module downloads, ~850 MB, and the build cache) are not needed to run the binary
[ -n "${KEEP_GO_CACHE:-}" ] || rm -rf "$GOPATH"
echo "$STAMP_TEXT" >"$STAMP"
say "built in ${BUILD_SECS}s; $got; folder $(du -sh "$DIR" | cut -f1) ($(du -sh "$BIN" | cut -f1) binary)"
echo "$BIN"
