/**
 * What a run records when it succeeds (`runs.summary`): each job kind's handler
 * returns its own summary type (`RunHandler<K>`), and the analysis, the report and
 * the API read them back. Every summary shares `RunFigures`, the figures the
 * comparison reads by name, so renaming one is a compile error on both sides
 * rather than a column that silently reads "unmeasured".
 */

/**
 * The figures the analysis reads from any run (a method's summary may lack some:
 * missing or null is "not measured"). Each kind's summary below says which it always has.
 */
export type RunFigures = {
  /** Test accuracy. */
  accuracy?: number | null
  /** Macro-averaged F1 on the test split. */
  macroF1?: number | null
  /** What each method's best configuration is chosen by (never test accuracy). */
  validationAccuracy?: number | null
  /** Latency per query at batch 1, median and 95th percentile. */
  latencyP50Ms?: number | null
  latencyP95Ms?: number | null
  throughputPerSecond?: number | null
  trainSeconds?: number | null
  trainableParameters?: number | null
  totalParameters?: number | null
  /** trainableParameters ÷ totalParameters. */
  trainableRatio?: number | null
  /**
   * Peak GPU memory of the run's own process (nvidia-smi's compute apps, by pid; the GPU-memory criterion reads it).
   * Null when unmeasured; listed in `notApplicable` when the run used no GPU.
   */
  peakGpuMemoryBytes?: number | null
  /** How peakGpuMemoryBytes was attributed to the run's process: `pid`, or `exclusive-gpu` (a Batch container, which sees host PIDs, on its own GPU). */
  peakGpuMemoryAttribution?: 'pid' | 'exclusive-gpu'
  peakTensorBytes?: number | null
  peakRssBytes?: number | null
  /** The adapter's weights (PEFT methods) or the whole model's (full fine-tuning). */
  adapterBytes?: number | null
  /** What serving needs: for an adapter, base model plus adapter. */
  modelBytes?: number | null
  /** The tensor backend's name (`wasm`, `tensorflow`, `cpu`). */
  backend?: string | null
  /** Slot filling (`slots` runs): span-level micro and macro F1 on the test split, 0-1 (seqeval convention). */
  entityMicroF1?: number | null
  entityMacroF1?: number | null
  /** NLU++'s multi-label intents (`slots` tagger runs): micro-F1 on the test folds at the validation-tuned threshold, 0-1. */
  intentMicroF1?: number | null
  /** Generation (`generate` runs): share of generated texts equal to the reference (normalised), 0-1. */
  exactMatch?: number | null
  /** Generation: corpus BLEU, 0-100 (sacreBLEU's 13a tokenisation and exp smoothing). */
  bleu?: number | null
  /** Generation: ROUGE-L F1, 0-1 (rouge-score's tokenisation, no stemming). */
  rougeL?: number | null
  /** Generation: perplexity of the reference targets given the prompts (exp of mean token NLL). */
  perplexity?: number | null
  /** Generation: wall milliseconds per decoding step (one token per row of a batch) after the prompt pass. */
  latencyPerTokenMs?: number | null
  /** Generation: generated tokens per second over whole generate calls (prompt pass included). */
  tokensPerSecond?: number | null
  /** Banking rubric (docs/rubrics.md): response relevance of the reply policy on the test split, 0-10 (`rubric.relevance.mode` says what produced it). */
  relevanceScore?: number | null
  /** Banking rubric: weighted pass rate of the red-team suite through the classifier and the reply policy, × 10. */
  securityScore?: number | null
  /** How relevanceScore and securityScore were computed (mode, threshold, per check and category), or why they do not apply. */
  rubric?: RubricScores
  /**
   * Figures that do not apply to this run, by RunFigures name (e.g. `accuracy` for a slot tagger, the trainable
   * parameters of a rules baseline): the comparison and the report say "not applicable" there, not "unmeasured".
   */
  notApplicable?: string[]
  /**
   * Singular values of each adapted module's update, which the report draws when a
   * summary has them. No job records them here yet: the analyze job stores its
   * spectra as the run's artifact `analysis/lora-analysis.json`.
   */
  loraSpectra?: LoraSpectrum[]
}

