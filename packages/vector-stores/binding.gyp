{
  "targets": [
    {
      "target_name": "faiss_binding",
      "sources": ["native/faiss.cc"],
      "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")"],
      "defines": ["NAPI_VERSION=8", "NAPI_CPP_EXCEPTIONS"],
      "cflags_cc": ["-O2", "-std=c++17", "-fopenmp", "-fexceptions", "-frtti"],
      "cflags_cc!": ["-fno-exceptions", "-fno-rtti"],
      "libraries": ["-l:libfaiss.a", "-lopenblas", "-llapack", "-lgomp"]
    }
  ]
}
