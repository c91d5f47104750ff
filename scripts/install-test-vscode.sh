#!/usr/bin/env bash
# Installs the test VS Code for `npm run test:host` / `npm run test:e2e` / `npm start` into the git-ignored
# cache folder .vscode-test/code-server: the VS Code 1.100.3 server and web workbench from the
# code-server@4.100.3 npm package, driven by Debian's Chromium. The test and start scripts run it first
# (test/harness/preflight.ts), so `npm ci && npm test` is the whole set-up. Each step is skipped when its
# result is already there, so a second run takes about a second. Nothing downloads while tests run.
#
# Why this route and these pins: ../shared/vscode-host-testing.md (no desktop VS Code can be downloaded
# offline; code-server 4.100.3 is the newest whose engines.node is 20).
set -euo pipefail
cd "$(dirname "$0")/.."

readonly CODE_SERVER_VERSION=4.100.3
readonly CACHE=.vscode-test/code-server
readonly ENTRY="$CACHE/node_modules/code-server/out/node/entry.js"
# @vscode/ripgrep's postinstall downloads rg from GitHub unless this exact file sits in $TMPDIR.
readonly RIPGREP_CACHE_DIR=vscode-ripgrep-cache-1.15.11
readonly RIPGREP_ARCHIVE=ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz

started=$(date +%s)
say() { printf '[install-test-vscode] %s\n' "$*"; }

# 1. Debian packages: Chromium drives the workbench, rg stands in for @vscode/ripgrep's download,
#    libkrb5-dev has the headers the `kerberos` addon compiles against.
missing=()
[ -x "${SPECKIT_TEST_CHROMIUM:-/usr/bin/chromium}" ] || missing+=(chromium)
command -v rg >/dev/null 2>&1 || missing+=(ripgrep)
dpkg -s libkrb5-dev >/dev/null 2>&1 || missing+=(libkrb5-dev)
if [ ${#missing[@]} -gt 0 ]; then
  if ! command -v apt-get >/dev/null 2>&1; then
    say "missing: ${missing[*]}. This machine has no apt-get: install Chromium (at /usr/bin/chromium, or set"
    say "SPECKIT_TEST_CHROMIUM), ripgrep and the Kerberos headers with its package manager, then run npm test again."
    exit 1
  fi
  if [ "$(id -u)" -ne 0 ]; then
    say "missing Debian packages: ${missing[*]}. Install them once, as root, with this line, then run npm test again:"
    printf '\n    sudo apt-get install -y --no-install-recommends %s\n\n' "${missing[*]}"
    exit 1
  fi
  say "apt-get install ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
  say "Debian packages present (chromium, ripgrep, libkrb5-dev): skipped apt-get"
fi

# 2. code-server into the cache folder.
installed_version=$(node -p "require('./$CACHE/node_modules/code-server/package.json').version" 2>/dev/null || true)
if [ -f "$ENTRY" ] && [ "$installed_version" = "$CODE_SERVER_VERSION" ]; then
  say "code-server $CODE_SERVER_VERSION already in $CACHE: skipped npm install"
else
  say "npm install code-server@$CODE_SERVER_VERSION into $CACHE (builds native addons; about a minute)"
  mkdir -p "$CACHE"
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  mkdir -p "$tmp/$RIPGREP_CACHE_DIR" "$tmp/rg-bin"
  cp "$(command -v rg)" "$tmp/rg-bin/rg"
  tar -czf "$tmp/$RIPGREP_CACHE_DIR/$RIPGREP_ARCHIVE" -C "$tmp/rg-bin" rg
  # A package.json of its own keeps the cache folder from resolving up into the project's.
  [ -f "$CACHE/package.json" ] || printf '{ "private": true }\n' >"$CACHE/package.json"
  # unsafe_perm: code-server's install script refuses root otherwise; yes: node-pty runs `npx node-gyp`.
  TMPDIR="$tmp" npm_config_unsafe_perm=true npm_config_yes=true \
    npm install --prefix "$CACHE" --no-audit --no-fund "code-server@$CODE_SERVER_VERSION"
  [ -f "$ENTRY" ] || { say "install finished but $ENTRY is missing"; exit 1; }
  say "code-server $CODE_SERVER_VERSION installed in $CACHE"
fi

say "done in $(($(date +%s) - started)) s"
