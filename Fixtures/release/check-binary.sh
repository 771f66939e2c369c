#!/bin/sh
# check-binary.sh BINARY — check that a tracedb release binary (swift build -c release
# --static-swift-stdlib) can be copied to a machine without Swift: its ELF needed-library list
# (readelf -d) holds only the system's C and C++ runtime, libsqlite3 and libz, and it runs
# --version. Prints the needed list and the size. Exit 0 if so, 1 if not (the offending library is
# named), 2 on usage errors.
set -eu
[ $# -eq 1 ] || { echo "usage: check-binary.sh BINARY" >&2; exit 2; }
bin=$1
[ -x "$bin" ] || { echo "check-binary.sh: $bin is not an executable file" >&2; exit 2; }
command -v readelf > /dev/null || { echo "check-binary.sh: readelf (binutils) is needed" >&2; exit 2; }
needed=$(readelf -d "$bin" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p')
echo "needed: $(echo $needed)"
echo "size: $(wc -c < "$bin") bytes"
bad=0
for lib in $needed; do
    case "$lib" in
        libc.so.*|libm.so.*|libdl.so.*|libpthread.so.*|librt.so.*|libutil.so.*|ld-linux*.so.*) ;;
        libstdc++.so.*|libgcc_s.so.*) ;;
        libsqlite3.so.*|libz.so.*) ;;
        *) echo "check-binary.sh: $bin needs $lib, which a machine without Swift does not have" >&2; bad=1 ;;
    esac
done
if readelf -d "$bin" | grep -q 'R.*PATH.*swift'; then
    echo "check-binary.sh: $bin has an RPATH/RUNPATH into a Swift toolchain" >&2; bad=1
fi
"$bin" --version || { echo "check-binary.sh: $bin --version failed" >&2; bad=1; }
exit $bad
