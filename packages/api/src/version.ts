import packageJson from '../../../package.json' with { type: 'json' }

/** The version the API reports (health, OpenAPI document): the root package.json's, bundled at build time. */
export const API_VERSION: string = (packageJson as { version?: string }).version ?? '0.0.0'
