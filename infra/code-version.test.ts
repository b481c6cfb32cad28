import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { codeVersionOfCheckout } from './code-version'

describe('codeVersionOfCheckout', () => {
  it("is the checkout's commit, marked -dirty when the working tree has changes", () => {
    const head = execFileSync('git', ['rev-parse', 'HEAD'], { encoding: 'utf8' }).trim()
    const dirty = execFileSync('git', ['status', '--porcelain'], { encoding: 'utf8' }).trim() !== ''
    expect(codeVersionOfCheckout(process.cwd(), {})).toBe(dirty ? `${head}-dirty` : head)
    expect(head).toMatch(/^[0-9a-f]{40}$/)
  })

  it('is BANKBENCH_CODE_VERSION when the deploying shell sets it', () => {
    expect(codeVersionOfCheckout(process.cwd(), { BANKBENCH_CODE_VERSION: 'v1.2.3' })).toBe('v1.2.3')
  })

  it('is undefined outside a git checkout: the images then record no version', () => {
    const folder = mkdtempSync(join(tmpdir(), 'bankbench-no-git-'))
    try {
      expect(codeVersionOfCheckout(folder, {})).toBeUndefined()
    } finally {
      rmSync(folder, { recursive: true, force: true })
    }
  })
})
