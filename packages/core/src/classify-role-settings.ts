/**
 * The read-only database role the inference function connects as (least privilege:
 * a compromised inference container can read keys' digests, deployments and run
 * artifacts' rows, and change nothing). Pure: infra imports this file by path to
 * build the inference function's DATABASE_URL; `ensureClassifyRole` (classify-role.ts)
 * creates the role from the API, which connects as the database's owner.
 *
 * No extra secret: the role's password is derived from the owner's (HMAC-SHA256), so
 * infra and the API compute the same one, it changes when the owner's password is
 * rotated, and knowing it reveals nothing of the owner's.
 */
import { createHmac } from 'node:crypto'

export const CLASSIFY_DATABASE_ROLE = 'bankbench_classify'

/**
 * What classify reads, and nothing else: the key (`findApiKey`), the stage's active
 * deployment, the deployed run and its artifact rows (`loadServedModel`). A new read
 * on the classify path must be added here (classify-role.test.ts runs the path as the role).
 */
export const CLASSIFY_TABLES = ['api_keys', 'deployments', 'runs', 'run_artifacts'] as const

/** Connections the role may hold at once: the inference function's reserved containers × its pool (5), with room. */
export const CLASSIFY_CONNECTION_LIMIT = 300

/** The role's password: hex (no quoting concerns), derived from the owner's password. */
export function classifyRolePassword(ownerPassword: string): string {
  if (!ownerPassword) throw new Error('the classify role\'s password is derived from the database owner\'s, which is empty')
  return createHmac('sha256', ownerPassword).update(`bankbench:${CLASSIFY_DATABASE_ROLE}:v1`).digest('hex')
}

/** The owner's DATABASE_URL with the classify role's credentials instead (host, database and options unchanged). */
export function classifyDatabaseUrl(ownerUrl: string): string {
  const url = new URL(ownerUrl)
  url.password = classifyRolePassword(decodeURIComponent(url.password))
  url.username = CLASSIFY_DATABASE_ROLE
  return url.href
}
