import type { JobStatus as BatchJobStatus } from '@aws-sdk/client-batch'

export type { BatchJobStatus }

/** What we read of a container's exit, in an attempt or on the job. */
export interface BatchContainerExit {
  exitCode?: number | undefined
  /** e.g. `OutOfMemoryError: Container killed due to memory usage`. */
  reason?: string | undefined
  logStreamName?: string | undefined
}

/**
 * The part of a Batch job we reconcile from. It is the shape of both a "Batch Job
 * State Change" event's `detail` and a DescribeJobs `JobDetail` (the event's detail
 * is that object), so events and the periodic sweep share one code path. Both carry
 * more fields; only these are read.
 */
export interface BatchJobDetail {
  /** A parent or single job: a UUID. An array child: `<parentId>:<index>`. */
  jobId: string
  jobName?: string | undefined
  jobArn?: string | undefined
  jobQueue?: string | undefined
  status: BatchJobStatus
  /** Why the job is in its state: `Essential container in task exited`, `Host EC2 (instance i-…) terminated.`, … */
  statusReason?: string | undefined
  attempts?: { container?: BatchContainerExit | undefined; statusReason?: string | undefined; startedAt?: number | undefined; stoppedAt?: number | undefined }[] | undefined
  /** The latest attempt's container. */
  container?: BatchContainerExit | undefined
  /** `size` on an array parent, `index` on an array child, absent on a single job. */
  arrayProperties?: { size?: number | undefined; index?: number | undefined; statusSummary?: Record<string, number> | undefined } | undefined
}

/** The EventBridge envelope, as `EventBridgeEvent` of @types/aws-lambda (one type is not worth that dependency). */
export interface EventBridgeEvent<TDetailType extends string, TDetail> {
  version: string
  id: string
  'detail-type': TDetailType
  source: string
  account: string
  time: string
  region: string
  resources: string[]
  detail: TDetail
}

export type BatchJobStateChangeEvent = EventBridgeEvent<'Batch Job State Change', BatchJobDetail>
