#!/usr/bin/env bash
# Installs code-server (VS Code in a browser) from the npm registry into a cache outside the
# repository, for tests/test_editor_vscode.py. Idempotent: a finished install is reused.
#
#   editors/vscode/scripts/install-code-server.sh        # or: make code-server
#
# Where: $PARITY_CODE_SERVER_HOME, else ${XDG_CACHE_HOME:-~/.cache}/parity-lsp/code-server; the
# program is then $PARITY_CODE_SERVER_HOME/<version>/node_modules/.bin/code-server (the test
# looks there, then for `code-server` on PATH). Version: $CODE_SERVER_VERSION, default 4.100.3,
# the newest release that accepts Node 20.
#
# Installing from npm builds native modules and downloads nothing but npm packages:
# - npm_config_unsafe_perm=true: as root, code-server's postinstall refuses to run without it;
# - npm_config_yes=true: node-pty's install runs `npx node-gyp`, which would ask first;
# - npm_config_nodedir=/usr: node-gyp builds against the installed Node's headers
#   (/usr/include/node) instead of downloading them;
# - @vscode/ripgrep's install downloads a ripgrep build: it finds one in its download cache
#   (under $TMPDIR) instead, made here from the machine's `rg` (Debian's `ripgrep`);
# - kerberos builds against libkrb5-dev; everything needs make, g++ and python3.
# As root on Debian/Ubuntu, the missing system packages are installed with apt-get.
set -euo pipefail

VERSION=${CODE_SERVER_VERSION:-4.100.3}
HOME_DIR=${PARITY_CODE_SERVER_HOME:-${XDG_CACHE_HOME:-$HOME/.cache}/parity-lsp/code-server}
DEST="$HOME_DIR/$VERSION"
BIN="$DEST/node_modules/.bin/code-server"

if [ -f "$DEST/.installed" ] && "$BIN" --version >/dev/null 2>&1; then
  echo "code-server $VERSION: $BIN (cached)"
  exit 0
fi

start=$(date +%s)
need=()
command -v rg >/dev/null || need+=(ripgrep)
command -v make >/dev/null || need+=(make)
command -v g++ >/dev/null || need+=(g++)
command -v python3 >/dev/null || need+=(python3)
[ -e /usr/include/krb5.h ] || [ -e /usr/include/krb5/krb5.h ] || need+=(libkrb5-dev)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "== apt-get install ${need[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
  else
    echo "code-server needs: ${need[*]} (install them, then run this again)" >&2
    exit 1
  fi
fi

node_major=$(node -p 'process.versions.node.split(".")[0]')
if [ "$node_major" != 20 ]; then
  echo "code-server $VERSION needs Node 20 (this is Node $(node --version))" >&2
  exit 1
fi
nodedir=$(dirname "$(dirname "$(command -v node)")")
if [ ! -e "$nodedir/include/node/node.h" ]; then
  echo "no Node headers in $nodedir/include/node: node-gyp would download them (install Node with its headers)" >&2
  exit 1
fi

# Seed @vscode/ripgrep's download cache ($TMPDIR/vscode-ripgrep-cache-<pkg version>/<asset>)
# with the machine's rg, for every @vscode/ripgrep version the release can install.
work="$HOME_DIR/.work-$VERSION"
rm -rf "$work" "$DEST"
mkdir -p "$work/tmp" "$DEST"
rg_asset_dir="$work/rg"
mkdir -p "$rg_asset_dir"
cp "$(command -v rg)" "$rg_asset_dir/rg"
seed() {  # $1 = @vscode/ripgrep version, $2 = its ripgrep build tag
  local dir="$work/tmp/vscode-ripgrep-cache-$1"
  mkdir -p "$dir"
  tar -C "$rg_asset_dir" -czf "$dir/ripgrep-$2-x86_64-unknown-linux-musl.tar.gz" rg
}
case "$(uname -m)" in
  x86_64) ;;
  *) echo "this script seeds ripgrep for x86_64 only (this is $(uname -m))" >&2; exit 1 ;;
esac
# code-server 4.100.3 pins @vscode/ripgrep 1.15.11 (lib/vscode/npm-shrinkwrap.json), whose
# lib/postinstall.js fetches ripgrep v13.0.0-10; another release may need another pair here
seed 1.15.11 v13.0.0-10

echo "== npm install code-server@$VERSION into $DEST (builds native modules: minutes)"
(
  cd "$DEST"
  echo '{"private": true}' >package.json
  TMPDIR="$work/tmp" \
  npm_config_unsafe_perm=true \
  npm_config_yes=true \
  npm_config_nodedir="$nodedir" \
  npm_config_audit=false \
  npm_config_fund=false \
  npm_config_update_notifier=false \
    npm install --no-save --loglevel=error "code-server@$VERSION" >"$work/npm.log" 2>&1 \
    || { tail -n 60 "$work/npm.log" >&2; echo "npm install failed: full log in $work/npm.log" >&2; exit 1; }
)
"$BIN" --version >/dev/null
touch "$DEST/.installed"
rm -rf "$work"
echo "== code-server $VERSION installed in $(( $(date +%s) - start ))s: $BIN"
