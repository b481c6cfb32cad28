/**
 * The stage's secrets, set with `sst secret set <Name> <value> --stage <stage>`
 * (docs/deploy.md). The two keys for external services have a placeholder so that
 * a stage deploys before they are set; the jobs that need them fail until then.
 */
export function createSecrets() {
  return {
    apiKeys: new sst.Secret('ApiKeys'),
    llmBaselineApiKey: new sst.Secret('LlmBaselineApiKey', 'unset'),
    pineconeApiKey: new sst.Secret('PineconeApiKey', 'unset'),
  }
}
