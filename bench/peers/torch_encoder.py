"""The named peer for bench/engine-training.ts and bench/engine-inference.ts: PyTorch on the CPU.

The same model as the engine's BERT sequence classifier (modeling_bert.py maths written
in plain torch, as packages/engine/test-fixtures/make_reference.py does, because
`transformers` cannot be installed here): embeddings, post-LayerNorm encoder layers with
erf GELU, pooler (first token -> dense -> tanh), classifier; dropout in training.
Parameters are initialised as HF does (normal(0, initializer_range), zero biases,
LayerNorm weights one); LoRA A is kaiming-uniform and B zero, as PEFT does.

  train  times optimizer steps on random full-length batches, for LoRA (A/B on the
         target layers + the classifier, base frozen) and full fine-tuning (every
         parameter): forward with dropout, cross-entropy, backward, global-norm
         clipping at 1.0, AdamW, loss.item() -- the engine trainer's step.
  infer  reads {"latency": [ids, ...], "batches": [[ids, ...], ...]} on stdin (token
         ids made by the engine's tokenizer) and times eval-mode, no_grad forward +
         softmax + argmax: each latency query alone (batch 1), and each batch padded to
         its longest row.

Both repeat the measurement for every --threads count (torch.set_num_threads) and print
one JSON object on stdout. Run with Debian's /usr/bin/python3.
"""
import argparse
import json
import math
import sys
import time

import torch
import torch.nn.functional as F

LAYER_NORM_EPS = 1e-12
INITIALIZER_RANGE = 0.02
PAD_TOKEN_ID = 0
MAX_GRAD_NORM = 1.0


def linear_shapes(name, n_in, n_out):
    return {f"{name}.weight": (n_out, n_in), f"{name}.bias": (n_out,)}


def layer_norm_shapes(name, size):
    return {f"{name}.weight": (size,), f"{name}.bias": (size,)}


def bert_shapes(args):
    h = args.hidden
    shapes = {
        "bert.embeddings.word_embeddings.weight": (args.vocab, h),
        "bert.embeddings.position_embeddings.weight": (args.max_positions, h),
        "bert.embeddings.token_type_embeddings.weight": (2, h),
        **layer_norm_shapes("bert.embeddings.LayerNorm", h),
    }
    for n in range(args.layers):
        layer = f"bert.encoder.layer.{n}"
        for part in ("query", "key", "value"):
            shapes.update(linear_shapes(f"{layer}.attention.self.{part}", h, h))
        shapes.update(linear_shapes(f"{layer}.attention.output.dense", h, h))
        shapes.update(layer_norm_shapes(f"{layer}.attention.output.LayerNorm", h))
        shapes.update(linear_shapes(f"{layer}.intermediate.dense", h, args.intermediate))
        shapes.update(linear_shapes(f"{layer}.output.dense", args.intermediate, h))
        shapes.update(layer_norm_shapes(f"{layer}.output.LayerNorm", h))
    shapes.update(linear_shapes("bert.pooler.dense", h, h))
    shapes.update(linear_shapes("classifier", h, args.labels))
    return shapes


def initial_weights(args):
    weights = {}
    for name, shape in bert_shapes(args).items():
        if name.endswith("LayerNorm.weight"):
            weights[name] = torch.ones(shape)
        elif name.endswith(".bias"):
            weights[name] = torch.zeros(shape)
        else:
            weights[name] = torch.randn(shape) * INITIALIZER_RANGE
    weights["bert.embeddings.word_embeddings.weight"][PAD_TOKEN_ID] = 0  # padding_idx
    return weights


def lora_weights(args, weights):
    """A [r, in] kaiming-uniform (nn.Linear's default), B [out, r] zero, on every target layer."""
    lora = {}
    for n in range(args.layers):
        for target in args.lora_targets.split(","):
            name = f"bert.encoder.layer.{n}.attention.self.{target}"
            out_features, in_features = weights[f"{name}.weight"].shape
            bound = 1 / math.sqrt(in_features)
            lora[name] = (torch.empty(args.lora_r, in_features).uniform_(-bound, bound), torch.zeros(out_features, args.lora_r))
    return lora


