import { recommend } from '@bankbench/core'
import { parse, type DefaultTreeAdapterMap } from 'parse5'
import { describe, expect, it } from 'vitest'
import { sampleReportData } from '../testing/sample-report'
import { renderReportHtml } from './document'

type Node = DefaultTreeAdapterMap['node']
type Element = DefaultTreeAdapterMap['element']

/** Parses like a browser and fails on any parse error (unclosed or misnested markup). */
function parseStrictly(markup: string) {
  const errors: string[] = []
  const document = parse(markup, { onParseError: (error) => errors.push(`${error.code} at line ${error.startLine}`) })
  expect(errors).toEqual([])
  return document
}

function elements(node: Node): Element[] {
  const found: Element[] = []
  const walk = (current: Node) => {
    if ('tagName' in current) found.push(current)
    const children = 'childNodes' in current ? current.childNodes : []
    for (const child of children) walk(child)
  }
  walk(node)
  return found
}

const attribute = (element: Element, name: string) => element.attrs.find((attr) => attr.name === name)?.value

describe('renderReportHtml', () => {
  it('is one well-formed, self-contained document with every section', async () => {
    const all = elements(parseStrictly(await renderReportHtml(sampleReportData())))
    expect(all.filter((element) => element.tagName === 'script' || element.tagName === 'link' || element.tagName === 'img')).toEqual([])
    for (const element of all) {
      for (const name of ['src', 'href']) expect(attribute(element, name) ?? '#').toMatch(/^#/)
    }
    const sectionIds = all.filter((element) => element.tagName === 'section').map((element) => attribute(element, 'id'))
    expect(sectionIds).toEqual(['recommendations', 'criteria', 'results', 'pareto', 'training', 'lora', 'methodology', 'environment'])
  })

  it('draws every training run on the parameters Pareto chart and rings the front the analysis found', async () => {
    const data = sampleReportData()
    const marks = elements(parseStrictly(await renderReportHtml(data)))
      .filter((element) => (attribute(element, 'aria-label') ?? '').startsWith('trainable parameters: '))
    const labelsOf = (role: string) => marks.filter((element) => attribute(element, 'aria-roledescription') === role).map((element) => attribute(element, 'aria-label'))
    // Vega labels each mark with its data: runs are circles, the front's rings are points.
    const trainingRows = data.comparison.runs.filter((row) => row.trainableParameters !== null)
    const runPoints = labelsOf('circle')
    expect(runPoints).toHaveLength(trainingRows.length)
    for (const row of trainingRows) expect(runPoints).toContain(`trainable parameters: ${row.trainableParameters}; test accuracy: ${Math.round(row.accuracy! * 100)}%; method: ${row.method}`)
    const front = data.recommendation.paretoFronts.accuracyVsParameters.points
    expect(labelsOf('point')).toEqual(front.map((point) => `trainable parameters: ${point.x}; test accuracy: ${Math.round(point.y * 100)}%`))
  })

  it('plots each loss curve from its series and the rank curve from the LoRA grid', async () => {
    const data = sampleReportData()
    const labels = elements(parseStrictly(await renderReportHtml(data))).map((element) => attribute(element, 'aria-label') ?? '')
    const [firstRunId, firstCurve] = Object.entries(data.lossCurves)[0]!
    const firstRun = data.runs.find((run) => run.id === firstRunId)!
    expect(labels.some((label) => label.startsWith(`step: 1; training loss: ${firstCurve[0]!.value.toFixed(3)}`) && label.includes(`method: ${firstRun.method}`))).toBe(true)
    const rankPoints = labels.filter((label) => /^LoRA rank r: \d+; test accuracy: /.test(label))
    expect(rankPoints.map((label) => /^LoRA rank r: (\d+)/.exec(label)![1])).toEqual(expect.arrayContaining(['4', '8', '16']))
  })

  it('states the conclusions of the analysis, not its own', async () => {
    const data = sampleReportData()
    const page = await renderReportHtml(data)
    const best = data.recommendation.best
    expect(best).not.toBeNull()
    expect(page).toContain(`Recommended: ${best!.method}`)
    for (const answer of Object.values(data.recommendation.questions)) expect(page).toContain(escape(answer.answer))
  })

  it('shows a criterion that does not apply as n/a, and the closest method when none meets every criterion', async () => {
    const data = sampleReportData()
    const page = await renderReportHtml(data)
    const criteria = page.slice(page.indexOf('<section id="criteria"'), page.indexOf('<section id="results"'))
    // The baselines train no transformer parameters: their parameter reduction is n/a, not unmeasured; so is the GPU memory of runs without a GPU.
    const notApplicable = data.recommendation.methods.flatMap((verdict) => verdict.checks).filter((check) => check.state === 'not-applicable')
    expect(notApplicable.filter((check) => check.constraint === 'minParameterReduction')).toHaveLength(data.recommendation.methods.filter((verdict) => verdict.method === 'majority' || verdict.method === 'tfidf-logreg').length)
    expect(criteria.match(/class="na">n\/a</g)).toHaveLength(notApplicable.length)
    expect(page).toContain(escape(data.recommendation.rule))

    const strict = recommend(data.comparison, { ...data.recommendation.constraints, minAccuracy: 0.99 })
    const closest = await renderReportHtml({ ...data, recommendation: strict })
    expect(strict.best).toMatchObject({ meetsAll: false, missedCriteria: ['minAccuracy'] })
    expect(closest).toContain(`No method meets every success criterion. Closest: ${strict.best!.method}`)
    expect(closest).not.toContain('Recommended:')
  })

  it('escapes text that came from users', async () => {
    const data = sampleReportData()
    data.benchmark = { ...data.benchmark, name: '<script>alert("x")</script> & co' }
    const page = await renderReportHtml(data)
    expect(page).not.toContain('<script>')
    expect(page).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; co')
  })

  it('leaves out the charts a baseline-only benchmark has no data for', async () => {
    const data = sampleReportData()
    const baselines = new Set(['majority', 'tfidf-logreg'])
    data.runs = data.runs.filter((run) => baselines.has(run.method))
    data.comparison = { ...data.comparison, runs: data.comparison.runs.filter((row) => baselines.has(row.method)), methods: data.comparison.methods.filter((row) => baselines.has(row.method)) }
    data.lossCurves = {}
    const sectionIds = elements(parseStrictly(await renderReportHtml(data))).filter((element) => element.tagName === 'section').map((element) => attribute(element, 'id'))
    expect(sectionIds).not.toContain('training')
    expect(sectionIds).not.toContain('lora')
  })
})

function escape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;')
}
