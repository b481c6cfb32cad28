// A Node-API binding of the FAISS calls the vector-store adapter uses, against Debian's
// libfaiss-dev (1.7.3, static library). faiss-node, the npm binding, downloads prebuilt
// binaries or clones FAISS at install: neither works offline (ENVIRONMENT.md).
#include <napi.h>
#include <omp.h>

#include <faiss/AutoTune.h>
#include <faiss/Index.h>
#include <faiss/IndexIDMap.h>
#include <faiss/IndexIVF.h>
#include <faiss/IndexPreTransform.h>
#include <faiss/impl/FaissException.h>
#include <faiss/impl/IDSelector.h>
#include <faiss/impl/io.h>
#include <faiss/index_factory.h>
#include <faiss/index_io.h>

#include <memory>
#include <string>

namespace {

class FaissIndex : public Napi::ObjectWrap<FaissIndex> {
 public:
  static Napi::Function Define(Napi::Env env) {
    return DefineClass(env, "FaissIndex", {
      InstanceMethod("isTrained", &FaissIndex::IsTrained),
      InstanceMethod("train", &FaissIndex::Train),
      InstanceMethod("add", &FaissIndex::Add),
      InstanceMethod("search", &FaissIndex::Search),
      InstanceMethod("remove", &FaissIndex::Remove),
      InstanceMethod("count", &FaissIndex::Count),
      InstanceMethod("setParameter", &FaissIndex::SetParameter),
      InstanceMethod("serializedBytes", &FaissIndex::SerializedBytes),
      InstanceMethod("serialize", &FaissIndex::Serialize),
    });
  }

  // new FaissIndex(dimension, factory, metric): metric 0 = inner product, 1 = L2 (faiss::MetricType).
  // new FaissIndex(bytes): an index that `serialize` wrote (faiss::read_index), ids and all.
  explicit FaissIndex(const Napi::CallbackInfo& info) : Napi::ObjectWrap<FaissIndex>(info) {
    Napi::Env env = info.Env();
    if (info.Length() == 1 && info[0].IsTypedArray()) {
      auto bytes = info[0].As<Napi::Uint8Array>();
      try {
        faiss::VectorIOReader reader;
        reader.data.assign(bytes.Data(), bytes.Data() + bytes.ByteLength());
        index_.reset(faiss::read_index(&reader));
      } catch (const faiss::FaissException& error) {
        Napi::Error::New(env, error.what()).ThrowAsJavaScriptException();
      }
      return;
    }
    int dimension = info[0].As<Napi::Number>().Int32Value();
    std::string factory = info[1].As<Napi::String>().Utf8Value();
    int metric = info[2].As<Napi::Number>().Int32Value();
    try {
      std::unique_ptr<faiss::Index> inner(faiss::index_factory(dimension, factory.c_str(), metric == 0 ? faiss::METRIC_INNER_PRODUCT : faiss::METRIC_L2));
      if (StoresIds(inner.get())) {
        index_ = std::move(inner);
      } else {
        // Flat, HNSW, PQ number vectors 0..n-1: IDMap2 keeps our 64-bit keys beside them. Not
        // around an IVF, which stores ids itself: IDMap's remove_ids renumbers the ids it
        // maps, and an IVF does not renumber, so the two would disagree after a delete.
        auto* mapped = new faiss::IndexIDMap2(inner.release());
        mapped->own_fields = true;
        index_.reset(mapped);
      }
    } catch (const faiss::FaissException& error) {
      Napi::Error::New(env, error.what()).ThrowAsJavaScriptException();
    }
  }

 private:
  std::unique_ptr<faiss::Index> index_;

  // Whether the index keeps caller-given ids itself (an IVF, possibly behind transforms).
  static bool StoresIds(faiss::Index* index) {
    while (auto* transformed = dynamic_cast<faiss::IndexPreTransform*>(index)) index = transformed->index;
    return dynamic_cast<faiss::IndexIVF*>(index) != nullptr;
  }

  template <typename F>
  Napi::Value Guard(Napi::Env env, F&& body) {
    try {
      return body();
    } catch (const std::exception& error) {
      Napi::Error::New(env, error.what()).ThrowAsJavaScriptException();
      return env.Undefined();
    }
  }

  Napi::Value IsTrained(const Napi::CallbackInfo& info) {
    return Napi::Boolean::New(info.Env(), index_->is_trained);
  }

