"""Reference logits for the engine's Llama sequence classifier, computed by PyTorch.

Builds tiny random LlamaForSequenceClassification models with the maths of Hugging
Face `transformers` (modeling_llama.py, eager attention, eval mode), written out here
because `transformers` cannot be installed on this machine. For each model it writes,
under reference/<name>/:
  config.json        HF LlamaConfig
  model.safetensors  HF parameter names, float32
  expected.json      input_ids, attention_mask and the logits; a per-layer key/value
                     prefix (prefix tuning's past_key_values) and the logits with it

Two models: `llama` (grouped-query attention, plain rotary embeddings) and
`llama-rope-llama3` (the same with Llama 3.1/3.2's `rope_scaling: {rope_type: llama3}`,
its original context set tiny so every frequency band of the scaling is exercised).

Run with Debian's torch:  /usr/bin/python3 packages/engine/test-fixtures/make_llama_reference.py
"""
import json
import math
import os

import torch
import torch.nn.functional as F

from make_reference import write_safetensors

HERE = os.path.dirname(os.path.abspath(__file__))
VOCAB, HIDDEN, LAYERS, HEADS, KV_HEADS, INTERMEDIATE, LABELS, PAD = 100, 32, 2, 4, 2, 64, 5, 0


def llama_config(rope_scaling):
    return {
        "model_type": "llama", "architectures": ["LlamaForSequenceClassification"],
        "vocab_size": VOCAB, "hidden_size": HIDDEN, "intermediate_size": INTERMEDIATE,
        "num_hidden_layers": LAYERS, "num_attention_heads": HEADS, "num_key_value_heads": KV_HEADS,
        "hidden_act": "silu", "max_position_embeddings": 64, "initializer_range": 0.02,
        "rms_norm_eps": 1e-6, "rope_theta": 500.0, "rope_scaling": rope_scaling,
        "attention_bias": False, "attention_dropout": 0.0, "mlp_bias": False,
        "tie_word_embeddings": False, "pad_token_id": PAD, "bos_token_id": 1, "eos_token_id": 2,
        "id2label": {str(i): f"LABEL_{i}" for i in range(LABELS)},
        "label2id": {f"LABEL_{i}": i for i in range(LABELS)},
    }


def shapes(config):
    h, i = config["hidden_size"], config["intermediate_size"]
    head_dim = h // config["num_attention_heads"]
    kv = config["num_key_value_heads"] * head_dim
    result = {"model.embed_tokens.weight": (VOCAB, h), "model.norm.weight": (h,), "score.weight": (LABELS, h)}
    for n in range(config["num_hidden_layers"]):
        layer = f"model.layers.{n}"
        result.update({
            f"{layer}.self_attn.q_proj.weight": (h, h), f"{layer}.self_attn.k_proj.weight": (kv, h),
            f"{layer}.self_attn.v_proj.weight": (kv, h), f"{layer}.self_attn.o_proj.weight": (h, h),
            f"{layer}.mlp.gate_proj.weight": (i, h), f"{layer}.mlp.up_proj.weight": (i, h),
            f"{layer}.mlp.down_proj.weight": (h, i),
            f"{layer}.input_layernorm.weight": (h,), f"{layer}.post_attention_layernorm.weight": (h,),
        })
    return result


def random_weights(shapes, generator):
    """Every tensor random, norms included, so a wrong name or a swapped projection shows in the logits."""
    return {name: (1 + 0.2 * torch.randn(shape, generator=generator)) if name.endswith("norm.weight")
            else 0.2 * torch.randn(shape, generator=generator) for name, shape in shapes.items()}


