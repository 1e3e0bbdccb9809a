#!/usr/bin/env bash
# Builds oneTBB with ThreadSanitizer into PREFIX (the `tsan` preset links against it), so
# that TSan sees the synchronization inside oneTBB's library as well as in its headers.
# The source is Debian's own (the same 2021.8.0 that libtbb-dev ships), fetched from the
# Debian archive and checked against its hash. Does nothing when PREFIX already holds it.
set -euo pipefail
prefix=${1:?usage: build_tsan_tbb.sh PREFIX}
version=2021.8.0
sha256=7e9111b8bb59c8800bf6d0b06afe7b0891937443d2dae1ee1101c8e2ede6a7ef
url=http://deb.debian.org/debian/pool/main/o/onetbb/onetbb_${version}.orig.tar.xz

config="$prefix/lib/cmake/TBB/TBBConfig.cmake"
[[ -f "$config" ]] && exit 0

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
echo "tsan: building oneTBB $version with -fsanitize=thread into $prefix"
curl -sfL --retry 3 -o "$work/tbb.tar.xz" "$url" || {
  echo "tsan: cannot download $url" >&2
  exit 1
}
echo "$sha256  $work/tbb.tar.xz" | sha256sum -c --quiet - || {
  echo "tsan: $url does not have the expected sha256" >&2
  exit 1
}
tar xf "$work/tbb.tar.xz" -C "$work"
cmake -S "$work/oneTBB-$version" -B "$work/build" -G Ninja -Wno-dev \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_INSTALL_PREFIX="$prefix" \
  -DCMAKE_INSTALL_LIBDIR=lib \
  -DCMAKE_C_COMPILER_LAUNCHER=ccache -DCMAKE_CXX_COMPILER_LAUNCHER=ccache \
  -DTBB_SANITIZE=thread -DTBB_TEST=OFF -DTBB_EXAMPLES=OFF -DTBB_STRICT=OFF \
  -DTBBMALLOC_BUILD=OFF -DTBBMALLOC_PROXY_BUILD=OFF >"$work/configure.log" || {
  cat "$work/configure.log" >&2
  exit 1
}
cmake --build "$work/build" -j "$(nproc)" >"$work/build.log" || {
  tail -40 "$work/build.log" >&2
  exit 1
}
cmake --install "$work/build" >/dev/null