class Encoder:
    """modeling_bert's BertForSequenceClassification forward over a dict of HF-named tensors."""

    def __init__(self, args, weights, lora=None):
        self.args, self.w, self.lora = args, weights, lora or {}
        self.lora_scaling = args.lora_alpha / args.lora_r

    def linear(self, name, x, training):
        y = F.linear(x, self.w[f"{name}.weight"], self.w[f"{name}.bias"])
        if name in self.lora:
            a, b = self.lora[name]
            y = y + F.linear(F.linear(x, a), b) * self.lora_scaling
        return y

    def layer_norm(self, name, x):
        return F.layer_norm(x, x.shape[-1:], self.w[f"{name}.weight"], self.w[f"{name}.bias"], LAYER_NORM_EPS)

    def dropout(self, x, training):
        return F.dropout(x, self.args.dropout, training)

    def attention(self, prefix, x, bias, training):
        b, s, h = x.shape
        heads = self.args.heads
        d = h // heads
        split = lambda t: t.view(b, s, heads, d).transpose(1, 2)
        q, k, v = (split(self.linear(f"{prefix}.{part}", x, training)) for part in ("query", "key", "value"))
        scores = q @ k.transpose(-1, -2) / math.sqrt(d) + bias
        probabilities = self.dropout(scores.softmax(-1), training)
        return (probabilities @ v).transpose(1, 2).reshape(b, s, h)

    def forward(self, input_ids, attention_mask, training):
        w = self.w
        seq = input_ids.shape[1]
        x = w["bert.embeddings.word_embeddings.weight"][input_ids] \
            + w["bert.embeddings.position_embeddings.weight"][torch.arange(seq)] \
            + w["bert.embeddings.token_type_embeddings.weight"][torch.zeros_like(input_ids)]
        x = self.dropout(self.layer_norm("bert.embeddings.LayerNorm", x), training)
        bias = (1.0 - attention_mask[:, None, None, :].float()) * torch.finfo(torch.float32).min
        for n in range(self.args.layers):
            layer = f"bert.encoder.layer.{n}"
            context = self.attention(f"{layer}.attention.self", x, bias, training)
            attention_output = self.dropout(self.linear(f"{layer}.attention.output.dense", context, training), training)
            x = self.layer_norm(f"{layer}.attention.output.LayerNorm", attention_output + x)
            inner = F.gelu(self.linear(f"{layer}.intermediate.dense", x, training))
            output = self.dropout(self.linear(f"{layer}.output.dense", inner, training), training)
            x = self.layer_norm(f"{layer}.output.LayerNorm", output + x)
        pooled = torch.tanh(self.linear("bert.pooler.dense", x[:, 0], training))
        return self.linear("classifier", self.dropout(pooled, training), training)


def trainable_model(args, method):
    """The encoder and the tensors AdamW updates: every weight (full), or LoRA A/B + the classifier head."""
    weights = initial_weights(args)
    if method == "full":
        trainable = list(weights.values())
        model = Encoder(args, weights)
    else:
        lora = lora_weights(args, weights)
        trainable = [t for pair in lora.values() for t in pair] + [weights["classifier.weight"], weights["classifier.bias"]]
        model = Encoder(args, weights, lora)
    for tensor in trainable:
        tensor.requires_grad_(True)
    return model, trainable


def time_training(args, method):
    model, trainable = trainable_model(args, method)
    optimizer = torch.optim.AdamW(trainable, lr=5e-4, weight_decay=0.0)  # the engine trainer's default decay

    def step():
        input_ids = torch.randint(1, args.vocab, (args.batch, args.seq))
        labels = torch.randint(0, args.labels, (args.batch,))
        loss = F.cross_entropy(model.forward(input_ids, torch.ones_like(input_ids), training=True), labels)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(trainable, MAX_GRAD_NORM)
        optimizer.step()
        return loss.item()

    for _ in range(args.warmup):
        step()
    started, started_cpu = time.perf_counter(), time.process_time()
    for _ in range(args.steps):
        step()
    return {
        "msPerStep": (time.perf_counter() - started) * 1000 / args.steps,
        # CPU time of all threads: steadier than wall time on a shared machine.
        "cpuMsPerStep": (time.process_time() - started_cpu) * 1000 / args.steps,
        "trainableParameters": sum(t.numel() for t in trainable),
    }


