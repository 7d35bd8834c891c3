#!/usr/bin/env bash
# Portable build for lab machines without .NET: a self-contained linux-x64 CLI (one compressed executable plus
# ONNX Runtime's CPU library), packed as artifacts/publish/siliconbench-linux-x64.tar.gz.
# libtorch is never included (the default build has no TorchSharp engine; see README "Portable build").
# The worker engine needs only python3 + torch on the target: copy workers/ next to the binary.
set -euo pipefail
cd "$(dirname "$0")/.."
rid=${RID:-linux-x64}
out=artifacts/publish/siliconbench-$rid
rm -rf "$out"
dotnet publish src/SiliconBench.Cli -c Release -r "$rid" --self-contained \
  -p:PublishSingleFile=true -p:EnableCompressionInSingleFile=true -p:DebugType=none \
  -o "$out" "$@"
cp -r workers "$out/workers"
tar -C artifacts/publish -czf "artifacts/publish/siliconbench-$rid.tar.gz" "siliconbench-$rid"
du -sh "$out" "artifacts/publish/siliconbench-$rid.tar.gz"
