"""Reference logits for the engine's encoder models, computed by PyTorch.

Builds tiny random BERT, RoBERTa and DistilBERT sequence classifiers with the same
maths as Hugging Face `transformers` (modeling_bert.py, modeling_roberta.py,
modeling_distilbert.py), written out here because `transformers` cannot be
installed on this machine. For each model it writes, under reference/<model_type>/:
  config.json        HF config
  model.safetensors  HF parameter names, float32
  expected.json      input_ids, attention_mask and the eval-mode logits

Run with Debian's torch:  /usr/bin/python3 packages/engine/test-fixtures/make_reference.py
"""
import json
import math
import os
import struct

import torch
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
VOCAB, HIDDEN, LAYERS, HEADS, INTERMEDIATE, LABELS = 40, 16, 2, 2, 32, 5


def bert_config(model_type, pad_token_id, max_positions, type_vocab_size):
    return {
        "model_type": model_type, "architectures": [f"{model_type.capitalize()}ForSequenceClassification"],
        "vocab_size": VOCAB, "hidden_size": HIDDEN, "num_hidden_layers": LAYERS,
        "num_attention_heads": HEADS, "intermediate_size": INTERMEDIATE, "hidden_act": "gelu",
        "hidden_dropout_prob": 0.1, "attention_probs_dropout_prob": 0.1,
        "max_position_embeddings": max_positions, "type_vocab_size": type_vocab_size,
        "initializer_range": 0.02, "layer_norm_eps": 1e-12, "pad_token_id": pad_token_id,
        "classifier_dropout": None,
        "id2label": {str(i): f"LABEL_{i}" for i in range(LABELS)},
        "label2id": {f"LABEL_{i}": i for i in range(LABELS)},
    }


DISTILBERT_CONFIG = {
    "model_type": "distilbert", "architectures": ["DistilBertForSequenceClassification"],
    "vocab_size": VOCAB, "dim": HIDDEN, "n_layers": LAYERS, "n_heads": HEADS, "hidden_dim": INTERMEDIATE,
    "activation": "gelu", "dropout": 0.1, "attention_dropout": 0.1, "max_position_embeddings": 24,
    "sinusoidal_pos_embds": False, "initializer_range": 0.02, "qa_dropout": 0.1,
    "seq_classif_dropout": 0.2, "pad_token_id": 0,
    "id2label": {str(i): f"LABEL_{i}" for i in range(LABELS)},
    "label2id": {f"LABEL_{i}": i for i in range(LABELS)},
}


def random_weights(shapes, generator):
    """Every tensor random, LayerNorm included, so a wrong name or a skipped bias shows in the logits."""
    weights = {}
    for name, shape in shapes.items():
        if name.endswith("LayerNorm.weight") or name.endswith("layer_norm.weight"):
            weights[name] = 1 + 0.2 * torch.randn(shape, generator=generator)
        else:
            weights[name] = 0.3 * torch.randn(shape, generator=generator)
    return weights


def linear_shapes(name, n_in, n_out):
    return {f"{name}.weight": (n_out, n_in), f"{name}.bias": (n_out,)}


def layer_norm_shapes(name, size):
    return {f"{name}.weight": (size,), f"{name}.bias": (size,)}


def bert_shapes(prefix, config, with_pooler):
    h, i = config["hidden_size"], config["intermediate_size"]
    shapes = {
        f"{prefix}.embeddings.word_embeddings.weight": (VOCAB, h),
        f"{prefix}.embeddings.position_embeddings.weight": (config["max_position_embeddings"], h),
        f"{prefix}.embeddings.token_type_embeddings.weight": (config["type_vocab_size"], h),
        **layer_norm_shapes(f"{prefix}.embeddings.LayerNorm", h),
    }
    for n in range(LAYERS):
        layer = f"{prefix}.encoder.layer.{n}"
        for part in ("query", "key", "value"):
            shapes.update(linear_shapes(f"{layer}.attention.self.{part}", h, h))
        shapes.update(linear_shapes(f"{layer}.attention.output.dense", h, h))
        shapes.update(layer_norm_shapes(f"{layer}.attention.output.LayerNorm", h))
        shapes.update(linear_shapes(f"{layer}.intermediate.dense", h, i))
        shapes.update(linear_shapes(f"{layer}.output.dense", i, h))
        shapes.update(layer_norm_shapes(f"{layer}.output.LayerNorm", h))
    if with_pooler:
        shapes.update(linear_shapes(f"{prefix}.pooler.dense", h, h))
    return shapes


