import { z } from 'zod'
import type { JobKind } from '../jobs/job-queue'
import { nameString, strictObject } from '../validation'
import { ENGINE_METHOD_DEFAULTS, ENGINE_METHOD_FIELDS } from './engine-hyperparameters.generated'

/**
 * The catalog of what a benchmark arm may name, and the hyperparameters each
 * accepts. Names and fields follow Hugging Face PEFT; defaults are applied by the
 * code that runs the method (the engine, the baselines), not here: this is the
 * edge's validation, so unknown fields and wrong types are refused before anything
 * is stored. The engine's methods (train methods and mlm-pretrain) take their fields
 * from engine-hyperparameters.generated.ts, written from the engine's own config
 * schemas (`npm run hyperparameters`); the baselines' are written here.
 */
const positiveInt = z.number().int().positive()

/** Overrides the protocol's epochs for this arm (e.g. a longer pretraining, a shorter sweep); the planner takes it out of the hyperparameters. */
const epochs = positiveInt.max(100)

/**
 * The generate job's decoder (a small Llama trained from scratch; the engine's generatorSettingsSchema holds the
 * defaults: vocabulary 1000, hidden 64, 2 layers, 4 query and 2 key/value heads, MLP 128, tied embeddings, 12 new
 * tokens at most, greedy decoding (num_beams 1), 3 pretraining epochs at learning rate 3e-3).
 */
const GENERATOR_FIELDS = {
  vocab_size: z.number().int().min(64).max(8192),
  hidden_size: z.number().int().min(8).max(512),
  num_hidden_layers: z.number().int().min(1).max(8),
  num_attention_heads: z.number().int().min(1).max(16),
  num_key_value_heads: z.number().int().min(1).max(16),
  intermediate_size: z.number().int().min(8).max(2048),
  tie_word_embeddings: z.boolean(),
  max_new_tokens: z.number().int().min(1).max(64),
  /** 1: greedy decoding; more: beam search with that many beams (HF's num_beams, length_penalty 1). */
  num_beams: z.number().int().min(1).max(8),
  pretrain_epochs: z.number().int().min(0).max(50),
  pretrain_learning_rate: z.number().positive().max(1),
}

/** The fields of GENERATOR_FIELDS: the generate job gives these to the decoder and the rest to the trainer and PEFT method. */
export const GENERATOR_FIELD_NAMES = Object.keys(GENERATOR_FIELDS)

/**
 * What a generate arm's decoder learns to write for each message (default 'intent'): the intent name, or the bank's
 * reply where the dataset provides one (an upload's `reply` column; refused at submission otherwise). A reply
 * generator is scored on the replies (exact match is then not intent accuracy) and is not an intent classifier.
 */
export const GENERATE_TARGETS = ['intent', 'reply'] as const
export type GenerateTarget = (typeof GENERATE_TARGETS)[number]
const target = z.enum(GENERATE_TARGETS)

/** How the frozen-feature baselines run the base model: truncation and texts per forward pass. */
const frozenFeatureFields = {
  max_length: positiveInt.max(4096),
  batch_size: positiveInt.max(1024),
}

const BACKBONE_DEFAULTS = ENGINE_METHOD_DEFAULTS['mlm-pretrain']

/**
 * The query strategies of @bankbench/selection (its STRATEGY_NAMES; containers/trainer's
 * select test checks the two lists agree). Written out here because core validates a run's
 * config at the edge without depending on the package that runs it, as for the baselines.
 */
export const SELECTION_STRATEGY_NAMES = ['random', 'greedy', 'least-confidence', 'entropy', 'margin', 'bald', 'core-set', 'expected-gradient-length', 'diversity-max-min', 'diversity-k-means', 'badge', 'contrastive'] as const

/** Which strategies read which option: a request naming an option its strategy ignores is refused, not silently run without it. */
const SELECTION_OPTION_OWNERS = {
  threshold: ['greedy'],
  order: ['greedy'],
  metric: ['core-set', 'diversity-max-min', 'diversity-k-means', 'contrastive'],
  kmeans_iterations: ['diversity-k-means'],
  neighbours: ['contrastive'],
  dropout_samples: ['bald'],
  dropout_rate: ['bald'],
  mc_dropout: ['bald'],
} as const satisfies Record<string, readonly (typeof SELECTION_STRATEGY_NAMES)[number][]>

