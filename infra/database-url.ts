/**
 * DATABASE_URL of the stage's RDS instance. `sslmode=no-verify` encrypts the
 * connection without checking the server's certificate: RDS signs with its own CA,
 * which Node does not trust, and the database is reachable only inside the VPC.
 */
export function postgresUrl(parts: { username: string; password: string; host: string; port: number; database: string }): string {
  const credentials = `${encodeURIComponent(parts.username)}:${encodeURIComponent(parts.password)}`
  return `postgresql://${credentials}@${parts.host}:${parts.port}/${encodeURIComponent(parts.database)}?sslmode=no-verify`
}