def gelu(x):
    return F.gelu(x)  # erf form, as HF's "gelu"


def attention(x, mask, q, k, v, heads):
    """Multi-head self-attention of modeling_bert.BertSelfAttention (eval mode)."""
    b, s, h = x.shape
    d = h // heads
    split = lambda t: t.view(b, s, heads, d).transpose(1, 2)
    scores = split(q(x)) @ split(k(x)).transpose(-1, -2) / math.sqrt(d)
    scores = scores + (1.0 - mask[:, None, None, :]) * torch.finfo(torch.float32).min
    return (scores.softmax(-1) @ split(v(x))).transpose(1, 2).reshape(b, s, h)


def linear(w, name):
    return lambda x: F.linear(x, w[f"{name}.weight"], w[f"{name}.bias"])


def layer_norm(w, name, x, eps):
    return F.layer_norm(x, x.shape[-1:], w[f"{name}.weight"], w[f"{name}.bias"], eps)


def bert_encoder(w, prefix, config, input_ids, mask, position_ids):
    eps = config["layer_norm_eps"]
    e = f"{prefix}.embeddings"
    x = w[f"{e}.word_embeddings.weight"][input_ids] + w[f"{e}.position_embeddings.weight"][position_ids] \
        + w[f"{e}.token_type_embeddings.weight"][torch.zeros_like(input_ids)]
    x = layer_norm(w, f"{e}.LayerNorm", x, eps)
    for n in range(config["num_hidden_layers"]):
        layer = f"{prefix}.encoder.layer.{n}"
        a = f"{layer}.attention"
        context = attention(x, mask, linear(w, f"{a}.self.query"), linear(w, f"{a}.self.key"),
                            linear(w, f"{a}.self.value"), config["num_attention_heads"])
        x = layer_norm(w, f"{a}.output.LayerNorm", linear(w, f"{a}.output.dense")(context) + x, eps)
        inner = gelu(linear(w, f"{layer}.intermediate.dense")(x))
        x = layer_norm(w, f"{layer}.output.LayerNorm", linear(w, f"{layer}.output.dense")(inner) + x, eps)
    return x


def bert_logits(w, config, input_ids, mask):
    position_ids = torch.arange(input_ids.shape[1])[None, :].expand_as(input_ids)
    x = bert_encoder(w, "bert", config, input_ids, mask, position_ids)
    pooled = torch.tanh(linear(w, "bert.pooler.dense")(x[:, 0]))
    return linear(w, "classifier")(pooled)


def roberta_logits(w, config, input_ids, mask):
    # modeling_roberta.create_position_ids_from_input_ids: positions count from pad_token_id + 1, padding keeps pad_token_id.
    not_pad = input_ids.ne(config["pad_token_id"]).int()
    position_ids = torch.cumsum(not_pad, dim=1) * not_pad + config["pad_token_id"]
    x = bert_encoder(w, "roberta", config, input_ids, mask, position_ids)
    head = torch.tanh(linear(w, "classifier.dense")(x[:, 0]))
    return linear(w, "classifier.out_proj")(head)


def distilbert_shapes(config):
    h, i = config["dim"], config["hidden_dim"]
    shapes = {
        "distilbert.embeddings.word_embeddings.weight": (VOCAB, h),
        "distilbert.embeddings.position_embeddings.weight": (config["max_position_embeddings"], h),
        **layer_norm_shapes("distilbert.embeddings.LayerNorm", h),
    }
    for n in range(LAYERS):
        layer = f"distilbert.transformer.layer.{n}"
        for part in ("q_lin", "k_lin", "v_lin", "out_lin"):
            shapes.update(linear_shapes(f"{layer}.attention.{part}", h, h))
        shapes.update(layer_norm_shapes(f"{layer}.sa_layer_norm", h))
        shapes.update(linear_shapes(f"{layer}.ffn.lin1", h, i))
        shapes.update(linear_shapes(f"{layer}.ffn.lin2", i, h))
        shapes.update(layer_norm_shapes(f"{layer}.output_layer_norm", h))
    shapes.update(linear_shapes("pre_classifier", h, h))
    shapes.update(linear_shapes("classifier", h, LABELS))
    return shapes


