import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { HeadObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3'
import { mockClient } from 'aws-sdk-client-mock'
import S3rver from 's3rver'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { describeArtifactStoreContract, expectSameBytes, patternBytes } from './artifact-store-contract'
import { createArtifactStore } from './create-artifact-store'
import { S3ArtifactStore } from './s3-artifact-store'

// s3rver's built-in account; it checks request signatures against this key pair.
const credentials = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' }
const BUCKET = 'bankbench-test'
const ROOT_BUCKET = 'bankbench-root'
const MiB = 1024 * 1024

let server: S3rver
let serverDirectory: string
let scratch: string
let endpoint: string
let client: S3Client
let storeCount = 0

beforeAll(async () => {
  serverDirectory = await mkdtemp(join(tmpdir(), 'bankbench-s3rver-'))
  scratch = await mkdtemp(join(tmpdir(), 'bankbench-s3-scratch-'))
  server = new S3rver({
    address: '127.0.0.1', port: 0, silent: true, directory: serverDirectory,
    configureBuckets: [{ name: BUCKET }, { name: ROOT_BUCKET }],
  })
  const { port } = await server.run()
  endpoint = `http://127.0.0.1:${port}`
  client = new S3Client({ region: 'us-east-1', endpoint, forcePathStyle: true, credentials })
})

afterAll(async () => {
  client?.destroy()
  await server?.close()
  await rm(serverDirectory, { recursive: true, force: true })
  await rm(scratch, { recursive: true, force: true })
})

/** Each store gets its own prefix in the shared bucket, so it starts empty. */
function makeStore(options: { partSizeBytes?: number } = {}): S3ArtifactStore {
  return new S3ArtifactStore({ bucket: BUCKET, prefix: `stores/${storeCount++}`, client, ...options })
}

/** The object-created events s3rver emits while `action` runs ("ObjectCreated:Post" ends a multipart upload). */
async function serverEventsDuring(action: () => Promise<unknown>): Promise<string[]> {
  const events: string[] = []
  const record = (event: { Records: Array<{ eventName: string }> }) => events.push(...event.Records.map((r) => r.eventName))
  server.on('event', record)
  try {
    await action()
  } finally {
    server.off('event', record)
  }
  return events
}

describeArtifactStoreContract('s3 (s3rver)', () => makeStore())

describe('S3ArtifactStore', () => {
  it('names its root as s3://bucket/prefix and keeps keys under the prefix', async () => {
    const store = new S3ArtifactStore({ bucket: BUCKET, prefix: '/stages/dev/', client })
    expect(store.uri).toBe(`s3://${BUCKET}/stages/dev`)
    await store.put('runs/1/summary.json', '{}')
    await client.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'stages/dev/runs/1/summary.json' }))
    expect(new S3ArtifactStore({ bucket: ROOT_BUCKET, client }).uri).toBe(`s3://${ROOT_BUCKET}`)
  })

  it('works at the bucket root', async () => {
    const store = new S3ArtifactStore({ bucket: ROOT_BUCKET, client })
    await store.put('b.txt', 'b')
    await store.put('a/c.txt', 'c')
    expect(await store.list('')).toEqual(['a/c.txt', 'b.txt'])
    expect(Buffer.from(await store.get('a/c.txt')).toString()).toBe('c')
  })

  it('stores the client-computed sha256 and the content type on the object', async () => {
    const store = makeStore()
    const info = await store.put('reports/1.html', '<h1>report</h1>', { contentType: 'text/html' })
    const head = await client.send(new HeadObjectCommand({ Bucket: BUCKET, Key: `${store.prefix}/reports/1.html` }))
    expect(head.Metadata?.sha256).toBe(info.sha256)
    expect(head.ContentType).toBe('text/html')
  })

  it('lists every page of ListObjectsV2', async () => {
    // s3rver cannot paginate on Node 20 (its continuation tokens use DES, which
    // OpenSSL 3 refuses: 500 InternalError past 1,000 keys), so the pages come from a mock.
    const pagedClient = new S3Client({ region: 'us-east-1', credentials })
    const s3 = mockClient(pagedClient)
    s3.on(ListObjectsV2Command, { Prefix: 'p/runs/' }).resolves({ IsTruncated: true, NextContinuationToken: 'page-2', Contents: [{ Key: 'p/runs/2/b' }, { Key: 'p/runs/1/a' }] })
    s3.on(ListObjectsV2Command, { Prefix: 'p/runs/', ContinuationToken: 'page-2' }).resolves({ IsTruncated: false, Contents: [{ Key: 'p/runs/10/c' }] })
    const store = new S3ArtifactStore({ bucket: BUCKET, prefix: 'p', client: pagedClient })
    expect(await store.list('runs/')).toEqual(['runs/1/a', 'runs/10/c', 'runs/2/b'])
    expect(s3.commandCalls(ListObjectsV2Command)).toHaveLength(2)
  })

  it('uploads bodies and files larger than one part as multipart, smaller ones in one request', async () => {
    const store = makeStore({ partSizeBytes: 5 * MiB })
    const body = patternBytes(11 * 1000 * 1000)

    expect(await serverEventsDuring(() => store.put('small.bin', body.subarray(0, 1000)))).toEqual(['ObjectCreated:Put'])

    let info
    expect(await serverEventsDuring(async () => { info = await store.put('large.bin', body) })).toEqual(['ObjectCreated:Post'])
    expect(info).toMatchObject({ bytes: body.length })
    expectSameBytes(await store.get('large.bin'), body)
    const head = await client.send(new HeadObjectCommand({ Bucket: BUCKET, Key: `${store.prefix}/large.bin` }))
    expect(head.ContentLength).toBe(body.length)
    expect(head.Metadata?.sha256).toBe(info!.sha256)

    const source = join(scratch, 'large-source.bin')
    const target = join(scratch, 'large-copy.bin')
    await writeFile(source, body)
    expect(await serverEventsDuring(() => store.putFile('large-file.bin', source))).toEqual(['ObjectCreated:Post'])
    await store.getFile('large-file.bin', target)
    expectSameBytes(await readFile(target), body)
  })

  it('is what createArtifactStore opens for an s3:// URI with BANKBENCH_S3_ENDPOINT set', async () => {
    const store = createArtifactStore(`s3://${BUCKET}/from-uri`, { env: { BANKBENCH_S3_ENDPOINT: endpoint }, s3: { credentials } })
    expect(store).toBeInstanceOf(S3ArtifactStore)
    expect(store.uri).toBe(`s3://${BUCKET}/from-uri`)
    await store.put('hello.txt', 'hello')
    expect(await client.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'from-uri/hello.txt' }))).toMatchObject({ ContentLength: 5 })
  })
})
