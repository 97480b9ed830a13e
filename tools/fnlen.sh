#!/bin/sh
# tools/fnlen.sh -- the length of every C function of the product (compiler/, driver/, sim/, dev/, ir/, ref/, model/, runtime/,
# isa/, cli/; tests and tools may keep long table-driven mains), in lines from the first line of
# its signature to its closing brace. As a test (make test): one line per function longer than
# LIMIT (default 120), then "1 passed, 0 failed" (or the count of those as failures).
#   tools/fnlen.sh [--limit N] [FILE...]   check (default: every .c/.h of the product)
#   tools/fnlen.sh --all [FILE...]         every function, longest first: "lines file:line name"
#   tools/fnlen.sh --self-test             the checker on made-up files (one long function)
# A function starts at a line in column 0 with an identifier and "(" whose signature ends with
# "{" (not a declaration) and ends at the next "}" in column 0 (the house's formatting).
limit=120 all=0
while [ $# -gt 0 ]; do
  case $1 in
  --limit) limit=$2; shift 2 ;;
  --all) all=1; shift ;;
  --self-test)
    d=$(mktemp -d)
    { echo "/* x */"; echo "static int ok(int a,"; echo "              int b) {";
      i=0; while [ $i -lt 116 ]; do echo "  a += b;"; i=$((i + 1)); done; echo "  return a;"; echo "}";
      echo "int decl(void);"; echo "int long_one(void) {";
      i=0; while [ $i -lt 119 ]; do echo "  ;"; i=$((i + 1)); done; echo "}"; } > "$d/t.c"
    out=$("$0" "$d/t.c"); rc=$?
    rm -rf "$d"
    pass=0 fail=0
    if [ $rc -eq 1 ] && echo "$out" | grep -q "t.c:123 long_one: 121 lines" && ! echo "$out" | grep -q " ok:"; then
      pass=1
    else
      fail=1; echo "FAIL self-test: expected long_one (121 lines) reported and ok (120) not, got:"; echo "$out"
    fi
    echo "$pass passed, $fail failed"; [ $fail -eq 0 ]; exit ;;
  *) break ;;
  esac
done
[ $# -gt 0 ] || set -- $(find compiler driver sim isa cli dev ir ref model runtime -name '*.[ch]' | sort)
list=$(awk '
FNR == 1 { state = 0 }
state == 0 && /^[A-Za-z_][A-Za-z0-9_ \t*]*\(/ && !/^(typedef|struct|enum|union|extern|return)[ \t]/ {
  name = $0; sub(/\(.*/, "", name); n = split(name, w, /[ \t*]+/); name = w[n]
  start = FNR
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
state == 2 && /^}/ { printf "%d %s:%d %s\n", FNR - start + 1, FILENAME, start, name; state = 0 }' "$@" | sort -rn)
if [ $all = 1 ]; then echo "$list"; exit 0; fi
total=$(echo "$list" | grep -c .)
over=$(echo "$list" | awk -v l="$limit" '$1 > l { printf "FAIL %s %s: %d lines, more than %d\n", $2, $3, $1, l }')
nover=$(echo "$over" | grep -c FAIL)
[ -n "$over" ] && echo "$over"
echo "fnlen: $total functions, $nover over $limit lines"
if [ "$nover" -eq 0 ]; then echo "1 passed, 0 failed"; else echo "0 passed, $nover failed"; fi
[ "$nover" -eq 0 ]
