#!/usr/bin/env python3
"""SiliconBench reference worker: a Llama-style decoder in plain PyTorch behind the JSON-lines protocol
of workers/PROTOCOL.md.

The model is read from a Hugging Face checkpoint directory (config.json + *.safetensors): RMSNorm, RoPE
(with llama3 or linear scaling), grouped-query attention, SwiGLU, optional q/k/v biases, tied or separate
LM head. Prompts of unequal length are left-padded with an attention mask; decoding is greedy. The KV cache
is one preallocated tensor reused from batch to batch (grown by doubling if a batch outgrows it). Each step
is timed between two device synchronizations.

Only torch is required; the `safetensors` package is used when installed, else a small reader of the format.
An optional config.json key "siliconbench_weights" (e.g. "synthetic (seed 42)") names where weights came from.
"""
import json
import math
import mmap
import os
import struct
import sys
import time
import traceback
from pathlib import Path

VERSION = "0.1.0"
PROTOCOL = 1

torch = None  # imported in main(), after stdout is claimed, so import-time prints cannot reach the protocol
F = None


def log(message):
    print(f"[worker] {message}", file=sys.stderr, flush=True)


def claim_stdout():
    """Returns a private stream for protocol lines and points fd 1 and sys.stdout at stderr."""
    protocol_out = os.fdopen(os.dup(1), "w", encoding="utf-8", buffering=1)
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    return protocol_out


# ---------------------------------------------------------------------------------------------- devices

def framework_text():
    text = f"torch {torch.__version__}"
    if getattr(torch.version, "hip", None):
        text += f", hip {torch.version.hip}"
    elif torch.version.cuda:
        text += f", cuda {torch.version.cuda}"
    return text


def list_devices():
    devices = ["cpu"]
    if torch.cuda.is_available():
        for i in range(torch.cuda.device_count()):
            devices.append(f"cuda:{i} ({torch.cuda.get_device_name(i)})")
    if hasattr(torch, "xpu") and torch.xpu.is_available():
        for i in range(torch.xpu.device_count()):
            devices.append(f"xpu:{i} ({torch.xpu.get_device_name(i)})")
    if torch.backends.mps.is_available():
        devices.append("mps")
    return devices


def resolve_device(name):
    kind, _, index = name.lower().partition(":")
    if kind in ("rocm", "hip"):
        # ROCm builds of torch expose AMD GPUs through the cuda API.
        if not getattr(torch.version, "hip", None):
            raise ValueError(f"device {name!r}: this torch build has no ROCm support")
        kind = "cuda"
    available = {
        "cpu": lambda: True,
        "cuda": torch.cuda.is_available,
        "xpu": lambda: hasattr(torch, "xpu") and torch.xpu.is_available(),
        "mps": torch.backends.mps.is_available,
    }
    if kind not in available:
        raise ValueError(f"device {name!r}: this worker knows cpu, cuda, rocm (hip), xpu, mps")
    if not available[kind]():
        raise ValueError(f"device {name!r} is not available to torch ({framework_text()})")
    return torch.device("cpu") if kind == "cpu" else torch.device(kind, int(index) if index else 0)


def synchronize(device):
    if device.type == "cuda":
        torch.cuda.synchronize(device)
    elif device.type == "xpu":
        torch.xpu.synchronize(device)
    elif device.type == "mps":
        torch.mps.synchronize()


def resolve_dtype(name, device):
    dtypes = {"bf16": torch.bfloat16, "fp16": torch.float16, "fp32": torch.float32}
    if name is None:
        if device.type == "cpu":
            return "fp32", torch.float32
        if device.type == "cuda" and not torch.cuda.is_bf16_supported():
            return "fp16", torch.float16
        return ("fp16", torch.float16) if device.type == "mps" else ("bf16", torch.bfloat16)
    if name not in dtypes:
        raise ValueError(f"dtype {name!r}: this worker knows {', '.join(dtypes)}")
    return name, dtypes[name]


def dtype_name(dtype):
    return {torch.bfloat16: "bf16", torch.float16: "fp16", torch.float32: "fp32"}.get(dtype, str(dtype).replace("torch.", ""))


# ------------------------------------------------------------------------------------------ checkpoint

def buffer_bytes_text(request):
    return f"{int(request.get('bytes', 1 << 30)) / (1 << 30):.2f} GiB"


