#!/usr/bin/env bash
# Smoke test: starts the real app in demo mode under Xvfb, keeps it up SMOKE_SECONDS (default 12),
# and fails if it exits early, logs a panic, a data race or a Fyne thread error, or never shows
# the demo catalog. With SMOKE_SCREENSHOT=file.png it also saves a screenshot of the screen.
set -euo pipefail
bin=${1:?usage: smoke.sh path/to/hstockplus}
secs=${SMOKE_SECONDS:-12}
work=$(mktemp -d)
log="$work/app.log"
app_pid=""
xvfb_pid=""

cleanup() {
  [ -n "$app_pid" ] && kill "$app_pid" 2>/dev/null || true
  [ -n "$xvfb_pid" ] && kill "$xvfb_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
fail() {
  echo "smoke: FAIL: $*" >&2
  echo "---- app log ----" >&2
  cat "$log" >&2 || true
  exit 1
}

# A free display number.
n=${SMOKE_DISPLAY:-90}
while [ -e "/tmp/.X11-unix/X$n" ] || [ -e "/tmp/.X$n-lock" ]; do n=$((n + 1)); done
Xvfb ":$n" -screen 0 "${SMOKE_SCREEN:-1280x800x24}" -nolisten tcp >"$work/xvfb.log" 2>&1 &
xvfb_pid=$!
for _ in $(seq 50); do [ -e "/tmp/.X11-unix/X$n" ] && break; sleep 0.1; done
[ -e "/tmp/.X11-unix/X$n" ] || { cat "$work/xvfb.log" >&2; fail "Xvfb did not start"; }

# No key in the environment: the app must open in demo mode on its own — in English, Japanese and
# Russian, without a translation failure or a locale error in its output.
run_once() {
  local lang=$1
  env -u HSTOCKPLUS_API_KEY -u LANGUAGE -u LC_ALL -u LC_MESSAGES LANG="$lang" DISPLAY=":$n" HSTOCKPLUS_KEYRING=file \
    "$bin" -demo -data "$work/data" >"$log" 2>&1 &
  app_pid=$!

  sleep "$secs"
  kill -0 "$app_pid" 2>/dev/null || fail "the app exited within ${secs}s (LANG=$lang)"

  if [ -n "${SMOKE_SCREENSHOT:-}" ] && [ "$lang" = "${SMOKE_LANGS%% *}" ]; then
    mkdir -p "$(dirname "$SMOKE_SCREENSHOT")"
    DISPLAY=":$n" import -window root "$SMOKE_SCREENSHOT" && echo "smoke: screenshot in $SMOKE_SCREENSHOT"
  fi

  kill -TERM "$app_pid"
  for _ in $(seq 50); do kill -0 "$app_pid" 2>/dev/null || break; sleep 0.1; done
  if kill -0 "$app_pid" 2>/dev/null; then
    kill -KILL "$app_pid"
    fail "the app did not stop within 5s of SIGTERM (LANG=$lang)"
  fi
  app_pid=""

  if grep -E -n 'panic:|fatal error:|Error in Fyne call thread|DATA RACE|SIGSEGV' "$log" >&2; then
    fail "the log shows a panic, a data race or a Fyne thread error (LANG=$lang)"
  fi
  if grep -E -n 'Translation failure|Error parsing user locale|Failed to look up user locale' "$log" >&2; then
    fail "the log shows a missing translation or a locale error (LANG=$lang)"
  fi
  grep -q 'demo mode' "$log" || fail "the app did not say it runs in demo mode (LANG=$lang)"
  grep -q 'catalog: loaded' "$log" || fail "the catalog was never loaded (LANG=$lang)"
  grep -q 'balance: ' "$log" || fail "the balance was never loaded (LANG=$lang)"
}
SMOKE_LANGS=${SMOKE_LANGS:-C.UTF-8 ja_JP.UTF-8 ru_RU.UTF-8}
for lang in $SMOKE_LANGS; do
  run_once "$lang"
  secs=${SMOKE_MORE_SECONDS:-8} # the first run warmed up the store
done
echo "smoke: ok (LANG in: $SMOKE_LANGS; demo mode, catalog and balance loaded, no panic, thread error, translation failure or locale error)"
