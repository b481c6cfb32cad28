export { initBackend, BACKEND_ENV_VARIABLE } from './init-backend'
export type { BackendInfo, BackendName } from './init-backend'
export { registerCustomKernels } from './kernels'
