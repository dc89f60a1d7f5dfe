#!/usr/bin/env bash
# make windows-check (issue 15): the Windows build, run under Wine.
#
# Cross-builds efirma.exe (cgo with mingw-w64, as `make dist` does), the MSI
# (wixl), the stand-in PKCS#11 drivers (installer/dist/wine/ and
# host/token/testdata/standin/) and the Windows test binaries of every
# package, then under Wine: the CLI, host mode and MSI rounds
# (internal/wincheck) and each test binary. Exit status 0 only when all pass.
#
# Wine: Debian's wine64 (Wine 8). Its prefix is made with `wineboot -i`
# (about half a minute on an idle machine) and cached, pristine, in
# ${XDG_CACHE_HOME:-~/.cache}/efirma/wine-prefix; every run works on a copy
# in a temporary folder, so the registry keys and files the checks write
# never outlive the run. WINECHECK_NO_CACHE=1 makes a fresh prefix and
# leaves the cache alone (CI works from scratch either way).
#
# Three facts of Wine 8 this copes with:
#   - it lacks bcryptprimitives.dll, which every Go >= 1.22 program loads at
#     start-up (ProcessPrng); Windows 10+ has it. A stand-in built here
#     (installer/dist/wine/bcryptprimitives.c) goes into the copy's system32.
#   - Go 1.26's os.RemoveAll fails there with "Invalid function" (Wine lacks
#     the POSIX-semantics delete Go asks for). The test binaries run with
#     TMP/TEMP in a folder this script deletes from the Linux side, and
#     testing's TempDir cleanup error for that message is tolerated (see
#     wine_tempdir below); any other failure fails the check.
#   - now and then it fails to start a process at all ("fork/exec ...:
#     Internal error.", or a host that exits before its first log line). A
#     test binary or host run that failed only so runs once more, and the
#     output says so (wine_nostart below; internal/wincheck's host).
#
# Packages needs: wine64 msitools wixl gcc-mingw-w64-x86-64 openssl.
set -euo pipefail
cd "$(dirname "$0")/../.."
GO=${GO:-go}
start=$(date +%s)
note() { echo "windows-check: $*" >&2; }
die() { note "$*"; exit 1; }

# wine_tempdir LOG: true when the only failures in a test binary's output
# are testing's (or testscript's) temporary-folder cleanup errors caused by
# Wine's missing delete ("TempDir RemoveAll cleanup: ... Invalid function.",
# "cannot delete temporary directory: ... Invalid function."): no other error
# line (a test skipped for a missing tool prints "skipped: ..."), no
# panic, and at least one such line.
wine_tempdir() {
  grep -qE '(TempDir RemoveAll cleanup|cannot delete temporary directory): .*Invalid function' "$1" || return 1
  ! grep -vE '(TempDir RemoveAll cleanup|cannot delete temporary directory): .*Invalid function|^\s*--- FAIL: |^FAIL\s*$|^exit status|^\s*$|\.go:[0-9]+: skipped: ' "$1" |
    grep -qE '^\s+[A-Za-z0-9_]+\.go:[0-9]+: |^panic: |^fatal error: |^--- FAIL|timed out'
}

WINE=${WINE:-$(command -v wine64 || command -v wine || { [ -x /usr/lib/wine/wine64 ] && echo /usr/lib/wine/wine64; } || true)}
[ -n "$WINE" ] || die "wine64 not found (apt-get install wine64)"
for t in x86_64-w64-mingw32-gcc:gcc-mingw-w64-x86-64 wixl:wixl msiinfo:msitools openssl:openssl; do
  command -v "${t%%:*}" >/dev/null || die "${t%%:*} not found (apt-get install ${t#*:})"
done
WINESERVER=$(dirname "$WINE")/wineserver
[ -x "$WINESERVER" ] || WINESERVER=$(command -v wineserver || echo wineserver)

