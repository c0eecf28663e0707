#!/usr/bin/env bash
# The one test command: installs what the suite needs when it is missing, then runs
# formatting, lints and every test. Tests that need a server start it themselves.
set -euo pipefail
cd "$(dirname "$0")/.."

need_rust_component() {
  if ! rustup component list --installed 2>/dev/null | grep -q "^$1"; then
    echo "test.sh: installing rust component $1"
    rustup component add "$1"
  fi
}

if ! command -v cargo >/dev/null; then
  echo "test.sh: cargo is missing; install Rust from your package manager or rustup" >&2
  exit 1
fi
if command -v rustup >/dev/null; then
  need_rust_component rustfmt
  need_rust_component clippy
fi

# Real servers the tests start themselves (Debian package names).
apt_install() {
  echo "test.sh: installing $*"
  local sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "$@"
}
need_apt() { # bin:package...
  local missing=()
  for pair in "$@"; do
    command -v "${pair%%:*}" >/dev/null || missing+=("${pair##*:}")
  done
  [ ${#missing[@]} -eq 0 ] || apt_install "${missing[@]}"
}
need_apt prometheus-alertmanager:prometheus-alertmanager amtool:prometheus-alertmanager prometheus:prometheus unshare:util-linux curl:curl jq:jq
# PostgreSQL's server tools live off PATH, under /usr/lib/postgresql/VERSION/bin.
if [ -z "${ONDUTY_PG_BIN:-}" ] && ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  apt_install postgresql
fi

# Prism serves the official SaaS specs (../shared/specs) for the contract tests. It lives
# in target/test-tools, outside the crate, and is installed once from the npm registry.
PRISM_DIR="$PWD/target/test-tools/prism"
if [ -z "${ONDUTY_PRISM_BIN:-}" ] && [ ! -x "$PRISM_DIR/node_modules/.bin/prism" ]; then
  need_apt node:nodejs npm:npm
  echo "test.sh: installing @stoplight/prism-cli@5 into $PRISM_DIR"
  mkdir -p "$PRISM_DIR"
  (cd "$PRISM_DIR" && { [ -f package.json ] || npm init -y >/dev/null; } \
    && npm install --no-audit --no-fund --loglevel=error @stoplight/prism-cli@5)
fi
# GitHub publishes its REST description on npm (not in ../shared/specs); it goes beside Prism.
GITHUB_SPEC="$PRISM_DIR/node_modules/@octokit/openapi/generated/api.github.com.json"
if [ -z "${ONDUTY_GITHUB_SPEC:-}" ] && [ ! -f "$GITHUB_SPEC" ]; then
  need_apt node:nodejs npm:npm
  echo "test.sh: installing @octokit/openapi@23 (GitHub's official OpenAPI description)"
  mkdir -p "$PRISM_DIR"
  (cd "$PRISM_DIR" && { [ -f package.json ] || npm init -y >/dev/null; } \
    && npm install --no-audit --no-fund --loglevel=error @octokit/openapi@23)
fi

echo "== cargo fmt --check"
cargo fmt --all -- --check
echo "== cargo clippy --all-targets -- -D warnings"
cargo clippy --locked --all-targets -- -D warnings
echo "== cargo test"
cargo test --locked --all-targets
