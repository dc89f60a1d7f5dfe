#!/bin/sh
# make-token.sh DIR [FIXTURES]
#
# Makes a SoftHSM2 token holding the SAT test e.firma (EKU9003173C9 FIEL)
# for manual and end-to-end runs of the host (efirma doctor, the extension
# against a token). The Go tests of host/token do not need it: they make
# their own tokens in process.
#
# DIR receives softhsm2.conf and the token directory; FIXTURES defaults to
# ../shared/fixtures/sat from the repository root. The SAT key is decrypted
# into DIR only for the import and removed afterwards. Then:
#
#   export SOFTHSM2_CONF=DIR/softhsm2.conf
#   export EFIRMA_PKCS11_MODULES=/usr/lib/softhsm/libsofthsm2.so
#   efirma doctor
#
# Token label "efirma-sat", user PIN 123456, SO PIN 87654321.
#
# With EFIRMA_TOKEN_NO_PUBKEY=1 no public key object is written: the token
# is exactly what the two commonly used pkcs11-tool commands make
#   pkcs11-tool --write-object key.der --type privkey --id 01
#   pkcs11-tool --write-object certificate.cer --type cert --id 01
# so the private key (CKA_PRIVATE) is invisible until login.
set -eu

dir=${1:?usage: make-token.sh DIR [FIXTURES]}
root=$(cd "$(dirname "$0")/../.." && pwd)
fixtures=${2:-$root/../shared/fixtures/sat}
fiel=$fixtures/eku9003173c9-fiel
module=${SOFTHSM2_MODULE:-}
if [ -z "$module" ]; then
	for m in /usr/lib/softhsm/libsofthsm2.so /usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so \
		/usr/lib64/pkcs11/libsofthsm2.so /usr/local/lib/softhsm/libsofthsm2.so /opt/homebrew/lib/softhsm/libsofthsm2.so; do
		if [ -f "$m" ]; then module=$m; break; fi
	done
fi
[ -n "$module" ] || { echo "error: libsofthsm2.so not found (set SOFTHSM2_MODULE)" >&2; exit 1; }
for tool in softhsm2-util pkcs11-tool openssl; do
	command -v "$tool" >/dev/null || { echo "error: $tool not installed" >&2; exit 1; }
done
[ -f "$fiel/certificate.cer" ] || { echo "error: SAT fixtures not found in $fixtures" >&2; exit 1; }

mkdir -p "$dir/tokens"
dir=$(cd "$dir" && pwd)
cat >"$dir/softhsm2.conf" <<CONF
directories.tokendir = $dir/tokens
objectstore.backend = file
log.level = ERROR
CONF
export SOFTHSM2_CONF="$dir/softhsm2.conf"

softhsm2-util --init-token --free --label efirma-sat --pin 123456 --so-pin 87654321 >/dev/null
key=$dir/sat-key.der
trap 'rm -f "$key"' EXIT
openssl pkcs8 -inform DER -in "$fiel/private_key.key" -passin pass:12345678a -outform DER -out "$key"
p11() { pkcs11-tool --module "$module" --token-label efirma-sat --login --pin 123456 "$@" >/dev/null; }
p11 --write-object "$key" --type privkey --id 01 --label "e.firma EKU9003173C9"
p11 --write-object "$fiel/certificate.cer" --type cert --id 01 --label "e.firma EKU9003173C9"
if [ "${EFIRMA_TOKEN_NO_PUBKEY:-}" != 1 ]; then
	openssl x509 -inform DER -in "$fiel/certificate.cer" -pubkey -noout | openssl pkey -pubin -outform DER -out "$dir/sat-pub.der"
	p11 --write-object "$dir/sat-pub.der" --type pubkey --id 01 --label "e.firma EKU9003173C9"
	rm -f "$dir/sat-pub.der"
fi
echo "SOFTHSM2_CONF=$SOFTHSM2_CONF"
echo "module=$module"
