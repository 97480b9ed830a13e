#!/bin/sh
# tools/fnlen.sh -- lengths of the C functions of the product (compiler/, driver/, sim/, isa/,
# cli/; tests and tools may keep long table-driven mains), in lines from the first line of the
# signature to the closing brace. Prints every function longer than LIMIT (default 120) as
# "lines file:line name" and exits 1 if there is any.
#   tools/fnlen.sh [--limit N] [--all] [FILE...]   --all: print every function, longest first
# A function starts at a line in column 0 with an identifier and "(" (not a declaration, i.e.
# its signature ends with "{") and ends at the next "}" in column 0 (the house's formatting).
limit=120 all=0
while [ $# -gt 0 ]; do
  case $1 in
  --limit) limit=$2; shift 2 ;;
  --all) all=1; shift ;;
  *) break ;;
  esac
done
[ $# -gt 0 ] || set -- $(find compiler driver sim isa cli -name '*.[ch]' | sort)
awk -v limit="$limit" -v all="$all" '
FNR == 1 { state = 0 }
state == 0 && /^[A-Za-z_][A-Za-z0-9_ \t*]*\(/ && !/^(typedef|struct|enum|union|extern|return)[ \t]/ {
  name = $0; sub(/\(.*/, "", name); n = split(name, w, /[ \t*]+/); name = w[n]
  start = FNR; file = FILENAME
  if ($0 ~ /;[ \t]*(\/\*.*)?$/) next
  state = ($0 ~ /\{[ \t]*(\/\*.*)?$/) ? 2 : 1
  next
}
state == 1 {
  if ($0 ~ /;[ \t]*(\/\*.*)?$/ && $0 !~ /\{/) { state = 0; next }
  if ($0 ~ /\{[ \t]*(\/\*.*)?$/) state = 2
  else if ($0 ~ /^[#}]/ || $0 ~ /^$/) state = 0
  next
}
state == 2 && /^}/ {
  len = FNR - start + 1; state = 0
  if (all || len > limit) printf "%d %s:%d %s\n", len, file, start, name
}' "$@" | sort -rn > "${TMPDIR:-/tmp}/fnlen.$$"
over=$(awk -v limit="$limit" '$1 > limit' "${TMPDIR:-/tmp}/fnlen.$$" | wc -l)
cat "${TMPDIR:-/tmp}/fnlen.$$"; rm -f "${TMPDIR:-/tmp}/fnlen.$$"
if [ "$over" -gt 0 ]; then echo "fnlen: $over function(s) over $limit lines" >&2; exit 1; fi
[ "$all" = 1 ] || echo "fnlen: no function over $limit lines"
