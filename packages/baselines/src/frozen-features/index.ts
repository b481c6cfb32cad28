export { denseMatrix, type DenseMatrix, type FeatureClassifier } from './dense'
export { LinearProbe, DEFAULT_LINEAR_PROBE_OPTIONS, type LinearProbeOptions, type LinearProbeTrainOptions } from './linear-probe'
export { NearestCentroid, DEFAULT_NEAREST_CENTROID_OPTIONS, type NearestCentroidOptions, type NearestCentroidTrainOptions } from './nearest-centroid'
export * from './registry'