/** Response relevance 0-10 (`relevanceByRubric` / `relevanceByLlmJudge` in @bankbench/metrics). */
export type RelevanceScoreDetail = {
  score: number
  /** `rubric` (the deterministic rubric) or `llm-judge:<model>`. */
  mode: string
  messages: number
  outcomes?: { sameIntent: number; sameGroup: number; outOfScope: number; other: number }
  unscored?: number
  /** The reply templates used: a shipped set's name, or `generic`. */
  templates: string
  outOfScopeThreshold: number | null
  /** Why the judge was not used when an endpoint was configured (it failed): the rubric scored instead. */
  note?: string
}

/** Security score 0-10 on the red-team suite (`securityScore` in @bankbench/metrics). */
export type SecurityScoreDetail = {
  score: number
  mode: 'red-team'
  suite: string
  cases: number
  /** `noPiiInLogs` is absent from summaries written before the check existed. */
  checks: Record<'safeRouting' | 'noPiiEcho' | 'noSecretDisclosed', { weight: number; applied: number; passed: number }> & { noPiiInLogs?: { weight: number; applied: number; passed: number } }
  categories: Record<string, number>
  failures: { id: string; check: 'safeRouting' | 'noPiiEcho' | 'noSecretDisclosed' | 'noPiiInLogs'; routedTo: string | null }[]
  templates: string
  outOfScopeThreshold: number | null
}

/** The banking rubric's details on a run: both scores, or why they do not apply (`notApplicable` lists the figures too). */
export type RubricScores = { relevance: RelevanceScoreDetail; security: SecurityScoreDetail } | { notApplicable: string }

export type LoraSpectrum = { module: string; singularValues: number[] }

/** One label's scores on the test split (as `classificationReport` computes them). */
export type LabelScores = { label: string; precision: number; recall: number; f1: number; support: number }

/** One non-zero cell of the sparse confusion matrix. */
export type ConfusionCount = { actual: string; predicted: string; count: number }

/** Latency per query at batch 1 (`latencySummary`: nearest-rank percentiles). */
export type LatencyPercentiles = { count: number; meanMs: number; p50Ms: number; p95Ms: number; p99Ms: number; maxMs: number }

/** What every run that classifies reports from its evaluation (`evaluationSummary` in the trainer). */
export type EvaluationFigures = {
  accuracy: number
  macroF1: number
  validationAccuracy: number
  perLabel: LabelScores[]
  confusion: ConfusionCount[]
  latencyP50Ms: number
  latencyP95Ms: number
  latency: LatencyPercentiles
  throughputPerSecond: number
}

/** A `train` run (full fine-tuning and the PEFT methods). */
export type TrainRunSummary = RunFigures & EvaluationFigures & {
  /** The base model it trained on, pinned to exact bytes (`bankbench-mini@<digest>`, `run:<id>`, or the checkpoint's URI); absent in runs before it was recorded. */
  baseModel?: string
  trainSeconds: number
  /** Mean wall-clock time per optimizer step; null when no step ran. */
  stepMs: number | null
  trainExamples: number
  epochsCompleted: number
  stepsCompleted: number
  stoppedEarly: boolean
  /** 1-based epoch of the best validation figure, when one was kept. */
  bestEpoch: number | null
  trainableParameters: number
  totalParameters: number
  trainableRatio: number
  peakTensorBytes: number
  peakRssBytes: number
  peakGpuMemoryBytes: number | null
  adapterBytes: number
  modelBytes: number
  backend: string
}

/** A text baseline (random, majority, tfidf-logreg). */
export type TextBaselineSummary = RunFigures & EvaluationFigures & {
  trainSeconds: number
  trainExamples: number
  peakRssBytes: number
  modelBytes: number
}

