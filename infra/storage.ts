import { artifactLifecycleRules } from './artifact-lifecycle'
import type { StageSettings } from './stage'

/**
 * The artifacts bucket: private (SST blocks public access and refuses plain HTTP),
 * encrypted with S3-managed keys, versioned, with lifecycle rules that expire
 * checkpoints and old versions (artifact-lifecycle.ts).
 */
export function createStorage(settings: StageSettings) {
  const bucket = new sst.aws.Bucket('Artifacts', { versioning: true })
  new aws.s3.BucketServerSideEncryptionConfiguration('ArtifactsEncryption', {
    bucket: bucket.name,
    rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: 'AES256' }, bucketKeyEnabled: true }],
  })
  new aws.s3.BucketLifecycleConfiguration('ArtifactsLifecycle', {
    bucket: bucket.name,
    rules: artifactLifecycleRules(settings.artifacts),
  })
  return { bucket }
}
