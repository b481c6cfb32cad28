import { benchmarkSpecSchema, listDatasets, schema, UPLOAD_LIMITS } from '@bankbench/core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openTestApi, readProblem, type TestApi } from '../testing'

let api: TestApi
beforeAll(async () => { api = await openTestApi() })
afterAll(async () => { await api?.close() })

/** A valid upload: `rows` examples over three labels; `variant` makes the content unique. */
function csv(variant: string, rows = 30): string {
  const labels = ['card_arrival', 'lost_or_stolen_card', 'exchange_rate']
  const lines = Array.from({ length: rows }, (_, i) => `"${variant} question number ${i}, please",${labels[i % labels.length]}`)
  return `text,label\n${lines.join('\n')}\n`
}

const uploadCsv = async (body: string | Uint8Array<ArrayBuffer>, query = '', headers: Record<string, string> = {}) =>
  api.app.request(`/v1/datasets${query}`, { method: 'POST', headers: { 'content-type': 'text/csv', ...headers }, body })

describe('GET /v1/datasets', () => {
  it('lists the built-in Banking77 dataset', async () => {
    const response = await api.app.request('/v1/datasets')
    const page = await response.json() as { items: { id: string; labelCount: number; splits: object }[]; nextCursor: string | null }
    expect(response.status).toBe(200)
    expect(page.items.find((item) => item.id === 'banking77')).toMatchObject({ labelCount: 77, splits: { train: 9503, validation: 500, test: 3080 } })
  })

  it('refuses a limit out of range with a 400 problem naming the parameter', async () => {
    const problem = await readProblem(await api.app.request('/v1/datasets?limit=0'))
    expect(problem.body.status).toBe(400)
    expect(problem.body.errors).toEqual([{ path: 'query.limit', message: expect.any(String) }])
  })

  it('refuses a cursor it did not issue', async () => {
    const problem = await readProblem(await api.app.request('/v1/datasets?cursor=garbage'))
    expect(problem.body).toMatchObject({ status: 400, detail: expect.stringContaining('cursor') })
  })
})

describe('GET /v1/datasets/{id}', () => {
  it('returns the labels and split counts', async () => {
    const response = await api.app.request('/v1/datasets/banking77')
    const dataset = await response.json() as { labels: string[]; splits: object; createdAt: string }
    expect(dataset.labels).toHaveLength(77)
    expect(dataset.labels).toContain('card_arrival')
    expect(new Date(dataset.createdAt).toISOString()).toBe(dataset.createdAt)
    expect(dataset).not.toHaveProperty('artifactKey')
  })

  it('answers an unknown id with a 404 problem', async () => {
    const response = await api.app.request('/v1/datasets/ds_missing')
    expect(response.status).toBe(404)
    expect(response.headers.get('content-type')).toBe('application/problem+json')
  })
})

