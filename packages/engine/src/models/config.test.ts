import { describe, expect, it } from 'vitest'
import { encoderConfigToJson, parseEncoderConfig, withLabels } from './config'
import { loadReference } from './testing/fixtures'

describe('encoder config', () => {
  it.each(['bert', 'roberta', 'distilbert'] as const)('%s: reads HF config.json and writes it back', (modelType) => {
    const { config } = loadReference(modelType)
    expect(config).toMatchObject({ modelType, hiddenSize: 16, numHiddenLayers: 2, numAttentionHeads: 2, intermediateSize: 32, id2label: ['LABEL_0', 'LABEL_1', 'LABEL_2', 'LABEL_3', 'LABEL_4'] })
    expect(parseEncoderConfig(encoderConfigToJson(config))).toEqual(config)
  })

  it('reads DistilBERT\'s own field names', () => {
    const { config } = loadReference('distilbert')
    expect(config).toMatchObject({ typeVocabSize: 0, hiddenDropoutProb: 0.1, classifierDropout: 0.2, layerNormEps: 1e-12 })
  })

  it('takes num_labels when there is no id2label, and replaces labels with withLabels', () => {
    const config = parseEncoderConfig({ model_type: 'bert', vocab_size: 10, num_labels: 3 })
    expect(config.id2label).toEqual(['LABEL_0', 'LABEL_1', 'LABEL_2'])
    expect(withLabels(config, ['card_arrival', 'top_up_failed']).id2label).toEqual(['card_arrival', 'top_up_failed'])
  })

  it('records a classifier pooling other than HF\'s in config.json, and nothing for HF\'s own', () => {
    const hf = parseEncoderConfig({ model_type: 'bert', vocab_size: 10 })
    expect(hf.classifierPooling).toBe('model')
    expect(encoderConfigToJson(hf)).not.toHaveProperty('classifier_pooling')
    const mean = parseEncoderConfig({ model_type: 'bert', vocab_size: 10, classifier_pooling: 'mean' })
    expect(encoderConfigToJson(mean)).toMatchObject({ classifier_pooling: 'mean' })
    expect(parseEncoderConfig(encoderConfigToJson(mean))).toEqual(mean)
  })

  it('names what is wrong', () => {
    expect(() => parseEncoderConfig({ model_type: 'llama' })).toThrow(/model_type "llama" is not supported/)
    expect(() => parseEncoderConfig({ model_type: 'bert' })).toThrow(/vocab_size must be a number/)
    expect(() => parseEncoderConfig({ model_type: 'bert', vocab_size: 5, hidden_act: 'swish' })).toThrow(/activation "swish"/)
    expect(() => parseEncoderConfig({ model_type: 'bert', vocab_size: 5, classifier_pooling: 'max' })).toThrow(/classifier_pooling "max"/)
  })
})
