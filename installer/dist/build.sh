#!/usr/bin/env bash
# Builds the release artifacts into dist/ (run by `make dist`):
#   efirma-linux-amd64, efirma-linux-arm64, efirma-windows-amd64.exe,
#   efirma-darwin-{amd64,arm64} (without token support, see below),
#   efirma_<v>_amd64.deb, efirma_<v>_arm64.deb, efirma-<v>-x64.msi,
# and checks each package (dpkg-deb contents and a dpkg --root install and
# purge; msiinfo tables of the MSI). Windows binaries and the MSI are signed
# with osslsigncode when SIGN_PFX (and SIGN_PASS) are set; SIGN_TEST=1 signs
# with a throwaway self-signed certificate to exercise the step.
#
# Toolchains (Debian packages; installed here with apt-get when running as
# root): gcc-aarch64-linux-gnu + libc6-dev-arm64-cross (linux/arm64 with
# cgo), gcc-mingw-w64-x86-64 (windows/amd64 with cgo for PKCS#11), wixl and
# msitools (MSI), osslsigncode (signing). macOS: cgo needs Apple's SDK, so
# here darwin builds with CGO_ENABLED=0 when the code allows it (no PKCS#11
# tokens); build on a Mac for token support (docs/DEPLOYMENT.md).
set -euo pipefail
cd "$(dirname "$0")/../.."
GO=${GO:-go}
VERSION=${VERSION:-$(git describe --tags --always --dirty 2>/dev/null || echo dev)}
DEBVERSION=$(echo "$VERSION" | sed -E 's/^v//; s/[^A-Za-z0-9.+~-]/./g; s/^([^0-9])/0~\1/')
OUT=dist
PKG=${EFIRMA_PKG:-./host/cmd/efirma} # EFIRMA_PKG: another main package (tests)
LDFLAGS="-s -w -X github.com/efirma/conector/host/version.Version=$VERSION"
mkdir -p "$OUT"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT

note() { echo "dist: $*" >&2; }