const selectionConfig = strictObject({
  strategy: z.enum(SELECTION_STRATEGY_NAMES),
  threshold: z.number().gt(0).lt(1),
  order: z.enum(['random', 'uncertainty']),
  metric: z.enum(['euclidean', 'cosine']),
  kmeans_iterations: positiveInt.max(100),
  /** Contrastive active learning's k: the labelled neighbours each candidate's prediction is contrasted with (default 10). */
  neighbours: positiveInt.max(100),
  dropout_samples: z.number().int().min(2).max(100),
  dropout_rate: z.number().gt(0).lt(1),
  /**
   * Where BALD's Monte-Carlo dropout acts: `encoder`, the base model's own dropout in the engine's forward pass (features
   * `embeddings` only; the default there), or `head`, inverted dropout at `dropout_rate` on the head's input (the default on TF-IDF).
   */
  mc_dropout: z.enum(['head', 'encoder']),
  /** The learner's fixed features: TF-IDF of the pool's text, or the base model's frozen mean-pooled embeddings. */
  features: z.enum(['tfidf', 'embeddings']),
  /** Labelled rows per intent before the first query (the stratified seed set). */
  seed_per_class: positiveInt.max(100),
  /** Labels after the last round; at most the training split's rows. */
  budget: positiveInt.max(1_000_000),
  rounds: positiveInt.max(100),
  C: z.number().positive(),
  max_iterations: positiveInt.max(10_000),
  /**
   * The PEFT learner (off unless set): after the simulation, the base model is fine-tuned with `peft_method` on the first
   * rows the strategy labelled at each budget: `target` (where the fast learner first reached 95% of its full-data
   * accuracy), `half` (half the pool) or a number of labels; and once per seed on every pool row, the reference.
   */
  peft_budgets: z.array(z.union([z.enum(['target', 'half']), positiveInt.max(1_000_000)])).min(1).max(8),
  /** The engine's method, at its defaults (LoRA when left out). */
  peft_method: z.enum(['lora', 'qlora', 'ia3', 'prefix-tuning', 'adapter', 'full']),
  /** Only the runs of these seeds fine-tune (default: every seed): the PEFT learner costs minutes, the fast learner seconds. */
  peft_seeds: z.array(z.number().int().min(0)).min(1).max(100),
  /** The PEFT learner's epochs (the protocol's when left out). */
  epochs,
}).partial().superRefine((config, context) => {
  for (const field of ['peft_method', 'peft_seeds', 'epochs'] as const) {
    if (field in config && !config.peft_budgets) context.addIssue({ code: 'custom', path: [field], message: `${field} applies to the PEFT learner, which runs only with peft_budgets` })
  }
  const strategy = config.strategy ?? 'random'
  for (const [option, owners] of Object.entries(SELECTION_OPTION_OWNERS)) {
    if (option in config && !(owners as readonly string[]).includes(strategy)) {
      context.addIssue({ code: 'custom', path: [option], message: `${option} applies only to the ${owners.join(', ')} strategies, not ${strategy}` })
    }
  }
  if (config.mc_dropout === 'encoder' && config.features !== 'embeddings') {
    context.addIssue({ code: 'custom', path: ['mc_dropout'], message: 'mc_dropout encoder needs features: embeddings (the TF-IDF learner has no encoder to drop out)' })
  }
  if (config.mc_dropout !== 'head' && config.features === 'embeddings' && config.dropout_rate !== undefined) {
    context.addIssue({ code: 'custom', path: ['dropout_rate'], message: 'dropout_rate applies to mc_dropout head; the encoder drops out at the rates it was trained with' })
  }
})

/**
 * The vector stores a `vector-bench` arm may name (@bankbench/vector-stores' STORES: the
 * local ones, then the remote ones, which run where their endpoints are set; its test
 * checks the two lists agree), written out here as SELECTION_STRATEGY_NAMES is.
 */
export const VECTOR_STORE_NAMES = ['exact', 'faiss', 'usearch', 'pgvector', 'lancedb', 'chroma', 'pinecone', 'weaviate', 'milvus'] as const

/**
 * The methods whose runs have an encoder of their own: the engine's fine-tuning methods. A
 * finished run of one is an encoder for vector stores (`encoder: 'run:<run id>'`, or a hybrid's
 * `encoder: 'classifier'`): its model, with the PEFT weights it trained, mean-pooled.
 */
export const ENCODER_RUN_METHODS = ['full', 'lora', 'qlora', 'ia3', 'prefix-tuning', 'adapter'] as const

/** `run:<run id>`: a succeeded fine-tuning run's own encoder (checked against the database when the benchmark is submitted). */
export const RUN_ENCODER_PREFIX = 'run:'
const runEncoder = z.string().regex(/^run:[A-Za-z0-9_-]{1,100}$/, 'run:<run id>, a succeeded fine-tuning run (full, lora, qlora, ia3, prefix-tuning, adapter) on the same dataset')

