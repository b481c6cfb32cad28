/**
 * The report's chart types as Vega-Lite specifications. Each takes plain data rows
 * and returns a spec; `renderChart` turns it into SVG. Every chart colours methods
 * with the same palette (`methodColors`), so a method looks the same throughout.
 */
import type { TopLevelSpec } from 'vega-lite'

export interface MethodColors {
  domain: string[]
  range: string[]
}

const PALETTE = ['#4c78a8', '#f58518', '#54a24b', '#e45756', '#72b7b2', '#b279a2', '#eeca3b', '#9d755d', '#ff9da6', '#bab0ac']

/** One colour per method, in the order the methods first appear. */
export function methodColors(methods: readonly string[]): MethodColors {
  const domain = [...new Set(methods)]
  return { domain, range: domain.map((_, index) => PALETTE[index % PALETTE.length]!) }
}

/** The same colours restricted to the methods a chart shows, so that its legend lists only those. */
export function colorsOf(colors: MethodColors, methods: Iterable<string>): MethodColors {
  const shown = new Set(methods)
  const kept = colors.domain.flatMap((method, index) => (shown.has(method) ? [[method, colors.range[index]!] as const] : []))
  return { domain: kept.map(([method]) => method), range: kept.map(([, color]) => color) }
}

const WIDE = { width: 620, height: 240 }
const NARROW = { width: 270, height: 200 }

export interface LossPoint { run: string; method: string; step: number; loss: number }

/** Training loss per step, one line per run, coloured by method. */
export function lossCurveSpec(points: LossPoint[], colors: MethodColors): TopLevelSpec {
  return {
    ...WIDE,
    description: 'Training loss per optimisation step, one line per run',
    data: { values: points },
    mark: { type: 'line', strokeWidth: 1.2, opacity: 0.85 },
    encoding: {
      x: { field: 'step', type: 'quantitative', title: 'step' },
      y: { field: 'loss', type: 'quantitative', title: 'training loss', scale: { zero: false } },
      color: { field: 'method', type: 'nominal', title: 'method', scale: colorsOf(colors, points.map((point) => point.method)) },
      detail: { field: 'run', type: 'nominal' },
    },
  }
}

export interface ScatterPoint { method: string; label: string; x: number; y: number; onFront: boolean }

export interface ParetoChartOptions {
  title: string
  xTitle: string
  /** Multiplies x before plotting (bytes → GiB), so axis labels read in the unit of the title. */
  xScale?: number
  /** Dashed guides at the success criteria: minimum accuracy, maximum x. */
  minAccuracy?: number
  maxX?: number
}

/**
 * Accuracy against a cost (log scale), every run a point, the Pareto front drawn as
 * a step line through the runs nothing beats on both axes and its points ringed.
 */
export function paretoSpec(points: ScatterPoint[], colors: MethodColors, options: ParetoChartOptions): TopLevelSpec {
  const scale = options.xScale ?? 1
  const values = points.map((point) => ({ ...point, x: point.x * scale }))
  const front = values.filter((point) => point.onFront).sort((a, b) => a.x - b.x)
  const x = { field: 'x', type: 'quantitative' as const, title: options.xTitle, scale: { type: 'log' as const } }
  const y = { field: 'y', type: 'quantitative' as const, title: 'test accuracy', axis: { format: '.0%' }, scale: { zero: false } }
  const guides: TopLevelSpec[] = []
  if (options.minAccuracy !== undefined) {
    guides.push({ data: { values: [{ y: options.minAccuracy }] }, mark: { type: 'rule', strokeDash: [4, 3], color: '#888' }, encoding: { y: { field: 'y', type: 'quantitative' } } } as TopLevelSpec)
  }
  if (options.maxX !== undefined) {
    guides.push({ data: { values: [{ x: options.maxX * scale }] }, mark: { type: 'rule', strokeDash: [4, 3], color: '#888' }, encoding: { x: { field: 'x', type: 'quantitative' } } } as TopLevelSpec)
  }
  return {
    ...NARROW,
    title: options.title,
    description: `Test accuracy against ${options.xTitle}; the Pareto front is the step line`,
    layer: [
      ...guides,
      { data: { values: front }, mark: { type: 'line', interpolate: 'step-after', color: '#333', strokeWidth: 1 }, encoding: { x, y } },
      { data: { values: front }, mark: { type: 'point', size: 160, color: '#333', strokeWidth: 1.2 }, encoding: { x, y } },
      { data: { values }, mark: { type: 'circle', size: 45, opacity: 0.9 }, encoding: { x, y, color: { field: 'method', type: 'nominal', title: 'method', scale: colorsOf(colors, points.map((point) => point.method)) } } },
    ],
  } as TopLevelSpec
}

