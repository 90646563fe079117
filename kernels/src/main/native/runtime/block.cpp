// The block scheduler: every CUDA thread of a block is a fiber on one worker thread.
//
// Threads start lazily in linear order. A thread runs until it returns or reaches a rendezvous
// (__syncthreads*, a warp operation, __activemask); the thread whose arrival completes a rendezvous
// computes every participant's result and makes them ready, so one pass suffices and the exchange cannot
// race. Ready threads run before new ones start, and lanes released by a warp operation run before
// anything else, which keeps warps together (warp-then-block order). When a thread returns and nothing is
// ready, the same fiber goes on with the next unstarted thread, so a kernel without rendezvous runs its
// whole block on one fiber with no switch at all.
#include "runtime.h"

#include <cstring>
#include <link.h>
#include <sys/mman.h>
#include <unistd.h>

namespace cudaemu {

namespace {
thread_local Worker* tl_worker = nullptr;

const char* op_name(int op, bool warp) {
    if (!warp) {
        switch (op) {
        case BLOCK_COUNT: return "__syncthreads_count";
        case BLOCK_AND: return "__syncthreads_and";
        case BLOCK_OR: return "__syncthreads_or";
        default: return "__syncthreads";
        }
    }
    switch (op) {
    case WARP_SYNC: return "__syncwarp";
    case WARP_SHFL_IDX: return "__shfl_sync";
    case WARP_SHFL_UP: return "__shfl_up_sync";
    case WARP_SHFL_DOWN: return "__shfl_down_sync";
    case WARP_SHFL_XOR: return "__shfl_xor_sync";
    case WARP_BALLOT: return "__ballot_sync";
    case WARP_ANY: return "__any_sync";
    case WARP_ALL: return "__all_sync";
    case WARP_MATCH_ANY: return "__match_any_sync";
    case WARP_MATCH_ALL: return "__match_all_sync";
    case WARP_REDUCE_ADD: return "__reduce_add_sync";
    case WARP_REDUCE_MIN:
    case WARP_REDUCE_MIN_SIGNED: return "__reduce_min_sync";
    case WARP_REDUCE_MAX:
    case WARP_REDUCE_MAX_SIGNED: return "__reduce_max_sync";
    case WARP_REDUCE_AND: return "__reduce_and_sync";
    case WARP_REDUCE_OR: return "__reduce_or_sync";
    case WARP_REDUCE_XOR: return "__reduce_xor_sync";
    default: return "warp operation";
    }
}

bool same_site(const ThreadState& a, const ThreadState& b) {
    return a.line == b.line && (a.file == b.file || std::strcmp(a.file, b.file) == 0);
}

std::string lanes(unsigned m) {
    std::string s;
    for (int i = 0; i < 32; i++) {
        if (!(m & (1u << i))) continue;
        int j = i;
        while (j + 1 < 32 && (m & (1u << (j + 1)))) j++;
        if (!s.empty()) s += ",";
        s += j == i ? std::to_string(i) : std::to_string(i) + "-" + std::to_string(j);
        i = j;
    }
    return s;
}
} // namespace

Worker* current_worker() { return tl_worker; }

// ---- fibers

std::string Worker::no_stack_message() const {
    return format("kernel %s: cannot map a %zu KiB fiber stack for thread %u of a block (out of address space)",
                  launch->name(), stack_size / 1024, (unsigned)fibers.size());
}

Fiber* Worker::take_fiber() {
    if (!free_fibers.empty()) {
        Fiber* f = free_fibers.back();
        free_fibers.pop_back();
        return f;
    }
    if (fiber_cursor < fibers.size()) return fibers[fiber_cursor++];
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    void* m = mmap(nullptr, stack_size + page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_STACK,
                   -1, 0);
    if (m == MAP_FAILED) return nullptr;
    mprotect(m, page, PROT_NONE); // the guard page: an overflow faults instead of corrupting a neighbour
    Fiber* f = new Fiber();
    f->stack = static_cast<unsigned char*>(m) + page;
    f->stack_size = stack_size;
    f->worker = this;
    fibers.push_back(f);
    fiber_cursor = fibers.size();
    return f;
}

void Worker::start(Fiber* f, uint32_t tid) {
    // The frame cudaemu_switch pops: r15 r14 r13 r12 rbx rbp, then the return address. r12 carries the
    // Fiber*, and after the return rsp is 16-byte aligned as a call site requires.
    uintptr_t top = ((uintptr_t)(f->stack + f->stack_size)) & ~(uintptr_t)15;
    void** sp = reinterpret_cast<void**>(top - 72);
    for (int i = 0; i < 6; i++) sp[i] = nullptr;
    sp[3] = f;
    sp[6] = reinterpret_cast<void*>(&cudaemu_fiber_entry);
    f->sp = sp;
    f->tid = tid;
    threads[tid].fiber = f;
    threads[tid].state = State::Running;
}

void Worker::set_thread(uint32_t tid) const { threadIdx = launch->thread_index[tid]; }

void Worker::push_back(uint32_t tid) {
    ring[(ring_head + ring_count) % nthreads] = tid;
    ring_count++;
}

void Worker::push_front(uint32_t tid) {
    ring_head = (ring_head + nthreads - 1) % nthreads;
    ring[ring_head] = tid;
    ring_count++;
}

Fiber* Worker::pick_next() {
    for (;;) {
        if (ring_count > 0) {
            uint32_t t = ring[ring_head];
            ring_head = (ring_head + 1) % nthreads;
            ring_count--;
            threads[t].state = State::Running;
            return threads[t].fiber;
        }
        if (next_unstarted < nthreads) {
            Fiber* f = take_fiber();
            if (f == nullptr) abort_block(ERROR_LAUNCH_FAILED, no_stack_message());
            start(f, next_unstarted++);
            return f;
        }
        if (!release_activemask()) return nullptr;
    }
}

void Worker::switch_to(Fiber* from, Fiber* to) {
    if (to == nullptr) {
        cudaemu_switch(&from->sp, scheduler_sp);
        return;
    }
    current = to;
    set_thread(to->tid);
    cudaemu_switch(&from->sp, to->sp);
}

// Suspends the calling thread until a rendezvous releases it.
void Worker::wait(Fiber* self) {
    Fiber* next = pick_next();
    if (next == self) {
        current = self;
        set_thread(self->tid);
        return;
    }
    switch_to(self, next);
}

// ---- block execution (on the worker's own stack)

void Worker::run_block(uint64_t linear) {
    Launch& l = *launch;
    uint64_t gx = l.grid.x, gy = l.grid.y;
    block_index = uint3{(unsigned)(linear % gx), (unsigned)((linear / gx) % gy), (unsigned)(linear / (gx * gy))};
    blockIdx = block_index;
    blockDim = l.block;
    gridDim = l.grid;

    nthreads = l.threads;
    if (threads.size() < nthreads) threads.resize(nthreads);
    if (ring.size() < nthreads) ring.resize(nthreads);
    uint32_t nwarps = (nthreads + 31) / 32;
    if (warps.size() < nwarps) warps.resize(nwarps);
    for (uint32_t t = 0; t < nthreads; t++) threads[t].state = State::Unstarted;
    for (uint32_t w = 0; w < nwarps; w++) {
        uint32_t n = nthreads - 32 * w;
        warps[w] = WarpState{n >= 32 ? ~0u : (1u << n) - 1, 0, 0, 0};
    }
    ring_head = ring_count = 0;
    next_unstarted = done_count = barrier_arrived = 0;
    fiber_cursor = 0;
    free_fibers.clear();
    aborted = false;
    if (l.poison) poison_shared();

    Fiber* f = take_fiber();
    if (f == nullptr) {
        l.fail(ERROR_LAUNCH_FAILED, no_stack_message());
        return;
    }
    start(f, next_unstarted++);
    current = f;
    set_thread(0);
    cudaemu_switch(&scheduler_sp, f->sp);

    if (!aborted && done_count != nthreads) {
        l.fail(ERROR_LAUNCH_FAILED, format("kernel %s: deadlock in block (%u,%u,%u): %s", l.name(), block_index.x,
                                           block_index.y, block_index.z, describe_deadlock().c_str()));
    }
}

void Worker::thread_done(Fiber* f) {
    uint32_t t = f->tid;
    threads[t].state = State::Done;
    done_count++;
    uint32_t w = t >> 5, lane = t & 31;
    warps[w].done |= 1u << lane;
    if (warps[w].arrived) recheck_warp(w);
    if (barrier_arrived > 0 && barrier_arrived == nthreads - done_count) release_barrier();

    if (ring_count == 0 && next_unstarted < nthreads) {
        // Nothing is waiting: go on with the next thread on this same fiber.
        uint32_t n = next_unstarted++;
        f->tid = n;
        threads[n].fiber = f;
        threads[n].state = State::Running;
        set_thread(n);
        return;
    }
    Fiber* next = pick_next();
    free_fibers.push_back(f); // after pick_next, which must not restart the fiber we are standing on
    switch_to(f, next);
    __builtin_unreachable(); // a finished fiber is only ever restarted from its entry point
}

void Worker::abort_block(int code, const std::string& what) {
    launch->fail(code, what);
    aborted = true;
    cudaemu_switch(&current->sp, scheduler_sp);
    __builtin_unreachable();
}

std::string Worker::where(uint32_t tid) const {
    uint3 i = launch->thread_index[tid];
    return format("block (%u,%u,%u), thread (%u,%u,%u)", block_index.x, block_index.y, block_index.z, i.x, i.y, i.z);
}

// ---- __syncthreads and friends

int Worker::block_op(int op, int predicate, const char* file, int line) {
    Fiber* f = current;
    ThreadState& s = threads[f->tid];
    s.state = State::AtBlock;
    s.op = op;
    s.value = (unsigned long long)predicate;
    s.file = file;
    s.line = line;
    barrier_arrived++;
    if (barrier_arrived == nthreads - done_count) release_barrier();
    wait(f);
    return (int)s.result;
}

void Worker::release_barrier() {
    Launch& l = *launch;
    uint32_t first = nthreads;
    for (uint32_t t = 0; t < nthreads; t++) {
        if (threads[t].state == State::AtBlock) {
            first = t;
            break;
        }
    }
    const ThreadState& a = threads[first];
    if (l.strict) {
        if (done_count > 0) {
            uint32_t exited = 0;
            while (threads[exited].state != State::Done) exited++;
            abort_block(ERROR_LAUNCH_FAILED,
                        format("kernel %s: barrier divergence: %s at %s:%d in block (%u,%u,%u) is reached by %u "
                               "threads after %u threads of the block returned (the first: thread (%u,%u,%u)); every "
                               "thread of a block must reach the same __syncthreads",
                               l.name(), op_name(a.op, false), a.file, a.line, block_index.x, block_index.y,
                               block_index.z, barrier_arrived, done_count, l.thread_index[exited].x,
                               l.thread_index[exited].y, l.thread_index[exited].z));
        }
        for (uint32_t t = first + 1; t < nthreads; t++) {
            const ThreadState& b = threads[t];
            if (b.state == State::AtBlock && (b.op != a.op || !same_site(a, b))) {
                abort_block(ERROR_LAUNCH_FAILED,
                            format("kernel %s: barrier divergence in block (%u,%u,%u): thread (%u,%u,%u) waits at %s "
                                   "%s:%d while thread (%u,%u,%u) waits at %s %s:%d",
                                   l.name(), block_index.x, block_index.y, block_index.z, l.thread_index[first].x,
                                   l.thread_index[first].y, l.thread_index[first].z, op_name(a.op, false), a.file,
                                   a.line, l.thread_index[t].x, l.thread_index[t].y, l.thread_index[t].z,
                                   op_name(b.op, false), b.file, b.line));
            }
        }
    }
    uint32_t count = 0;
    for (uint32_t t = first; t < nthreads; t++) {
        if (threads[t].state == State::AtBlock && threads[t].value) count++;
    }
    for (uint32_t t = first; t < nthreads; t++) {
        ThreadState& s = threads[t];
        if (s.state != State::AtBlock) continue;
        switch (s.op) {
        case BLOCK_COUNT: s.result = count; break;
        case BLOCK_AND: s.result = count == barrier_arrived; break;
        case BLOCK_OR: s.result = count > 0; break;
        default: s.result = 0;
        }
        s.state = State::Ready;
        push_back(t);
    }
    barrier_arrived = 0;
}

// ---- warp operations

unsigned long long Worker::warp_op(int op, unsigned mask, unsigned long long value, int arg, int width,
                                   const char* file, int line) {
    Fiber* f = current;
    uint32_t t = f->tid, w = t >> 5, lane = t & 31;
    ThreadState& s = threads[t];
    s.op = op;
    s.mask = mask;
    s.value = value;
    s.arg = arg;
    s.width = width;
    s.file = file;
    s.line = line;
    if (width < 1 || width > 32 || (width & (width - 1)) != 0) {
        if (launch->strict) {
            abort_block(ERROR_LAUNCH_FAILED,
                        format("kernel %s: %s at %s:%d in %s: width %d is not a power of two in [1, 32]", launch->name(),
                               op_name(op, true), file, line, where(t).c_str(), width));
        }
        s.width = 32;
    }
    s.state = State::AtWarp;
    warps[w].arrived |= 1u << lane;
    try_release_warp(w, lane);
    wait(f);
    return s.result;
}

// Releases the group of the lane's warp operation if every lane it names has arrived.
void Worker::try_release_warp(uint32_t w, uint32_t lane) {
    WarpState& W = warps[w];
    uint32_t base = w * 32;
    ThreadState& s = threads[base + lane];
    Launch& l = *launch;
    if (!(s.mask & (1u << lane))) {
        if (l.strict) {
            abort_block(ERROR_LAUNCH_FAILED,
                        format("kernel %s: %s at %s:%d in %s: the calling lane %u is not in the mask 0x%08x", l.name(),
                               op_name(s.op, true), s.file, s.line, where(base + lane).c_str(), lane, s.mask));
        }
        s.mask |= 1u << lane;
    }
    unsigned need = s.mask & W.existing;
    if (need & W.done) {
        if (l.strict) {
            abort_block(ERROR_LAUNCH_FAILED,
                        format("kernel %s: %s at %s:%d in %s: its mask 0x%08x names lanes that returned (%s)",
                               l.name(), op_name(s.op, true), s.file, s.line, where(base + lane).c_str(), s.mask,
                               lanes(need & W.done).c_str()));
        }
        need &= ~W.done;
    }
    if ((need & W.arrived) != need) return;
    for (unsigned m = need; m; m &= m - 1) {
        const ThreadState& o = threads[base + std::countr_zero(m)];
        if (o.op != s.op || o.mask != s.mask || (s.op != WARP_SYNC && !same_site(o, s))) {
            uint32_t j = std::countr_zero(m);
            abort_block(ERROR_LAUNCH_FAILED,
                        format("kernel %s: warp divergence in %s: lane %u waits at %s %s:%d (mask 0x%08x) while lane "
                               "%u waits at %s %s:%d (mask 0x%08x); all lanes named in a mask must execute the same "
                               "warp operation with the same mask",
                               l.name(), where(base + lane).c_str(), lane, op_name(s.op, true), s.file, s.line, s.mask,
                               j, op_name(o.op, true), o.file, o.line, o.mask));
        }
    }

    unsigned ballot = 0;
    for (unsigned m = need; m; m &= m - 1) {
        uint32_t j = std::countr_zero(m);
        if (threads[base + j].value) ballot |= 1u << j;
    }
    for (unsigned m = need; m; m &= m - 1) {
        uint32_t j = std::countr_zero(m);
        ThreadState& r = threads[base + j];
        switch (r.op) {
        case WARP_SHFL_IDX:
        case WARP_SHFL_UP:
        case WARP_SHFL_DOWN:
        case WARP_SHFL_XOR: {
            int width = r.width;
            int seg = (int)j & ~(width - 1);
            long long src;
            if (r.op == WARP_SHFL_IDX) {
                src = seg + (r.arg & (width - 1));
            } else if (r.op == WARP_SHFL_UP) {
                src = (long long)j - (unsigned)r.arg;
                if (src < seg) src = j;
            } else if (r.op == WARP_SHFL_DOWN) {
                src = (long long)j + (unsigned)r.arg;
                if (src >= seg + width) src = j;
            } else {
                src = (long long)(j ^ ((unsigned)r.arg & 31u));
                if (src >= seg + width) src = j;
            }
            // A lane outside the group has no defined value; poison makes such a read visible in results.
            if (need & (1u << src)) r.result = threads[base + src].value;
            else r.result = l.poison ? ~0ull : r.value;
            break;
        }
        case WARP_BALLOT: r.result = ballot; break;
        case WARP_ANY: r.result = ballot != 0; break;
        case WARP_ALL: r.result = ballot == need; break;
        case WARP_MATCH_ANY:
        case WARP_MATCH_ALL: {
            unsigned same = 0;
            for (unsigned k = need; k; k &= k - 1) {
                uint32_t o = std::countr_zero(k);
                if (threads[base + o].value == r.value) same |= 1u << o;
            }
            r.result = r.op == WARP_MATCH_ANY ? same : (same == need ? need : 0);
            break;
        }
        case WARP_REDUCE_ADD:
        case WARP_REDUCE_MIN:
        case WARP_REDUCE_MAX:
        case WARP_REDUCE_AND:
        case WARP_REDUCE_OR:
        case WARP_REDUCE_XOR:
        case WARP_REDUCE_MIN_SIGNED:
        case WARP_REDUCE_MAX_SIGNED: {
            unsigned acc = (unsigned)threads[base + std::countr_zero(need)].value;
            for (unsigned k = need & (need - 1); k; k &= k - 1) {
                unsigned v = (unsigned)threads[base + std::countr_zero(k)].value;
                switch (r.op) {
                case WARP_REDUCE_ADD: acc += v; break;
                case WARP_REDUCE_MIN: acc = v < acc ? v : acc; break;
                case WARP_REDUCE_MAX: acc = v > acc ? v : acc; break;
                case WARP_REDUCE_AND: acc &= v; break;
                case WARP_REDUCE_OR: acc |= v; break;
                case WARP_REDUCE_XOR: acc ^= v; break;
                case WARP_REDUCE_MIN_SIGNED: acc = (int)v < (int)acc ? v : acc; break;
                default: acc = (int)v > (int)acc ? v : acc; break;
                }
            }
            r.result = acc;
            break;
        }
        default: r.result = 0;
        }
    }
    W.arrived &= ~need;
    for (int j = 31; j >= 0; j--) {
        if (!(need & (1u << j))) continue;
        threads[base + j].state = State::Ready;
        push_front(base + j);
    }
}

// After a lane returned: strict mode reports lanes that still wait for it; otherwise groups that were
// only waiting for it can go.
void Worker::recheck_warp(uint32_t w) {
    WarpState& W = warps[w];
    for (unsigned m = W.arrived; m; m &= m - 1) {
        uint32_t lane = std::countr_zero(m);
        if (!(W.arrived & (1u << lane))) continue; // released by an earlier iteration
        try_release_warp(w, lane);
    }
}

unsigned Worker::activemask(const char* file, int line) {
    Fiber* f = current;
    uint32_t t = f->tid;
    ThreadState& s = threads[t];
    s.state = State::AtActiveMask;
    s.file = file;
    s.line = line;
    warps[t >> 5].activemask_waiting |= 1u << (t & 31);
    wait(f);
    return (unsigned)s.result;
}

// __activemask is not a rendezvous on the GPU, but the lanes that execute it together are those that
// converged there. Here they are the lanes waiting at the same call once nothing else can run.
bool Worker::release_activemask() {
    bool any = false;
    for (uint32_t w = 0; w * 32 < nthreads; w++) {
        WarpState& W = warps[w];
        while (W.activemask_waiting) {
            uint32_t first = std::countr_zero(W.activemask_waiting);
            const ThreadState& a = threads[w * 32 + first];
            unsigned group = 0;
            for (unsigned m = W.activemask_waiting; m; m &= m - 1) {
                uint32_t j = std::countr_zero(m);
                if (same_site(threads[w * 32 + j], a)) group |= 1u << j;
            }
            for (unsigned m = group; m; m &= m - 1) {
                uint32_t j = std::countr_zero(m);
                threads[w * 32 + j].result = group;
                threads[w * 32 + j].state = State::Ready;
                push_back(w * 32 + j);
            }
            W.activemask_waiting &= ~group;
            any = true;
        }
    }
    return any;
}

std::string Worker::describe_deadlock() const {
    std::string out;
    std::vector<bool> seen(nthreads, false);
    for (uint32_t t = 0; t < nthreads; t++) {
        const ThreadState& a = threads[t];
        if (seen[t] || a.state == State::Done) continue;
        uint32_t n = 0;
        for (uint32_t u = t; u < nthreads; u++) {
            const ThreadState& b = threads[u];
            if (!seen[u] && b.state == a.state && b.op == a.op && same_site(a, b)) {
                seen[u] = true;
                n++;
            }
        }
        if (!out.empty()) out += "; ";
        uint3 i = launch->thread_index[t];
        if (a.state == State::AtBlock) {
            out += format("%u threads wait at %s %s:%d (the first: thread (%u,%u,%u))", n, op_name(a.op, false), a.file,
                          a.line, i.x, i.y, i.z);
        } else if (a.state == State::AtWarp) {
            const WarpState& W = warps[t >> 5];
            unsigned missing = a.mask & W.existing & ~W.arrived & ~W.done;
            out += format("%u threads wait at %s %s:%d (the first: thread (%u,%u,%u), mask 0x%08x, lanes %s of its warp "
                          "never arrive)",
                          n, op_name(a.op, true), a.file, a.line, i.x, i.y, i.z, a.mask, lanes(missing).c_str());
        } else {
            out += format("%u threads are blocked (the first: thread (%u,%u,%u))", n, i.x, i.y, i.z);
        }
    }
    if (done_count > 0) out += format("; %u threads returned", done_count);
    return out;
}

// ---- shared memory poisoning

namespace {
struct TlsSearch {
    unsigned char* dynamic;
    unsigned char* lo;
    unsigned char* hi;
};

int find_tls(struct dl_phdr_info* info, size_t, void* data) {
    auto* s = static_cast<TlsSearch*>(data);
    if (info->dlpi_tls_data == nullptr) return 0;
    for (int i = 0; i < info->dlpi_phnum; i++) {
        const ElfW(Phdr)& ph = info->dlpi_phdr[i];
        if (ph.p_type != PT_TLS) continue;
        auto* lo = static_cast<unsigned char*>(info->dlpi_tls_data);
        if (s->dynamic >= lo && s->dynamic < lo + ph.p_memsz) {
            s->lo = lo;
            s->hi = lo + ph.p_memsz;
            return 1;
        }
    }
    return 0;
}
} // namespace

// Shared memory is uninitialised on the GPU, while a thread_local keeps the previous block's values:
// filling the kernel's shared arrays (without the build's table: all of the module's TLS) with NaN bytes
// makes reads before writes visible.
void Worker::poison_shared() {
    const Module* m = launch->fn->module;
    const TlsRange* r = nullptr;
    for (const TlsRange& t : tls_ranges) {
        if (t.module == m) r = &t;
    }
    if (r == nullptr) {
        TlsSearch s{m->desc->dynamic_shared(), nullptr, nullptr};
        dl_iterate_phdr(find_tls, &s);
        if (s.lo == nullptr) { // not found: poison just the dynamic part
            s.lo = s.dynamic;
            s.hi = s.dynamic + CUDAEMU_DYNSMEM_CAPACITY;
        }
        tls_ranges.push_back(TlsRange{m, s.lo, s.hi, s.dynamic});
        r = &tls_ranges.back();
    }
    std::memset(r->dynamic, DeviceMemory::kPoisonByte, launch->shared_bytes);
    if (m->shared_ranges != nullptr && (unsigned long long)(r->dynamic - r->lo) == m->dynamic_offset) {
        // Only this kernel's arrays, and those any kernel may use.
        int64_t k = launch->fn->kernel - m->desc->kernels;
        for (unsigned i = 0; i < m->shared_count; i++) {
            const SharedRange& s = m->shared_ranges[i];
            if (s.kernel == -1 || s.kernel == k) std::memset(r->lo + s.offset, DeviceMemory::kPoisonByte, s.size);
        }
        return;
    }
    std::memset(r->lo, DeviceMemory::kPoisonByte, r->dynamic - r->lo);
    unsigned char* end = r->dynamic + CUDAEMU_DYNSMEM_CAPACITY;
    if (end < r->hi) std::memset(end, DeviceMemory::kPoisonByte, r->hi - end);
}

// ---- one launch on this worker

bool Worker::run_block_guarded(uint64_t linear) {
    if (sigsetjmp(recover, 0) != 0) {
        in_kernel = 0;
        faults_unblock();
        launch->fail(fault_signal == SIGFPE ? ERROR_LAUNCH_FAILED
                     : fault_signal == SIGILL ? ERROR_ILLEGAL_INSTRUCTION
                                              : ERROR_ILLEGAL_ADDRESS,
                     describe_fault(this));
        return false;
    }
    in_kernel = 1;
    run_block(linear);
    in_kernel = 0;
    return true;
}

void Worker::run_launch(Launch* l) {
    tl_worker = this;
    launch = l;
    uint64_t b;
    while (l->claim(&b)) run_block_guarded(b);
}

} // namespace cudaemu

