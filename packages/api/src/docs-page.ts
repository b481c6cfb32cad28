import type { OpenApiDocument } from './openapi'

const METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const

interface Operation {
  summary?: string
  description?: string
  parameters?: { name: string; in: string; required?: boolean; description?: string; schema?: unknown }[]
  requestBody?: { content?: Record<string, { schema?: unknown }> }
  responses?: Record<string, { description?: string; content?: Record<string, { schema?: unknown }> }>
}

/**
 * The API reference as one self-contained HTML page (no scripts, no CDN): each
 * operation with its parameters and its request and response schemas, then the
 * named schemas they refer to.
 */
export function renderDocsPage(document: OpenApiDocument): string {
  const operations = Object.entries(document.paths ?? {}).flatMap(([path, item]) =>
    METHODS.filter((method) => item?.[method]).map((method) => ({ method, path, operation: item![method] as Operation })))
  const schemas = Object.entries(document.components?.schemas ?? {})
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(document.info.title)} API reference</title>
<style>${STYLE}</style>
</head>
<body>
<header>
<h1>${escapeHtml(document.info.title)} <small>${escapeHtml(document.info.version)}</small></h1>
<p>${renderText(document.info.description ?? '')}</p>
<p>Machine-readable: <a href="/openapi.json">/openapi.json</a> (OpenAPI ${escapeHtml(document.openapi)})</p>
</header>
<nav><ul>${operations.map(({ method, path, operation }) =>
    `<li><a href="#${operationAnchor(method, path)}"><span class="method ${method}">${method.toUpperCase()}</span> ${escapeHtml(path)}</a> ${escapeHtml(operation.summary ?? '')}</li>`).join('')}</ul></nav>
<main>
${operations.map(({ method, path, operation }) => renderOperation(method, path, operation)).join('\n')}
<h2>Schemas</h2>
${schemas.map(([name, schema]) => `<section id="schema-${escapeHtml(name)}"><h3>${escapeHtml(name)}</h3>${renderSchema(schema)}</section>`).join('\n')}
</main>
</body>
</html>
`
}

function renderOperation(method: string, path: string, operation: Operation): string {
  const parameters = operation.parameters ?? []
  const requestContent = Object.entries(operation.requestBody?.content ?? {})
  return `<section class="operation" id="${operationAnchor(method, path)}">
<h2><span class="method ${method}">${method.toUpperCase()}</span> <code>${escapeHtml(path)}</code></h2>
<p><strong>${escapeHtml(operation.summary ?? '')}</strong></p>
${operation.description ? `<p>${renderText(operation.description)}</p>` : ''}
${parameters.length > 0 ? `<h3>Parameters</h3>
<table><tr><th>Name</th><th>In</th><th>Required</th><th>Schema</th><th>Description</th></tr>
${parameters.map((parameter) => `<tr><td><code>${escapeHtml(parameter.name)}</code></td><td>${escapeHtml(parameter.in)}</td><td>${parameter.required ? 'yes' : 'no'}</td><td><code>${escapeHtml(JSON.stringify(parameter.schema ?? {}))}</code></td><td>${renderText(parameter.description ?? '')}</td></tr>`).join('\n')}
</table>` : ''}
${requestContent.length > 0 ? `<h3>Request body</h3>${requestContent.map(([type, media]) => `<h4><code>${escapeHtml(type)}</code></h4>${renderSchema(media.schema)}`).join('')}` : ''}
<h3>Responses</h3>
${Object.entries(operation.responses ?? {}).map(([status, response]) => `<h4>${escapeHtml(status)} ${renderText(response.description ?? '')}</h4>
${Object.entries(response.content ?? {}).map(([type, media]) => `<p><code>${escapeHtml(type)}</code></p>${renderSchema(media.schema)}`).join('')}`).join('\n')}
</section>`
}

/** A reference as a link to the named schema; anything else as pretty JSON whose references are links. */
function renderSchema(schema: unknown): string {
  const ref = (schema as { $ref?: unknown } | undefined)?.$ref
  if (typeof ref === 'string' && Object.keys(schema as object).length === 1) return `<p>Schema: ${schemaLink(ref)}</p>`
  const json = escapeHtml(JSON.stringify(schema ?? {}, null, 2))
  return `<pre>${json.replace(/&quot;(#\/components\/schemas\/[\w.-]+)&quot;/g, (_, target: string) => `&quot;${schemaLink(target)}&quot;`)}</pre>`
}

function schemaLink(ref: string): string {
  const name = escapeHtml(ref.replace('#/components/schemas/', ''))
  return `<a href="#schema-${name}">${name}</a>`
}

/** Escaped text with `code spans` (as the descriptions write them) set in code. */
function renderText(text: string): string {
  return escapeHtml(text).replace(/`([^`]+)`/g, '<code>$1</code>')
}

function operationAnchor(method: string, path: string): string {
  return `${method}-${path.replace(/[^\w]+/g, '-')}`
}

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => HTML_ESCAPES[char]!)
}

const STYLE = `
body { font: 15px/1.5 system-ui, sans-serif; margin: 0 auto; max-width: 62rem; padding: 1rem 2rem; color: #1d2330; }
header small { color: #667; font-weight: normal; }
nav ul { list-style: none; padding: 0; }
nav li { margin: .2rem 0; }
a { color: #1f5fbf; text-decoration: none; }
.operation { border-top: 1px solid #dde; margin-top: 2rem; }
.method { display: inline-block; min-width: 3.5rem; text-align: center; border-radius: 4px; color: #fff; font: bold 12px/1.8 monospace; margin-right: .3rem; }
.get { background: #2f7d4f; } .post { background: #1f5fbf; } .put, .patch { background: #a86400; } .delete { background: #b3261e; }
table { border-collapse: collapse; width: 100%; font-size: 14px; }
th, td { border: 1px solid #dde; padding: .3rem .5rem; text-align: left; vertical-align: top; }
pre { background: #f5f6f8; border-radius: 4px; padding: .6rem; overflow-x: auto; font-size: 13px; }
h4 { margin-bottom: .2rem; }
`
