/**
 * Lifecycle rules of the artifacts bucket, in the shape of Pulumi's
 * `aws.s3.BucketLifecycleConfiguration` rules. The bucket is versioned (an
 * overwritten adapter can be recovered), so without these rules every checkpoint
 * and every overwritten object would be paid for forever.
 */
import { ARTIFACTS_PREFIX } from './names'
import type { StageSettings } from './stage'

export function artifactLifecycleRules(settings: StageSettings['artifacts']) {
  return [
    {
      id: 'expire-checkpoints',
      status: 'Enabled',
      filter: { prefix: `${ARTIFACTS_PREFIX}/checkpoints/` },
      expiration: { days: settings.checkpointExpiryDays },
      // A checkpoint's old versions are never worth recovering.
      noncurrentVersionExpiration: { noncurrentDays: 1 },
    },
    {
      id: 'expire-old-versions',
      status: 'Enabled',
      filter: { prefix: '' },
      noncurrentVersionExpiration: { noncurrentDays: settings.noncurrentVersionExpiryDays },
      // Parts of an upload whose job died are invisible but billed.
      abortIncompleteMultipartUpload: { daysAfterInitiation: 1 },
    },
  ]
}
