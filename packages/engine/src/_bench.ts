import * as tf from '@tensorflow/tfjs'
await tf.setBackend('cpu')
const ids = tf.tensor1d(Array.from({ length: 2048 }, (_, i) => (i * 977) % 30522), 'int32')
const x = tf.randomNormal([2048, 128])
const t1 = performance.now(); tf.unsortedSegmentSum(x, ids, 30522).dataSync(); console.log('stock cpu segment sum ms', (performance.now() - t1).toFixed(1))
