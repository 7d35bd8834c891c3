#!/usr/bin/env bash
# Builds llama.cpp's llama-server (CPU only) once per pinned commit into a cache outside the clone, so CI and later
# runs reuse it: ${SILICONBENCH_CACHE:-~/.cache/siliconbench}/llama.cpp/<commit>/bin/llama-server.
# The source is the git bundle the npm package node-llama-cpp ships (llama/gitRelease.bundle): npm is a registry
# this project reaches, GitHub is not. The pin (package version and commit) is scripts/llama-server.pin.
# Cached: returns at once. Cold: ~12-20 min on 2 cores. Failure leaves no binary, and the tests that need it skip.
set -euo pipefail
cd "$(dirname "$0")/.."
pin() { sed -n "s/^$1=//p" scripts/llama-server.pin; }
package=$(pin npm_package); commit=$(pin commit)
cache="${SILICONBENCH_CACHE:-$HOME/.cache/siliconbench}/llama.cpp/$commit"
binary="$cache/bin/llama-server"
if [ -x "$binary" ]; then exit 0; fi
for tool in git cmake g++ npm; do
  command -v "$tool" >/dev/null 2>&1 || { echo "build-llama-server: $tool is missing; llama-server not built" >&2; exit 1; }
done

echo "build-llama-server: building llama-server $commit from $package (once; 12-20 min on 2 cores) into $cache" >&2
work=$(mktemp -d "${TMPDIR:-/tmp}/siliconbench-llama.XXXXXX")
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack --silent "$package" >/dev/null)
tar -xzf "$work"/node-llama-cpp-*.tgz -C "$work" package/llama/gitRelease.bundle
git -c advice.detachedHead=false clone --quiet "$work/package/llama/gitRelease.bundle" "$work/src"
git -C "$work/src" -c advice.detachedHead=false checkout --quiet "$commit"
actual=$(git -C "$work/src" rev-parse HEAD)
[ "$actual" = "$commit" ] || { echo "build-llama-server: $package bundles $actual, pinned $commit" >&2; exit 1; }

# Portable CPU build (GGML_NATIVE=OFF: no -march=native, so a cache carried to another x86-64 machine still runs;
# the test models are tiny, speed is not the point). No network at build or run time: no OpenSSL/HTTPS, no web UI
# download; only the server target; static so the cached binary needs no library path.
cmake -S "$work/src" -B "$work/build" -DCMAKE_BUILD_TYPE=Release \
  -DGGML_NATIVE=OFF -DBUILD_SHARED_LIBS=OFF -DLLAMA_OPENSSL=OFF -DLLAMA_BUILD_UI=OFF -DLLAMA_USE_PREBUILT_UI=OFF \
  -DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_EXAMPLES=OFF -DLLAMA_BUILD_APP=OFF -DLLAMA_BUILD_TOOLS=ON \
  -DLLAMA_BUILD_SERVER=ON -DLLAMA_BUILD_COMMIT="${commit:0:7}" >"$work/cmake.log" 2>&1 \
  || { tail -n 30 "$work/cmake.log" >&2; exit 1; }
cmake --build "$work/build" --target llama-server -j "${SILICONBENCH_BUILD_JOBS:-2}" >"$work/build.log" 2>&1 \
  || { tail -n 30 "$work/build.log" >&2; exit 1; }

# Install atomically: a half-written cache would look like a binary that crashes.
mkdir -p "$(dirname "$cache")"
staging="$cache.partial.$$"
rm -rf "$staging"; mkdir -p "$staging/bin"
cp "$work/build/bin/llama-server" "$staging/bin/"
printf 'package=%s\ncommit=%s\nbuilt=%s\n' "$package" "$commit" "$(date -u +%FT%TZ)" >"$staging/BUILD"
rm -rf "$cache"; mv "$staging" "$cache"
echo "build-llama-server: built $binary"