/** Which embeddings: the base model mean-pooled, TF-IDF reduced by truncated SVD, or `run:<run id>`, a finished fine-tuning run's own encoder mean-pooled. */
const vectorEncoder = z.union([z.enum(['base', 'tfidf-svd']), runEncoder])

/** A store's own index settings (a FAISS factory string, HNSW m / efConstruction / efSearch, IVF lists / probes): the adapter refuses unknown keys. */
const indexSettings = z.record(z.string().max(64), z.union([z.string().max(200), z.number(), z.boolean()]))

/**
 * The embed step: the dataset's texts encoded once by one encoder and stored in the artifact store (what the
 * benchmark's index, vector-bench and hybrid jobs read), with the encoder's quality: kNN intent accuracy of the
 * test queries against the training vectors by exact search, and recall@10 of an approximate store against it.
 */
const embedConfig = strictObject({
  encoder: vectorEncoder,
  /** The metric the quality figures are measured under (cosine by default). */
  metric: z.enum(['cosine', 'l2', 'ip']),
  /** Test queries scored (default 1,000); at most the test split's rows. */
  queries: positiveInt.max(100_000),
  /** The approximate store whose recall@10 against exact search is measured (default usearch, in-process HNSW at its defaults); `none` skips it. */
  recall_store: z.enum([...VECTOR_STORE_NAMES, 'none'] as const),
  recall_index_settings: indexSettings,
}).partial()

/**
 * The index step: a store's index of the training split's embeddings (what a hybrid's store holds), built once,
 * timed and measured, and persisted in the artifact store where the store can write its index out (FAISS, usearch);
 * a hybrid of the same store, metric, settings and embeddings then loads it instead of building its own.
 */
const indexConfig = strictObject({
  store: z.enum(VECTOR_STORE_NAMES),
  metric: z.enum(['cosine', 'l2', 'ip']),
  index_settings: indexSettings,
  encoder: vectorEncoder,
}).partial().superRefine((config, context) => {
  if (config.store === undefined) context.addIssue({ code: 'custom', path: ['store'], message: `an index arm names its store (one of ${VECTOR_STORE_NAMES.join(', ')})` })
})

/** One vector-store arm: the store, its metric and index settings, the encoder whose embeddings it indexes, and the query protocol. */
const vectorBenchConfig = strictObject({
  store: z.enum(VECTOR_STORE_NAMES),
  metric: z.enum(['cosine', 'l2', 'ip']),
  index_settings: indexSettings,
  encoder: vectorEncoder,
  /** Test queries run (the seed's protocol: 1,000); at most the test split's rows. */
  queries: positiveInt.max(100_000),
  /** Vectors indexed: the training queries, enlarged with jittered copies above their count (the seed's 100K). */
  scale: positiveInt.max(1_000_000),
  /** Queries in flight for the throughput figure. */
  concurrency: positiveInt.max(64),
}).partial()

/**
 * The methods a hybrid run may mix with its store: those whose runs save a classifier that
 * serving loads (the train methods and the servable baselines; core's SERVABLE_BASELINE_METHODS
 * and METHOD_CATALOG's train methods, which its test checks).
 */
export const HYBRID_CLASSIFIER_METHODS = ['random', 'majority', 'tfidf-logreg', 'frozen-probe', 'centroid', 'full', 'lora', 'qlora', 'ia3', 'prefix-tuning', 'adapter'] as const

/**
 * The hybrid classifier: a classifier run's class probabilities mixed with the votes of the k nearest
 * labelled training examples in a vector store (@bankbench/vector-stores' hybrid rule). The classifier is
 * `classifier`, a method with an arm in the same benchmark (the hybrid job waits for its runs and takes the
 * succeeded one of the same seed with the best validation accuracy), or `classifier_run`, a succeeded run's id.
 * `weight` and `k` are tuned on validation unless given.
 */
