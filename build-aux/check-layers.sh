#!/bin/sh
# check-layers.sh LIB... : the layer libraries, lowest first (libcommon.a
# libdb.a libportal.a libhttp.a). Fails, naming the member and the symbol,
# when a library needs a symbol that only a library above it defines: a
# back-edge against the layering (DESIGN.md section 11) that linking the
# static libraries in one program would otherwise let through.
set -eu
[ $# -ge 2 ] || { echo "usage: $0 LIB... (lowest layer first)" >&2; exit 2; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
n=0
for lib in "$@"; do
	[ -r "$lib" ] || { echo "check-layers: cannot read $lib" >&2; exit 2; }
	nm -g --defined-only "$lib" | awk 'NF >= 3 { print $3 }' | sort -u > "$tmp/def.$n"
	# "lib.a:member.o:  U symbol" per undefined reference.
	nm -A -u "$lib" | awk '{ sub(/:$/, "", $1); print $NF "\t" $1 }' | sort -u > "$tmp/undef.$n"
	echo "$lib" > "$tmp/name.$n"
	n=$((n + 1))
done
bad=0
i=0
while [ "$i" -lt "$n" ]; do
	j=$((i + 1))
	while [ "$j" -lt "$n" ]; do
		# Symbols i needs that j defines and i does not define itself.
		cut -f1 "$tmp/undef.$i" | sort -u | comm -12 - "$tmp/def.$j" |
		    comm -23 - "$tmp/def.$i" > "$tmp/hits"
		if [ -s "$tmp/hits" ]; then
			bad=1
			while read -r sym; do
				where=$(awk -F '\t' -v s="$sym" '$1 == s { print $2 }' "$tmp/undef.$i" | head -n 1)
				echo "layer violation: $where needs $sym, defined in $(cat "$tmp/name.$j") (a layer above)" >&2
			done < "$tmp/hits"
		fi
		j=$((j + 1))
	done
	i=$((i + 1))
done
[ "$bad" -eq 0 ] && echo "check-layers: $(cat "$tmp"/name.* | tr '\n' ' ')- no back-edges"
exit "$bad"