describe('POST /v1/datasets', () => {
  it('stores a CSV (201 with Location), then answers the same content with the stored dataset (200)', async () => {
    const first = await uploadCsv(csv('first'), '?name=Support%20tickets')
    const created = await first.json() as { id: string; name: string; source: string; labels: string[]; splits: { train: number; validation: number; test: number } }
    expect(first.status).toBe(201)
    expect(first.headers.get('location')).toBe(`/v1/datasets/${created.id}`)
    expect(created).toMatchObject({ name: 'Support tickets', source: 'upload', labels: ['card_arrival', 'exchange_rate', 'lost_or_stolen_card'], splits: { train: 24, validation: 3, test: 3 } })

    const again = await uploadCsv(csv('first'))
    expect(again.status).toBe(200)
    expect((await again.json() as { id: string }).id).toBe(created.id)

    const fetched = await api.app.request(first.headers.get('location')!)
    expect((await fetched.json() as { id: string }).id).toBe(created.id)
  })

  it('accepts the CSV as the multipart field "file", named after the file', async () => {
    const form = new FormData()
    form.set('file', new Blob([csv('multipart')], { type: 'text/csv' }), 'branch-questions.csv')
    const response = await api.app.request('/v1/datasets', { method: 'POST', body: form })
    expect(response.status).toBe(201)
    expect(await response.json()).toMatchObject({ name: 'branch-questions', source: 'upload' })
  })

  it('refuses a form without the field "file"', async () => {
    const form = new FormData()
    form.set('upload', new Blob([csv('wrong field')]), 'data.csv')
    const problem = await readProblem(await api.app.request('/v1/datasets', { method: 'POST', body: form }))
    expect(problem.body).toMatchObject({ status: 400, errors: [{ path: 'file', message: 'required' }] })
  })

  it('refuses a CSV without a label column (400)', async () => {
    const problem = await readProblem(await uploadCsv(csv('no label').replace('text,label', 'text,intent')))
    expect(problem.body).toMatchObject({ status: 400, detail: expect.stringContaining('text and label') })
  })

  it('refuses bytes that are not UTF-8 (400)', async () => {
    const bytes = new Uint8Array([...new TextEncoder().encode('text,label\n'), 0xff, 0xfe, 0x2c, 0x61, 0x0a])
    const problem = await readProblem(await uploadCsv(bytes))
    expect(problem.body).toMatchObject({ status: 400, detail: expect.stringContaining('UTF-8') })
  })

  it('refuses other content types (415)', async () => {
    const problem = await readProblem(await uploadCsv(JSON.stringify({ text: 'x' }), '', { 'content-type': 'application/json' }))
    expect(problem.body).toMatchObject({ status: 415, detail: expect.stringContaining('text/csv') })
  })

  it('refuses a 50 MB upload from its Content-Length without reading the body (413)', async () => {
    let pulledBytes = 0
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulledBytes += 1 << 20
        controller.enqueue(new Uint8Array(1 << 20))
        if (pulledBytes >= 50 << 20) controller.close()
      },
    })
    const response = await api.app.request(new Request('http://localhost/v1/datasets', {
      method: 'POST', body, duplex: 'half', headers: { 'content-type': 'text/csv', 'content-length': String(50 << 20) },
    } as RequestInit))
    const problem = await readProblem(response)
    expect(response.status).toBe(413)
    expect(problem.contentType).toBe('application/problem+json')
    expect(problem.body.type).toBe('https://bankbench.dev/problems/payload-too-large')
    // A ReadableStream pulls ahead to fill its queue: at most a chunk or two, never the upload.
    expect(pulledBytes).toBeLessThanOrEqual(2 << 20)
  })

  it('stops reading a streamed upload without Content-Length once it passes the limit (413)', async () => {
    let pulledBytes = 0
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulledBytes += 1 << 20
        controller.enqueue(new Uint8Array(1 << 20).fill(0x61))
        if (pulledBytes >= 50 << 20) controller.close()
      },
    })
    const response = await api.app.request(new Request('http://localhost/v1/datasets', {
      method: 'POST', body, duplex: 'half', headers: { 'content-type': 'text/csv' },
    } as RequestInit))
    expect(response.status).toBe(413)
    expect(pulledBytes).toBeLessThan(UPLOAD_LIMITS.maxBytes + (3 << 20))
  })

  it('refuses a name with control characters with a 400 naming the parameter, not a 500', async () => {
    for (const query of ['?name=%00x', '?name=a%0Ab', '?name=tab%09inside', '?name=del%7F']) {
      const problem = await readProblem(await uploadCsv(csv(`control name ${query}`), query))
      expect(problem.contentType).toBe('application/problem+json')
      expect(problem.body).toMatchObject({ status: 400, errors: [{ path: 'query.name', message: expect.stringContaining('control characters') }] })
    }
  })

  it('refuses a multipart file whose name (the default dataset name) has control characters', async () => {
    const form = new FormData()
    form.set('file', new Blob([csv('control file name')], { type: 'text/csv' }), 'bad\u0001name.csv')
    const problem = await readProblem(await api.app.request('/v1/datasets', { method: 'POST', body: form }))
    expect(problem.body).toMatchObject({ status: 400, errors: [{ path: 'file', message: expect.stringContaining('control characters') }] })
  })

  it('refuses labels with control characters, naming each line and the character', async () => {
    const body = csv('control labels').replace('card_arrival', 'card\u0000arrival').replace('exchange_rate', 'exchange\u0007rate')
    const problem = await readProblem(await uploadCsv(body))
    expect(problem.body.status).toBe(400)
    expect(problem.body.errors).toEqual([
      { path: 'line 2', message: expect.stringContaining('control character (U+0000)') },
      { path: 'line 4', message: expect.stringContaining('control character (U+0007)') },
    ])
  })

  it('quotes no customer text in clear when it echoes a cell (a file without a header)', async () => {
    const problem = await readProblem(await uploadCsv('my card 4111 1111 1111 1111 was stolen,lost_or_stolen_card\nhelp,card_arrival\n'))
    expect(problem.body).toMatchObject({ status: 400, detail: expect.stringContaining('my card [CARD] was stolen') })
    expect(JSON.stringify(problem.body)).not.toContain('4111')
  })

  it('leaves no dataset and no stored files behind after refused uploads', async () => {
    const { items } = await listDatasets(api.platform.db, { limit: 100 })
    const storedKeys = await api.platform.store.list('datasets/')
    expect(storedKeys.every((key) => items.some((dataset) => key.startsWith(`${dataset.artifactKey}/`)))).toBe(true)
    expect(items.map((dataset) => dataset.source).sort()).toEqual(['builtin', 'upload', 'upload'])
  })
})

