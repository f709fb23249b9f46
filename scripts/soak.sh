#!/usr/bin/env bash
# Soak: drives the real app (demo mode, under Xvfb) with N random user actions through xdotool —
# tab switches, searches, category clicks, drop-downs opened and closed, rows and details opened,
# refreshes — and fails if it dies or logs a panic, a data race or a Fyne thread error.
# Usage: soak.sh path/to/hstockplus [N] (default 1000).
set -euo pipefail
bin=${1:?usage: soak.sh path/to/hstockplus [actions]}
n=${2:-1000}
work=$(mktemp -d)
log="$work/app.log"
app_pid="" xvfb_pid=""
cleanup() {
  [ -n "$app_pid" ] && kill "$app_pid" 2>/dev/null || true
  [ -n "$xvfb_pid" ] && kill "$xvfb_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "soak: FAIL: $*" >&2; tail -50 "$log" >&2 || true; exit 1; }
command -v xdotool >/dev/null || fail "xdotool is needed (apt-get install xdotool)"

d=${SOAK_DISPLAY:-80}
while [ -e "/tmp/.X11-unix/X$d" ] || [ -e "/tmp/.X$d-lock" ]; do d=$((d + 1)); done
Xvfb ":$d" -screen 0 1280x800x24 -nolisten tcp >/dev/null 2>&1 &
xvfb_pid=$!
for _ in $(seq 50); do [ -e "/tmp/.X11-unix/X$d" ] && break; sleep 0.1; done
export DISPLAY=":$d"
env -u HSTOCKPLUS_API_KEY HSTOCKPLUS_KEYRING=file "$bin" -demo -sandbox-speed 20 -data "$work/data" >"$log" 2>&1 &
app_pid=$!
sleep 6
kill -0 "$app_pid" 2>/dev/null || fail "the app did not start"
wid=$(xdotool search --name '^HstockPlus$' | head -1)
[ -n "$wid" ] || fail "no window"
xdotool windowmove "$wid" 0 0
xdotool mousemove 480 491 click 1 # the welcome: Try the demo
words=(insta likes gmail zzz tik 1 "")
for i in $(seq "$n"); do
  case $((RANDOM % 9)) in
    0) xdotool key "ctrl+$((RANDOM % 5 + 1))" ;;
    1) xdotool key ctrl+1 ctrl+f; xdotool key ctrl+a BackSpace; xdotool type --delay 1 "${words[RANDOM % ${#words[@]}]}" ;;
    2) xdotool mousemove $((20 + RANDOM % 180)) $((200 + RANDOM % 460)) click 1 ;;   # the category tree
    3) xdotool mousemove $((240 + RANDOM % 480)) $((200 + RANDOM % 460)) click 1 ;;  # the list
    4) xdotool mousemove $((560 + RANDOM % 250)) 120 click 1; sleep 0.1               # a drop-down…
       if ((RANDOM % 2)); then xdotool key Escape; else xdotool mousemove $((560 + RANDOM % 250)) $((150 + RANDOM % 120)) click 1; fi ;;
    5) xdotool mousemove $((780 + RANDOM % 300)) $((200 + RANDOM % 300)) click 5 click 5 click 4 ;; # scroll the detail
    6) xdotool key ctrl+r ;;
    7) xdotool mousemove $((10 + RANDOM % 400)) 160 click 1 ;;                          # filter checks
    8) xdotool key Escape ;;
  esac
  sleep 0.03
  if ((i % 100 == 0)); then
    kill -0 "$app_pid" 2>/dev/null || fail "the app died after $i actions"
    echo "soak: $i actions"
  fi
done
kill -0 "$app_pid" 2>/dev/null || fail "the app died"
kill -TERM "$app_pid"
for _ in $(seq 50); do kill -0 "$app_pid" 2>/dev/null || break; sleep 0.1; done
kill -0 "$app_pid" 2>/dev/null && fail "the app did not stop within 5 s of SIGTERM"
app_pid=""
if grep -E -n 'panic:|fatal error:|Error in Fyne call thread|DATA RACE|SIGSEGV' "$log" >&2; then
  fail "the log shows a panic, a data race or a Fyne thread error"
fi
echo "soak: ok ($n actions under Xvfb)"
