#!/bin/sh
# embed.sh SYMBOL INPUT OUTPUT - turns a text file into a C string constant
# (const char SYMBOL[] and SYMBOL_len), one source line per input line.
set -eu
sym=$1 in=$2 out=$3
{
	printf '/* Generated from %s by build-aux/embed.sh; do not edit. */\n' "$in"
	printf 'extern const char %s[];\nextern const unsigned long %s_len;\n' "$sym" "$sym"
	printf 'const char %s[] =\n' "$sym"
	LC_ALL=C sed -e 's/\\/\\\\/g' -e 's/"/\\"/g' -e 's/^/"/' -e 's/$/\\n"/' "$in"
	printf ';\nconst unsigned long %s_len = sizeof(%s) - 1;\n' "$sym" "$sym"
} > "$out.tmp"
mv "$out.tmp" "$out"
