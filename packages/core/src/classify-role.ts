import { sql } from 'drizzle-orm'
import { CLASSIFY_CONNECTION_LIMIT, CLASSIFY_DATABASE_ROLE, CLASSIFY_TABLES, classifyRolePassword } from './classify-role-settings'
import type { Database } from './db/connect'

/**
 * The statements that create or update the classify role (classify-role-settings.ts):
 * it may log in with `password`, read CLASSIFY_TABLES and nothing else, in read-only
 * transactions. Idempotent; a table added to CLASSIFY_TABLES is granted on the next run.
 */
export function classifyRoleStatements(password: string): string[] {
  if (!/^[0-9a-f]{64}$/.test(password)) throw new Error('the classify role\'s password must be the 64 hex digits of classifyRolePassword')
  const role = CLASSIFY_DATABASE_ROLE
  return [
    `DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '${role}') THEN CREATE ROLE ${role} NOLOGIN; END IF; END $$`,
    `ALTER ROLE ${role} WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOINHERIT NOREPLICATION CONNECTION LIMIT ${CLASSIFY_CONNECTION_LIMIT} PASSWORD '${password}'`,
    // Anything granted before (a table since dropped from the list) is taken back first.
    `REVOKE ALL ON ALL TABLES IN SCHEMA public FROM ${role}`,
    `REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM ${role}`,
    `GRANT USAGE ON SCHEMA public TO ${role}`,
    `GRANT SELECT ON TABLE ${CLASSIFY_TABLES.join(', ')} TO ${role}`,
    `ALTER ROLE ${role} SET default_transaction_read_only = on`,
  ]
}

/**
 * Creates or updates the classify role, its password derived from `ownerPassword`
 * (the password of the DATABASE_URL `db` is connected with). Needs CREATEROLE (RDS's
 * master user has it). Serialised by an advisory lock: containers starting together
 * do not race on CREATE ROLE.
 */
export async function ensureClassifyRole(db: Database, ownerPassword: string): Promise<void> {
  const statements = classifyRoleStatements(classifyRolePassword(ownerPassword))
  await db.transaction(async (tx) => {
    await tx.execute(sql`SELECT pg_advisory_xact_lock(hashtext(${CLASSIFY_DATABASE_ROLE}))`)
    for (const statement of statements) await tx.execute(sql.raw(statement))
  })
}