def distilbert_logits(w, config, input_ids, mask):
    eps = 1e-12  # fixed in modeling_distilbert
    positions = torch.arange(input_ids.shape[1])
    x = w["distilbert.embeddings.word_embeddings.weight"][input_ids] + w["distilbert.embeddings.position_embeddings.weight"][positions]
    x = layer_norm(w, "distilbert.embeddings.LayerNorm", x, eps)
    for n in range(config["n_layers"]):
        layer = f"distilbert.transformer.layer.{n}"
        a = f"{layer}.attention"
        context = attention(x, mask, linear(w, f"{a}.q_lin"), linear(w, f"{a}.k_lin"), linear(w, f"{a}.v_lin"), config["n_heads"])
        x = layer_norm(w, f"{layer}.sa_layer_norm", linear(w, f"{a}.out_lin")(context) + x, eps)
        inner = gelu(linear(w, f"{layer}.ffn.lin1")(x))
        x = layer_norm(w, f"{layer}.output_layer_norm", linear(w, f"{layer}.ffn.lin2")(inner) + x, eps)
    head = F.relu(linear(w, "pre_classifier")(x[:, 0]))
    return linear(w, "classifier")(head)


def write_safetensors(path, tensors):
    header, offset, chunks = {}, 0, []
    for name in sorted(tensors):
        data = tensors[name].contiguous().numpy().astype("<f4").tobytes()
        header[name] = {"dtype": "F32", "shape": list(tensors[name].shape), "data_offsets": [offset, offset + len(data)]}
        offset += len(data)
        chunks.append(data)
    header_bytes = json.dumps(header).encode()
    header_bytes += b" " * (-len(header_bytes) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(header_bytes)))
        f.write(header_bytes)
        f.writelines(chunks)


def make(model_type, config, shapes, logits_fn, pad_token_id, seed):
    generator = torch.Generator().manual_seed(seed)
    weights = random_weights(shapes, generator)
    # Three sequences of length 7; the last two are padded, so masking and (RoBERTa) position ids are exercised.
    input_ids = torch.randint(2, VOCAB, (3, 7), generator=generator)
    mask = torch.ones(3, 7)
    mask[1, 5:] = 0
    mask[2, 3:] = 0
    input_ids[mask == 0] = pad_token_id
    with torch.no_grad():
        logits = logits_fn(weights, config, input_ids, mask)
    out_dir = os.path.join(HERE, "reference", model_type)
    os.makedirs(out_dir, exist_ok=True)
    with open(os.path.join(out_dir, "config.json"), "w") as f:
        json.dump(config, f, indent=2)
    write_safetensors(os.path.join(out_dir, "model.safetensors"), weights)
    with open(os.path.join(out_dir, "expected.json"), "w") as f:
        json.dump({"input_ids": input_ids.tolist(), "attention_mask": mask.int().tolist(),
                   "logits": [[round(v, 7) for v in row] for row in logits.tolist()]}, f, indent=1)


def main():
    bert = bert_config("bert", pad_token_id=0, max_positions=24, type_vocab_size=2)
    make("bert", bert, {**bert_shapes("bert", bert, True), **linear_shapes("classifier", HIDDEN, LABELS)},
         bert_logits, pad_token_id=0, seed=1)
    # RoBERTa's position table needs pad_token_id + 1 extra rows.
    roberta = bert_config("roberta", pad_token_id=1, max_positions=26, type_vocab_size=1)
    make("roberta", roberta, {**bert_shapes("roberta", roberta, False), **linear_shapes("classifier.dense", HIDDEN, HIDDEN),
                              **linear_shapes("classifier.out_proj", HIDDEN, LABELS)},
         roberta_logits, pad_token_id=1, seed=2)
    make("distilbert", DISTILBERT_CONFIG, distilbert_shapes(DISTILBERT_CONFIG), distilbert_logits, pad_token_id=0, seed=3)


if __name__ == "__main__":
    main()