const hybridConfig = strictObject({
  classifier: z.enum(HYBRID_CLASSIFIER_METHODS),
  classifier_run: nameString().min(1).max(100),
  store: z.enum(VECTOR_STORE_NAMES),
  metric: z.enum(['cosine', 'l2', 'ip']),
  index_settings: indexSettings,
  /**
   * Whose embeddings the store holds: the base model mean-pooled (default), TF-IDF reduced by truncated SVD,
   * `classifier` (the classifier run's own fine-tuned encoder, mean-pooled: the classifier must be a
   * fine-tuning run), or `run:<run id>` (another finished fine-tuning run's encoder).
   */
  encoder: z.union([z.enum(['base', 'tfidf-svd', 'classifier']), runEncoder]),
  /** Neighbours that vote; chosen on validation from 1, 3, 5, 10, 20 when left out. */
  k: positiveInt.max(100),
  /** The neighbours' share of the mix, 0 (the classifier alone) to 1 (kNN alone); chosen on validation when left out. */
  weight: z.number().min(0).max(1),
}).partial().superRefine((config, context) => {
  if ((config.classifier === undefined) === (config.classifier_run === undefined)) {
    context.addIssue({ code: 'custom', path: ['classifier'], message: 'a hybrid arm names its classifier: classifier (a method with an arm in this benchmark) or classifier_run (a run id), one of them' })
  }
  if (config.store === undefined) context.addIssue({ code: 'custom', path: ['store'], message: `a hybrid arm names its store (one of ${VECTOR_STORE_NAMES.join(', ')})` })
  if (config.encoder === 'classifier' && config.classifier !== undefined && !(ENCODER_RUN_METHODS as readonly string[]).includes(config.classifier)) {
    context.addIssue({ code: 'custom', path: ['encoder'], message: `encoder classifier is the classifier run's own encoder, and a ${config.classifier} run has none; mix a fine-tuning run (${ENCODER_RUN_METHODS.join(', ')}) or use encoder base or tfidf-svd` })
  }
})

