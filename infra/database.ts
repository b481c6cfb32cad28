import { CLASSIFY_DATABASE_ROLE, classifyRolePassword } from '@bankbench/core/classify-role-settings'
import { postgresUrl } from './database-url'
import { stageResourceNames } from './names'
import type { StageSettings } from './stage'

/**
 * Postgres on RDS (pgvector is available on RDS; the migrations create the
 * extension). Job containers receive the connection string from Secrets Manager
 * through their job definition, never in plain text (BATCH_ENVIRONMENT). `url` is
 * the owner's (API, jobs, Batch events); `classifyUrl` the read-only classify role's
 * (inference), whose password is derived from the owner's (classify-role-settings.ts).
 */
export function createDatabase(settings: StageSettings, vpc: sst.aws.Vpc) {
  const postgres = new sst.aws.Postgres('Database', {
    vpc,
    instance: settings.database.instance,
    storage: settings.database.storage,
    multiAz: settings.database.multiAz,
    database: 'bankbench',
    // `removal: retain` is SST's promise for buckets and tables; for the production database make it explicit.
    transform: settings.production
      ? {
          instance: (args, opts) => {
            args.deletionProtection = true
            opts.retainOnDelete = true
          },
        }
      : undefined,
  })
  const url = $util.all([postgres.username, postgres.password, postgres.host, postgres.port, postgres.database])
    .apply(([username, password, host, port, database]) => postgresUrl({ username, password, host, port, database }))
  const urlSecret = new aws.secretsmanager.Secret('DatabaseUrlSecret', {
    name: stageResourceNames($app.stage).databaseUrlSecret,
    // Outside production the name is free for the next deploy of the stage at once.
    recoveryWindowInDays: settings.production ? 30 : 0,
  })
  new aws.secretsmanager.SecretVersion('DatabaseUrlSecretValue', { secretId: urlSecret.id, secretString: url })
  // The inference function's connection: the read-only role the API creates (ensureClassifyRole), with the derived password.
  const classifyUrl = $util.all([postgres.password, postgres.host, postgres.port, postgres.database])
    .apply(([password, host, port, database]) => postgresUrl({ username: CLASSIFY_DATABASE_ROLE, password: classifyRolePassword(password), host, port, database }))
  return { postgres, url: $util.secret(url), classifyUrl: $util.secret(classifyUrl), urlSecretArn: urlSecret.arn }
}
