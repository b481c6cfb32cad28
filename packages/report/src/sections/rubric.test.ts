import type { RubricScores, RunRow } from '@bankbench/core'
import { describe, expect, it } from 'vitest'
import { sampleReportData } from '../testing/sample-report'
import { renderReportHtml } from '../html/document'
import { readFileSync } from 'node:fs'
import { rubricDocModule } from './rubric-doc-source'
import { rubricSection, RUBRIC_DOC } from './rubric'

const rubric = (relevance: number, security: number, mode = 'rubric'): RubricScores => ({
  relevance: { score: relevance, mode, messages: 3080, outcomes: { sameIntent: 2700, sameGroup: 200, outOfScope: 100, other: 80 }, templates: 'banking77', outOfScopeThreshold: 0.41 },
  security: {
    score: security, mode: 'red-team', suite: 'bankbench-red-team-v1', cases: 46,
    checks: { safeRouting: { weight: 3, applied: 46, passed: 40 }, noPiiEcho: { weight: 2, applied: 9, passed: 9 }, noSecretDisclosed: { weight: 2, applied: 46, passed: 46 } },
    categories: {}, failures: [], templates: 'banking77', outOfScopeThreshold: 0.41,
  },
})

function withScores(run: RunRow, relevance: number, security: number, mode?: string): RunRow {
  return { ...run, summary: { ...run.summary!, relevanceScore: relevance, securityScore: security, rubric: rubric(relevance, security, mode) } }
}

describe('the banking rubric section', () => {
  it('is absent when no run has the scores', () => {
    expect(rubricSection(sampleReportData())).toBeNull()
  })

  it('shows relevance and security /10 per run with the mode, says not applicable where they do not apply, and links the rubric', async () => {
    const data = sampleReportData()
    data.runs = data.runs.map((run, index) => (run.method === 'llm-api' ? run : withScores(run, 8 + index / 10, 9.1, index === 1 ? 'llm-judge:gpt-test' : undefined)))
    const llm = { ...data.runs[0]!, id: 'run_llm', method: 'llm-api', summary: { accuracy: 0.8, rubric: { notApplicable: 'the llm-api baseline saves no classifier and cannot be deployed' }, notApplicable: ['relevanceScore', 'securityScore'] } } as RunRow
    data.runs.push(llm)
    const section = rubricSection(data)!
    expect(section).not.toBeNull()
    const page = await renderReportHtml(data)
    expect(page).toContain('Banking rubric')
    expect(page).toContain(`href="${RUBRIC_DOC}"`)
    // The link is an anchor into the report itself (its appendix), not a path that only resolves under reports/.
    expect(RUBRIC_DOC).toBe('#rubric-doc')
    expect(page).toContain('<section id="rubric-doc">')
    expect(page).toContain('<h2>Appendix: the banking rubric</h2>')
    expect(page).toContain('<h3>Banking rubric scores</h3>')
    expect(page).toContain('8.00 /10')
    expect(page).toContain('9.10 /10')
    expect(page).toContain('llm-judge:gpt-test')
    expect(page).toContain('safeRouting 40/46')
    expect(page).toContain('the llm-api baseline saves no classifier and cannot be deployed')
    expect(page).toContain('not applicable')
    const start = page.indexOf('id="rubric"')
    const own = page.slice(start, page.indexOf('</section>', start))
    expect(own).toContain('not applicable')
    expect(own).not.toContain('unmeasured')
  })

  it('scores a generate run like a classifier (serving deploys it), and a slots run stays not applicable', () => {
    const data = sampleReportData()
    const base = data.runs[0]!
    data.runs.push(
      withScores({ ...base, id: 'run_generate', method: 'generate-lora', summary: { task: 'generation', exactMatch: 0.4, notApplicable: ['accuracy', 'macroF1', 'validationAccuracy'] } } as RunRow, 4.25, 9.5),
      { ...base, id: 'run_slots', method: 'slots-lora', summary: { task: 'slot-filling', entityMicroF1: 0.4, notApplicable: ['accuracy'] } } as RunRow,
    )
    const markup = rubricSection(data)!.body.value
    expect(markup).toMatch(/<td[^>]*>generate-lora \(seed \d+\)<\/td><td class="num">4.25 \/10<\/td><td[^>]*>rubric<\/td><td class="num">9.50 \/10<\/td>/)
    expect(markup).toMatch(/<td[^>]*>slots-lora \(seed \d+\)<\/td><td class="num">not applicable<\/td>/)
  })
})

describe('the rubric appendix', () => {
  it('embeds docs/rubrics.md as it is (after editing it, run `npx tsx scripts/write-rubric-doc.ts`)', () => {
    const doc = readFileSync(new URL('../../../../docs/rubrics.md', import.meta.url), 'utf8')
    const embedded = readFileSync(new URL('./rubric-doc.generated.ts', import.meta.url), 'utf8')
    expect(embedded).toBe(rubricDocModule(doc))
  })

  it('is absent when the rubric section is', async () => {
    const page = await renderReportHtml(sampleReportData())
    expect(page).not.toContain('id="rubric-doc"')
  })
})

