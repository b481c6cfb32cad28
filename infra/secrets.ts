import { stageResourceNames } from './names'
import type { StageSettings } from './stage'

/**
 * The stage's secrets, set with `sst secret set <Name> <value> --stage <stage>`
 * (docs/deploy.md). All but ApiKeys have the placeholder `unset`, so that a stage
 * deploys before they are set; the jobs that need them skip or fail until then.
 * The LLM baseline's endpoint is configured here too (URL and model are not secret,
 * but they are per stage and set the same way), and so are the remote vector stores'
 * endpoints (WeaviateUrl, MilvusUri) beside their keys.
 */
export function createSecrets(settings: StageSettings) {
  const secrets = {
    apiKeys: new sst.Secret('ApiKeys'),
    llmBaselineApiKey: new sst.Secret('LlmBaselineApiKey', 'unset'),
    llmBaselineBaseUrl: new sst.Secret('LlmBaselineBaseUrl', 'unset'),
    llmBaselineModel: new sst.Secret('LlmBaselineModel', 'unset'),
    /** `1` lets the LLM baseline send customer text to that endpoint; anything else keeps it off. */
    llmBaselineSendCustomerText: new sst.Secret('LlmBaselineSendCustomerText', 'unset'),
    /** The remote vector stores the indexer's vector-bench arms run on; `unset` skips their arms. */
    pineconeApiKey: new sst.Secret('PineconeApiKey', 'unset'),
    weaviateUrl: new sst.Secret('WeaviateUrl', 'unset'),
    weaviateApiKey: new sst.Secret('WeaviateApiKey', 'unset'),
    milvusUri: new sst.Secret('MilvusUri', 'unset'),
    milvusToken: new sst.Secret('MilvusToken', 'unset'),
    /** A Hugging Face read token for gated `hf://` base models (Llama 2); `unset` downloads public models only. */
    hfToken: new sst.Secret('HfToken', 'unset'),
  }
  // Batch gives a job a secret only from Secrets Manager (or SSM), resolved when its container starts.
  const llmApiKeySecret = new aws.secretsmanager.Secret('LlmApiKeySecret', {
    name: stageResourceNames($app.stage).llmApiKeySecret,
    recoveryWindowInDays: settings.production ? 30 : 0,
  })
  new aws.secretsmanager.SecretVersion('LlmApiKeySecretValue', { secretId: llmApiKeySecret.id, secretString: secrets.llmBaselineApiKey.value })
  const hfTokenSecret = new aws.secretsmanager.Secret('HfTokenSecret', {
    name: stageResourceNames($app.stage).hfTokenSecret,
    recoveryWindowInDays: settings.production ? 30 : 0,
  })
  new aws.secretsmanager.SecretVersion('HfTokenSecretValue', { secretId: hfTokenSecret.id, secretString: secrets.hfToken.value })
  // The vector stores' keys reach the indexer's job definition the same way.
  const names = stageResourceNames($app.stage)
  const vectorStoreSecret = (id: string, name: string, value: $util.Output<string>) => {
    const secret = new aws.secretsmanager.Secret(`${id}Secret`, { name, recoveryWindowInDays: settings.production ? 30 : 0 })
    new aws.secretsmanager.SecretVersion(`${id}SecretValue`, { secretId: secret.id, secretString: value })
    return secret.arn
  }
  const vectorStoreSecretArns = {
    PINECONE_API_KEY: vectorStoreSecret('PineconeApiKey', names.pineconeApiKeySecret, secrets.pineconeApiKey.value),
    WEAVIATE_API_KEY: vectorStoreSecret('WeaviateApiKey', names.weaviateApiKeySecret, secrets.weaviateApiKey.value),
    MILVUS_TOKEN: vectorStoreSecret('MilvusToken', names.milvusTokenSecret, secrets.milvusToken.value),
  }
  return { secrets, llmApiKeySecretArn: llmApiKeySecret.arn, hfTokenSecretArn: hfTokenSecret.arn, vectorStoreSecretArns }
}