def read_safetensors(path):
    """Reads one .safetensors file without the safetensors package: an 8-byte little-endian header length,
    a JSON header {name: {dtype, shape, data_offsets}}, then the raw little-endian data."""
    dtypes = {"F64": torch.float64, "F32": torch.float32, "F16": torch.float16, "BF16": torch.bfloat16,
              "I64": torch.int64, "I32": torch.int32, "I16": torch.int16, "I8": torch.int8,
              "U8": torch.uint8, "BOOL": torch.bool}
    with open(path, "rb") as f:
        (header_len,) = struct.unpack("<Q", f.read(8))
        header = json.loads(f.read(header_len))
        # Copy-on-write map: tensors view the file without reading it all, and stay writable for torch.
        data = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_COPY)
    base = 8 + header_len
    tensors = {}
    for name, meta in header.items():
        if name == "__metadata__":
            continue
        dtype = dtypes[meta["dtype"]]
        begin, end = meta["data_offsets"]
        count = (end - begin) // torch.empty(0, dtype=dtype).element_size()
        flat = torch.frombuffer(data, dtype=dtype, count=count, offset=base + begin) if count else torch.empty(0, dtype=dtype)
        tensors[name] = flat.reshape(meta["shape"])
    return tensors


def load_checkpoint(model_dir):
    files = sorted(Path(model_dir).glob("*.safetensors"))
    if not files:
        raise FileNotFoundError(f"no *.safetensors in {model_dir}")
    try:
        from safetensors.torch import load_file
    except ImportError:
        load_file = None
    tensors = {}
    for path in files:
        log(f"reading {path.name}")
        tensors.update(load_file(str(path)) if load_file else read_safetensors(path))
    return tensors


# ------------------------------------------------------------------------------------------ model math

def rms_norm(x, weight, eps):
    xf = x.float()
    xf = xf * torch.rsqrt(xf.pow(2).mean(-1, keepdim=True) + eps)
    return weight * xf.to(x.dtype)


def rope_inverse_frequencies(config, head_dim):
    theta = config.get("rope_theta", 10000.0)
    inv = 1.0 / theta ** (torch.arange(0, head_dim, 2, dtype=torch.float64) / head_dim)
    scaling = config.get("rope_scaling") or {}
    kind = scaling.get("rope_type", scaling.get("type"))
    if kind == "llama3":
        factor = scaling["factor"]
        low, high = scaling.get("low_freq_factor", 1.0), scaling.get("high_freq_factor", 4.0)
        original = scaling["original_max_position_embeddings"]
        wavelength = 2 * math.pi / inv
        smooth = (original / wavelength - low) / (high - low)
        scaled = torch.where(wavelength > original / low, inv / factor, inv)
        medium = (wavelength <= original / low) & (wavelength >= original / high)
        inv = torch.where(medium, (1 - smooth) * inv / factor + smooth * inv, scaled)
    elif kind == "linear":
        inv = inv / scaling["factor"]
    elif kind not in (None, "default"):
        log(f"rope_scaling type {kind!r} is not implemented; using unscaled RoPE (timings are unaffected)")
    return inv.float()


def rotary_tables(positions, inv_freq, dtype):
    """cos and sin for positions [B, L], shaped [B, 1, L, head_dim] to broadcast over heads."""
    freqs = positions[..., None].float() * inv_freq
    angles = torch.cat((freqs, freqs), dim=-1)
    return angles.cos().to(dtype)[:, None], angles.sin().to(dtype)[:, None]


def apply_rotary(x, cos, sin):
    half = x.shape[-1] // 2
    return x * cos + torch.cat((-x[..., half:], x[..., :half]), dim=-1) * sin


def sdpa_supports_gqa():
    try:
        q, k = torch.zeros(1, 2, 1, 4), torch.zeros(1, 1, 1, 4)
        F.scaled_dot_product_attention(q, k, k, enable_gqa=True)
        return True
    except (TypeError, RuntimeError):
        return False


def attend(q, k, v, mask, causal, gqa_native):
    """q [B, H, L, D]; k, v [B, KV, T, D]; mask [B, 1, L, T] (True = attend) or None."""
    if gqa_native:
        return F.scaled_dot_product_attention(q, k, v, attn_mask=mask, is_causal=causal and mask is None, enable_gqa=True)
    b, h, l, d = q.shape
    groups, t = k.shape[1], k.shape[2]
    rep = h // groups
    if causal and mask is None:
        mask = torch.ones(l, t, dtype=torch.bool, device=q.device).tril(t - l)[None, None]
    # Fold each group's query heads into the query length, so K and V are read once per group, never copied.
    q = q.reshape(b, groups, rep * l, d)
    if mask is not None:
        mask = mask.expand(b, 1, l, t).unsqueeze(2).expand(b, 1, rep, l, t).reshape(b, 1, rep * l, t)
    return F.scaled_dot_product_attention(q, k, v, attn_mask=mask).reshape(b, h, l, d)