def inverse_frequencies(config, head_dim):
    """LlamaRotaryEmbedding's inv_freq: _compute_default_rope_parameters, or _compute_llama3_parameters."""
    inv_freq = 1.0 / (config["rope_theta"] ** (torch.arange(0, head_dim, 2, dtype=torch.int64).float() / head_dim))
    scaling = config["rope_scaling"]
    if scaling is None:
        return inv_freq
    factor, low, high = scaling["factor"], scaling["low_freq_factor"], scaling["high_freq_factor"]
    old_context = scaling["original_max_position_embeddings"]
    low_freq_wavelen, high_freq_wavelen = old_context / low, old_context / high
    wavelen = 2 * math.pi / inv_freq
    inv_freq_llama = torch.where(wavelen > low_freq_wavelen, inv_freq / factor, inv_freq)
    smooth = (old_context / wavelen - low) / (high - low)
    smoothed = (1 - smooth) * inv_freq_llama / factor + smooth * inv_freq_llama
    is_medium = ~(wavelen < high_freq_wavelen) * ~(wavelen > low_freq_wavelen)
    return torch.where(is_medium, smoothed, inv_freq_llama)


def rotate_half(x):
    x1, x2 = x[..., : x.shape[-1] // 2], x[..., x.shape[-1] // 2:]
    return torch.cat((-x2, x1), dim=-1)


def rms_norm(x, weight, eps):
    variance = x.pow(2).mean(-1, keepdim=True)
    return weight * (x * torch.rsqrt(variance + eps))


def llama_logits(w, config, input_ids, mask, prefix=None):
    """`prefix`: per layer a (key, value) pair [kv_heads, P, head_dim], passed as past_key_values (PEFT prefix tuning)."""
    b, s = input_ids.shape
    h, heads, kv_heads = config["hidden_size"], config["num_attention_heads"], config["num_key_value_heads"]
    d = h // heads
    eps = config["rms_norm_eps"]
    p = 0 if prefix is None else prefix[0][0].shape[1]
    # LlamaModel without position_ids: positions are P..P+s-1 (cache_position) whatever the padding.
    position_ids = torch.arange(p, p + s)[None, :].expand(b, s)
    freqs = (inverse_frequencies(config, d)[None, :, None] @ position_ids[:, None, :].float()).transpose(1, 2)
    emb = torch.cat((freqs, freqs), dim=-1)
    cos, sin = emb.cos()[:, None], emb.sin()[:, None]  # [b, 1, s, d]
    # _update_causal_mask: causal, and no attention to padding keys; PEFT prepends P ones to the
    # attention mask, so every query sees the whole prefix.
    min_value = torch.finfo(torch.float32).min
    allowed = torch.tril(torch.ones(s, s, dtype=torch.bool))[None, None] & mask.bool()[:, None, None, :]
    allowed = torch.cat((torch.ones(b, 1, s, p, dtype=torch.bool), allowed), dim=-1)
    attention_mask = torch.zeros(b, 1, s, p + s).masked_fill(~allowed, min_value)

    x = w["model.embed_tokens.weight"][input_ids]
    for n in range(config["num_hidden_layers"]):
        layer = f"model.layers.{n}"
        a = f"{layer}.self_attn"
        residual = x
        x = rms_norm(x, w[f"{layer}.input_layernorm.weight"], eps)
        q = F.linear(x, w[f"{a}.q_proj.weight"]).view(b, s, heads, d).transpose(1, 2)
        k = F.linear(x, w[f"{a}.k_proj.weight"]).view(b, s, kv_heads, d).transpose(1, 2)
        v = F.linear(x, w[f"{a}.v_proj.weight"]).view(b, s, kv_heads, d).transpose(1, 2)
        q, k = q * cos + rotate_half(q) * sin, k * cos + rotate_half(k) * sin
        if prefix is not None:  # cached keys are used as they are: no rotary on the prefix
            k = torch.cat((prefix[n][0].expand(b, -1, -1, -1), k), dim=2)
            v = torch.cat((prefix[n][1].expand(b, -1, -1, -1), v), dim=2)
        # repeat_kv: query head j reads key/value head j // (heads / kv_heads).
        k = k.repeat_interleave(heads // kv_heads, dim=1)
        v = v.repeat_interleave(heads // kv_heads, dim=1)
        scores = q @ k.transpose(2, 3) * d ** -0.5 + attention_mask
        attended = (scores.softmax(-1) @ v).transpose(1, 2).reshape(b, s, h)
        x = residual + F.linear(attended, w[f"{a}.o_proj.weight"])
        residual = x
        x = rms_norm(x, w[f"{layer}.post_attention_layernorm.weight"], eps)
        m = f"{layer}.mlp"
        inner = F.silu(F.linear(x, w[f"{m}.gate_proj.weight"])) * F.linear(x, w[f"{m}.up_proj.weight"])
        x = residual + F.linear(inner, w[f"{m}.down_proj.weight"])
    x = rms_norm(x, w["model.norm.weight"], eps)
    logits = F.linear(x, w["score.weight"])  # [b, s, labels]: the head scores every position

    # LlamaForSequenceClassification (transformers >= 4.48): the last token that is not padding.
    non_pad = (input_ids != config["pad_token_id"]).int()
    last_non_pad = (torch.arange(s) * non_pad).argmax(-1)
    # Older releases: one before the first pad token, modulo s for rows without padding.
    first_pad_minus_one = (torch.eq(input_ids, config["pad_token_id"]).int().argmax(-1) - 1) % s
    # The engine reads the last position whose attention_mask is 1.
    last_attended = (torch.arange(s) * mask.int()).argmax(-1)
    assert torch.equal(last_non_pad, last_attended) and torch.equal(first_pad_minus_one, last_attended)
    return logits[torch.arange(b), last_non_pad]


def make(name, config, seed):
    generator = torch.Generator().manual_seed(seed)
    weights = random_weights(shapes(config), generator)
    # Four sequences of length 7: rows 1 and 2 padded on the right, row 3 on the left
    # (only left padding shows whether attention ignores padding keys: causality hides right padding).
    input_ids = torch.randint(3, VOCAB, (4, 7), generator=generator)
    mask = torch.ones(4, 7)
    mask[1, 5:] = 0
    mask[2, 2:] = 0
    mask[3, :3] = 0
    input_ids[mask == 0] = config["pad_token_id"]
    # A 3-position attention prefix per layer, as prefix tuning feeds it through past_key_values.
    head_dim = config["hidden_size"] // config["num_attention_heads"]
    prefix = [(torch.randn(config["num_key_value_heads"], 3, head_dim, generator=generator),
               torch.randn(config["num_key_value_heads"], 3, head_dim, generator=generator)) for _ in range(LAYERS)]
    with torch.no_grad():
        logits = llama_logits(weights, config, input_ids, mask)
        prefix_logits = llama_logits(weights, config, input_ids, mask, prefix)
    out_dir = os.path.join(HERE, "reference", name)
    os.makedirs(out_dir, exist_ok=True)
    with open(os.path.join(out_dir, "config.json"), "w") as f:
        json.dump(config, f, indent=2)
    write_safetensors(os.path.join(out_dir, "model.safetensors"), weights)
    with open(os.path.join(out_dir, "expected.json"), "w") as f:
        json.dump({"input_ids": input_ids.tolist(), "attention_mask": mask.int().tolist(),
                   "logits": [[round(v, 7) for v in row] for row in logits.tolist()],
                   "prefix": [{"key": k.tolist(), "value": v.tolist()} for k, v in prefix],
                   "prefix_logits": [[round(v, 7) for v in row] for row in prefix_logits.tolist()]}, f, indent=1)


def main():
    torch.manual_seed(0)
    make("llama", llama_config(None), seed=11)
    # Wavelengths of the 4 frequency pairs (head_dim 8, theta 500): 6.3, 30, 140, 660; with an original
    # context of 64 and factors 1 / 4 the bands are <16 (kept), 16..64 (smoothed) and >64 (divided by 8).
    make("llama-rope-llama3", llama_config({"rope_type": "llama3", "factor": 8.0, "low_freq_factor": 1.0,
                                            "high_freq_factor": 4.0, "original_max_position_embeddings": 64}), seed=12)


if __name__ == "__main__":
    main()
