import { loadBanking77 } from '@bankbench/core'
import { initBackend, pretrain, trainWordPiece, Tokenizer, parseEncoderConfig } from '@bankbench/engine'
const [hidden, layers, inter, vocab, batch] = process.argv.slice(2).map(Number)
const info = await initBackend()
const { train } = loadBanking77()
const texts = train.map((e) => e.text)
let t = performance.now()
const tokenizer = Tokenizer.fromJSON(trainWordPiece(texts, { vocabSize: vocab! }))
console.log('vocab', tokenizer.vocabSize, 'ms', performance.now() - t, info.name)
const lens = texts.map((x) => tokenizer.encode(x).length).sort((a, b) => a - b)
console.log('token len p50', lens[lens.length >> 1], 'p95', lens[Math.floor(lens.length * 0.95)], 'max', lens.at(-1))
const config = parseEncoderConfig({ model_type: 'bert', vocab_size: tokenizer.vocabSize, hidden_size: hidden, num_hidden_layers: layers, num_attention_heads: Math.max(1, hidden! / 64), intermediate_size: inter, max_position_embeddings: 128 })
const ac = new AbortController()
let steps = 0; t = performance.now()
await pretrain(texts.slice(0, 3000), { tokenizer, modelConfig: config, epochs: 1, batchSize: batch!, learningRate: 5e-4, maxLength: 64, signal: ac.signal,
  onStep: (m) => { steps++; if (steps % 10 === 0) console.log(m.step, m.loss.toFixed(3), ((performance.now() - t) / steps).toFixed(0), 'ms/step'); if (steps >= 30) ac.abort() } })
