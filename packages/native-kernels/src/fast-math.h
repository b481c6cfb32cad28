// erf and exp for float32 as branch-free polynomials that the compiler vectorizes
// (glibc's erff and expf are scalar calls: GELU over a [32, 32, 512] activation spent
// 4 ns per element in them). Both are accurate to a few float32 ulps over the range
// GELU uses; neither handles NaN specially beyond propagating it.
#pragma once

#include <cstdint>
#include <cstring>

// Marks a hot loop to be compiled twice, for AVX2 and for baseline x86-64, the loader
// picking the one the CPU runs (GCC's function multiversioning): the build stays
// portable, and wider vectors change no result, as every lane does the same float
// operations without contraction to fused multiply-adds (-ffp-contract=off).
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && defined(__linux__)
#define NATIVE_KERNELS_VECTOR_CLONES __attribute__((target_clones("avx2", "default")))
#else
#define NATIVE_KERNELS_VECTOR_CLONES
#endif

namespace native_kernels {

// erf(x): the rational approximation TensorFlow and Eigen use for float32, on x
// clamped to [-4, 4] (beyond it erf is +-1 in float32).
inline float FastErf(float value) {
  const float x = value > 4.0f ? 4.0f : (value < -4.0f ? -4.0f : value);
  const float x2 = x * x;
  float p = x2 * -2.72614225801306e-10f + 2.77068142495902e-08f;
  p = x2 * p + -2.10102402082508e-06f;
  p = x2 * p + -5.69250639462346e-05f;
  p = x2 * p + -7.34990630326855e-04f;
  p = x2 * p + -2.95459980854025e-03f;
  p = x2 * p + -1.60960333262415e-02f;
  p = x * p;
  float q = x2 * -1.45660718464996e-05f + -2.13374055278905e-04f;
  q = x2 * q + -1.68282697438203e-03f;
  q = x2 * q + -7.37332916720468e-03f;
  q = x2 * q + -1.42647390514189e-02f;
  return p / q;
}

// exp(x) for x <= 0 (the GELU gradient's exp(-x^2 / 2)): Cephes' expf, with the
// power of two built from the exponent bits. Below -87 it returns 0.
inline float FastExpNonPositive(float value) {
  const float x = value < -87.0f ? -87.0f : value;
  // n = round(x / ln 2), by truncation of a non-positive number shifted by -0.5.
  const int32_t n = static_cast<int32_t>(x * 1.44269504088896341f - 0.5f);
  const float fn = static_cast<float>(n);
  // r = x - n ln 2, with ln 2 split in two for precision.
  const float r = (x - fn * 0.693359375f) - fn * -2.12194440e-4f;
  float y = 1.9875691500e-4f;
  y = y * r + 1.3981999507e-3f;
  y = y * r + 8.3334519073e-3f;
  y = y * r + 4.1665795894e-2f;
  y = y * r + 1.6666665459e-1f;
  y = y * r + 5.0000001201e-1f;
  y = y * r * r + r + 1.0f;
  const int32_t bits = (n + 127) << 23;
  float scale;
  std::memcpy(&scale, &bits, sizeof scale);
  return value < -87.0f ? 0.0f : y * scale;
}

}  // namespace native_kernels
