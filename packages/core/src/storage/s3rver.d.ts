/** s3rver 3.7 ships no types: the part of its API the tests use. */
declare module 's3rver' {
  import type { AddressInfo } from 'node:net'

  interface S3rverOptions {
    address?: string
    /** 0 picks a free port; read it from run()'s result. */
    port?: number
    silent?: boolean
    /** Where buckets and objects are kept on disk. */
    directory?: string
    resetOnClose?: boolean
    allowMismatchedSignatures?: boolean
    vhostBuckets?: boolean
    configureBuckets?: Array<{ name: string; configs?: Array<string | Buffer> }>
  }

  /** The record s3rver emits on `event` for each object created or removed. */
  interface S3rverEvent {
    Records: Array<{ eventName: string; s3: { bucket: { name: string }; object: { key: string; size?: number } } }>
  }

  export default class S3rver {
    constructor(options?: S3rverOptions)
    run(): Promise<AddressInfo>
    close(): Promise<void>
    on(event: 'event', listener: (event: S3rverEvent) => void): this
    off(event: 'event', listener: (event: S3rverEvent) => void): this
  }
}
