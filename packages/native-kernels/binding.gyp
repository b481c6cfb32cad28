{
  "variables": {
    "blas%": "<!(node detect-blas.mjs)"
  },
  "targets": [
    {
      "target_name": "native_kernels",
      "sources": ["src/addon.cc", "src/sgemm.cc", "src/gemm.cc", "src/gemm-builtin.cc", "src/reduce.cc", "src/gather.cc", "src/gelu.cc", "src/layer-norm.cc", "src/adamw.cc", "src/dropout.cc", "src/thread-pool.cc", "src/elementwise.cc", "src/masked-softmax.cc", "src/dequantize.cc"],
      "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")"],
      "defines": ["NAPI_VERSION=8", "NAPI_DISABLE_CPP_EXCEPTIONS"],
      "cflags_cc": ["-O3", "-std=c++17", "-ffp-contract=off", "-fno-trapping-math", "-fno-math-errno"],
      "xcode_settings": {
        "OTHER_CPLUSPLUSFLAGS": ["-O3", "-std=c++17", "-ffp-contract=off", "-fno-trapping-math", "-fno-math-errno"]
      },
      "conditions": [
        ["blas=='openblas'", {
          "defines": ["BANKBENCH_OPENBLAS=1"],
          "libraries": ["-lopenblas"]
        }]
      ]
    }
  ]
}
