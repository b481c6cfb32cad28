/**
 * Exports a sequence classifier as an ONNX model (opset 17), the way serving runs it:
 * eval mode, PEFT adapters folded into the weights. The file is self-contained (weights
 * inline), so the whole model must stay under protobuf's 2 GiB message limit.
 */
import type { EncoderConfig, ModelConfig, SequenceClassifier } from '../../models'
import { encoderClassifierGraph } from './encoder-graph'
import { encodeModel } from './onnx-proto'

/** 17 is the first opset with LayerNormalization; its IR version is 8. */
export const ONNX_OPSET = 17
const IR_VERSION = 8
const PROTOBUF_LIMIT_BYTES = 2 ** 31 - 1

/**
 * The ONNX file's bytes. Inputs `input_ids` and `attention_mask` (int64 [batch,
 * sequence]), output `logits` (float32 [batch, num_labels]); metadata_props carry
 * `model_type`, `classifier_pooling`, `pad_token_id` and `id2label` (a JSON array).
 * Throws for Llama, prefix tuning and bottleneck adapters (see folded-weights.ts).
 */
export function exportOnnx(model: SequenceClassifier): Uint8Array {
  if (!isEncoder(model)) throw new Error(`ONNX export supports bert, roberta and distilbert classifiers, not ${model.config.modelType}`)
  const graph = encoderClassifierGraph(model)
  const weightBytes = graph.initializers.reduce((total, tensor) => total + tensor.data.byteLength, 0)
  if (weightBytes >= PROTOBUF_LIMIT_BYTES) {
    throw new Error(`ONNX export: ${(weightBytes / 2 ** 30).toFixed(2)} GiB of weights exceed protobuf's 2 GiB limit (external data is not written)`)
  }
  const { config } = model
  return encodeModel({
    irVersion: IR_VERSION,
    opsetVersion: ONNX_OPSET,
    producerName: 'bankbench',
    producerVersion: '0.1.0',
    graph,
    metadata: {
      model_type: config.modelType,
      classifier_pooling: model.classifierPooling,
      pad_token_id: String(config.padTokenId),
      id2label: JSON.stringify(config.id2label),
    },
  })
}

function isEncoder(model: SequenceClassifier<ModelConfig>): model is SequenceClassifier<EncoderConfig> {
  return model.config.modelType !== 'llama'
}
