/**
 * Embeds docs/rubrics.md in the report package (packages/report/src/sections/rubric-doc.generated.ts):
 * every report carries it as its appendix, so the rubric is there in a report under reports/, in the
 * copy the API serves (GET /v1/benchmarks/{id}/report.html) and in the PDF alike. Run after editing
 * docs/rubrics.md: `npx tsx scripts/write-rubric-doc.ts` (a test fails while the copy differs).
 */
import { readFileSync, writeFileSync } from 'node:fs'
import { RUBRIC_DOC_MODULE, rubricDocModule } from '../packages/report/src/sections/rubric-doc-source'

const repo = new URL('../', import.meta.url)
writeFileSync(new URL(RUBRIC_DOC_MODULE, repo), rubricDocModule(readFileSync(new URL('docs/rubrics.md', repo), 'utf8')))
console.log(`wrote ${RUBRIC_DOC_MODULE}`)
