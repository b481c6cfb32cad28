// SST declares its globals ($config, $app, sst, aws) in this file, written by `sst install`; it cannot be imported.
// eslint-disable-next-line @typescript-eslint/triple-slash-reference
/// <reference path="./.sst/platform/config.d.ts" />
/**
 * bankbench on AWS: `npx sst deploy --stage <name>` (docs/deploy.md). Each concern
 * is one module in infra/; this file only wires them. SST allows no top-level
 * imports here, hence the dynamic ones.
 */
export default $config({
  async app(input) {
    const { stageSettings } = await import('./infra/stage')
    const settings = stageSettings(input.stage)
    return {
      name: 'bankbench',
      home: 'aws',
      removal: settings.removal,
      protect: settings.protect,
      // Pinned: `sst install` fetches exactly these, and infra/check.sh typechecks against them.
      providers: { aws: '7.20.0', 'docker-build': '0.0.14' },
    }
  },
  async run() {
    const { buildLambdaBundlesForDeploy } = await import('./infra/build')
    const { stageSettings } = await import('./infra/stage')
    const { createNetwork } = await import('./infra/network')
    const { createSecrets } = await import('./infra/secrets')
    const { createDatabase } = await import('./infra/database')
    const { createStorage } = await import('./infra/storage')
    const { createImages } = await import('./infra/images')
    const { createBatch } = await import('./infra/batch')
    const { createApi } = await import('./infra/api')
    const { createBatchEvents } = await import('./infra/batch-events')
    const { createInference } = await import('./infra/inference')

    buildLambdaBundlesForDeploy()
    const settings = stageSettings($app.stage)
    const { vpc } = createNetwork(settings)
    const { secrets, llmApiKeySecretArn, hfTokenSecretArn, vectorStoreSecretArns } = createSecrets(settings)
    const database = createDatabase(settings, vpc)
    const { bucket } = createStorage(settings)
    const images = createImages(settings)
    const batch = createBatch({
      settings, vpc, bucket, images,
      databaseUrlSecretArn: database.urlSecretArn,
      llmApiKeySecretArn,
      hfTokenSecretArn,
      vectorStoreSecretArns,
      vectorStores: { weaviateUrl: secrets.weaviateUrl.value, milvusUri: secrets.milvusUri.value },
      llmBaseline: { baseUrl: secrets.llmBaselineBaseUrl.value, model: secrets.llmBaselineModel.value, sendCustomerText: secrets.llmBaselineSendCustomerText.value },
    })
    const { api } = createApi({ settings, vpc, bucket, databaseUrl: database.url, adminApiKeys: secrets.apiKeys })
    createInference({ settings, api, vpc, bucket, databaseUrl: database.classifyUrl })
    createBatchEvents({ settings, vpc, bucket, databaseUrl: database.url, jobQueueArns: batch.jobQueueArns })

    return {
      api: api.url,
      bucket: bucket.name,
      trainerQueue: batch.queues.trainer.name,
      indexerQueue: batch.queues.indexer.name,
    }
  },
})
