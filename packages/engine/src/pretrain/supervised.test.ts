import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import * as tf from '@tensorflow/tfjs'
import { seededRandom } from '@bankbench/data'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { initBackend } from '../backend'
import { saveCheckpoint } from '../io/checkpoint'
import type { Checkpoint } from '../io/checkpoint'
import type { TrainerState } from '../train/checkpoint'
import { pretrainBackbone } from './backbone'
import { INTENT_HEAD, multiLabelLoss, supervisedContrastiveLoss, supervisedPretrainBackbone, supervisedSettingsSchema } from './supervised'
import type { LabelledText } from './supervised'

let directory: string
beforeAll(async () => {
  await initBackend()
  directory = await mkdtemp(join(tmpdir(), 'supervised-pretrain-'))
})
afterAll(async () => {
  await rm(directory, { recursive: true, force: true })
})

/** A tiny multi-label intent set: the verb carries one intent, the object another (two labels a text, sometimes one). */
function labelledTexts(count: number, seed: number): LabelledText[] {
  const random = seededRandom(seed)
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!
  const verbs = [['activate', 'activate'], ['cancel', 'cancel'], ['freeze', 'cancel'], ['check', 'request_info']] as const
  const objects = [['card', 'card'], ['transfer', 'transfer'], ['account', 'account'], ['thing', null]] as const
  const openings = ['please', 'i want to', 'can you help me', 'how do i'] as const
  return Array.from({ length: count }, () => {
    const [verb, verbLabel] = pick(verbs)
    const [object, objectLabel] = pick(objects)
    return { text: `${pick(openings)} ${verb} my ${object}`, labels: objectLabel ? [verbLabel, objectLabel] : [verbLabel] }
  })
}

async function tinyBackbone(texts: string[]): Promise<Checkpoint> {
  const settings = { vocab_size: 100, hidden_size: 16, num_hidden_layers: 1, num_attention_heads: 2, intermediate_size: 32, max_length: 16 }
  return (await pretrainBackbone(texts, [], settings, { epochs: 1, seed: 3 })).checkpoint
}

describe('supervisedPretrainBackbone (IntentBERT-style third stage)', () => {
  const train = labelledTexts(96, 1)
  const validation = labelledTexts(32, 2)
  const settings = { learning_rate: 1e-2, batch_size: 8, max_length: 16, classification_weight: 1, supcon_weight: 0.5, mlm_weight: 0.5 }

  it('lowers its loss, changes the encoder and drops the intent head: the safetensors hold the base model\'s tensors only', async () => {
    const base = await tinyBackbone(train.map((example) => example.text))
    const before = tf.memory().numTensors
    const { checkpoint, training, labels } = await supervisedPretrainBackbone(train, settings, { from: base, epochs: 10, seed: 7, validation })
    expect(tf.memory().numTensors).toBe(before)
    expect(labels).toEqual(['account', 'activate', 'cancel', 'card', 'request_info', 'transfer'])

    // The verb and object words give every label away.
    const validationLosses = training.history.map((epoch) => epoch.validation!.loss)
    expect(validationLosses.at(-1)!).toBeLessThan(validationLosses[0]! * 0.8)
    expect(training.history.at(-1)!.trainLoss).toBeLessThan(training.history[0]!.trainLoss * 0.8)
    expect(training.history.at(-1)!.validation!.microF1).toBeGreaterThan(0.7)

    const name = 'bert.encoder.layer.0.attention.self.query.weight'
    const changed = (tensorName: string) => !Buffer.from(checkpoint.weights.get(tensorName)!.bytes).equals(Buffer.from(base.weights.get(tensorName)!.bytes))
    expect(changed(name)).toBe(true)
    expect(changed('bert.embeddings.word_embeddings.weight')).toBe(true)

    // Written out and read back: exactly the base model's tensor names (encoder + MLM head), no head, same shapes.
    const out = join(directory, 'supervised')
    await saveCheckpoint(out, checkpoint)
    const bytes = await readFile(join(out, 'model.safetensors'))
    const headerLength = Number(bytes.readBigUInt64LE(0))
    const header = JSON.parse(bytes.subarray(8, 8 + headerLength).toString('utf8')) as Record<string, { shape: number[] }>
    const stored = Object.keys(header).filter((key) => key !== '__metadata__').sort()
    expect(stored).toEqual([...base.weights.keys()].sort())
    expect(stored.some((key) => key.startsWith(INTENT_HEAD) || key.startsWith('classifier.'))).toBe(false)
    for (const key of stored) expect(header[key]!.shape).toEqual(base.weights.get(key)!.shape)
    expect(checkpoint.config).toMatchObject({ architectures: ['BertForMaskedLM'], hidden_size: 16, vocab_size: base.config.vocab_size })
    expect(checkpoint.tokenizer).toEqual(base.tokenizer)
  })

  it('without MLM leaves the MLM head as it came and trains the encoder only through the intents', async () => {
    const base = await tinyBackbone(train.map((example) => example.text))
    const { checkpoint } = await supervisedPretrainBackbone(train, { ...settings, mlm_weight: 0, supcon_weight: 0 }, { from: base, epochs: 1, seed: 7 })
    expect(Buffer.from(checkpoint.weights.get('cls.predictions.bias')!.bytes).equals(Buffer.from(base.weights.get('cls.predictions.bias')!.bytes))).toBe(true)
    expect([...checkpoint.weights.keys()].sort()).toEqual([...base.weights.keys()].sort())
  })

  it('resumes from its trainer state (head included) to the weights of a run that never stopped', async () => {
    const base = await tinyBackbone(train.map((example) => example.text))
    const options = { from: base, epochs: 2, seed: 7 }
    const whole = await supervisedPretrainBackbone(train, settings, options)
    const saved: TrainerState[] = []
    const controller = new AbortController()
    const first = await supervisedPretrainBackbone(train, settings, {
      ...options, signal: controller.signal, saveCheckpoint: (state) => { saved.push(state) },
      onStep: ({ step }) => { if (step === 8) controller.abort() },
    })
    expect(first.training.status).toBe('cancelled')
    expect([...saved.at(-1)!.variables.keys()]).toContain(`${INTENT_HEAD}.weight`)
    const resumed = await supervisedPretrainBackbone(train, settings, { ...options, loadCheckpoint: () => saved.at(-1)! })
    expect(resumed.training.status).toBe('completed')
    const name = 'bert.encoder.layer.0.output.dense.weight'
    const values = (checkpoint: Checkpoint) => new Float32Array(new Uint8Array(checkpoint.weights.get(name)!.bytes).slice().buffer)
    const [a, b] = [values(whole.checkpoint), values(resumed.checkpoint)]
    expect(Math.max(...a.map((value, index) => Math.abs(value - b[index]!)))).toBeLessThan(1e-5)
  })

  it('refuses a stage with no supervised objective, and a base model without a tokenizer', async () => {
    expect(supervisedSettingsSchema.safeParse({ classification_weight: 0 }).success).toBe(false)
    expect(supervisedSettingsSchema.safeParse({ classification_weight: 0, supcon_weight: 1 }).success).toBe(true)
    await expect(supervisedPretrainBackbone(train, {}, { from: { config: {}, weights: new Map(), tokenizer: null }, epochs: 1, seed: 1 }))
      .rejects.toThrow(/tokenizer/)
  })
})