export interface MeanPoint { method: string; x: number; mean: number; low: number; high: number }

/** Mean test accuracy against the LoRA rank (log2 axis), with ± one standard deviation over seeds. */
export function rankCurveSpec(points: MeanPoint[], colors: MethodColors): TopLevelSpec {
  const x = { field: 'x', type: 'quantitative' as const, title: 'LoRA rank r', scale: { type: 'log' as const, base: 2 }, axis: { values: [...new Set(points.map((point) => point.x))] } }
  const color = { field: 'method', type: 'nominal' as const, title: 'method', scale: colorsOf(colors, points.map((point) => point.method)) }
  return {
    ...WIDE,
    height: 200,
    description: 'Mean test accuracy for each LoRA rank',
    layer: [
      { data: { values: points }, mark: { type: 'rule' }, encoding: { x, y: { field: 'low', type: 'quantitative' }, y2: { field: 'high' }, color } },
      { data: { values: points }, mark: { type: 'line', point: true }, encoding: { x, y: { field: 'mean', type: 'quantitative', title: 'test accuracy', axis: { format: '.1%' }, scale: { zero: false } }, color } },
    ],
  } as TopLevelSpec
}

export interface BarValue { label: string; method: string; mean: number; low: number; high: number }

/** Mean test accuracy per configuration (bars) with ± one standard deviation (rules). */
export function accuracyBarSpec(values: BarValue[], colors: MethodColors, title: string): TopLevelSpec {
  const y = { field: 'label', type: 'nominal' as const, title: null, sort: null }
  return {
    width: 420,
    height: { step: 18 },
    title,
    description: title,
    data: { values },
    layer: [
      { mark: { type: 'bar' }, encoding: { y, x: { field: 'mean', type: 'quantitative', title: 'test accuracy', axis: { format: '.0%' } }, color: { field: 'method', type: 'nominal', title: 'method', scale: colorsOf(colors, values.map((value) => value.method)) } } },
      { mark: { type: 'rule' }, encoding: { y, x: { field: 'low', type: 'quantitative' }, x2: { field: 'high' } } },
    ],
  } as TopLevelSpec
}

export interface SpectrumPoint { module: string; index: number; value: number }

/** Singular values of trained LoRA updates (B·A) per module, largest first, log scale. */
export function spectrumSpec(points: SpectrumPoint[]): TopLevelSpec {
  return {
    ...WIDE,
    description: 'Singular values of the learned LoRA updates per module',
    data: { values: points },
    mark: { type: 'line', point: true },
    encoding: {
      x: { field: 'index', type: 'quantitative', title: 'singular value index', axis: { tickMinStep: 1 } },
      y: { field: 'value', type: 'quantitative', title: 'singular value', scale: { type: 'log' } },
      color: { field: 'module', type: 'nominal', title: 'module' },
    },
  }
}

/**
 * Data selection's learning curves: mean test accuracy against labels used (log axis, the
 * rounds' spacing), one line per strategy, bars spanning ± one standard deviation over
 * seeds, and a dashed rule at the target (95% of full-data accuracy).
 */
export function learningCurveSpec(points: MeanPoint[], colors: MethodColors, target: number): TopLevelSpec {
  const x = { field: 'x', type: 'quantitative' as const, title: 'labelled training rows', scale: { type: 'log' as const } }
  const color = { field: 'method', type: 'nominal' as const, title: 'strategy', scale: colorsOf(colors, points.map((point) => point.method)) }
  return {
    ...WIDE,
    height: 260,
    description: 'Mean test accuracy against labels used, per selection strategy',
    layer: [
      { data: { values: [{ y: target }] }, mark: { type: 'rule', strokeDash: [4, 3], color: '#888' }, encoding: { y: { field: 'y', type: 'quantitative' } } },
      { data: { values: points }, mark: { type: 'rule', opacity: 0.6 }, encoding: { x, y: { field: 'low', type: 'quantitative' }, y2: { field: 'high' }, color } },
      { data: { values: points }, mark: { type: 'line', point: { size: 18 }, strokeWidth: 1.3 }, encoding: { x, y: { field: 'mean', type: 'quantitative', title: 'test accuracy', axis: { format: '.0%' }, scale: { zero: false } }, color } },
    ],
  } as TopLevelSpec
}
