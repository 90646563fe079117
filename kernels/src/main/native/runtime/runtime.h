// Internals of libcudaemu.so shared by its translation units.
#pragma once

#include "../include/cudaemu/abi.h"

#include <atomic>
#include <condition_variable>
#include <csetjmp>
#include <csignal>
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <pthread.h>
#include <string>
#include <vector>

namespace cudaemu {

// CUresult values, so that Java reports the same codes and names as the driver.
enum Result : int {
    SUCCESS = 0,
    ERROR_INVALID_VALUE = 1,
    ERROR_OUT_OF_MEMORY = 2,
    ERROR_NOT_INITIALIZED = 3,
    ERROR_INVALID_IMAGE = 200,
    ERROR_FILE_NOT_FOUND = 301,
    ERROR_INVALID_HANDLE = 400,
    ERROR_NOT_FOUND = 500,
    ERROR_ILLEGAL_ADDRESS = 700,
    ERROR_ASSERT = 710,
    ERROR_ILLEGAL_INSTRUCTION = 715,
    ERROR_LAUNCH_FAILED = 719,
};

std::string format(const char* fmt, ...) __attribute__((format(printf, 1, 2)));

// ---- device memory (memory.cpp)
struct Allocation {
    uintptr_t user = 0; // what the caller sees
    size_t bytes = 0;
};

class DeviceMemory {
public:
    static constexpr size_t kRedZone = 256; // also the alignment, as cuMemAlloc guarantees
    static constexpr unsigned char kRedZoneByte = 0xFA;
    static constexpr unsigned char kPoisonByte = 0xFF; // NaN as float or double, -1 as an integer

    int allocate(size_t bytes, bool poison, uintptr_t* out, std::string* message);
    int release(uintptr_t user, std::string* message);
    // The live allocation containing [p, p + len), or one whose end is p when len == 0.
    bool find(uintptr_t p, size_t len, Allocation* out);
    // Describes, and repairs, writes found in the red zones around the allocation containing p.
    bool check_red_zones(uintptr_t p, uint32_t element_size, std::string* message);
    size_t used();

private:
    struct Block {
        Allocation a;
        unsigned char* raw;
        size_t span; // raw bytes: front red zone, the allocation rounded up, back red zone
    };
    bool scan(const Block& b, uint32_t element_size, std::string* message);
    std::mutex mu_;
    std::map<uintptr_t, Block> blocks_;
    size_t used_ = 0;
};

DeviceMemory& device_memory();

// ---- modules, functions, launches
struct Function {
    struct Module* module;
    const KernelDesc* kernel;
    std::atomic<uint32_t> max_dynamic_shared{48 * 1024};
};

struct Module {
    void* handle;
    const ModuleDesc* desc;
    std::string name;
    // The static shared arrays of each kernel (offsets in the module's TLS segment), when the build
    // recorded them; dynamic_offset checks that the layout is the one the table describes.
    const SharedRange* shared_ranges = nullptr;
    unsigned shared_count = 0;
    unsigned long long dynamic_offset = 0;
    // One Function per kernel, created on first lookup: like a CUfunction, attributes set on it stay.
    std::mutex mu;
    std::map<std::string, Function*> functions;
};

struct Launch {
    Function* fn = nullptr;
    dim3 grid, block;
    uint32_t shared_bytes = 0;
    bool strict = false;
    bool poison = false;
    uint64_t total_blocks = 0;
    uint32_t threads = 0;           // per block
    std::vector<uint3> thread_index; // threadIdx of each linear thread id
    std::vector<unsigned char> param_storage;
    std::vector<void*> params;

    // Blocks are handed out in increasing linear order.
    std::atomic<uint64_t> next{0};
    std::atomic<bool> failed{false};
    // Guarded by the pool's mutex.
    int active_workers = 0;
    bool exhausted = false;
    bool done = false;
    std::condition_variable done_cv;

    std::mutex error_mu;
    int code = SUCCESS;
    std::string message;