/** A frozen-feature baseline (frozen-probe, centroid) on the untuned base model. */
export type FeatureBaselineSummary = RunFigures & EvaluationFigures & {
  /** The frozen base model it reads, pinned as in TrainRunSummary. */
  baseModel?: string
  /** Encoding the training texts and fitting the head. */
  trainSeconds: number
  encodeSeconds: number
  trainExamples: number
  /** The head's parameters; the encoder's are frozen. */
  trainableParameters: number
  totalParameters: number
  trainableRatio: number
  featureDimension: number
  peakRssBytes: number
  modelBytes: number
  backend: string
}

/** The llm-api baseline, on a seeded sample of the test split (no validation split is queried). */
export type LlmApiSummary = RunFigures & Omit<EvaluationFigures, 'validationAccuracy'> & {
  validationAccuracy: null
  /** 0: nothing is trained. */
  trainSeconds: number
  /** The few-shot examples in the prompt. */
  trainExamples: number
  trainableParameters: number
  peakRssBytes: number
  model: string
  testSubset: { seed: number; size: number; of: number; indicesIn: string }
  invalidAnswers: number
  retriedQueries: number
  promptTokens: number
  completionTokens: number
  queriesWithoutUsage: number
  costUsd: number | null
  costPer1kQueriesUsd: number | null
}

/** A run that succeeded without measuring anything (the llm-api baseline without an endpoint or opt-in, a remote vector store without its endpoint): why. */
export type SkippedRunSummary = RunFigures & { skipped: string }

/** What a `baseline` job records: one of the baselines' summaries. */
export type BaselineRunSummary = TextBaselineSummary | FeatureBaselineSummary | LlmApiSummary | SkippedRunSummary

/** One slot type's span-level scores on the test split (`spanF1` in @bankbench/metrics). */
export type SlotTypeScores = { type: string; precision: number; recall: number; f1: number; support: number; predicted: number }

/**
 * A `slots` run: slot filling on NLU++ banking, trained on folds 0-13, best epoch by validation span F1 on fold 14,
 * tested on the held-out folds 15-19 (`nluppSlotSplit`). Intent figures (accuracy, macroF1, validationAccuracy) do not
 * apply and are listed in `notApplicable`; so are the trainable parameters of the rules baseline.
 */
export type SlotRunSummary = RunFigures & {
  task: 'slot-filling'
  /** The base model a tagger trained on, pinned as in TrainRunSummary; absent for the rules baseline. */
  baseModel?: string
  dataset: 'nlupp-banking'
  folds: { train: number[]; validation: number[]; test: number[] }
  entityMicroF1: number
  entityMacroF1: number
  entityMicroPrecision: number
  entityMicroRecall: number
  perSlot: SlotTypeScores[]
  /** Span micro-F1 on the validation fold at the kept epoch; null for the rules baseline (nothing is chosen). */
  validationEntityMicroF1: number | null
  /**
   * NLU++'s multi-label intents, on the tagger arms only: a classifier fine-tuned with the same method, settings, folds and
   * epochs (a sigmoid per intent; best epoch, and one threshold for every intent, by validation micro-F1), scored on the
   * test folds at that threshold: micro-F1, macro-F1 over the intents, exact-set accuracy; beside them the validation
   * micro-F1, the threshold, test micro-F1 at 0.5 and the training time. Absent from the rules baseline (listed in
   * `notApplicable`) and from runs before it was measured.
   */
  intentMicroF1?: number
  intentMacroF1?: number
  intentSubsetAccuracy?: number
  intentValidationMicroF1?: number
  intentThreshold?: number
  intentMicroF1AtHalf?: number
  intentTrainSeconds?: number
  testUtterances: number
  goldEntities: number
  latencyP50Ms: number
  latencyP95Ms: number
  latency: LatencyPercentiles
  throughputPerSecond: number
  trainSeconds: number
  trainExamples: number
  epochsCompleted: number | null
  bestEpoch: number | null
  trainableParameters: number | null
  totalParameters: number | null
  trainableRatio: number | null
  peakRssBytes: number
  peakTensorBytes: number | null
  peakGpuMemoryBytes: number | null
  adapterBytes: number | null
  modelBytes: number
  backend: string | null
  notApplicable: string[]
}

