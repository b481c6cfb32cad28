export { exportOnnx, ONNX_OPSET } from './export-classifier'
export { ATTENTION_MASK, INPUT_IDS, LOGITS } from './encoder-graph'
