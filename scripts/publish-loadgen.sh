#!/usr/bin/env bash
# The end-to-end load-generator harness as one self-contained executable, for a machine without .NET that has more
# cores than the 2-core CI VM (e.g. the lab's GPU host): the client can then have cores of its own, apart from the
# fixture server's. Writes artifacts/publish/loadgen/SiliconBench.Benchmarks (~60 MB; the native libraries the
# loadgen mode never loads — ONNX Runtime, capstone — are left out). Then, for example:
#   taskset -c 0,1 ./SiliconBench.Benchmarks loadgen --streams 1,100,1000,5000 --interval-ms 50 --server-cpus 2-3
set -euo pipefail
cd "$(dirname "$0")/.."
out=artifacts/publish/loadgen
rm -rf "$out"
dotnet publish tests/SiliconBench.Benchmarks -c Release -r "${RID:-linux-x64}" --self-contained \
  -p:PublishSingleFile=true -p:EnableCompressionInSingleFile=true -p:DebugType=none -o "$out" "$@"
rm -rf "$out"/*.so "$out"/amd64
du -sh "$out"
