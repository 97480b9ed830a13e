#!/usr/bin/env bash
# tools/ort/setup.sh -- installs onnxruntime-node (CPU binaries are bundled in the npm package)
# into tools/ort/node_modules if it is not there. The package's install step would try to fetch
# GPU libraries, so it is skipped; nothing is downloaded at run time.
set -eu
cd "$(dirname "$0")"
[ -f node_modules/onnxruntime-node/package.json ] && exit 0
command -v npm >/dev/null || { echo "ort: npm missing (tools/deps.sh installs it)" >&2; exit 1; }
ONNXRUNTIME_NODE_INSTALL=skip npm install --no-audit --no-fund --loglevel=error >/dev/null
