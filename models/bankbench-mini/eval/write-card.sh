#!/bin/bash
# Regenerates models/bankbench-mini/README.md (the model card) from build.json and the evaluation JSONs in this folder
# (each written by bench/train-banking77.ts --json-out; the command that measured it is inside).
cd "$(dirname "$0")/../../.."
E=models/bankbench-mini/eval
SHIPPED=""
for f in shipped-full shipped-lora shipped-prefix shipped-peft; do [ -f $E/$f.json ] && SHIPPED="$SHIPPED --shipped $E/$f.json"; done
TUNING=""
for f in stage1-mlm20 sweep1 sweep-ia3-1e-1 shipped-full full-1e-3 full-2e-3 demo1 demo2 demo3 demo-adapter-5e-3 demo-prefix-10-tokens ia3-10 adapter-10 prefix-1e-1 demo-prefix-6ep demo-prefix-8ep; do [ -f $E/$f.json ] && TUNING="$TUNING --tuning $E/$f.json"; done
npx tsx scripts/write-model-card.ts $SHIPPED $TUNING \
  --tried "$E/stage1-mlm20.json=stage 1 only: 2 layers × 256, 20 MLM epochs, Banking77 + NLU++ text" \
  --tried "$E/candidate-4l-epoch14.json=4 layers × 256, epoch 14 of a 40-epoch MLM schedule (stopped for time)" \
  --tried "$E/full-1e-3.json+$E/c3-full.json+$E/c3-lora.json=stage 1 + 3 epochs of MLM and the contrastive objective (shipped until 2026-12-06)" \
  --tried "$E/c3-recheck-probe.json+$E/c3-recheck-lora.json=the same, remeasured beside the intent-stage rows below (same code, same day)" \
  --tried "$E/intent-bce-5e-4-5ep-probe.json=3 contrastive epochs + supervised intent stage on NLU++ intents: BCE head + MLM, lr 5e-4, 5 epochs" \
  --tried "$E/intent-bce-2e-3-10ep-probe.json+$E/intent-bce-2e-3-10ep-lora.json=3 contrastive epochs + supervised intent stage on NLU++ intents: BCE head + MLM, lr 2e-3, 10 epochs" \
  --tried "$E/intent-supcon-2e-3-10ep-probe.json=3 contrastive epochs + supervised intent stage on NLU++ intents: supervised contrastive + MLM, lr 2e-3, 10 epochs" \
  --tried "$E/contrastive-plus5-probe.json=3 contrastive epochs + 5 more epochs of MLM and the contrastive objective (8 in all; snapshot of the run below)" \
  --tried "$E/contrastive-plus10-probe.json+$E/contrastive-plus10-lora.json=3 contrastive epochs + 10 more epochs of MLM and the contrastive objective, a schedule of their own (13 in all)" \
  --tried "$E/contrastive-plus20-probe.json+$E/contrastive-plus20-lora.json=3 contrastive epochs + 20 more, a schedule of their own (23 in all)" \
  --tried "$E/contrastive-plus20-30-probe.json+$E/contrastive-plus20-30-lora.json=shipped: 3 contrastive epochs + 20 more + 30 more, each a schedule of their own (53 in all)"
