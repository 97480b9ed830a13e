#!/usr/bin/env bash
# hw/check_fit.sh -- the verdict of `make synth`: prints each resource report's verdict line and
# fails if any config does not fit its device (hw/resreport writes the verdict).
#   hw/check_fit.sh build/<config>/resources.txt...
set -u
bad=0
for f in "$@"; do
  v=$(grep '^verdict:' "$f" || echo "verdict: missing")
  echo "$(basename "$(dirname "$f")"): $v"
  case "$v" in "verdict: fits"*) ;; *) bad=1 ;; esac
done
exit $bad