// ---- entry points called from kernel code (on a fiber)

extern "C" void cudaemu_fiber_main(cudaemu::Fiber* f) {
    cudaemu::Worker* w = f->worker;
    for (;;) {
        w->launch->fn->kernel->thunk(w->launch->params.data());
        w->thread_done(f);
    }
}

extern "C" __attribute__((visibility("default"))) int cudaemu_block_op(int op, int predicate, const char* file,
                                                                        int line) {
    return cudaemu::current_worker()->block_op(op, predicate, file, line);
}

extern "C" __attribute__((visibility("default"))) unsigned long long
cudaemu_warp_op(int op, unsigned mask, unsigned long long value, int arg, int width, const char* file, int line) {
    return cudaemu::current_worker()->warp_op(op, mask, value, arg, width, file, line);
}

extern "C" __attribute__((visibility("default"))) unsigned cudaemu_activemask(const char* file, int line) {
    return cudaemu::current_worker()->activemask(file, line);
}

extern "C" __attribute__((visibility("default"))) void cudaemu_assert_fail(const char* expr, const char* file, int line,
                                                                            const char* function) {
    cudaemu::Worker* w = cudaemu::current_worker();
    if (w == nullptr || w->current == nullptr) {
        std::fprintf(stderr, "%s:%d: %s: assertion `%s' failed outside a kernel launch\n", file, line, function, expr);
        std::abort();
    }
    uint3 i = threadIdx;
    w->abort_block(cudaemu::ERROR_ASSERT,
                   cudaemu::format("kernel %s: device assertion `%s' failed at %s:%d in %s, block (%u,%u,%u), thread "
                                   "(%u,%u,%u)",
                                   w->launch->name(), expr, file, line, function, w->block_index.x, w->block_index.y,
                                   w->block_index.z, i.x, i.y, i.z));
}

extern "C" __attribute__((visibility("default"))) void cudaemu_trap(const char* what, const char* file, int line) {
    cudaemu::Worker* w = cudaemu::current_worker();
    if (w == nullptr || w->current == nullptr) {
        std::fprintf(stderr, "%s:%d: %s outside a kernel launch\n", file, line, what);
        std::abort();
    }
    uint3 i = threadIdx;
    w->abort_block(cudaemu::ERROR_LAUNCH_FAILED,
                   cudaemu::format("kernel %s: %s at %s:%d in block (%u,%u,%u), thread (%u,%u,%u)", w->launch->name(),
                                   what, file, line, w->block_index.x, w->block_index.y, w->block_index.z, i.x, i.y,
                                   i.z));
}
