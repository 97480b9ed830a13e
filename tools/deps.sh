#!/usr/bin/env bash
# tools/deps.sh -- installs the Debian packages dlvta needs, if any is missing (run as root on a
# fresh Debian 12; a no-op when everything is there). npm's onnxruntime-node is installed by
# tools/ort/setup.sh where the tests need a float reference.
set -eu
pkgs="build-essential bc verilator yosys iverilog protobuf-c-compiler libprotobuf-c-dev
      libonnx-dev python3-onnx libonnx-testdata python3-torch python3-torchvision python3-numpy
      python3-sklearn dataset-fashion-mnist libxrt-dev device-tree-compiler cppcheck
      gcc-arm-linux-gnueabihf libc6-dev-armhf-cross gcc-aarch64-linux-gnu libc6-dev-arm64-cross qemu-user
      pkg-config python3-setuptools python3-pip python3-venv librsvg2-bin libopenblas-dev"
# node and npm (for the onnxruntime-node reference) may come from elsewhere than Debian
command -v node >/dev/null && command -v npm >/dev/null || pkgs="$pkgs nodejs npm"
missing=""
for p in $pkgs; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
echo "deps: installing$missing"
if [ "$(id -u)" != 0 ]; then
  echo "deps: missing packages:$missing (run as root, or install them with apt-get)" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends $missing >/dev/null
