#!/usr/bin/env python3
"""A fake SiliconBench worker (workers/PROTOCOL.md) without torch, for the C# tests.

Usage: fake_worker.py BEHAVIOUR. Behaviours:
  happy            answers everything; prefill token of a prompt = 1000 * len + last id, decode adds 1
  error            answers prefill with {"error": ...}, stays alive
  load-error       answers load with {"error": ...}
  crash            exits with code 3 on the second decode, after a traceback-like stderr line
  hang             never answers decode
  slow-start       never answers hello
  garbage          answers decode with a line that is not JSON
  wrong-count      answers prefill with one token too few
  ignore-shutdown  answers shutdown but keeps running
  chatty           writes 1 MiB to stderr before answering hello, then behaves like happy
"""
import json
import sys
import time

behaviour = sys.argv[1] if len(sys.argv) > 1 else "happy"
log = sys.stderr
tokens = []
decodes = 0


def answer(obj):
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()


def sleep_forever():
    while True:
        time.sleep(3600)


print(f"fake worker starting ({behaviour})", file=log, flush=True)
if behaviour == "chatty":
    for i in range(16384):
        print(f"chatty line {i:05d} " + "x" * 48, file=log)
    print("chatty end marker", file=log, flush=True)

for line in sys.stdin:
    if not line.strip():
        continue
    request = json.loads(line)
    cmd = request["cmd"]
    print(f"got {cmd}", file=log, flush=True)
    if cmd == "hello":
        if behaviour == "slow-start":
            sleep_forever()
        answer({"worker": "fake", "version": "9.9", "protocol": 1, "framework": "none", "devices": ["cpu", "fake:0"]})
    elif cmd == "load":
        if behaviour == "load-error":
            answer({"error": f"no safetensors in {request['model_dir']}"})
            continue
        answer({"device": request["device"] + ":0", "model": {
            "name": "fake-llama", "parameters": 1234, "weight_bytes": 2468, "kv_bytes_per_token": 64,
            "dtype": request["dtype"] or "fp32", "checkpoint_dtype": "bf16", "layers": 2, "hidden_size": 16,
            "intermediate_size": 32, "heads": 4, "kv_heads": 2, "head_dim": 4, "vocab_size": 5000,
            "seed": request["seed"]}})
    elif cmd == "prefill":
        if behaviour == "error":
            print("RuntimeError: CUDA out of memory (fake marker)", file=log, flush=True)
            answer({"error": "CUDA out of memory (fake)"})
            continue
        tokens = [1000 * len(p) + (p[-1] if p else 0) for p in request["prompts"]]
        out = tokens[:-1] if behaviour == "wrong-count" else tokens
        answer({"tokens": out, "device_s": 0.25})
    elif cmd == "decode":
        decodes += 1
        if behaviour == "hang":
            print("stuck in a kernel (fake marker)", file=log, flush=True)
            sleep_forever()
        if behaviour == "garbage":
            sys.stdout.write("this is not json\n")
            sys.stdout.flush()
            continue
        if behaviour == "crash" and decodes == 2:
            print("Traceback (most recent call last):\nSegfault in fake kernel (fake marker)", file=log, flush=True)
            sys.exit(3)
        tokens = [t + 1 for t in tokens]
        answer({"tokens": tokens, "device_s": 0.125})
    elif cmd == "roofline":
        answer({"memory_bandwidth_gbs": 3000.5, "gemm_gflops": 750000.25, "device": "fake:0 Fake Accelerator bf16",
                "method": "fake worker: scripted ceilings"})
    elif cmd == "end_batch":
        tokens = []
        answer({"ok": True})
    elif cmd == "shutdown":
        answer({"ok": True})
        if behaviour == "ignore-shutdown":
            sleep_forever()
        sys.exit(0)
    else:
        answer({"error": f"unknown cmd {cmd!r}"})
