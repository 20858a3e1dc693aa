#!/usr/bin/env bash
# Installs what test/vscode-e2e.test.ts needs to run pg-hardening inside a real VS Code, offline:
#   - Debian packages: chromium (the browser), ripgrep (replaces @vscode/ripgrep's GitHub download),
#     libkrb5-dev (code-server's kerberos native addon), and a compiler toolchain for node-pty;
#   - code-server (VS Code in a Node server) from the npm registry, in a cache folder outside the
#     repository: ${PG_HARDEN_E2E_HOME:-$HOME/.cache/pg-hardening-e2e}/code-server-<version>.
# Idempotent and fast when everything is there. Safe on a fresh Debian machine as root (CI); as
# another user it uses sudo for apt when it can.
#
#   scripts/e2e-setup.sh            # install what is missing
#   scripts/e2e-setup.sh --check    # exit 0 when everything is installed, 1 otherwise; installs nothing
set -euo pipefail

# code-server 4.100.3 = VS Code 1.100.3, the last release whose engines.node is 20 (keep the
# extension's engines.vscode at or below ^1.100). The @vscode/ripgrep version is the one pinned by
# its lib/vscode/npm-shrinkwrap.json, and the ripgrep release that package's postinstall fetches:
# re-check both when CS_VERSION changes.
CS_VERSION=4.100.3
RG_PKG_VERSION=1.15.11
RG_RELEASE=v13.0.0-10

E2E_HOME="${PG_HARDEN_E2E_HOME:-$HOME/.cache/pg-hardening-e2e}"
CS_DIR="$E2E_HOME/code-server-$CS_VERSION"
CS_BIN="$CS_DIR/node_modules/.bin/code-server"
STAMP="$CS_DIR/.installed"
APT_PACKAGES=(chromium ripgrep libkrb5-dev)

now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN{printf "%.1f", b-a}'; }
log() { echo "e2e-setup: $*"; }
die() { echo "e2e-setup: error: $*" >&2; exit 1; }

missing_apt() {
  local p
  for p in "${APT_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || echo "$p"
  done
  command -v g++ >/dev/null || echo g++
  command -v make >/dev/null || echo make
  command -v python3 >/dev/null || echo python3
}

code_server_ok() { [ -f "$STAMP" ] && [ -x "$CS_BIN" ]; }

if [ "${1:-}" = --check ]; then
  [ -z "$(missing_apt)" ] && code_server_ok && { log "ready ($CS_BIN)"; exit 0; }
  log "not installed (missing apt: $(missing_apt | tr '\n' ' ')code-server: $(code_server_ok && echo ok || echo missing))"
  exit 1
fi

total=$(now)
mkdir -p "$E2E_HOME"
# One setup at a time (two test runs or CI steps may start it together).
exec 9>"$E2E_HOME/.lock"
flock -w 900 9 || die "another e2e-setup holds $E2E_HOME/.lock"

# ------------------------------------------------------------------ 1. Debian packages
mapfile -t missing < <(missing_apt)
if ((${#missing[@]})); then
  if [ "$(id -u)" = 0 ]; then
    SUDO=()
  elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
    SUDO=(sudo -n)
  else
    die "missing Debian packages: ${missing[*]}; run as root or install them: apt-get install ${missing[*]}"
  fi
  t=$(now)
  log "apt-get install ${missing[*]}"
  "${SUDO[@]}" apt-get update -qq
  "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  log "apt: $(since "$t")s"
fi
command -v rg >/dev/null || die "ripgrep installed but rg is not on PATH"
[ -x /usr/bin/chromium ] || die "chromium installed but /usr/bin/chromium is missing"

# ------------------------------------------------------------------ 2. code-server (cached)
if code_server_ok; then
  log "code-server $CS_VERSION already installed in $CS_DIR"
else
  t=$(now)
  log "installing code-server@$CS_VERSION into $CS_DIR (takes about a minute)"
  # node-pty compiles with node-gyp, which would download Node's headers from nodejs.org.
  node_inc="$(dirname "$(dirname "$(command -v node)")")/include/node/node.h"
  if [ ! -f "$node_inc" ] && [ -z "${npm_config_nodedir:-}" ] && ! npm config get nodedir 2>/dev/null | grep -q /; then
    log "warning: no Node headers at $node_inc and no npm nodedir: node-gyp may try to download them"
  fi
  case "$(uname -m)" in
    x86_64) rg_target=x86_64-unknown-linux-musl ;;
    aarch64) rg_target=aarch64-unknown-linux-musl ;;
    *) die "unsupported architecture $(uname -m)" ;;
  esac
  staging="$E2E_HOME/staging"
  rm -rf "$staging" "$CS_DIR"
  mkdir -p "$staging/tmp" "$staging/rgseed"
  # Everything the install writes to a temp folder stays in $staging (removed at the end).
  export TMPDIR="$staging/tmp"
  # @vscode/ripgrep's postinstall downloads ripgrep from GitHub unless the release asset is already
  # in its cache, os.tmpdir()/vscode-ripgrep-cache-<package version>/: seed it with Debian's rg.
  rg_cache="$TMPDIR/vscode-ripgrep-cache-$RG_PKG_VERSION"
  mkdir -p "$rg_cache"
  cp "$(command -v rg)" "$staging/rgseed/rg"
  tar czf "$rg_cache/ripgrep-$RG_RELEASE-$rg_target.tar.gz" -C "$staging/rgseed" rg
  mkdir -p "$staging/cs"
  # allowScripts: npm 11 warns about unapproved install scripts; a later npm may skip them.
  echo '{"name":"pg-hardening-e2e-code-server","private":true,"allowScripts":{"code-server":true,"argon2":true}}' \
    > "$staging/cs/package.json"
  # npm_config_yes=true: node-pty's postinstall runs `npx node-gyp`, which aborts on a yes=false npmrc.
  # --unsafe-perm: code-server's postinstall refuses to run as root without it (npm 11 calls the
  #   option unknown but still exports npm_config_unsafe_perm=true, which is what it checks).
  if ! (cd "$staging/cs" && npm_config_yes=true npm install --no-audit --no-fund --save-exact --unsafe-perm \
      "code-server@$CS_VERSION" > "$E2E_HOME/install.log" 2>&1); then
    tail -40 "$E2E_HOME/install.log" >&2
    die "npm install code-server@$CS_VERSION failed (full log: $E2E_HOME/install.log)"
  fi
  [ -x "$staging/cs/node_modules/code-server/lib/vscode/node_modules/@vscode/ripgrep/bin/rg" ] \
    || die "code-server installed without ripgrep (log: $E2E_HOME/install.log)"
  # Installed in one piece or not at all: the folder only appears when complete.
  mv "$staging/cs" "$CS_DIR"
  rm -rf "$staging"
  "$CS_BIN" --version > /dev/null || die "code-server does not run (log: $E2E_HOME/install.log)"
  date -u +%FT%TZ > "$STAMP"
  log "code-server install: $(since "$t")s, $(du -sh "$CS_DIR" | cut -f1)"
fi

log "ready in $(since "$total")s: $CS_BIN, /usr/bin/chromium"