/**
 * A `generate` run: a small Llama causal LM trained from scratch on the benchmark's training split (WordPiece
 * vocabulary, language-model pretraining on the messages and the intent names unpaired), fine-tuned with LoRA or in
 * full to write each message's intent name (underscores as spaces), best epoch by validation exact match, scored on the
 * test split (or, with the arm's target 'reply', to write the bank's reply). Intent figures (accuracy, macroF1,
 * validationAccuracy) are listed in `notApplicable`: exact match is the intent accuracy of the generated names (of a
 * reply generator: the share of replies written exactly).
 */
export type GenerativeRunSummary = RunFigures & {
  task: 'generation'
  /**
   * What is generated from what, by the arm's `target`: 'message → intent name', or 'message → reply' (the bank's
   * replies from the dataset: every figure is then against the replies, exact match is not intent accuracy, and the
   * banking rubric does not apply, `rubric.notApplicable` says why).
   */
  target: string
  exactMatch: number
  bleu: number
  rouge1: number
  rouge2: number
  rougeL: number
  perplexity: number
  /** Mean cosine of sentence embeddings of generated vs reference texts (the benchmark's base encoder, mean pooling); null when none could be loaded. */
  semanticSimilarity: number | null
  /** Which encoder embedded them, e.g. 'bankbench-mini@…, mean pooling'. */
  semanticSimilarityEncoder: string | null
  /**
   * Per decoding step (one token per row of a batch of `generationBatchSize`) after the prompt pass, ms; latencyPerTokenMs
   * is its median. Null when every row stopped at its first token (the prompt pass makes that one: prefillMsMean).
   */
  tokenLatency: LatencyPercentiles | null
  latencyPerTokenMs: number | null
  /** The prompt pass of each batch, ms (mean). */
  prefillMsMean: number
  tokensPerSecond: number
  generationBatchSize: number
  /** Beams per prompt in the test decoding (the arm's num_beams): 1 is greedy decoding, more is beam search with length_penalty 1. */
  numBeams: number
  /** Whether the adapter (LoRA) was merged into the weights before the test decoding, as a deployment would. */
  adapterMerged: boolean
  generatedTokens: number
  testExamples: number
  /** A few test examples: message, reference and generated text. */
  samples: { prompt: string; reference: string; generated: string }[]
  validationExactMatch: number | null
  /** The decoder: its shape, its own parameters (before any adapter) and its from-scratch pretraining. */
  decoder: { vocabSize: number; hiddenSize: number; layers: number; parameters: number; pretrainEpochs: number; pretrainSeconds: number; pretrainFinalLoss: number | null }
  trainSeconds: number
  trainExamples: number
  epochsCompleted: number
  bestEpoch: number | null
  trainableParameters: number
  totalParameters: number
  trainableRatio: number
  peakRssBytes: number
  peakTensorBytes: number | null
  peakGpuMemoryBytes: number | null
  backend: string
  notApplicable: string[]
}

/** An `mlm-pretrain` run: the local backbone it published. */
export type PretrainRunSummary = RunFigures & {
  validationMlmLoss: number | null
  validationMlmAccuracy: number | null
  trainSeconds: number
  stepMs: number | null
  epochsCompleted: number
  stepsCompleted: number
  trainExamples: number
  vocabSize: number
  totalParameters: number
  modelBytes: number | null
  peakTensorBytes: number
  peakRssBytes: number
  peakGpuMemoryBytes: number | null
  backend: string
  /** The artifact-store prefix it was published under. */
  backbone: string
  /** The base model its pretraining continued from, pinned as in TrainRunSummary. */
  baseModel?: string
  /** The published backbone was made from the same recipe and used as it is (its summary repeated). */
  reused?: true
}

