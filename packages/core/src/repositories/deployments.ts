import { and, desc, eq } from 'drizzle-orm'
import type { Database } from '../db/connect'
import { deployments, type DeploymentSettings } from '../db/schema'
import { ProblemError } from '../errors'
import { newId } from '../ids'

export type DeploymentRow = typeof deployments.$inferSelect

export interface NewDeployment {
  stage: string
  runId: string
  modelSha256: string
  settings: DeploymentSettings
  calibration: Record<string, unknown>
  smokeCheck: Record<string, unknown>
}

/** The stage's active deployment, or undefined when nothing is deployed there. */
export async function findActiveDeployment(db: Database, stage: string): Promise<DeploymentRow | undefined> {
  const [row] = await db.select().from(deployments).where(and(eq(deployments.stage, stage), eq(deployments.status, 'active')))
  return row
}

export async function getActiveDeployment(db: Database, stage: string): Promise<DeploymentRow> {
  const row = await findActiveDeployment(db, stage)
  if (!row) throw new ProblemError('not-found', `nothing is deployed to stage '${stage}'; deploy a run with POST /v1/deployments`)
  return row
}

/** Every deployment of a stage, newest first. */
export async function listDeployments(db: Database, stage: string): Promise<DeploymentRow[]> {
  return db.select().from(deployments).where(eq(deployments.stage, stage)).orderBy(desc(deployments.createdAt), desc(deployments.id))
}

/** Makes a new deployment the stage's active one; the one it replaces becomes `superseded` and its previous. */
export async function activateDeployment(db: Database, deployment: NewDeployment): Promise<DeploymentRow> {
  return db.transaction(async (tx) => {
    const [current] = await tx.update(deployments).set({ status: 'superseded' })
      .where(and(eq(deployments.stage, deployment.stage), eq(deployments.status, 'active'))).returning()
    const [row] = await tx.insert(deployments)
      .values({ id: newId('dep'), ...deployment, status: 'active', previousDeploymentId: current?.id ?? null }).returning()
    return row!
  })
}

/**
 * Switches a stage back to the deployment before its active one: the active one
 * becomes `rolled-back`, its previous `active` again (and a second rollback goes one
 * further back along the chain).
 */
export async function rollbackDeployment(db: Database, stage: string): Promise<{ active: DeploymentRow; rolledBack: DeploymentRow }> {
  return db.transaction(async (tx) => {
    const [current] = await tx.select().from(deployments).where(and(eq(deployments.stage, stage), eq(deployments.status, 'active'))).for('update')
    if (!current) throw new ProblemError('not-found', `nothing is deployed to stage '${stage}'`)
    if (!current.previousDeploymentId) throw new ProblemError('invalid-state', `deployment ${current.id} is the first of stage '${stage}': there is nothing to roll back to`)
    const [rolledBack] = await tx.update(deployments).set({ status: 'rolled-back' }).where(eq(deployments.id, current.id)).returning()
    const [active] = await tx.update(deployments).set({ status: 'active' }).where(eq(deployments.id, current.previousDeploymentId)).returning()
    return { active: active!, rolledBack: rolledBack! }
  })
}
