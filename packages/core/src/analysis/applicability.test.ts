import { describe, expect, it } from 'vitest'
import { notApplicableFigures, RUBRIC_FIGURES } from './applicability'

describe('the banking rubric\'s applicability', () => {
  it('applies to every deployable classifier: train runs, the servable baselines, the hybrid and generate runs', () => {
    for (const method of ['lora', 'full', 'majority', 'tfidf-logreg', 'hybrid', 'generate-lora', 'generate-full']) {
      for (const figure of RUBRIC_FIGURES) expect(notApplicableFigures(method, null), method).not.toContain(figure)
    }
  })

  it('does not apply to what deploys no intent classifier', () => {
    for (const method of ['llm-api', 'vector-bench', 'slots', 'mlm-pretrain']) expect(notApplicableFigures(method, null), method).toEqual(expect.arrayContaining(RUBRIC_FIGURES))
  })
})
