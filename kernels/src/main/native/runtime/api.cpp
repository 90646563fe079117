// The C API that EmulatedCudaDevice calls through java.lang.foreign. Every call that can fail returns a
// CUresult code and writes its message into the caller's buffer (not into thread-local state, which a
// Java virtual thread could read back on another carrier).
#include "runtime.h"

#include <cstring>
#include <dlfcn.h>

using namespace cudaemu;

// The built-in variables of the thread that runs a fiber; kernel modules reach them as extern TLS.
extern "C" {
__attribute__((visibility("default"))) __thread uint3 threadIdx;
__attribute__((visibility("default"))) __thread uint3 blockIdx;
__attribute__((visibility("default"))) __thread dim3 blockDim;
__attribute__((visibility("default"))) __thread dim3 gridDim;
}

namespace {
int report(char* buf, int cap, int code, const std::string& message) {
    if (buf != nullptr && cap > 0) {
        size_t n = message.size() < (size_t)cap - 1 ? message.size() : (size_t)cap - 1;
        std::memcpy(buf, message.data(), n);
        buf[n] = '\0';
    }
    return code;
}

std::string dims(dim3 d) { return format("(%u,%u,%u)", d.x, d.y, d.z); }
} // namespace

#define API extern "C" __attribute__((visibility("default")))

API int cudaemu_init(int workers, int stack_kb, int trap_signals) {
    if (workers < 1) workers = 1;
    if (workers > 1024) workers = 1024; // the fault handlers know at most 1024 workers
    if (stack_kb < 16) stack_kb = 16;
    pool_start(Config{workers, (size_t)stack_kb * 1024, trap_signals != 0});
    return pool_workers();
}

API int cudaemu_abi_version() { return CUDAEMU_ABI_VERSION; }

// ---- memory

API int cudaemu_malloc(uint64_t bytes, int poison, uint64_t* out, char* err, int cap) {
    std::string m;
    uintptr_t p = 0;
    int rc = device_memory().allocate(bytes, poison != 0, &p, &m);
    *out = p;
    return report(err, cap, rc, m);
}

API int cudaemu_free(uint64_t ptr, char* err, int cap) {
    std::string m;
    return report(err, cap, device_memory().release(ptr, &m), m);
}

// SUCCESS when [ptr, ptr + bytes) lies inside one live allocation.
API int cudaemu_check_range(uint64_t ptr, uint64_t bytes, char* err, int cap) {
    Allocation a;
    if (device_memory().find(ptr, bytes, &a)) return SUCCESS;
    if (device_memory().find(ptr, 0, &a)) {
        return report(err, cap, ERROR_INVALID_VALUE,
                      format("[0x%lx, +%lu) runs past the end of the %zu-byte device allocation at 0x%lx by %lu bytes",
                             (unsigned long)ptr, (unsigned long)bytes, a.bytes, (unsigned long)a.user,
                             (unsigned long)(ptr + bytes - (a.user + a.bytes))));
    }
    return report(err, cap, ERROR_INVALID_VALUE,
                  format("0x%lx is not inside a live device allocation (freed, or never allocated)", (unsigned long)ptr));
}

API uint64_t cudaemu_memory_used() { return device_memory().used(); }

// ---- modules

API int cudaemu_module_load(const char* path, const char* name, uint64_t* out, char* err, int cap) {
    void* h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (h == nullptr) {
        const char* e = dlerror();
        return report(err, cap, ERROR_FILE_NOT_FOUND,
                      format("kernel module '%s': cannot load %s: %s", name, path, e ? e : "unknown error"));
    }
    auto entry = reinterpret_cast<const ModuleDesc* (*)()>(dlsym(h, "cudaemu_module"));
    if (entry == nullptr) {
        return report(err, cap, ERROR_INVALID_IMAGE,
                      format("kernel module '%s': %s has no cudaemu_module entry point (not built by the emulator's "
                             "module build?)",
                             name, path));
    }
    const ModuleDesc* d = entry();
    if (d->abi_version != CUDAEMU_ABI_VERSION) {
        return report(err, cap, ERROR_INVALID_IMAGE,
                      format("kernel module '%s': %s was built for emulator ABI %u, the runtime has %d (rebuild it)", name,
                             path, d->abi_version, CUDAEMU_ABI_VERSION));
    }
    auto* m = new Module();
    m->handle = h;
    m->desc = d;
    m->name = name;
    using SharedMap = const SharedRange* (*)(unsigned*, unsigned long long*);
    if (auto shared = reinterpret_cast<SharedMap>(dlsym(h, "cudaemu_module_shared"))) {
        m->shared_ranges = shared(&m->shared_count, &m->dynamic_offset);
    }
    *out = reinterpret_cast<uint64_t>(m);
    return SUCCESS;
}