    bool claim(uint64_t* block);
    // Records the first failure and stops handing out blocks.
    void fail(int code, const std::string& message);
    const char* name() const { return fn->kernel->name; }
};

// ---- fibers and the block scheduler (block.cpp)
enum class State : uint8_t { Unstarted, Running, Ready, AtBlock, AtWarp, AtActiveMask, Done };

struct Worker;

struct Fiber {
    void* sp = nullptr;
    unsigned char* stack = nullptr; // lowest usable byte; the guard page is just below
    size_t stack_size = 0;
    uint32_t tid = 0;
    Worker* worker = nullptr;
};

struct ThreadState {
    State state;
    int op;
    unsigned mask;
    int arg;
    int width;
    int line;
    const char* file;
    unsigned long long value;
    unsigned long long result;
    Fiber* fiber;
};

struct WarpState {
    unsigned existing; // lanes that exist (the last warp of a block may be partial)
    unsigned arrived;  // lanes waiting at a warp operation
    unsigned done;     // lanes that returned
    unsigned activemask_waiting;
};

struct TlsRange {
    const Module* module;
    unsigned char* lo; // the worker's instance of the module's TLS segment: its shared memory
    unsigned char* hi;
    unsigned char* dynamic; // the dynamic shared memory buffer inside it
};

struct Worker {
    int index = 0;
    pthread_t thread{};
    size_t stack_size = 0;

    // Fibers are kept for the life of the worker; a block takes them in order and reuses those of
    // threads that returned.
    std::vector<Fiber*> fibers;
    size_t fiber_cursor = 0;
    std::vector<Fiber*> free_fibers;

    // The block being run.
    Launch* launch = nullptr;
    uint3 block_index{};
    uint32_t nthreads = 0;
    std::vector<ThreadState> threads;
    std::vector<WarpState> warps;
    std::vector<uint32_t> ring; // ready threads, run in order; warp operations release to the front
    uint32_t ring_head = 0, ring_count = 0;
    uint32_t next_unstarted = 0, done_count = 0, barrier_arrived = 0;
    Fiber* current = nullptr;
    void* scheduler_sp = nullptr;
    bool aborted = false;

    std::vector<TlsRange> tls_ranges;

    // Fault recovery: a signal raised by kernel code jumps back to the block loop.
    sigjmp_buf recover;
    volatile sig_atomic_t in_kernel = 0;
    volatile int fault_signal = 0;
    void* volatile fault_address = nullptr;
    void* alt_stack = nullptr;

    void run_launch(Launch* l);
    void run_block(uint64_t linear_block);
    bool run_block_guarded(uint64_t linear_block);

    // Called on fibers.
    int block_op(int op, int predicate, const char* file, int line);
    unsigned long long warp_op(int op, unsigned mask, unsigned long long value, int arg, int width, const char* file,
                               int line);
    unsigned activemask(const char* file, int line);
    void thread_done(Fiber* f);
    [[noreturn]] void abort_block(int code, const std::string& what);

private:
    Fiber* take_fiber();
    void start(Fiber* f, uint32_t tid);
    void set_thread(uint32_t tid) const;
    Fiber* pick_next();
    void wait(Fiber* self);
    void switch_to(Fiber* from, Fiber* to);
    void push_back(uint32_t tid);
    void push_front(uint32_t tid);
    void release_barrier();
    void try_release_warp(uint32_t warp, uint32_t lane);
    void recheck_warp(uint32_t warp);
    bool release_activemask();
    void poison_shared();
    std::string where(uint32_t tid) const;
    std::string no_stack_message() const;
    std::string describe_deadlock() const;
};

Worker* current_worker();

// ---- the worker pool (pool.cpp)
struct Config {
    int workers;
    size_t stack_bytes;
    bool trap_signals;
};

void pool_start(const Config& config);
bool pool_started();
int pool_workers();
// Runs a launch to completion on the workers; returns its result.
int pool_run(Launch* launch);

// ---- faults (faults.cpp)
void faults_install();
void faults_register(Worker* w);
void faults_unblock();
std::string describe_fault(Worker* w);

} // namespace cudaemu

extern "C" void cudaemu_switch(void** save_sp, void* load_sp);
extern "C" void cudaemu_fiber_entry();