def padded(rows):
    """Right-padded ids and their attention mask, like the engine's batchInputs."""
    longest = max(len(row) for row in rows)
    input_ids = torch.full((len(rows), longest), PAD_TOKEN_ID, dtype=torch.long)
    attention_mask = torch.zeros((len(rows), longest), dtype=torch.long)
    for index, row in enumerate(rows):
        input_ids[index, : len(row)] = torch.tensor(row)
        attention_mask[index, : len(row)] = 1
    return input_ids, attention_mask


def percentile_nearest_rank(sorted_samples, percentile):
    """Same definition as @bankbench/metrics latencySummary."""
    rank = max(math.ceil(percentile / 100 * len(sorted_samples)), 1)
    return sorted_samples[rank - 1]


def time_inference(args, queries, batches):
    model = Encoder(args, initial_weights(args))

    def predict(rows):
        input_ids, attention_mask = padded(rows)
        with torch.no_grad():
            return model.forward(input_ids, attention_mask, training=False).softmax(-1).argmax(-1).tolist()

    for rows in queries[: args.warmup]:
        predict([rows])
    latencies_ms = []
    started_cpu = time.process_time()
    for rows in queries:
        started = time.perf_counter()
        predict([rows])
        latencies_ms.append((time.perf_counter() - started) * 1000)
    query_cpu_ms = (time.process_time() - started_cpu) * 1000 / len(queries)
    latencies_ms.sort()

    for rows in batches[: args.warmup]:
        predict(rows)
    started, started_cpu = time.perf_counter(), time.process_time()
    for rows in batches:
        predict(rows)
    return {
        "p50Ms": percentile_nearest_rank(latencies_ms, 50),
        "p95Ms": percentile_nearest_rank(latencies_ms, 95),
        # CPU times of all threads: steadier than wall time on a shared machine.
        "cpuMsPerQuery": query_cpu_ms,
        "msPerBatch": (time.perf_counter() - started) * 1000 / len(batches),
        "cpuMsPerBatch": (time.process_time() - started_cpu) * 1000 / len(batches),
    }


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("command", choices=["train", "infer"])
    parser.add_argument("--layers", type=int, default=2)
    parser.add_argument("--hidden", type=int, default=128)
    parser.add_argument("--heads", type=int, default=4)
    parser.add_argument("--intermediate", type=int, default=512)
    parser.add_argument("--vocab", type=int, default=4000)
    parser.add_argument("--labels", type=int, default=77)
    parser.add_argument("--max-positions", type=int, default=512)
    parser.add_argument("--dropout", type=float, default=0.1)
    parser.add_argument("--lora-r", type=int, default=8)
    parser.add_argument("--lora-alpha", type=float, default=8)
    parser.add_argument("--lora-targets", default="query,value")
    parser.add_argument("--seq", type=int, default=32)
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--steps", type=int, default=20)
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--threads", default="1,2")
    args = parser.parse_args()
    torch.manual_seed(0)

    if args.command == "infer":
        inputs = json.load(sys.stdin)
        measure = lambda: time_inference(args, inputs["latency"], inputs["batches"])
    else:
        measure = lambda: {method: time_training(args, method) for method in ("lora", "full")}

    results = []
    for threads in (int(count) for count in args.threads.split(",")):
        torch.set_num_threads(threads)
        results.append({"threads": threads, **measure()})
    print(json.dumps({"peer": "pytorch", "torchVersion": torch.__version__, "results": results}))


if __name__ == "__main__":
    main()
