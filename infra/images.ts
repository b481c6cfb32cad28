import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { CODE_VERSION_BUILD_ARG, codeVersionOfCheckout } from './code-version'
import { CONTAINER_RESOURCE_ID, JOB_CONTAINERS, stageResourceNames, type JobContainer } from './names'
import type { StageSettings } from './stage'

export interface ContainerImage {
  ref: $util.Output<string>
  repositoryArn: $util.Output<string>
}

/** Images kept per repository: enough to roll back a few deploys, not every build. */
const IMAGES_KEPT = 10

/**
 * Builds the container images (containers/<name>/Dockerfile, repository root as
 * context) and pushes them to the stage's ECR repositories on `sst deploy`. Needs
 * Docker with buildx on the deploying machine. A container whose entrypoint does
 * not exist yet gets neither image nor job definition (its jobs fail at submission
 * with "job definition not found"), so a stage deploys before every job kind is written.
 * Each image records the commit it was built from (CODE_VERSION_BUILD_ARG, infra/code-version.ts).
 */
export function createImages(settings: StageSettings) {
  const names = stageResourceNames($app.stage)
  const registryAuth = aws.ecr.getAuthorizationTokenOutput({})
  const images: Partial<Record<JobContainer, ContainerImage>> = {}
  const codeVersion = codeVersionOfCheckout($cli.paths.root)
  for (const container of JOB_CONTAINERS) {
    if (!existsSync(join($cli.paths.root, `containers/${container}/entrypoint.ts`))) continue
    const id = CONTAINER_RESOURCE_ID[container]
    const repository = new aws.ecr.Repository(`${id}Repository`, {
      name: names.imageRepository[container],
      imageScanningConfiguration: { scanOnPush: true },
      forceDelete: !settings.production,
    })
    new aws.ecr.LifecyclePolicy(`${id}RepositoryLifecycle`, {
      repository: repository.name,
      policy: JSON.stringify({
        rules: [{ rulePriority: 1, description: `keep the last ${IMAGES_KEPT} images`, selection: { tagStatus: 'any', countType: 'imageCountMoreThan', countNumber: IMAGES_KEPT }, action: { type: 'expire' } }],
      }),
    })
    const image = new dockerbuild.Image(`${id}Image`, {
      context: { location: $cli.paths.root },
      dockerfile: { location: join($cli.paths.root, `containers/${container}/Dockerfile`) },
      platforms: ['linux/amd64'],
      buildArgs: codeVersion ? { [CODE_VERSION_BUILD_ARG]: codeVersion } : {},
      push: true,
      tags: [$interpolate`${repository.repositoryUrl}:${$app.stage}`],
      registries: [{ address: repository.repositoryUrl, username: registryAuth.userName, password: registryAuth.password }],
    })
    // `ref` pins the digest, so every new image registers a new job definition revision.
    images[container] = { ref: image.ref, repositoryArn: repository.arn }
  }
  return images
}
