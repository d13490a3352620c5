#!/bin/sh
# Runs the Windows file-dialog tests (ui/nativedialog/windows_test.go) under Wine and Xvfb: the real
# IFileOpenDialog and IFileSaveDialog are opened, closed and accepted through window messages. Not
# part of CI (Wine is large); run it after changing ui/nativedialog/windows.go.
# Needs: wine64, xvfb-run, and the mingw-w64 C compiler (scripts/setup-debian.sh windows).
# Go 1.26 programs need bcryptprimitives.dll's ProcessPrng, which Wine 8 lacks: a stand-in built
# here from RtlGenRandom goes into the throwaway Wine prefix only.
set -eu
cd "$(dirname "$0")/.."
for tool in xvfb-run x86_64-w64-mingw32-gcc; do
	command -v "$tool" >/dev/null || { echo "windows-dialogs: $tool is not installed" >&2; exit 1; }
done
wine=$(command -v wine64 || echo /usr/lib/wine/wine64)
[ -x "$wine" ] || { echo "windows-dialogs: wine64 is not installed (apt-get install wine64)" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
GOOS=windows go test -c -o "$work/nativedialog.exe" ./ui/nativedialog
cat >"$work/prng.c" <<'C'
#include <windows.h>
#include <ntsecapi.h>
__declspec(dllexport) BOOL WINAPI ProcessPrng(PBYTE p, SIZE_T n) {
	while (n > 0) {
		ULONG k = n > 0x10000000 ? 0x10000000 : (ULONG)n;
		if (!RtlGenRandom(p, k)) return FALSE;
		p += k; n -= k;
	}
	return TRUE;
}
C
x86_64-w64-mingw32-gcc -shared -o "$work/bcryptprimitives.dll" "$work/prng.c" -ladvapi32
export WINEPREFIX="$work/prefix" WINEDEBUG=-all
wineserver=$(command -v wineserver || echo "$(dirname "$wine")/wineserver")
xvfb-run -a sh -c '"$1" wineboot -i; "$2" -w' sh "$wine" "$wineserver" >/dev/null 2>&1 || true
cp "$work/bcryptprimitives.dll" "$WINEPREFIX/drive_c/windows/system32/"
rc=0
timeout 300 xvfb-run -a "$wine" "$work/nativedialog.exe" -test.v -test.timeout 120s || rc=$?
"$wineserver" -w 2>/dev/null || true
exit $rc
