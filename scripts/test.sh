#!/usr/bin/env bash
# npm test: build, then run the whole suite inside a private D-Bus session with an unlocked
# gnome-keyring (a real Secret Service), with HOME and XDG dirs in a temporary directory, so the
# keyring tests talk to a real keyring and never to the user's.
set -euo pipefail
cd "$(dirname "$0")/.."
npm run build

if [ "${LATCHKEY_TEST_SECRET_SERVICE:-}" = "1" ]; then
  exec node_modules/.bin/vitest run "$@"
fi
if ! command -v dbus-run-session >/dev/null 2>&1 || ! command -v gnome-keyring-daemon >/dev/null 2>&1; then
  echo "npm test: no dbus-run-session/gnome-keyring-daemon; the keyring tests will fail." >&2
  echo "          Install Debian's gnome-keyring, dbus and libsecret-tools (as .ci/run does)." >&2
  exec node_modules/.bin/vitest run "$@"
fi

# The package test (test/e2e/package.test.ts) installs latchkey's tarball offline from the npm
# cache: keep pointing npm at the real one once HOME moves below.
export npm_config_cache="${npm_config_cache:-$HOME/.npm}"
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
mkdir -p "$scratch/home" "$scratch/data" "$scratch/config" "$scratch/cache" "$scratch/run"
chmod 700 "$scratch/run"
export HOME="$scratch/home" XDG_DATA_HOME="$scratch/data" XDG_CONFIG_HOME="$scratch/config" \
  XDG_CACHE_HOME="$scratch/cache" XDG_RUNTIME_DIR="$scratch/run"
dbus-run-session -- sh -c '
  printf %s latchkey-test | gnome-keyring-daemon --unlock --components=secrets >/dev/null
  LATCHKEY_TEST_SECRET_SERVICE=1 exec node_modules/.bin/vitest run "$@"
' sh "$@" 2> >(grep --line-buffered -v "Failed to set fd limit" >&2)