API int cudaemu_module_function(uint64_t module, const char* name, uint64_t* out, char* err, int cap) {
    auto* m = reinterpret_cast<Module*>(module);
    std::lock_guard<std::mutex> g(m->mu);
    auto known_fn = m->functions.find(name);
    if (known_fn != m->functions.end()) {
        *out = reinterpret_cast<uint64_t>(known_fn->second);
        return SUCCESS;
    }
    for (uint32_t i = 0; i < m->desc->kernel_count; i++) {
        if (std::strcmp(m->desc->kernels[i].name, name) == 0) {
            auto* f = new Function();
            f->module = m;
            f->kernel = &m->desc->kernels[i];
            m->functions.emplace(name, f);
            *out = reinterpret_cast<uint64_t>(f);
            return SUCCESS;
        }
    }
    std::string known;
    for (uint32_t i = 0; i < m->desc->kernel_count; i++) {
        if (!known.empty()) known += ", ";
        known += m->desc->kernels[i].name;
    }
    return report(err, cap, ERROR_NOT_FOUND,
                  format("kernel module '%s' has no kernel '%s' (it has: %s)", m->name.c_str(), name,
                         known.empty() ? "none" : known.c_str()));
}

API int cudaemu_function_param_count(uint64_t fn) {
    return (int)reinterpret_cast<Function*>(fn)->kernel->param_count;
}

API int cudaemu_function_param_size(uint64_t fn, int i) {
    return (int)reinterpret_cast<Function*>(fn)->kernel->params[i].size;
}

API int cudaemu_function_set_max_dynamic_shared(uint64_t fn, int bytes, char* err, int cap) {
    auto* f = reinterpret_cast<Function*>(fn);
    if (bytes < 0 || bytes > CUDAEMU_DYNSMEM_CAPACITY) {
        return report(err, cap, ERROR_INVALID_VALUE,
                      format("kernel %s: %d bytes of dynamic shared memory requested; the device allows at most %d",
                             f->kernel->name, bytes, CUDAEMU_DYNSMEM_CAPACITY));
    }
    f->max_dynamic_shared.store((uint32_t)bytes);
    return SUCCESS;
}

// ---- launches

enum LaunchFlags { LAUNCH_STRICT = 1, LAUNCH_POISON = 2 };

