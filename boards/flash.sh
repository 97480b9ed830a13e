#!/usr/bin/env bash
# boards/flash.sh -- runs ON THE BOARD (as root): loads a dlvta bitstream into the PL and applies
# the device-tree overlay that exposes the register block (generic-uio device "dlvta") and the
# DMA region (u-dma-buf "udmabuf0"), checks that both appeared, then runs `dlvta selftest
# --backend zynq --config BOARD` (the bitstream's fingerprint and register map, every
# instruction and ALU op, tokens, padding, errors, recovery from a hung run) and fails if it
# does. See boards/README.md.
#
#   flash.sh BOARD [DIR]     DIR holds dlvta_<board>.bit.bin (+ .bit and .hwh for --pynq) and
#                            dlvta.dtbo or dlvta.dtso (compiled here with dtc); default: .
#   flash.sh --pynq BOARD [DIR]   load through PYNQ's Overlay class (needs .bit and .hwh)
#   flash.sh --remove        remove the overlay (the PL keeps its configuration)
# Environment: DLVTA=path of the dlvta binary (default: dlvta on PATH, else DIR/dlvta);
# NO_SELFTEST=1 skips the self-test.
set -eu
ovl=/sys/kernel/config/device-tree/overlays/dlvta
fm=/sys/class/fpga_manager/fpga0
die() { echo "flash: $*" >&2; exit 1; }

[ "$(id -u)" = 0 ] || die "run as root"
if [ "${1:-}" = --remove ]; then
  [ -d "$ovl" ] && rmdir "$ovl"
  echo "flash: overlay removed"
  exit 0
fi
use_pynq=0
if [ "${1:-}" = --pynq ]; then use_pynq=1; shift; fi
board=${1:-}
dir=${2:-.}
[ -n "$board" ] || die "usage: flash.sh [--pynq] BOARD [DIR] | flash.sh --remove"
name=dlvta_$board

# 1. the overlay blob
if [ ! -f "$dir/dlvta.dtbo" ]; then
  [ -f "$dir/dlvta.dtso" ] || die "no $dir/dlvta.dtbo or dlvta.dtso"
  command -v dtc >/dev/null || die "dtc not found (apt-get install device-tree-compiler)"
  dtc -@ -I dts -O dtb -o "$dir/dlvta.dtbo" "$dir/dlvta.dtso"
fi

# 2. drivers: generic-uio must match "generic-uio" nodes; u-dma-buf must be loaded
if [ -d /sys/module/uio_pdrv_genirq ]; then
  grep -q generic-uio /sys/module/uio_pdrv_genirq/parameters/of_id 2>/dev/null ||
    echo "flash: warning: uio_pdrv_genirq does not match generic-uio; add" \
         "uio_pdrv_genirq.of_id=generic-uio to the kernel command line" >&2
else
  modprobe uio_pdrv_genirq of_id=generic-uio 2>/dev/null ||
    echo "flash: warning: could not load uio_pdrv_genirq (built in? see README)" >&2
fi
modprobe u-dma-buf 2>/dev/null || modprobe udmabuf 2>/dev/null ||
  [ -d /sys/class/u-dma-buf ] || [ -d /sys/class/udmabuf ] ||
  echo "flash: warning: u-dma-buf module not loaded (build it for this kernel: README)" >&2

# 3. the bitstream
[ -d "$ovl" ] && rmdir "$ovl"   # devices of a previous load go away before the PL changes
if [ $use_pynq = 1 ]; then
  [ -f "$dir/$name.bit" ] && [ -f "$dir/$name.hwh" ] || die "--pynq needs $dir/$name.bit and .hwh"
  python3 -c "import sys; from pynq import Overlay; Overlay(sys.argv[1])" "$(realpath "$dir/$name.bit")"
elif command -v fpgautil >/dev/null; then
  fpgautil -b "$dir/$name.bit.bin"
elif [ -d "$fm" ]; then
  cp "$dir/$name.bit.bin" /lib/firmware/
  echo 0 > "$fm/flags"
  echo "$name.bit.bin" > "$fm/firmware"
elif [ -c /dev/xdevcfg ]; then
  cat "$dir/$name.bit.bin" > /dev/xdevcfg
else
  die "no way to program the PL here (no fpgautil, fpga_manager or /dev/xdevcfg)"
fi
if [ -f "$fm/state" ]; then
  state=$(cat "$fm/state")
  [ "$state" = operating ] || die "fpga manager state is '$state' after loading $name"
fi

# 4. the overlay: register block and DMA region
[ -d /sys/kernel/config/device-tree/overlays ] ||
  die "no configfs overlays (mount -t configfs none /sys/kernel/config; kernel needs OF_OVERLAY)"
mkdir "$ovl"
cat "$dir/dlvta.dtbo" > "$ovl/dtbo"
sleep 1
[ "$(cat "$ovl/status" 2>/dev/null || echo applied)" = applied ] || die "overlay not applied: $(cat "$ovl/status")"

# 5. check what the driver will look for
uio=$(grep -lx dlvta /sys/class/uio/*/name 2>/dev/null | head -n 1 || true)
[ -n "$uio" ] || die "no UIO device named dlvta appeared (is generic-uio bound? dmesg | tail)"
[ -c /dev/udmabuf0 ] || die "/dev/udmabuf0 did not appear (u-dma-buf loaded? CMA big enough?)"
echo "flash: $name loaded; registers: /dev/$(basename "$(dirname "$uio")"), DMA: /dev/udmabuf0" \
     "($(cat /sys/class/u-dma-buf/udmabuf0/size 2>/dev/null || echo '?') bytes)"

# 6. the self-test: the first thing to run on a freshly loaded board
if [ "${NO_SELFTEST:-0}" = 1 ]; then
  echo "flash: self-test skipped (NO_SELFTEST=1): run dlvta selftest --backend zynq --config $board"
  exit 0
fi
dlvta=${DLVTA:-$(command -v dlvta || echo "$dir/dlvta")}
[ -x "$dlvta" ] || die "no dlvta binary (PATH, DIR/dlvta or DLVTA=) to run the self-test with; copy build/<arch>/dlvta here, or NO_SELFTEST=1"
"$dlvta" selftest --backend zynq --config "$board" ||
  die "self-test FAILED on the loaded $name (lines above); the board is not usable as it is"
echo "flash: $name loaded and self-tested; run packages with: dlvta run MODEL.dlvta --backend zynq ..."
