import { deleteDataset, getDataset, listDatasets, parseUploadedDataset, ProblemError, registerDataset, UPLOAD_LIMITS } from '@bankbench/core'
import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi'
import type { Context } from 'hono'
import type { ApiEnv, GetPlatform } from '../env'
import { acceptOnly, limitBody } from '../request-body'
import { IdParams, PageQuery, pageOf } from '../schemas/common'
import { DatasetSchema, DatasetSummarySchema, toDataset, toDatasetSummary } from '../schemas/datasets'
import { problemResponses } from '../schemas/problem'

/** A dataset's name is one line of text: control characters (C0, DEL) are refused, as Postgres text cannot hold NUL and they break logs. */
// eslint-disable-next-line no-control-regex
const WITHOUT_CONTROL_CHARACTERS = /^[^\u0000-\u001f\u007f]*$/
const CONTROL_CHARACTERS_IN_NAME = 'must not contain control characters (U+0000 to U+001F, U+007F)'

/** Room for the multipart envelope (boundaries, part headers) around a file at the upload limit. */
const MULTIPART_OVERHEAD_BYTES = 64 * 1024

const listRoute = createRoute({
  method: 'get',
  path: '/datasets',
  operationId: 'listDatasets',
  tags: ['datasets'],
  summary: 'List datasets, newest first',
  description: 'Keyset-paginated: pass a page\'s `nextCursor` as `cursor` for the next. Each item is a summary; `GET /v1/datasets/{id}` adds the labels.',
  request: { query: PageQuery },
  responses: {
    200: { description: 'A page of datasets', content: { 'application/json': { schema: pageOf(DatasetSummarySchema, 'DatasetPage') } } },
    ...problemResponses(400),
  },
})

const getRoute = createRoute({
  method: 'get',
  path: '/datasets/{id}',
  operationId: 'getDataset',
  tags: ['datasets'],
  summary: 'Get a dataset with its labels and split sizes',
  description: 'The dataset\'s source, content hash, rows per split and its intent labels, sorted.',
  request: { params: IdParams },
  responses: {
    200: { description: 'The dataset', content: { 'application/json': { schema: DatasetSchema } } },
    ...problemResponses(404),
  },
})

const deleteRoute = createRoute({
  method: 'delete',
  path: '/datasets/{id}',
  operationId: 'deleteDataset',
  tags: ['datasets'],
  summary: 'Erase an uploaded dataset: its files and its record',
  description: 'Deletes the dataset\'s files from the artifact store and its row. Refused with 409 while a benchmark uses it ' +
    '(the problem names them; their runs read the data and their results refer to it), and for the built-in banking77, ' +
    'which is public data registered again at every start.',
  request: { params: IdParams },
  responses: {
    204: { description: 'Erased' },
    ...problemResponses(404, 409),
  },
})