need() { # need TOOL APT-PACKAGE...
  command -v "$1" >/dev/null && return 0
  if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null; then
    note "installing ${*:2}"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${@:2}" >/dev/null ||
      { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${@:2}" >/dev/null; } || true
  fi
  command -v "$1" >/dev/null
}

build() { # build GOOS GOARCH CGO CC OUTFILE (REUSE=1 keeps an existing OUTFILE)
  if [ "${REUSE:-}" = 1 ] && [ -f "$OUT/$5" ]; then note "reuse $OUT/$5"; return 0; fi
  note "build $1/$2 (CGO_ENABLED=$3${4:+, CC=$4})"
  GOOS=$1 GOARCH=$2 CGO_ENABLED=$3 CC=${4:-} $GO build -trimpath -ldflags "$LDFLAGS" -o "$OUT/$5" $PKG
}

# --- binaries ---
build linux amd64 1 "" efirma-linux-amd64
if need aarch64-linux-gnu-gcc gcc-aarch64-linux-gnu libc6-dev-arm64-cross; then
  build linux arm64 1 aarch64-linux-gnu-gcc efirma-linux-arm64
else
  note "no aarch64-linux-gnu-gcc: linux/arm64 built WITHOUT cgo (no PKCS#11 tokens)"
  build linux arm64 0 "" efirma-linux-arm64
fi
if need x86_64-w64-mingw32-gcc gcc-mingw-w64-x86-64; then
  build windows amd64 1 x86_64-w64-mingw32-gcc efirma-windows-amd64.exe
else
  note "no mingw-w64: windows/amd64 built WITHOUT cgo (no PKCS#11 tokens)"
  build windows amd64 0 "" efirma-windows-amd64.exe
fi
for arch in amd64 arm64; do
  if ! build darwin $arch 0 "" efirma-darwin-$arch 2>"$tmp/darwin.log"; then
    note "darwin/$arch skipped: it does not build without cgo here (build it on a Mac, see docs/DEPLOYMENT.md)"
    sed 's/^/  /' "$tmp/darwin.log" | head -5 >&2
  fi
done

# --- .deb (one per Linux architecture) ---
host_efirma="$OUT/efirma-linux-amd64" # runs here; stages the manifests for both
for arch in amd64 arm64; do
  stage="$tmp/deb-$arch"
  install -D -m 0755 "$OUT/efirma-linux-$arch" "$stage/usr/bin/efirma"
  "$host_efirma" install --system --destdir "$stage" --binary /usr/bin/efirma >/dev/null
  install -d "$stage/DEBIAN"
  size=$(du -sk --exclude=DEBIAN "$stage" | cut -f1)
  cat >"$stage/DEBIAN/control" <<CONTROL
Package: efirma
Version: $DEBVERSION
Architecture: $arch
Maintainer: Conector e.firma <soporte@efirma.invalid>
Installed-Size: $size
Depends: libc6
Recommends: opensc
Section: utils
Priority: optional
Homepage: https://github.com/efirma/conector
Description: Conector e.firma: native messaging host for SAT's e.firma
 Lets the Conector e.firma browser extension (Google Chrome, Chromium,
 Microsoft Edge, Brave) sign in to SAT and IMSS portals and sign documents
 with a SAT e.firma (.cer/.key files or a PKCS#11 token).
CONTROL
  # Older versions registered other host names; remove them.
  legacy=""
  for name in mx.gob.efirma com.efirma.host; do
    for d in /etc/opt/chrome/native-messaging-hosts /etc/chromium/native-messaging-hosts /etc/opt/edge/native-messaging-hosts; do
      legacy="$legacy \"\${DPKG_ROOT:-}$d/$name.json\""
    done
  done
  cat >"$stage/DEBIAN/postinst" <<SCRIPT
#!/bin/sh
set -e
if [ "\$1" = configure ]; then
  rm -f$legacy
fi
exit 0
SCRIPT
  cat >"$stage/DEBIAN/postrm" <<SCRIPT
#!/bin/sh
set -e
# The manifests are package files: dpkg removes them on remove and purge.
if [ "\$1" = purge ]; then
  rm -f$legacy
fi
exit 0
SCRIPT
  chmod 0755 "$stage/DEBIAN/postinst" "$stage/DEBIAN/postrm"
  deb="$OUT/efirma_${DEBVERSION}_$arch.deb"
  dpkg-deb --root-owner-group --build "$stage" "$deb" >/dev/null
  note "built $deb"

  # Check: contents, control, then install and purge in a temporary root.
  contents=$(dpkg-deb --contents "$deb")
  for f in ./usr/bin/efirma ./etc/opt/chrome/native-messaging-hosts/mx.efirma.conector.json \
           ./etc/chromium/native-messaging-hosts/mx.efirma.conector.json ./etc/opt/edge/native-messaging-hosts/mx.efirma.conector.json; do
    grep -q " $f\$" <<<"$contents" || { echo "dist: $deb lacks $f" >&2; exit 1; }
  done
  [ "$(dpkg-deb -f "$deb" Architecture)" = "$arch" ] || { echo "dist: $deb: wrong Architecture" >&2; exit 1; }
  root="$tmp/root-$arch"
  mkdir -p "$root/var/lib/dpkg/info" "$root/var/lib/dpkg/updates"
  touch "$root/var/lib/dpkg/status"
  mkdir -p "$root/etc/opt/chrome/native-messaging-hosts"
  echo '{}' >"$root/etc/opt/chrome/native-messaging-hosts/mx.gob.efirma.json" # left by an "older version"
  dpkg --root="$root" --force-script-chrootless --force-not-root --force-bad-path --force-architecture --force-depends \
    --log=/dev/null -i "$deb" >"$tmp/dpkg.log" 2>&1 || { cat "$tmp/dpkg.log" >&2; exit 1; }
  grep -q '"path": "/usr/bin/efirma"' "$root/etc/opt/edge/native-messaging-hosts/mx.efirma.conector.json" ||
    { echo "dist: $deb: installed manifest is wrong" >&2; exit 1; }
  # A package never allows the development extension ID (issue 11 F-01).
  dev=$(sed -n 's/^const DevExtensionID = "\([a-p]*\)"$/\1/p' installer/ids.go)
  [ -n "$dev" ] && ! grep -rq "$dev" "$root/etc" ||
    { echo "dist: $deb: a manifest allows the development extension ID" >&2; exit 1; }
  [ ! -e "$root/etc/opt/chrome/native-messaging-hosts/mx.gob.efirma.json" ] ||
    { echo "dist: $deb: postinst left the legacy manifest" >&2; exit 1; }
  dpkg --root="$root" --force-script-chrootless --force-not-root --force-bad-path --log=/dev/null --purge efirma >"$tmp/dpkg.log" 2>&1 || { cat "$tmp/dpkg.log" >&2; exit 1; }
  left=$(find "$root/etc" "$root/usr" -type f 2>/dev/null || true)
  if [ -n "$left" ]; then
    echo "dist: $deb: purge left files:" >&2; echo "$left" >&2; exit 1
  fi
  if command -v lintian >/dev/null; then
    lintian --suppress-tags no-copyright-file,no-changelog,binary-without-manpage,statically-linked-binary "$deb" || note "lintian reported the above (not fatal)"
  fi
done

# --- MSI ---
sign() { # sign FILE
  local pfx=${SIGN_PFX:-} pass=${SIGN_PASS:-}
  if [ -z "$pfx" ] && [ "${SIGN_TEST:-}" = 1 ]; then
    pfx="$tmp/test-sign.pfx" pass=test
    if [ ! -f "$pfx" ]; then
      openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=efirma throwaway test signer" \
        -addext extendedKeyUsage=codeSigning -keyout "$tmp/test-sign.key" -out "$tmp/test-sign.crt" 2>/dev/null
      openssl pkcs12 -export -passout pass:test -inkey "$tmp/test-sign.key" -in "$tmp/test-sign.crt" -out "$pfx"
    fi
  fi
  [ -n "$pfx" ] || return 0
  need osslsigncode osslsigncode || { echo "dist: osslsigncode is needed to sign" >&2; exit 1; }
  osslsigncode sign -pkcs12 "$pfx" -pass "$pass" -n "Conector e.firma" -h sha256 -in "$1" -out "$1.signed" >/dev/null
  mv "$1.signed" "$1"
  if [ "${SIGN_TEST:-}" = 1 ]; then
    osslsigncode verify -CAfile "$tmp/test-sign.crt" -in "$1" >/dev/null || { echo "dist: signature of $1 does not verify" >&2; exit 1; }
  fi
  note "signed $1"
}
sign "$OUT/efirma-windows-amd64.exe"
if need wixl wixl msitools && need msiinfo msitools; then
  msidir="$tmp/msi"; mkdir -p "$msidir"
  cp "$OUT/efirma-windows-amd64.exe" "$msidir/efirma.exe"
  # No manifest in the MSI: a custom action writes it at install time from
  # CHROME_EXTENSION_ID/EDGE_EXTENSION_ID (efirma.wxs).
  ids=$(sed -n 's/^\s*\(ChromeWebStoreID\|EdgeAddonsID\) = "\([a-p]*\)"$/\2/p' installer/ids.go)
  chrome=$(echo "$ids" | sed -n 1p); edge=$(echo "$ids" | sed -n 2p)
  msiver=$(echo "$DEBVERSION" | grep -oE '^[0-9]+(\.[0-9]+){0,2}' || true)
  msi="$OUT/efirma-$DEBVERSION-x64.msi"
  (cd "$msidir" && wixl -a x64 -D Version="${msiver:-0.0.0}" -D ChromeID="$chrome" -D EdgeID="$edge" \
     -o "$OLDPWD/$msi" "$OLDPWD/installer/dist/efirma.wxs")
  # Check the tables: files, the HKLM keys for Chrome, Chromium and Edge, and the policy feature.
  reg=$(msiinfo export "$msi" Registry)
  for k in 'Software\Google\Chrome\NativeMessagingHosts\mx.efirma.conector' \
           'Software\Chromium\NativeMessagingHosts\mx.efirma.conector' \
           'Software\Microsoft\Edge\NativeMessagingHosts\mx.efirma.conector' \
           'SOFTWARE\Policies\Google\Chrome\ExtensionInstallForcelist'; do
    grep -qF "$k" <<<"$reg" || { echo "dist: $msi lacks registry key $k" >&2; exit 1; }
  done
  # Read each table whole first: with pipefail, `msiinfo | grep -q` fails
  # whenever grep stops reading early (SIGPIPE).
  files=$(msiinfo export "$msi" File); features=$(msiinfo export "$msi" Feature); props=$(msiinfo export "$msi" Property)
  grep -q 'efirma.exe' <<<"$files" || { echo "dist: $msi lacks efirma.exe" >&2; exit 1; }
  actions=$(msiinfo export "$msi" CustomAction)
  grep -q 'install --system --extension-id \[CHROME_EXTENSION_ID\],\[EDGE_EXTENSION_ID\]' <<<"$actions" ||
    { echo "dist: $msi: the manifest custom action is missing" >&2; exit 1; }
  grep -qE '^Policies\s.*\s2\s' <<<"$features" || { echo "dist: $msi: Policies feature level" >&2; exit 1; }
  grep -q "CHROME_EXTENSION_ID.$chrome" <<<"$props" || { echo "dist: $msi: CHROME_EXTENSION_ID" >&2; exit 1; }
  sign "$msi"
  note "built $msi"
else
  note "wixl not available: MSI skipped (apt-get install wixl msitools)"
fi
(cd "$OUT" && sha256sum -- * >SHA256SUMS)
note "done: $(ls "$OUT" | tr '\n' ' ')"