  // train(vectors: Float32Array of n * d)
  Napi::Value Train(const Napi::CallbackInfo& info) {
    auto vectors = info[0].As<Napi::Float32Array>();
    return Guard(info.Env(), [&]() -> Napi::Value {
      index_->train(vectors.ElementLength() / index_->d, vectors.Data());
      return info.Env().Undefined();
    });
  }

  // add(vectors: Float32Array of n * d, ids: BigInt64Array of n)
  Napi::Value Add(const Napi::CallbackInfo& info) {
    auto vectors = info[0].As<Napi::Float32Array>();
    auto ids = info[1].As<Napi::BigInt64Array>();
    return Guard(info.Env(), [&]() -> Napi::Value {
      index_->add_with_ids(ids.ElementLength(), vectors.Data(), reinterpret_cast<const faiss::Index::idx_t*>(ids.Data()));
      return info.Env().Undefined();
    });
  }

  // search(queries: Float32Array of n * d, k) -> { distances: Float32Array, ids: BigInt64Array } of n * k (-1 where fewer).
  Napi::Value Search(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    auto queries = info[0].As<Napi::Float32Array>();
    int64_t k = info[1].As<Napi::Number>().Int64Value();
    int64_t n = queries.ElementLength() / index_->d;
    auto distances = Napi::Float32Array::New(env, n * k);
    auto ids = Napi::BigInt64Array::New(env, n * k);
    return Guard(env, [&]() -> Napi::Value {
      index_->search(n, queries.Data(), k, distances.Data(), reinterpret_cast<faiss::Index::idx_t*>(ids.Data()));
      auto result = Napi::Object::New(env);
      result.Set("distances", distances);
      result.Set("ids", ids);
      return result;
    });
  }

  // remove(ids: BigInt64Array) -> how many were removed. Throws where the index cannot remove (HNSW).
  Napi::Value Remove(const Napi::CallbackInfo& info) {
    auto ids = info[0].As<Napi::BigInt64Array>();
    return Guard(info.Env(), [&]() -> Napi::Value {
      faiss::IDSelectorBatch selector(ids.ElementLength(), reinterpret_cast<const faiss::Index::idx_t*>(ids.Data()));
      return Napi::Number::New(info.Env(), static_cast<double>(index_->remove_ids(selector)));
    });
  }

  Napi::Value Count(const Napi::CallbackInfo& info) {
    return Napi::Number::New(info.Env(), static_cast<double>(index_->ntotal));
  }

  // setParameter(name, value): FAISS's own names, e.g. nprobe (IVF), efSearch (HNSW).
  Napi::Value SetParameter(const Napi::CallbackInfo& info) {
    std::string name = info[0].As<Napi::String>().Utf8Value();
    double value = info[1].As<Napi::Number>().DoubleValue();
    return Guard(info.Env(), [&]() -> Napi::Value {
      faiss::ParameterSpace().set_index_parameter(index_.get(), name, value);
      return info.Env().Undefined();
    });
  }

  // The index as FAISS writes it (faiss::write_index: vectors, codes, graph, ids), for `new FaissIndex(bytes)`.
  Napi::Value Serialize(const Napi::CallbackInfo& info) {
    return Guard(info.Env(), [&]() -> Napi::Value {
      faiss::VectorIOWriter writer;
      faiss::write_index(index_.get(), &writer);
      return Napi::Buffer<uint8_t>::Copy(info.Env(), writer.data.data(), writer.data.size());
    });
  }

  // The size of the index as FAISS writes it (vectors, codes, graph, ids).
  Napi::Value SerializedBytes(const Napi::CallbackInfo& info) {
    return Guard(info.Env(), [&]() -> Napi::Value {
      faiss::VectorIOWriter writer;
      faiss::write_index(index_.get(), &writer);
      return Napi::Number::New(info.Env(), static_cast<double>(writer.data.size()));
    });
  }
};

// setThreads(n): FAISS's OpenMP threads. One by default: a single query is fastest on one
// thread, and the benchmark's concurrency is measured with its own workers.
Napi::Value SetThreads(const Napi::CallbackInfo& info) {
  omp_set_num_threads(info[0].As<Napi::Number>().Int32Value());
  return info.Env().Undefined();
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  omp_set_num_threads(1);
  exports.Set("FaissIndex", FaissIndex::Define(env));
  exports.Set("setThreads", Napi::Function::New(env, SetThreads));
  return exports;
}

}  // namespace

NODE_API_MODULE(faiss_binding, Init)