work=$(mktemp -d "${TMPDIR:-/tmp}/efirma-wincheck.XXXXXX")
export WINEPREFIX="$work/prefix" WINEDEBUG=-all WINEDLLOVERRIDES="mscoree,mshtml=" WINEARCH=win64
cleanup() {
  "$WINESERVER" -k >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

# --- the Wine prefix: a copy of the cached pristine one, or a new one ---
cache="${XDG_CACHE_HOME:-$HOME/.cache}/efirma/wine-prefix"
if [ "${WINECHECK_NO_CACHE:-}" != 1 ] && [ -f "$cache/system.reg" ]; then
  note "prefix: copy of $cache"
  cp -a "$cache" "$WINEPREFIX"
else
  note "prefix: wineboot -i (first run; cached afterwards)"
  "$WINE" wineboot -i >/dev/null 2>&1 || die "wineboot failed"
  "$WINESERVER" -w
  if [ "${WINECHECK_NO_CACHE:-}" != 1 ]; then
    mkdir -p "$(dirname "$cache")"; rm -rf "$cache.tmp"
    cp -a "$WINEPREFIX" "$cache.tmp" && rm -rf "$cache" && mv "$cache.tmp" "$cache"
  fi
fi
# A persistent wineserver, and Wine's background services started now with
# no pipes of ours: each short Wine process below would otherwise start
# them again, and they would inherit (and hold open) its stdout.
"$WINESERVER" -p
"$WINE" cmd /c exit 0 </dev/null >/dev/null 2>&1 || true
prefix_ready=$(date +%s)

# --- builds ---
bin="$work/bin"; mkdir -p "$bin/standin" "$work/tests"
x86_64-w64-mingw32-gcc -shared -O2 -o "$WINEPREFIX/drive_c/windows/system32/bcryptprimitives.dll" installer/dist/wine/bcryptprimitives.c
for v in noisy failing; do
  x86_64-w64-mingw32-gcc -shared -O2 -DSTANDIN_$(echo $v | tr a-z A-Z) -o "$bin/standin/$v.dll" host/token/testdata/standin/pkcs11standin.c
done
export GOOS=windows GOARCH=amd64 CGO_ENABLED=1 CC=x86_64-w64-mingw32-gcc
note "build efirma.exe"
$GO build -trimpath -o "$bin/efirma.exe" ./host/cmd/efirma
# Every package with tests, except those that need Chromium or measure the
# Linux host (e2e, chromerig, bench, demo).
pkgs=$($GO list -f '{{if or .TestGoFiles .XTestGoFiles}}{{.ImportPath}}{{end}}' ./... |
  grep -vE '/(e2e|internal/chromerig|host/bench|host/cmd/demo|internal/wincheck)$' || true)
note "build $(echo "$pkgs" | wc -w) test binaries"
$GO test -c -ldflags="-s -w" -o "$work/tests/" $pkgs # no DWARF: links faster
unset GOOS GOARCH CGO_ENABLED CC

msidir="$work/msi"; mkdir -p "$msidir"; cp "$bin/efirma.exe" "$msidir/efirma.exe"
ids=$(sed -n 's/^\s*\(ChromeWebStoreID\|EdgeAddonsID\) = "\([a-p]*\)"$/\2/p' installer/ids.go)
(cd "$msidir" && wixl -a x64 -D Version=0.0.1 -D ChromeID="$(echo "$ids" | sed -n 1p)" -D EdgeID="$(echo "$ids" | sed -n 2p)" \
   -o "$bin/efirma.msi" "$OLDPWD/installer/dist/efirma.wxs")
built=$(date +%s)

# --- under Wine ---
failed=0
note "CLI, host and MSI rounds"
$GO run ./internal/wincheck -wine "$WINE" -exe "$bin/efirma.exe" -msi "$bin/efirma.msi" -standins "$bin/standin" -work "$work/round" || failed=$((failed + 1))
rounds=$(date +%s)

note "test binaries (${WINECHECK_JOBS:-3} at a time)"
mkdir -p "$work/tmp"
winpath() { echo "Z:$(echo "$1" | tr / '\\')"; }
run_test() { # run_test PKG: its Windows test binary in its folder, output in its .log
  local pkg=$1 name dir
  name=$(basename "$pkg")
  dir=$($GO list -f '{{.Dir}}' "$pkg")
  # CI stays unset: a tool missing under Wine (openssl, redis, SoftHSM2)
  # skips the test that needs it, as on a developer's machine.
  local rc=0
  (cd "$dir" && env -u CI TMP="$(winpath "$work/tmp")" TEMP="$(winpath "$work/tmp")" \
      EFIRMA_STANDIN_DIR="$(winpath "$bin/standin")" EFIRMA_TEST_BINARY="$(winpath "$bin/efirma.exe")" \
      "$WINE" "$work/tests/$name.test.exe" -test.count=1 -test.timeout=5m >"$work/tests/$name.log" 2>&1) || rc=$?
  echo "$rc" >"$work/tests/$name.rc"
}
running=0
for pkg in $pkgs; do
  run_test "$pkg" &
  running=$((running + 1))
  if [ "$running" -ge "${WINECHECK_JOBS:-3}" ]; then wait -n || true; running=$((running - 1)); fi
done
wait
# wine_nostart LOG: the binary failed and Wine refused to start one of the
# processes it runs ("fork/exec ...: Internal error.", seen once in CI in a
# testscript step). Such a binary runs once more, alone, and the output says
# so; every other failure stands as it is.
wine_nostart() {
  [ "$(cat "${1%.log}.rc" 2>/dev/null)" != 0 ] && grep -qE 'fork/exec .*: Internal error\.' "$1"
}
for pkg in $pkgs; do
  name=$(basename "$pkg"); log="$work/tests/$name.log"
  if wine_nostart "$log"; then
    echo "note $pkg: Wine did not start a process ($(grep -m1 -oE 'fork/exec .*: Internal error\.' "$log")); running it once more"
    mv "$log" "$log.first"
    run_test "$pkg"
  fi
done
ran=0
for pkg in $pkgs; do
  name=$(basename "$pkg"); log="$work/tests/$name.log"
  ran=$((ran + 1))
  if [ ! -f "$work/tests/$name.rc" ]; then
    echo "FAIL $pkg (its test binary did not run)"; failed=$((failed + 1))
  elif [ "$(cat "$work/tests/$name.rc")" = 0 ]; then
    echo "ok   $pkg"
  elif wine_tempdir "$log"; then
    echo "ok   $pkg (only Wine's TempDir cleanup error)"
  else
    echo "FAIL $pkg"; grep -v '^\s*$' "$log" | sed 's/^/     /' | tail -40
    failed=$((failed + 1))
  fi
done
[ "$ran" -ge 15 ] || { echo "FAIL only $ran test binaries: the package list is wrong"; failed=$((failed + 1)); }
end=$(date +%s)
note "prefix $((prefix_ready - start))s, builds $((built - prefix_ready))s, rounds $((rounds - built))s, test binaries $((end - rounds))s; total $((end - start))s"
[ "$failed" -eq 0 ] || die "$failed part(s) failed"
note "passed"
