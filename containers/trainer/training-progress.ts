/**
 * What train and pretrain jobs share while the trainer runs: loss points streamed to
 * the run (batched, so that a long run writes a few hundred rows, not one per step)
 * and the trainer checkpoint a retried job resumes from.
 */
import type { ArtifactStore, MetricPoint, RunContext } from '@bankbench/core'
import { decodeTrainerState, encodeTrainerState, type EpochMetrics, type StepMetrics, type TrainerState } from '@bankbench/engine'

/** One train_loss point (the mean over the last this-many steps) per this many steps. */
export const LOSS_POINT_EVERY_STEPS = 10

/** Besides every epoch end: a retried job redoes at most this many steps. */
export const CHECKPOINT_EVERY_STEPS = 100

export function progressReporter(context: Pick<RunContext, 'reportMetrics' | 'log'>) {
  let lossSum = 0
  let lossCount = 0
  return {
    async onStep(metrics: StepMetrics): Promise<void> {
      lossSum += metrics.loss
      lossCount += 1
      if (metrics.step % LOSS_POINT_EVERY_STEPS !== 0) return
      const points: MetricPoint[] = [
        { name: 'train_loss', value: lossSum / lossCount, step: metrics.step, epoch: metrics.epoch + 1 },
        { name: 'learning_rate', value: metrics.learningRate, step: metrics.step, epoch: metrics.epoch + 1 },
      ]
      lossSum = 0
      lossCount = 0
      await context.reportMetrics(points)
    },
    async onEpoch(record: EpochMetrics): Promise<void> {
      const epoch = record.epoch + 1
      const points: MetricPoint[] = [{ name: 'epoch_train_loss', value: record.trainLoss, epoch }]
      if (record.validation) {
        points.push({ name: 'validation_loss', value: record.validation.loss, epoch }, { name: 'validation_accuracy', value: record.validation.accuracy, epoch })
        // Slot filling picks its epoch by span F1 (the token classifier's evaluate); stream it beside the tag accuracy.
        if (record.validation.spanMicroF1 !== undefined) points.push({ name: 'validation_span_micro_f1', value: record.validation.spanMicroF1, epoch })
      }
      await context.reportMetrics(points)
      const spanF1 = record.validation?.spanMicroF1 === undefined ? '' : ` span F1 ${(record.validation.spanMicroF1 * 100).toFixed(2)}%`
      const validation = record.validation ? `, validation loss ${record.validation.loss.toFixed(4)} accuracy ${(record.validation.accuracy * 100).toFixed(2)}%${spanF1}` : ''
      context.log(`epoch ${epoch}: train loss ${record.trainLoss.toFixed(4)}${validation} (${(record.elapsedMs / 1000).toFixed(0)} s)`)
    },
  }
}

/**
 * The trainer's save/load pair on `runs/<runId>/checkpoint/trainer-state.safetensors`; a run
 * that trains several models (the select job's PEFT learner) names each its own `name`.
 */
export function trainerCheckpoints(store: ArtifactStore, runId: string, name = 'trainer-state') {
  const key = `runs/${runId}/checkpoint/${name}.safetensors`
  return {
    key,
    checkpointEverySteps: CHECKPOINT_EVERY_STEPS,
    async saveCheckpoint(state: TrainerState): Promise<void> {
      await store.put(key, encodeTrainerState(state))
    },
    async loadCheckpoint(): Promise<TrainerState | null> {
      return (await store.exists(key)) ? decodeTrainerState(await store.get(key)) : null
    },
  }
}