const uploadRoute = createRoute({
  method: 'post',
  path: '/datasets',
  operationId: 'uploadDataset',
  tags: ['datasets'],
  summary: 'Upload a CSV dataset (text,label[,split][,reply])',
  description: `A UTF-8 CSV with a header naming the columns \`text\` and \`label\`, and optionally \`split\` (train, validation or test; without it ${UPLOAD_LIMITS.testFraction * 100}% of the rows are held out for test and ${UPLOAD_LIMITS.validationFraction * 100}% for validation, with a fixed seed). Rows labelled \`out_of_scope\` (as CLINC150 marks them) are not a class: they are kept apart, half for validation and half for test without a split column (train ones are not used), to calibrate a deployment's out-of-scope threshold and measure its out-of-scope recall (\`splits.outOfScope\`). An optional \`reply\` column holds the bank's reply to each message, for generate arms with \`target: 'reply'\`: it is filled on every row that is not \`out_of_scope\`, or on none (\`splits.replies\`); replies are stored as the texts are. At most ${UPLOAD_LIMITS.maxBytes / 1024 / 1024} MiB. The same content uploaded again returns the stored dataset with 200.`,
  middleware: [acceptOnly('text/csv', 'multipart/form-data'), limitBody(UPLOAD_LIMITS.maxBytes + MULTIPART_OVERHEAD_BYTES)] as const,
  request: {
    query: z.object({
      name: z.string().trim().min(1).max(200).regex(WITHOUT_CONTROL_CHARACTERS, CONTROL_CHARACTERS_IN_NAME).optional()
        .openapi({ param: { name: 'name', in: 'query' }, description: 'A name for the dataset; default: the uploaded file name.' }),
    }),
    body: {
      required: true,
      content: {
        'text/csv': { schema: { type: 'string', example: 'text,label\nI lost my card,lost_or_stolen_card\n' } },
        'multipart/form-data': { schema: { type: 'object', properties: { file: { type: 'string', format: 'binary' } }, required: ['file'] } },
      },
    },
  },
  responses: {
    201: { description: 'Stored; Location names the dataset', headers: { Location: { schema: { type: 'string' } } }, content: { 'application/json': { schema: DatasetSchema } } },
    200: { description: 'The same content was uploaded before: the stored dataset', content: { 'application/json': { schema: DatasetSchema } } },
    ...problemResponses(400, 413, 415),
  },
})

export function datasetRoutes(getPlatform: GetPlatform) {
  return new OpenAPIHono<ApiEnv>()
    .openapi(listRoute, async (c) => {
      const { db } = await getPlatform()
      const page = await listDatasets(db, c.req.valid('query'))
      return c.json({ items: page.items.map(toDatasetSummary), nextCursor: page.nextCursor }, 200)
    })
    .openapi(getRoute, async (c) => {
      const { db } = await getPlatform()
      return c.json(toDataset(await getDataset(db, c.req.valid('param').id)), 200)
    })
    .openapi(deleteRoute, async (c) => {
      const { db, store } = await getPlatform()
      await deleteDataset(db, store, c.req.valid('param').id)
      return c.body(null, 204)
    })
    .openapi(uploadRoute, async (c) => {
      const upload = await readUpload(c)
      // Validated in full before anything is stored: a refused file leaves nothing behind.
      const splits = parseUploadedDataset(upload.bytes)
      const { db, store } = await getPlatform()
      const name = c.req.valid('query').name ?? upload.fileName ?? 'uploaded dataset'
      const { dataset, created } = await registerDataset(db, store, { name, source: 'upload', splits })
      if (!created) return c.json(toDataset(dataset), 200)
      return c.json(toDataset(dataset), 201, { Location: `/v1/datasets/${dataset.id}` })
    })
}

/** The CSV's bytes, from a text/csv body or the `file` field of a multipart form. */
async function readUpload(c: Context): Promise<{ bytes: Uint8Array; fileName?: string }> {
  if (c.req.header('content-type')?.toLowerCase().startsWith('text/csv')) return { bytes: new Uint8Array(await c.req.arrayBuffer()) }
  let form: FormData
  try {
    form = await c.req.formData()
  } catch {
    throw new ProblemError('validation-failed', 'the multipart/form-data body could not be parsed')
  }
  const file = form.get('file')
  if (!(file instanceof File)) {
    throw new ProblemError('validation-failed', "the form has no file field 'file'; send the CSV as the form field 'file'", [{ path: 'file', message: 'required' }])
  }
  const fileName = file.name.replace(/\.csv$/i, '').trim()
  if (!WITHOUT_CONTROL_CHARACTERS.test(fileName)) {
    throw new ProblemError('validation-failed', `the file name, used as the dataset's name, ${CONTROL_CHARACTERS_IN_NAME}; rename the file or pass ?name=`,
      [{ path: 'file', message: `the file name ${CONTROL_CHARACTERS_IN_NAME}` }])
  }
  return { bytes: new Uint8Array(await file.arrayBuffer()), ...(fileName ? { fileName } : {}) }
}