describe('multiLabelLoss', () => {
  it('is -z·log σ(x) - (1-z)·log(1-σ(x)) summed over the labels, averaged over the texts', () => {
    const sigmoid = (x: number) => 1 / (1 + Math.exp(-x))
    const logits = tf.tensor2d([[2, -1], [0, 30]])
    const targets = tf.tensor2d([[1, 0], [0, 1]])
    const expected = (-Math.log(sigmoid(2)) - Math.log(1 - sigmoid(-1)) - Math.log(1 - sigmoid(0)) - Math.log(sigmoid(30))) / 2
    expect(multiLabelLoss(logits, targets).arraySync()).toBeCloseTo(expected, 6)
    tf.dispose([logits, targets])
  })
})

describe('supervisedContrastiveLoss', () => {
  it('pulls texts that share an intent together, Jaccard-weighted, against the rest of the batch, skipping anchors without positives', () => {
    // Texts 0 {a}, 1 {b}, 2 {a, b}, 3 {} (a negative for everyone, no positive of its own).
    const vectors = tf.tensor2d([[1, 0], [0, 2], [3, 3], [-1, 0]])
    const targets = tf.tensor2d([[1, 0], [0, 1], [1, 1], [0, 0]])
    const t = 0.5
    const r = Math.SQRT1_2
    // Cosines: s01 = 0, s02 = r, s03 = -1, s12 = r, s13 = 0, s23 = -r. Jaccard: w02 = w12 = 1/2, w01 = 0.
    const logSoftmax = (own: number, others: number[]) => own / t - Math.log([own, ...others].reduce((sum, s) => sum + Math.exp(s / t), 0))
    const anchor0 = -logSoftmax(r, [0, -1]) // one positive (2): weights normalise to 1
    const anchor1 = -logSoftmax(r, [0, 0])
    const anchor2 = -(0.5 * logSoftmax(r, [r, -r]) + 0.5 * logSoftmax(r, [r, -r])) / 1
    const expected = (anchor0 + anchor1 + anchor2) / 3
    expect(supervisedContrastiveLoss(vectors, targets, t).arraySync()).toBeCloseTo(expected, 5)

    const grads = tf.grad((v: tf.Tensor) => supervisedContrastiveLoss(v as tf.Tensor2D, targets, t))(vectors)
    expect(grads.abs().sum().arraySync()).toBeGreaterThan(0)
    // No positive anywhere: 0, not NaN.
    const none = tf.zeros([4, 2]) as tf.Tensor2D
    expect(supervisedContrastiveLoss(vectors, none, t).arraySync()).toBe(0)
    tf.dispose([vectors, targets, grads, none])
  })
})
