import { describe, expect, it } from 'vitest'
import { UnsupportedArtifactStoreUriError, createArtifactStore } from './create-artifact-store'
import { FsArtifactStore } from './fs-artifact-store'
import { S3ArtifactStore } from './s3-artifact-store'

describe('createArtifactStore', () => {
  it('opens a file:// URI as a filesystem store at that path', () => {
    const store = createArtifactStore('file:///var/lib/bankbench/artifacts')
    expect(store).toBeInstanceOf(FsArtifactStore)
    expect((store as FsArtifactStore).rootDir).toBe('/var/lib/bankbench/artifacts')
    expect(store.uri).toBe('file:///var/lib/bankbench/artifacts')
  })

  it('resolves a plain path against cwd, and its uri opens the same store', () => {
    const store = createArtifactStore('.bankbench/artifacts', { cwd: '/home/me/project' })
    expect((store as FsArtifactStore).rootDir).toBe('/home/me/project/.bankbench/artifacts')
    expect((createArtifactStore(store.uri) as FsArtifactStore).rootDir).toBe('/home/me/project/.bankbench/artifacts')
    expect((createArtifactStore('/abs/dir with space') as FsArtifactStore).uri).toBe('file:///abs/dir%20with%20space')
  })

  it('opens s3://bucket/prefix as an S3 store', () => {
    const store = createArtifactStore('s3://bankbench-prod/stages/prod/', { env: {} })
    expect(store).toBeInstanceOf(S3ArtifactStore)
    expect(store).toMatchObject({ bucket: 'bankbench-prod', prefix: 'stages/prod', uri: 's3://bankbench-prod/stages/prod' })
    expect(createArtifactStore('s3://only-bucket', { env: {} })).toMatchObject({ prefix: '', uri: 's3://only-bucket' })
  })

  it.each([
    ['', 'it is empty'],
    ['https://example.com/artifacts', 'the scheme "https:" is not supported'],
    ['file://remote-host/path', 'not a valid absolute file URL'],
    ['s3://', 'names no bucket'],
  ])('rejects %j with a clear message', (uri, reason) => {
    expect(() => createArtifactStore(uri)).toThrow(UnsupportedArtifactStoreUriError)
    expect(() => createArtifactStore(uri)).toThrow(reason)
  })
})