describe('DELETE /v1/datasets/{id}', () => {
  const upload = async (variant: string) => {
    const response = await uploadCsv(csv(variant))
    expect(response.status).toBe(201)
    const { id } = await response.json() as { id: string }
    const [row] = (await listDatasets(api.platform.db, { limit: 100 })).items.filter((dataset) => dataset.id === id)
    return { id, artifactKey: row!.artifactKey }
  }
  const remove = (id: string) => api.app.request(`/v1/datasets/${id}`, { method: 'DELETE' })

  it('erases an unused dataset: its files and its row (204), then answers 404', async () => {
    const { id, artifactKey } = await upload('to be erased')
    expect(await api.platform.store.list(`${artifactKey}/`)).toEqual(['labels.json', 'test.jsonl', 'train.jsonl', 'validation.jsonl'].map((name) => `${artifactKey}/${name}`))

    const response = await remove(id)
    expect(response.status).toBe(204)
    expect(await response.text()).toBe('')
    expect(await api.platform.store.list(`${artifactKey}/`)).toEqual([])
    expect((await api.app.request(`/v1/datasets/${id}`)).status).toBe(404)

    const again = await readProblem(await remove(id))
    expect(again).toMatchObject({ contentType: 'application/problem+json', body: { status: 404 } })
  })

  it('lets the same content be uploaded again afterwards, as a new dataset with its files', async () => {
    const first = await upload('erased then uploaded again')
    expect((await remove(first.id)).status).toBe(204)
    const second = await upload('erased then uploaded again')
    expect(second.id).not.toBe(first.id)
    expect(await api.platform.store.list(`${second.artifactKey}/`)).toHaveLength(4)
  })

  it('answers an unknown id with a 404 problem', async () => {
    const problem = await readProblem(await remove('ds_missing'))
    expect(problem).toMatchObject({ contentType: 'application/problem+json', body: { status: 404, detail: expect.stringContaining('ds_missing') } })
  })

  it('refuses a dataset that benchmarks use (409 naming them), and keeps its files and row', async () => {
    const { id, artifactKey } = await upload('in use')
    for (const [benchmarkId, name] of [['bm_uses_dataset_1', 'first study'], ['bm_uses_dataset_2', 'second study']] as const) {
      await api.platform.db.insert(schema.benchmarks).values({ id: benchmarkId, name, datasetId: id, spec: benchmarkSpecSchema.parse({ dataset: id, arms: [{ method: 'majority' }] }) })
    }
    const problem = await readProblem(await remove(id))
    expect(problem.body).toMatchObject({
      status: 409,
      type: 'https://bankbench.dev/problems/conflict',
      detail: expect.stringMatching(/used by 2 benchmark\(s\): .*bm_uses_dataset_(1|2) \('(first|second) study', queued\)/),
    })
    expect(problem.body.errors?.map((error) => error.message).sort()).toEqual(['bm_uses_dataset_1', 'bm_uses_dataset_2'])
    expect((await api.app.request(`/v1/datasets/${id}`)).status).toBe(200)
    expect(await api.platform.store.list(`${artifactKey}/`)).toHaveLength(4)
  })

  it('refuses the built-in banking77 (409): public data, registered again at every start', async () => {
    const problem = await readProblem(await remove('banking77'))
    expect(problem.body).toMatchObject({ status: 409, detail: expect.stringContaining('built in') })
    expect((await api.app.request('/v1/datasets/banking77')).status).toBe(200)
  })
})