class Layer:
    pass


class KvCache:
    """Keys and values of every layer in one tensor [layers, batch, kv_heads, slots, head_dim] each, kept
    across batches; slot s holds the token at left-padded position s of every sequence."""

    def __init__(self, layers, kv_heads, head_dim, dtype, device):
        self.shape_tail = (kv_heads, head_dim)
        self.layers, self.dtype, self.device = layers, dtype, device
        self.k = self.v = None

    def ensure(self, batch, slots, keep):
        """Makes room for `batch` sequences of `slots` slots, keeping the first `keep` slots' contents."""
        old_batch = 0 if self.k is None else self.k.shape[1]
        old_slots = 0 if self.k is None else self.k.shape[3]
        if batch <= old_batch and slots <= old_slots:
            return
        # Doubling makes growth amortized O(1) per token; multiples of 256 keep shapes few.
        new_slots = old_slots if slots <= old_slots else max(slots, 2 * old_slots)
        new_slots = -(-new_slots // 256) * 256
        kv_heads, head_dim = self.shape_tail
        shape = (self.layers, max(batch, old_batch), kv_heads, new_slots, head_dim)
        k = torch.empty(shape, dtype=self.dtype, device=self.device)
        v = torch.empty(shape, dtype=self.dtype, device=self.device)
        if keep:
            k[:, :batch, :, :keep] = self.k[:, :batch, :, :keep]
            v[:, :batch, :, :keep] = self.v[:, :batch, :, :keep]
        self.k, self.v = k, v


class Llama:
    def __init__(self, config, tensors, device, dtype):
        self.hidden = config["hidden_size"]
        self.heads = config["num_attention_heads"]
        self.kv_heads = config.get("num_key_value_heads") or self.heads
        self.head_dim = config.get("head_dim") or self.hidden // self.heads
        self.intermediate = config["intermediate_size"]
        self.vocab = config["vocab_size"]
        self.eps = config.get("rms_norm_eps", 1e-6)
        self.dtype, self.device = dtype, device
        self.parameters = 0
        embed = tensors.get("model.embed_tokens.weight")
        self.checkpoint_dtype = dtype_name(embed.dtype) if embed is not None else "unknown"

        def take(name, required=True):
            tensor = tensors.pop(name, None)
            if tensor is None:
                if required:
                    raise KeyError(f"checkpoint lacks tensor {name}")
                return None
            self.parameters += tensor.numel()
            return tensor.to(device=device, dtype=dtype)

        self.embed = take("model.embed_tokens.weight")
        self.layers = []
        for i in range(config["num_hidden_layers"]):
            p = f"model.layers.{i}"
            layer = Layer()
            layer.attn_norm = take(f"{p}.input_layernorm.weight")
            layer.mlp_norm = take(f"{p}.post_attention_layernorm.weight")
            # Fused projections: one GEMM for q, k, v and one for gate, up (fewer kernel launches per step).
            layer.wqkv = torch.cat([take(f"{p}.self_attn.{n}_proj.weight") for n in "qkv"])
            biases = [take(f"{p}.self_attn.{n}_proj.bias", required=False) for n in "qkv"]
            layer.bqkv = torch.cat(biases) if all(b is not None for b in biases) else None
            layer.wo = take(f"{p}.self_attn.o_proj.weight")
            layer.wgu = torch.cat([take(f"{p}.mlp.gate_proj.weight"), take(f"{p}.mlp.up_proj.weight")])
            layer.wdown = take(f"{p}.mlp.down_proj.weight")
            self.layers.append(layer)
        self.norm = take("model.norm.weight")
        self.lm_head = take("lm_head.weight", required=not config.get("tie_word_embeddings", False))
        if self.lm_head is None:
            self.lm_head = self.embed
        self.inv_freq = rope_inverse_frequencies(config, self.head_dim).to(device)
        self.cache = KvCache(len(self.layers), self.kv_heads, self.head_dim, dtype, device)
        self.gqa_native = sdpa_supports_gqa()

    def forward(self, ids, positions, mask, start, causal):
        """ids, positions [B, L]; writes K/V to slots start..start+L-1, attends to slots 0..start+L-1 and
        returns the logits of the last position [B, vocab]."""
        b, l = ids.shape
        end = start + l
        hd, q_width, kv_width = self.head_dim, self.heads * self.head_dim, self.kv_heads * self.head_dim
        cos, sin = rotary_tables(positions, self.inv_freq, self.dtype)
        x = F.embedding(ids, self.embed)
        for i, layer in enumerate(self.layers):
            h = rms_norm(x, layer.attn_norm, self.eps)
            q, k, v = F.linear(h, layer.wqkv, layer.bqkv).split([q_width, kv_width, kv_width], dim=-1)
            q = apply_rotary(q.view(b, l, self.heads, hd).transpose(1, 2), cos, sin)
            k = apply_rotary(k.view(b, l, self.kv_heads, hd).transpose(1, 2), cos, sin)
            k_cache, v_cache = self.cache.k[i, :b], self.cache.v[i, :b]
            k_cache[:, :, start:end] = k
            v_cache[:, :, start:end] = v.view(b, l, self.kv_heads, hd).transpose(1, 2)
            a = attend(q, k_cache[:, :, :end], v_cache[:, :, :end], mask, causal, self.gqa_native)
            x = x + F.linear(a.transpose(1, 2).reshape(b, l, q_width), layer.wo)
            gate, up = F.linear(rms_norm(x, layer.mlp_norm, self.eps), layer.wgu).chunk(2, dim=-1)
            x = x + F.linear(F.silu(gate) * up, layer.wdown)
        return F.linear(rms_norm(x[:, -1], self.norm, self.eps), self.lm_head)


# ------------------------------------------------------------------------------------------ the worker

class Worker:
    def __init__(self):
        self.model = None
        self.device = None
        self.batch = None  # (pad [B] on device, any_pad, slots used, last tokens [B, 1])

    def hello(self, request):
        return {"worker": "pytorch-reference", "version": VERSION, "protocol": PROTOCOL,
                "framework": framework_text(), "devices": list_devices()}

    def load(self, request):
        model_dir = request["model_dir"]
        config = json.loads((Path(model_dir) / "config.json").read_text())
        device = resolve_device(request["device"])
        dtype_text, dtype = resolve_dtype(request.get("dtype"), device)
        torch.manual_seed(request.get("seed", 0))
        self.model = self.batch = None
        model = Llama(config, load_checkpoint(model_dir), device, dtype)
        synchronize(device)
        self.model, self.device = model, device
        element = torch.empty(0, dtype=dtype).element_size()
        first = model.layers[0]
        q_width, kv_width = model.heads * model.head_dim, model.kv_heads * model.head_dim
        log(f"loaded {model.parameters:,} parameters on {device} as {dtype_text}")
        return {"device": str(device), "model": {
            "name": Path(config.get("_name_or_path") or model_dir).name or Path(model_dir).name,
            "architecture": config.get("model_type", "llama"),
            "parameters": model.parameters,
            "weight_bytes": model.parameters * element,
            "kv_bytes_per_token": 2 * len(model.layers) * model.kv_heads * model.head_dim * element,
            "dtype": dtype_text,
            "checkpoint_dtype": model.checkpoint_dtype,
            "weights": config.get("siliconbench_weights") or f"checkpoint {model_dir}",
            "layers": len(model.layers), "hidden_size": model.hidden, "intermediate_size": model.intermediate,
            "heads": model.heads, "kv_heads": model.kv_heads, "head_dim": model.head_dim, "vocab_size": model.vocab,
            "layer_shapes": {
                "q_proj": [q_width, model.hidden], "k_proj": [kv_width, model.hidden], "v_proj": [kv_width, model.hidden],
                "o_proj": [model.hidden, q_width], "gate_proj": [model.intermediate, model.hidden],
                "up_proj": [model.intermediate, model.hidden], "down_proj": [model.hidden, model.intermediate]}}}

    def prefill(self, request):
        model = self.require_model()
        prompts = request["prompts"]
        if not prompts or any(len(p) == 0 for p in prompts):
            raise ValueError("prefill needs at least one prompt and no empty prompt")
        for p in prompts:
            if min(p) < 0 or max(p) >= model.vocab:
                raise ValueError(f"token ids must lie in [0, {model.vocab}); got {min(p)}..{max(p)}")
        self.batch = None
        b, l = len(prompts), max(len(p) for p in prompts)
        pads = [l - len(p) for p in prompts]
        ids = torch.tensor([[0] * pad + p for pad, p in zip(pads, prompts)], dtype=torch.long)

        synchronize(self.device)
        started = time.perf_counter()
        ids = ids.to(self.device)
        pad = torch.tensor(pads, dtype=torch.long, device=self.device)
        slots = torch.arange(l, device=self.device)
        positions = (slots[None, :] - pad[:, None]).clamp(min=0)
        any_pad = max(pads) > 0
        mask = None
        if any_pad:
            query, key = slots[:, None], slots[None, :]
            # A pad row attends to itself only, so no row is fully masked (which would give NaN).
            real = (key[None] >= pad[:, None, None]) | (key == query)[None]
            mask = ((key <= query)[None] & real)[:, None]
        model.cache.ensure(b, l + 512, keep=0)
        tokens = model.forward(ids, positions, mask, start=0, causal=True).argmax(dim=-1)
        synchronize(self.device)
        elapsed = time.perf_counter() - started

        self.batch = (pad, any_pad, l, tokens[:, None])
        return {"tokens": tokens.tolist(), "device_s": elapsed}

    def decode(self, request):
        model = self.require_model()
        if self.batch is None:
            raise RuntimeError("decode without a batch: send prefill first")
        pad, any_pad, used, last = self.batch
        b = last.shape[0]

        synchronize(self.device)
        started = time.perf_counter()
        model.cache.ensure(b, used + 1, keep=used)
        positions = (used - pad)[:, None]
        mask = None
        if any_pad:
            mask = (torch.arange(used + 1, device=self.device)[None, :] >= pad[:, None])[:, None, None, :]
        tokens = model.forward(last, positions, mask, start=used, causal=False).argmax(dim=-1)
        synchronize(self.device)
        elapsed = time.perf_counter() - started

        self.batch = (pad, any_pad, used + 1, tokens[:, None])
        return {"tokens": tokens.tolist(), "device_s": elapsed}

    def end_batch(self, request):
        self.batch = None
        return {"ok": True}

    def roofline(self, request):
        """Device ceilings for the roofline: streaming-read bandwidth of device memory and dense GEMM throughput,
        each the best of several synchronized repetitions on the loaded model's device and dtype."""
        model = self.require_model()
        device, dtype = self.device, model.dtype
        repetitions = int(request.get("repetitions", 10))
        element = torch.empty(0, dtype=dtype).element_size()
        buffer = torch.ones(int(request.get("bytes", 1 << 30)) // element, dtype=dtype, device=device)
        n = int(request.get("gemm_n", 8192 if device.type != "cpu" else 2048))
        a = torch.randn(n, n, dtype=dtype, device=device)
        b = torch.randn(n, n, dtype=dtype, device=device)

        def best(run):
            run()
            synchronize(device)
            times = []
            for _ in range(repetitions):
                started = time.perf_counter()
                run()
                synchronize(device)
                times.append(time.perf_counter() - started)
            return min(times)

        # A sum reads every byte once and writes almost nothing: the read bandwidth decode streams weights at.
        read_s = best(lambda: buffer.sum(dtype=torch.float32))
        gemm_s = best(lambda: torch.mm(a, b))
        bandwidth = buffer.numel() * element / read_s / 1e9
        gflops = 2.0 * n * n * n / gemm_s / 1e9
        del buffer, a, b
        name = torch.cuda.get_device_name(device) if device.type == "cuda" else str(device)
        return {"memory_bandwidth_gbs": bandwidth, "gemm_gflops": gflops,
                "device": f"{device} {name} {dtype_name(dtype)}",
                "method": (f"torch: sum over a {buffer_bytes_text(request)} buffer (read bandwidth) and mm {n}x{n}x{n}, "
                           f"best of {repetitions} synchronized runs after 1 warm-up; {framework_text()}")}

    def shutdown(self, request):
        return {"ok": True}

    def require_model(self):
        if self.model is None:
            raise RuntimeError("no model loaded: send load first")
        return self.model


def main():
    global torch, F
    protocol_out = claim_stdout()
    import_error = None
    try:
        import torch as torch_module
        import torch.nn.functional as functional
        torch, F = torch_module, functional
    except ImportError as e:
        import_error = f"cannot import torch: {e}"
        log(import_error)

    worker = Worker()
    commands = {"hello": worker.hello, "load": worker.load, "prefill": worker.prefill,
                "decode": worker.decode, "end_batch": worker.end_batch, "roofline": worker.roofline,
                "shutdown": worker.shutdown}
    for line in iter(sys.stdin.readline, ""):
        if not line.strip():
            continue
        command = None
        try:
            request = json.loads(line)
            command = request.get("cmd")
            if command not in commands:
                raise ValueError(f"unknown cmd {command!r}")
            if import_error and command != "shutdown":
                raise RuntimeError(import_error)
            if torch is None:
                response = commands[command](request)
            else:
                with torch.inference_mode():
                    response = commands[command](request)
        except Exception as e:  # every failure becomes an error answer; the worker stays ready
            traceback.print_exc(file=sys.stderr)
            response = {"error": f"{type(e).__name__}: {e}"}
        protocol_out.write(json.dumps(response) + "\n")
        protocol_out.flush()
        if command == "shutdown":
            break


if __name__ == "__main__":
    main()
