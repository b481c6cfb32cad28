import { Hono } from 'hono'
import { renderDocsPage } from '../docs-page'
import type { ApiEnv } from '../env'
import type { OpenApiDocument } from '../openapi'

/** GET /openapi.json and GET /docs (the human-readable reference), built from the route schemas once. */
export function docsRoutes(buildDocument: () => OpenApiDocument) {
  let document: OpenApiDocument | undefined
  let page: string | undefined
  const getDocument = () => (document ??= buildDocument())
  return new Hono<ApiEnv>()
    .get('/openapi.json', (c) => c.json(getDocument()))
    .get('/docs', (c) => {
      c.header('Content-Security-Policy', "default-src 'none'; style-src 'unsafe-inline'")
      return c.html(page ??= renderDocsPage(getDocument()))
    })
}
