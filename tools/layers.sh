#!/usr/bin/env bash
# tools/layers.sh -- reads the allowed include graph of dlvta's C (layers.txt, drawn in
# ARCHITECTURE.md) and holds the sources to it.
#
#   tools/layers.sh check [ROOT] [TABLE]  every #include "..." of every C/C++ source and header
#                                         under ROOT (default .) must name a header of the
#                                         includer's own component or of one it may use (the
#                                         closure of its `uses`); prints one line per violation
#                                         and "N passed, N failed"; exits 1 on any violation
#   tools/layers.sh graph [ROOT] [TABLE]  the component-level include graph as it is in the
#                                         sources: one "a -> b" line per edge, sorted
#
# A quoted include resolves as the C compiler resolves it: first beside the including file, then
# in the folders of the table (a name found in two components' folders is an error: -I order
# would decide). Generated headers (`@gen` rows) belong to the component that owns their folder;
# `@ext` rows name headers from outside the tree. Any other unresolved include is an error.
set -u
mode=${1:-check}
root=${2:-.}
table=${3:-$root/layers.txt}
case $mode in check|graph) ;; *) echo "usage: $0 check|graph [ROOT] [TABLE]" >&2; exit 2 ;; esac
[ -r "$table" ] || { echo "layers: cannot read $table" >&2; exit 2; }

# the source folders of the table, each file once (a file belongs to the longest folder or file
# entry it lies under: compiler/backend/cg.c is backend's, not compiler's)
dirs=$(awk '!/^[[:space:]]*(#|$)/ && $1 !~ /^@/ { n = split($2, f, ","); for (i = 1; i <= n; i++) if (f[i] !~ /^build\//) print f[i] }' "$table")
files=$(cd "$root" && for d in $dirs; do
          if [ -f "$d" ]; then echo "$d"; elif [ -d "$d" ]; then
            find "$d" -maxdepth 1 -type f \( -name '*.c' -o -name '*.h' -o -name '*.cpp' -o -name '*.def' \); fi
        done | sort -u)

cd "$root" || exit 2
for f in $files; do
  grep -n '^[[:space:]]*#[[:space:]]*include[[:space:]]*"' "$f" /dev/null | \
    sed -E 's/^([^:]*):([0-9]+):[[:space:]]*#[[:space:]]*include[[:space:]]*"([^"]*)".*/\1 \2 \3/'
  echo "@file $f"
done | awk -v mode="$mode" -v table="$table" '
  function closure(c,    k, n, u, i) {   # sets reach[c, x] for every x c may use, itself included
    if (done[c]) return
    done[c] = 1
    reach[c, c] = 1
    n = split(uses[c], u, ",")
    for (i = 1; i <= n; i++) {
      if (u[i] == "-" || u[i] == "") continue
      if (!(u[i] in known)) { printf "%s: component %s uses unknown component %s\n", table, c, u[i]; bad++; continue }
      closure(u[i])
      for (k in known) if (reach[u[i], k]) reach[c, k] = 1
    }
  }
  function owner(path,    best, bl, k) {  # component of a path: longest folder/file prefix
    best = ""; bl = -1
    for (k in folder) if ((path == k || index(path, k "/") == 1) && length(k) > bl) { best = folder[k]; bl = length(k) }
    return best
  }
  function exists(p,    l, r) { r = (getline l < p); if (r >= 0) close(p); return r >= 0 }
  function dirname(p) { return p ~ /\// ? substr(p, 1, match(p, /\/[^\/]*$/) - 1) : "." }
  function norm(p,    n, s, o, i, k) {  # a/b/../c -> a/c, ./a -> a
    n = split(p, s, "/"); k = 0
    for (i = 1; i <= n; i++) {
      if (s[i] == "." || s[i] == "") continue
      if (s[i] == ".." && k > 0 && o[k] != "..") { k--; continue }
      o[++k] = s[i]
    }
    p = ""
    for (i = 1; i <= k; i++) p = p (i > 1 ? "/" : "") o[i]
    return p
  }
  BEGIN {
    while ((getline line < table) > 0) {
      sub(/#.*/, "", line)
      n = split(line, w, /[ \t]+/)
      if (w[1] == "") { for (i = 1; i < n; i++) w[i] = w[i + 1]; n-- }
      if (n < 1) continue
      if (w[1] == "@gen") { for (i = 2; i <= n; i++) { split(w[i], g, ":"); gen[g[1]] = g[2] } continue }
      if (w[1] == "@ext") { for (i = 2; i <= n; i++) ext[w[i]] = 1; continue }
      if (n < 3) { printf "%s: row \"%s\" needs a component, its folders and its uses\n", table, line; bad++; continue }
      known[w[1]] = 1; order[++nc] = w[1]
      m = split(w[2], f, ",")
      for (i = 1; i <= m; i++) folder[f[i]] = w[1]
      uses[w[1]] = w[3]
    }
    for (i = 1; i <= nc; i++) closure(order[i])
    for (h in gen) if (owner(gen[h]) == "") { printf "%s: generated header %s: folder %s is no component'"'"'s\n", table, h, gen[h]; bad++ }
  }
  $1 == "@file" { nfiles++; next }
  {
    file = $1; ln = $2; name = $3; from = owner(file); hits = 0; to = ""; where = ""
    p = norm(dirname(file) "/" name)
    base = p; sub(/.*\//, "", base)
    if (p ~ /^build\// && (base in gen)) { to = owner(gen[base]); where = p }
    else if (exists(p)) { to = owner(p); where = p }
    else {
      for (k in folder) if (k !~ /^build\// && exists(k "/" name)) {
        c = folder[k]
        if (hits && c != to) { printf "%s:%s: \"%s\" is in both %s and %s\n", file, ln, name, where, k "/" name; bad++ }
        hits++; to = c; where = k "/" name
      }
      if (!hits && (name in gen)) { to = owner(gen[name]); where = gen[name] "/" name }
      if (!hits && to == "" && (name in ext)) next
    }
    if (to == "") { printf "%s:%s: \"%s\": no such header in the tree, not generated, not external (layers.txt @ext)\n", file, ln, name; bad++; next }
    if (mode == "graph") { if (to != from) edge[from " -> " to] = 1; next }
    checked++
    if (!reach[from, to]) {
      allowed = ""
      for (i = 1; i <= nc; i++) if (reach[from, order[i]] && order[i] != from) allowed = allowed " " order[i]
      printf "%s:%s: includes \"%s\" (%s, component %s): %s may use only%s\n", file, ln, name, where, to, from, allowed == "" ? " itself" : allowed
      bad++; viol++
    }
  }
  END {
    if (mode == "graph") { for (e in edge) print e | "sort"; close("sort"); exit bad ? 1 : 0 }
    printf "layers: %d includes of %d files checked against %s\n", checked, nfiles, table
    printf "%d passed, %d failed\n", checked - viol, bad
    exit bad ? 1 : 0
  }'