export const METHOD_CATALOG = {
  random: { jobKind: 'baseline', config: strictObject({}) },
  majority: { jobKind: 'baseline', config: strictObject({}) },
  'tfidf-logreg': {
    jobKind: 'baseline',
    config: strictObject({ C: z.number().positive(), max_iterations: positiveInt.max(10_000) }).partial(),
  },
  /** The untuned base model: logistic regression on its frozen, mean-pooled last hidden states. */
  'frozen-probe': {
    jobKind: 'baseline',
    config: strictObject({ C: z.number().positive(), max_iterations: positiveInt.max(10_000), ...frozenFeatureFields }).partial(),
  },
  /** The untuned base model: nearest class centroid by cosine similarity of its frozen, mean-pooled last hidden states. */
  centroid: { jobKind: 'baseline', config: strictObject({ center: z.boolean(), ...frozenFeatureFields }).partial() },
  /** Few-shot prompting of an OpenAI-compatible chat endpoint (configured by the job's environment, not the request). */
  'llm-api': {
    jobKind: 'baseline',
    config: strictObject({
      model: nameString().min(1).max(200),
      few_shot_labels: z.number().int().min(0).max(10_000),
      examples_per_label: z.number().int().min(0).max(100),
      max_queries: positiveInt.max(100_000),
      concurrency: positiveInt.max(64),
      max_retries: z.number().int().min(0).max(10),
      temperature: z.number().min(0).max(2),
      max_tokens: positiveInt.max(4096),
      response_format: z.enum(['text', 'json_schema']),
      price_per_1k_input_tokens: z.number().min(0),
      price_per_1k_output_tokens: z.number().min(0),
    }).partial(),
  },
  full: { jobKind: 'train', config: strictObject({ epochs, ...ENGINE_METHOD_FIELDS.full }).partial() },
  lora: { jobKind: 'train', config: strictObject({ epochs, ...ENGINE_METHOD_FIELDS.lora }).partial() },
  /** LoRA over 4-bit frozen base weights; the quantization fields are transformers' BitsAndBytesConfig names. */
  qlora: { jobKind: 'train', config: strictObject({ epochs, ...ENGINE_METHOD_FIELDS.qlora }).partial() },
  /** PEFT's IA3Config: learned vectors that rescale the target layers' outputs (or inputs, for feedforward_modules). */
  ia3: {
    jobKind: 'train',
    config: strictObject({ epochs, ...ENGINE_METHOD_FIELDS.ia3 }).partial()
      .refine((config) => !Array.isArray(config.target_modules) || !Array.isArray(config.feedforward_modules)
        || config.feedforward_modules.every((module) => (config.target_modules as string[]).includes(module)),
      { message: 'feedforward_modules should be a subset of target_modules', path: ['feedforward_modules'] }),
  },
  /** PEFT's PrefixTuningConfig; token_dim, num_layers and num_attention_heads come from the model. */
  'prefix-tuning': { jobKind: 'train', config: strictObject({ epochs, ...ENGINE_METHOD_FIELDS['prefix-tuning'] }).partial() },
  /** Bottleneck adapters (no PEFT type): AdapterHub's Houlsby and Pfeiffer placements; hidden_size is the bottleneck width. */
  adapter: { jobKind: 'train', config: strictObject({ epochs, ...ENGINE_METHOD_FIELDS.adapter }).partial() },
  /**
   * Domain adaptation: continued masked-language-model pretraining of the base model on the
   * dataset's training text; the benchmark's train runs then use it (the local backbone).
   * Setting a shape field (vocab_size, hidden_size, num_hidden_layers, num_attention_heads,
   * intermediate_size) pretrains a new BERT of that shape from scratch instead.
   */
  'mlm-pretrain': {
    jobKind: 'pretrain',
    config: strictObject({ epochs, ...ENGINE_METHOD_FIELDS['mlm-pretrain'] }).partial()
      // With the engine's defaults for the one left out: hidden_size 63 alone meets 2 heads.
      .refine((config) => (config.hidden_size ?? BACKBONE_DEFAULTS.hidden_size) % (config.num_attention_heads ?? BACKBONE_DEFAULTS.num_attention_heads) === 0,
        { message: 'hidden_size must be a multiple of num_attention_heads', path: ['num_attention_heads'] }),
  },
  /**
   * Slot filling on NLU++ banking (the `slots` job; the benchmark's intent dataset is not used): a token-classification
   * head (BIO tags over word pieces) fine-tuned on the base model with full fine-tuning or LoRA, with the same fields
   * and defaults as the `full` and `lora` arms; and the rules + gazetteer baseline. Scored with span-level F1 on the
   * held-out folds 15-19, which the shipped base model never saw.
   */
  'slots-rules': { jobKind: 'slots', config: strictObject({}) },
  'slots-full': { jobKind: 'slots', config: strictObject({ epochs, ...ENGINE_METHOD_FIELDS.full }).partial() },
  'slots-lora': { jobKind: 'slots', config: strictObject({ epochs, ...ENGINE_METHOD_FIELDS.lora }).partial() },
  /**
   * Generation (the `generate` job): a small Llama causal LM trained from scratch on the benchmark's training text
   * (a WordPiece vocabulary, then language-model pretraining on the messages and the intent names, unpaired), then
   * fine-tuned with LoRA or in full to write each message's intent name (or, with `target: 'reply'`, the bank's reply
   * from a dataset that has them); scored on the test split with exact match,
   * corpus BLEU, ROUGE, perplexity of the reference, semantic similarity, latency per generated token and tokens/s.
   */
  'generate-lora': { jobKind: 'generate', config: strictObject({ epochs, ...ENGINE_METHOD_FIELDS.lora, ...GENERATOR_FIELDS, target }).partial() },
  'generate-full': { jobKind: 'generate', config: strictObject({ epochs, ...ENGINE_METHOD_FIELDS.full, ...GENERATOR_FIELDS, target }).partial() },
  /**
   * Data selection, simulated on the training split (the `select` job): a query strategy picks which rows to label,
   * round by round up to a label budget, and a logistic-regression head on fixed features is refitted and scored on
   * the test split each round. One run is one strategy and one seed; the report compares strategies' learning curves.
   */
  'data-selection': { jobKind: 'select', config: selectionConfig },
  /**
   * Embeddings as an artifact (the `embed` job, indexer container): the dataset encoded once by one encoder and
   * stored for every index, vector-bench and hybrid job of that encoder, with kNN intent accuracy at k = 1, 5, 10
   * (exact search) and an approximate store's recall@10 against exact search.
   */
  embed: { jobKind: 'embed', config: embedConfig },
  /**
   * A store's index of the training embeddings (the `index` job, indexer container): build time and size, and the
   * index persisted where the store can write it out (FAISS, usearch), which a hybrid then loads.
   */
  index: { jobKind: 'index', config: indexConfig },
  /**
   * A vector store on the dataset's embeddings (the `vector-bench` job, indexer container): index the training
   * queries, run the test queries, measure build time, size, latency, throughput, recall@10 against exact search,
   * kNN intent accuracy and cost. One run is one store with one metric and settings on one encoder's embeddings.
   */
  'vector-bench': { jobKind: 'vector-bench', config: vectorBenchConfig },
  /**
   * The hybrid classifier (the `hybrid` job, indexer container): a classifier run's probabilities mixed with kNN votes
   * over the training split's embeddings in a vector store, the weight and k chosen on validation, scored on test like
   * every run that classifies (latency includes the encoder and the store), and deployable.
   */
  hybrid: { jobKind: 'hybrid', config: hybridConfig },
} as const satisfies Record<string, { jobKind: JobKind; config: z.ZodType }>

export type MethodName = keyof typeof METHOD_CATALOG
export const METHOD_NAMES = Object.keys(METHOD_CATALOG) as MethodName[]

export function isMethodName(name: string): name is MethodName {
  return Object.hasOwn(METHOD_CATALOG, name)
}