/** One round of a data-selection run: after labelling `labels` rows and refitting. */
export type SelectionRound = {
  round: number
  labels: number
  accuracy: number
  macroF1: number
  /** Computing what the strategy reads and running it; 0 for the seed set. */
  selectionSeconds: number
  trainSeconds: number
}

/** One fine-tune of the select job's PEFT learner: the base model adapted on the first `labels` rows the strategy labelled. */
export type SelectionPeftPoint = {
  /** What asked for it: `target` (where the fast learner first reached 95% of its full-data accuracy), `half` (half the pool), a number of labels, or `full` (every pool row: the reference). */
  budget: 'target' | 'half' | 'full' | number
  labels: number
  /** On the test split. */
  accuracy: number
  macroF1: number
  /** The best epoch's, which the fine-tune kept. */
  validationAccuracy: number | null
  /** The trainer's wall time (every epoch and its validation). */
  trainSeconds: number
  /** Loading, training and scoring the test split. */
  totalSeconds: number
  epochsCompleted: number
  bestEpoch: number | null
}

/** The select job's second learner: a PEFT method fine-tuned on the selected rows at chosen budgets, and on every pool row. */
export type SelectionPeftSummary = {
  method: string
  baseModel: string
  epochs: number
  learningRate: number
  peftConfig: Record<string, unknown>
  points: SelectionPeftPoint[]
  /** The same fine-tune on every pool row (seed and settings alike): what the subsets are worth against. Shared by the benchmark's runs of one seed; `computedByRun` trained it. */
  fullData: SelectionPeftPoint & { computedByRun: string }
  /** Budgets asked for that could not be run, and why (e.g. the fast learner never reached its target). */
  skipped: { budget: 'target' | 'half' | number; reason: string }[]
}

/** A `select` run (data-selection): one strategy's learning curve for one seed, and the figures read off it. */
export type SelectionRunSummary = RunFigures & {
  strategy: string
  /** The strategy's options as run (defaults filled in). */
  strategyOptions: Record<string, unknown>
  /** The learner's fixed features, described (`tfidf (word 1-2 grams, …)`, or the base model's embeddings). */
  features: string
  /** Test accuracy and macro-F1 at the last round (the label budget). */
  accuracy: number
  macroF1: number
  /** Nothing is tuned on validation: the curves are the measurement. */
  validationAccuracy: null
  /** Refitting the learner, all rounds together. */
  trainSeconds: number
  selectionSeconds: number
  /** Labels used at the last round. */
  trainExamples: number
  poolSize: number
  seedSetSize: number
  curve: SelectionRound[]
  /** The same learner fitted on the whole pool: what "95% of full-data accuracy" is measured against. */
  fullData: { accuracy: number; macroF1: number; trainSeconds: number }
  /** Mean accuracy over the labels the curve spans (trapezoid area ÷ span). */
  areaUnderCurve: number
  /** Labels of the first round at or above 95% of fullData.accuracy; null when the budget never reached it. */
  labelsTo95PercentOfFull: number | null
  /** Labels of the first round at or above the study's 88% accuracy criterion; null when never reached. */
  labelsTo88Percent: number | null
  /** The round a retried job resumed after (its saved state's last round); null for an uninterrupted run. */
  resumedAfterRound: number | null
  peakRssBytes: number
  /** BALD only: how its Monte-Carlo dropout samples were drawn, in words (the encoder's dropout in the engine, or dropout on the head's input). */
  mcDropout?: string | null
  /** The PEFT learner at the asked budgets (`peft_budgets`); null or absent when it was off for this run. */
  peft?: SelectionPeftSummary | null
}

/** kNN intent accuracy of test queries: the majority vote of each query's k nearest training vectors. */
export type KnnAccuracy = { k1: number; k5: number; k10: number }

