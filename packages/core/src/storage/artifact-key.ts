/**
 * One set of rules for artifact keys, shared by every ArtifactStore, so that a key
 * accepted on a laptop is also accepted on S3 and the other way round.
 */

/** S3's limit on a whole object key, in UTF-8 bytes (an S3 store's prefix counts against it too). */
export const MAX_KEY_BYTES = 1024
/** Most filesystems cap one path component at 255 bytes. */
export const MAX_SEGMENT_BYTES = 255

export class InvalidArtifactKeyError extends Error {
  constructor(readonly key: string, readonly reason: string) {
    super(`invalid artifact key ${JSON.stringify(key)}: ${reason}. ` +
      'Use a relative POSIX path such as "datasets/sha256-<hex>/train.jsonl".')
    this.name = 'InvalidArtifactKeyError'
  }
}

/**
 * Throws InvalidArtifactKeyError unless `key` is a non-empty relative POSIX path of
 * plain segments: no leading or trailing `/`, no empty, `.` or `..` segments, no
 * backslashes or NUL, within the length limits. Keys name files, never directories.
 */
export function validateKey(key: string): void {
  validatePath(key, { allowEmpty: false, allowTrailingSlash: false })
}

/**
 * Like validateKey, for the `prefix` of `list`: it may be empty (everything) and may
 * end with `/` (one "directory"); the last segment may be partial (`runs/ab`).
 */
export function validatePrefix(prefix: string): void {
  validatePath(prefix, { allowEmpty: true, allowTrailingSlash: true })
}

function validatePath(path: string, rules: { allowEmpty: boolean; allowTrailingSlash: boolean }): void {
  const reject = (reason: string): never => { throw new InvalidArtifactKeyError(path, reason) }
  if (path === '') {
    if (rules.allowEmpty) return
    reject('it is empty')
  }
  if (path.includes('\0')) reject('it contains a NUL character')
  if (path.includes('\\')) reject('it contains a backslash; separate segments with "/"')
  if (path.startsWith('/')) reject('it starts with "/"; keys are relative to the store root')
  if (Buffer.byteLength(path, 'utf8') > MAX_KEY_BYTES) reject(`it is longer than ${MAX_KEY_BYTES} bytes`)
  const segments = path.split('/')
  if (rules.allowTrailingSlash && segments.length > 1 && segments.at(-1) === '') segments.pop()
  for (const segment of segments) {
    if (segment === '') reject('it has an empty segment ("//" or a trailing "/")')
    if (segment === '.' || segment === '..') reject(`it has a "${segment}" segment`)
    if (Buffer.byteLength(segment, 'utf8') > MAX_SEGMENT_BYTES) reject(`a segment is longer than ${MAX_SEGMENT_BYTES} bytes`)
  }
}
