export { initBackend, BACKEND_ENV_VARIABLE, WASM_DIRECTORY_ENV_VARIABLE } from './init-backend'
export type { BackendInfo, BackendName } from './init-backend'
export { registerCustomKernels } from './kernels'
export { NATIVE_KERNELS_ENV_VARIABLE, setNativeKernels } from './kernels/native'