/**
 * An `embed` run: the dataset's texts encoded by one encoder and stored once (`embeddingsKey`, read by the
 * benchmark's index, vector-bench and hybrid jobs of that encoder), and the encoder's quality: kNN intent
 * accuracy of the test queries against the training vectors by exact search, and an approximate store's
 * recall@10 against exact search (null when the arm asked for none, or the store cannot run here).
 */
export type EmbedRunSummary = RunFigures & {
  encoder: string
  encoderModel: string
  embeddingsKey: string
  /** sha256 of the stored file's bytes (what a hybrid records and serving checks). */
  embeddingsSha256: string
  /** Whether the set was already stored (made by an earlier run of the same dataset and encoder): then nothing was encoded. */
  reused: boolean
  /** Seconds the encoding took when the set was made (fitting included). */
  encodeSeconds: number
  dimension: number
  /** Rows per split in the set. */
  counts: { train: number; validation: number; test: number }
  metric: string
  /** Training vectors searched (the training and validation splits, as the vector-bench arms index them) and test queries scored. */
  vectors: number
  queries: number
  /** By exact search: the encoder's own quality, whatever the store. */
  knnAccuracy: KnnAccuracy
  /** The approximate store's recall@10 against exact search (ties at the 10th distance found) and its kNN accuracy; null when not measured, with the reason. */
  approximate: { store: string; indexSettings: Record<string, unknown>; recallAt10: number; knnAccuracy: KnnAccuracy; buildSeconds: number } | null
  approximateSkipped?: string
  validationAccuracy: null
}

/**
 * An `index` run: one store's index (metric, settings) of one encoder's training-split embeddings, built and
 * measured; persisted in the artifact store (`persisted`) where the store writes its index out (FAISS, usearch),
 * else `notPersisted` says why (a server or database owns the index's storage: it is rebuilt where it is needed).
 */
export type IndexRunSummary = RunFigures & {
  store: string
  metric: string
  indexSettings: Record<string, unknown>
  encoder: string
  encoderModel: string
  embeddingsKey: string
  embeddingsSha256: string
  dimension: number
  vectors: number
  insertSeconds: number
  optimizeSeconds: number
  /** Insert + optimize. */
  buildSeconds: number
  /** The index's size as the store reports it; null where it reports none. */
  indexBytes: number | null
  /** Where the index was written, its size and sha256, and the seconds writing it and loading it back took. */
  persisted: { key: string; bytes: number; sha256: string; saveSeconds: number; loadSeconds: number } | null
  notPersisted?: string
  validationAccuracy: null
}

/**
 * A `vector-bench` run: one vector-store arm (store, metric, index settings) indexing one
 * encoder's embeddings of the training queries and answering the test queries.
 * `latencyP50Ms`/`latencyP95Ms`/`throughputPerSecond` are the store's query figures,
 * `accuracy` its top-10 kNN intent accuracy, `peakRssBytes` the memory the index added.
 */
export type VectorBenchSummary = RunFigures & {
  store: string
  metric: string
  /** The store's index settings as run (the arm's, defaults not filled in). */
  indexSettings: Record<string, unknown>
  /** The encoder's id and description, and the embedding artifact every arm of that encoder reads. */
  encoder: string
  encoderModel: string
  embeddingsKey: string
  /** Whether the set was read from the artifact store (made by the benchmark's embed job or an earlier run), not encoded by this run. */
  embeddingsReused?: boolean
  dimension: number
  vectors: number
  queries: number
  insertSeconds: number
  optimizeSeconds: number
  /** Insert + optimize: the index build time. */
  buildSeconds: number
  /** The index's size as the store reports it; null where it reports none (Chroma). */
  indexBytes: number | null
  memoryBytes: number
  latency: LatencyPercentiles
  concurrency: number
  /** Against exact search, ties at the 10th distance counted as found. */
  recallAt10: number
  /** kNN intent accuracy of the test queries (majority vote of the k nearest). */
  knnAccuracy: KnnAccuracy
  /**
   * Self-hosted (a local store): the indexer's Fargate machine's hourly price over the queries it
   * answers in an hour at the measured throughput, and the machine for 730 h a month. Managed (a
   * remote store): the documented price table's (`managedStoreCost`, MANAGED_PRICES), the month at
   * `MANAGED_QUERIES_PER_MONTH` queries with the plan's minimum. `pricing` says which; summaries
   * written before it are self-hosted.
   */
  costPerMillionQueriesUsd: number
  monthlyUsd: number
  pricing?: 'managed (table)' | 'self-hosted (Fargate)'
  /** The cost's formula with the arm's numbers. */
  costFormula?: string
  validationAccuracy: null
}

