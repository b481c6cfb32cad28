import { describe, expect, it } from 'vitest'
import { renderInline, renderMarkdown } from './markdown'

describe('renderMarkdown (the subset the embedded docs use)', () => {
  it('renders headings shifted down, paragraphs joined, and escapes every text', () => {
    expect(renderMarkdown('# Title\n\nline one\nline <two> & `a<b>`\n\n## Sub', 2)).toBe('<h3>Title</h3>\n<p>line one line &lt;two&gt; &amp; <code>a&lt;b&gt;</code></p>\n<h4>Sub</h4>')
  })

  it('renders numbered lists with indented continuation lines, bullets, quotes with entities, and fenced code verbatim', () => {
    expect(renderMarkdown('1. first\n   continued\n2. **second**\n\n- x\n- *y*')).toBe('<ol><li>first continued</li><li><strong>second</strong></li></ol>\n<ul><li>x</li><li><em>y</em></li></ul>')
    expect(renderMarkdown('> I can help with &lt;intent&gt;.\n> more')).toBe('<blockquote><p>I can help with &lt;intent&gt;. more</p></blockquote>')
    expect(renderMarkdown('```text\nScore **(0-10)**:\n<the message>\n```')).toBe('<pre><code>Score **(0-10)**:\n&lt;the message&gt;</code></pre>')
  })

  it('renders pipe tables with a header row', () => {
    expect(renderMarkdown('| check | weight |\n| --- | --- |\n| `safeRouting` | 3 |')).toBe('<table><thead><tr><th>check</th><th>weight</th></tr></thead><tbody><tr><td><code>safeRouting</code></td><td>3</td></tr></tbody></table>')
  })

  it('makes links only to http(s) and anchors; a relative path is shown as a path', () => {
    expect(renderInline('[docs](https://example.com/a)')).toBe('<a href="https://example.com/a">docs</a>')
    expect(renderInline('[x](javascript:alert(1))')).not.toContain('href')
    expect(renderInline('[arch](architecture.md)')).toBe('arch (<code>architecture.md</code>)')
  })
})