// Validates a launch and copies its parameters (the caller's cells may be gone before it runs).
API int cudaemu_launch_prepare(uint64_t fn, uint32_t gx, uint32_t gy, uint32_t gz, uint32_t bx, uint32_t by,
                               uint32_t bz, uint32_t shared_bytes, void** params, int count, int flags, uint64_t* out,
                               char* err, int cap) {
    auto* f = reinterpret_cast<Function*>(fn);
    const KernelDesc* k = f->kernel;
    dim3 grid(gx, gy, gz), block(bx, by, bz);
    uint64_t threads = (uint64_t)bx * by * bz;
    if (bx < 1 || by < 1 || bz < 1 || bx > 1024 || by > 1024 || bz > 64 || threads > 1024) {
        return report(err, cap, ERROR_INVALID_VALUE,
                      format("kernel %s: block %s has %lu threads; a block has at most 1024 (x, y <= 1024, z <= 64)",
                             k->name, dims(block).c_str(), (unsigned long)threads));
    }
    if (gx < 1 || gy < 1 || gz < 1 || gx > 0x7fffffffu || gy > 65535 || gz > 65535) {
        return report(err, cap, ERROR_INVALID_VALUE,
                      format("kernel %s: grid %s is out of range (x < 2^31, y and z <= 65535)", k->name,
                             dims(grid).c_str()));
    }
    uint32_t limit = f->max_dynamic_shared.load();
    if (shared_bytes > limit) {
        return report(err, cap, ERROR_INVALID_VALUE,
                      format("kernel %s: %u bytes of dynamic shared memory requested, the limit for this kernel is %u "
                             "(raise it with setMaxDynamicSharedMemory, up to %d)",
                             k->name, shared_bytes, limit, CUDAEMU_DYNSMEM_CAPACITY));
    }
    if ((uint32_t)count != k->param_count) {
        return report(err, cap, ERROR_INVALID_VALUE,
                      format("kernel %s takes %u parameters, the launch passes %d", k->name, k->param_count, count));
    }
    bool strict = flags & LAUNCH_STRICT;
    for (uint32_t i = 0; i < k->param_count; i++) {
        if (params[i] == nullptr) {
            return report(err, cap, ERROR_INVALID_VALUE, format("kernel %s: parameter %u is a null cell", k->name, i));
        }
        if (strict && k->params[i].pointee_size != 0) {
            uintptr_t p;
            std::memcpy(&p, params[i], sizeof p);
            Allocation a;
            if (p != 0 && !device_memory().find(p, 0, &a)) {
                return report(err, cap, ERROR_INVALID_VALUE,
                              format("kernel %s: pointer parameter %u (0x%lx) does not point into a live device "
                                     "allocation (freed, or not device memory)",
                                     k->name, i, (unsigned long)p));
            }
        }
    }

    auto* l = new Launch();
    l->fn = f;
    l->grid = grid;
    l->block = block;
    l->shared_bytes = shared_bytes;
    l->strict = strict;
    l->poison = flags & LAUNCH_POISON;
    l->total_blocks = (uint64_t)gx * gy * gz;
    l->threads = (uint32_t)threads;
    l->thread_index.resize(threads);
    for (uint32_t t = 0; t < threads; t++) l->thread_index[t] = uint3{t % bx, (t / bx) % by, t / (bx * by)};
    size_t size = 0;
    std::vector<size_t> offsets(k->param_count);
    for (uint32_t i = 0; i < k->param_count; i++) {
        size_t a = k->params[i].align;
        size = (size + a - 1) / a * a;
        offsets[i] = size;
        size += k->params[i].size;
    }
    // Over-allocate to place the cells at a 64-byte aligned base: no parameter type needs more.
    l->param_storage.resize(size + 64);
    auto* base = reinterpret_cast<unsigned char*>(((uintptr_t)l->param_storage.data() + 63) & ~(uintptr_t)63);
    l->params.resize(k->param_count);
    for (uint32_t i = 0; i < k->param_count; i++) {
        std::memcpy(base + offsets[i], params[i], k->params[i].size);
        l->params[i] = base + offsets[i];
    }
    *out = reinterpret_cast<uint64_t>(l);
    return SUCCESS;
}

// Runs a prepared launch to completion on the worker pool and frees it.
API int cudaemu_launch_run(uint64_t launch, char* err, int cap) {
    std::unique_ptr<Launch> l(reinterpret_cast<Launch*>(launch));
    int rc = pool_run(l.get());
    if (rc != SUCCESS) return report(err, cap, rc, l->message);
    if (l->strict) {
        const KernelDesc* k = l->fn->kernel;
        for (uint32_t i = 0; i < k->param_count; i++) {
            if (k->params[i].pointee_size == 0) continue;
            uintptr_t p;
            std::memcpy(&p, l->params[i], sizeof p);
            std::string m;
            if (p != 0 && !device_memory().check_red_zones(p, k->params[i].pointee_size, &m)) {
                return report(err, cap, ERROR_ILLEGAL_ADDRESS,
                              format("kernel %s (pointer parameter %u): %s", k->name, i, m.c_str()));
            }
        }
    }
    return SUCCESS;
}

// Frees a prepared launch that will not run (its stream had failed).
API void cudaemu_launch_discard(uint64_t launch) { delete reinterpret_cast<Launch*>(launch); }