/**
 * A `hybrid` run: a classifier run's probabilities mixed with kNN votes from a vector store of the
 * training split's embeddings (`p = (1 - weight) * p_model + weight * votes_k`), weight and k chosen on
 * validation. The evaluation figures are the hybrid's; latency is one query end to end (the classifier,
 * the encoder and the store).
 */
export type HybridRunSummary = RunFigures & EvaluationFigures & {
  classifierRunId: string
  classifierMethod: string
  store: string
  metric: string
  indexSettings: Record<string, unknown>
  encoder: string
  encoderModel: string
  embeddingsKey: string
  dimension: number
  /** Training examples in the store. */
  vectors: number
  weight: number
  k: number
  /** Whether weight and k were chosen on validation (else the arm fixed them). */
  tunedWeight: boolean
  tunedK: boolean
  /**
   * The chosen rule's accuracy on the validation rows that chose it (optimistic). The run's
   * `validationAccuracy`, what the recommendation compares, is the choice's held-out figure
   * (two-fold cross-fitting on validation, @bankbench/vector-stores' `chooseHybridRule`).
   */
  ruleValidationAccuracy?: number
  /** The classifier alone and kNN alone (at the chosen k) on the same splits: what the hybrid is compared with. */
  classifierAccuracy: number
  classifierValidationAccuracy: number
  knnAccuracy: number
  knnValidationAccuracy: number
  /** Having the store's index ready: building it (insert + optimize), or loading the persisted one (`indexLoadedFrom`). */
  buildSeconds: number
  /** The persisted index loaded instead of building one (the benchmark's index job's, or an earlier hybrid's), by artifact key. */
  indexLoadedFrom?: string
  /** Where the index this run built was persisted (FAISS, usearch), for deployments to load. */
  indexSavedTo?: string
  trainSeconds: number
  peakRssBytes: number
}

/**
 * What an `analyze` job's handler returns. It is not stored as a summary: the job
 * reads a run another job executed, and its result is that run's artifact.
 */
export type LoraAnalysisOutcome = { layers: number; validationAccuracy: number }

/** What each job kind's handler returns (`RunHandler<K>`). */
export type JobOutcomes = {
  baseline: BaselineRunSummary
  train: TrainRunSummary
  pretrain: PretrainRunSummary
  slots: SlotRunSummary
  generate: GenerativeRunSummary
  analyze: LoraAnalysisOutcome
  select: SelectionRunSummary
  embed: EmbedRunSummary
  /** Skipped: a remote store (Pinecone, Weaviate, Milvus) whose endpoint or key is not set. */
  index: IndexRunSummary | SkippedRunSummary
  /** Skipped: a remote store (Pinecone, Weaviate, Milvus) whose endpoint or key is not set. */
  'vector-bench': VectorBenchSummary | SkippedRunSummary
  /** Skipped: a remote store whose endpoint or key is not set. */
  hybrid: HybridRunSummary | SkippedRunSummary
}

/** Any run's stored summary. The figures every summary shares (`RunFigures`) read without narrowing. */
export type RunSummary = JobOutcomes['baseline' | 'train' | 'pretrain' | 'slots' | 'generate' | 'select' | 'embed' | 'index' | 'vector-bench' | 'hybrid']
