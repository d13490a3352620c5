#!/usr/bin/env bash
# pe-console.sh IN.exe OUT.exe copies a Windows GUI program (linked with -H windowsgui) to OUT.exe as a
# console program: it sets the PE optional header's Subsystem field from 2 (GUI) to 3 (console), which
# is all Go's linker changes between the two (Microsoft's `editbin /SUBSYSTEM:CONSOLE` does the same).
# One build thus gives both the desktop app (no console window) and the command line (prints to it).
set -euo pipefail
[ $# -eq 2 ] || { echo "usage: $0 IN.exe OUT.exe" >&2; exit 2; }
in=$1 out=$2
u32() { od -An -tu4 -j"$2" -N4 "$1" | tr -d ' \n'; }
u16() { od -An -tu2 -j"$2" -N2 "$1" | tr -d ' \n'; }
[ "$(od -An -c -N2 "$in" | tr -d ' \n')" = MZ ] || { echo "$in: not a Windows program" >&2; exit 1; }
pe=$(u32 "$in" 60)                        # e_lfanew: where the PE header starts
[ "$(u32 "$in" "$pe")" = 17744 ] || { echo "$in: no PE header" >&2; exit 1; }  # "PE\0\0"
opt=$((pe + 24))                          # optional header, after the 20-byte COFF header
magic=$(u16 "$in" "$opt")
[ "$magic" = 523 ] || [ "$magic" = 267 ] || { echo "$in: unknown optional header $magic" >&2; exit 1; }
sub=$((opt + 68))                         # Subsystem, at the same offset in PE32 and PE32+
cur=$(u16 "$in" "$sub")
[ "$cur" = 2 ] || [ "$cur" = 3 ] || { echo "$in: unexpected subsystem $cur" >&2; exit 1; }
tmp="$out.tmp.$$"
cp "$in" "$tmp"
printf '\003' | dd of="$tmp" bs=1 seek="$sub" conv=notrunc status=none
[ "$(u16 "$tmp" "$sub")" = 3 ] || { rm -f "$tmp"; echo "$out: could not set the subsystem" >&2; exit 1; }
mv -f "$tmp" "$out"
