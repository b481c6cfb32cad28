export * from './onnx'
