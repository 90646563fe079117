// Turns a hardware fault raised by kernel code (a wild pointer, a fiber stack overflow, an integer
// division by zero) into a launch error instead of a crash of the host process.
//
// The handlers are installed over the JVM's and chain to them for every signal that is not raised by a
// worker while it runs a block: HotSpot relies on SIGSEGV for null checks and safepoints, so those must
// reach it unchanged. Workers are recognised by pthread_self() in a fixed table, without touching TLS
// (which could allocate inside a signal handler). Each worker has an alternate signal stack, so even a
// fault caused by an exhausted fiber stack can be handled; the handler jumps back to the worker's block
// loop, abandoning the block. Running the JVM with -Xcheck:jni prints a warning that these handlers
// replaced its own; that is expected.
#include "runtime.h"

#include <algorithm>
#include <cstring>
#include <sys/mman.h>
#include <unistd.h>

namespace cudaemu {

namespace {
constexpr int kMaxWorkers = 1024;
constexpr int kSignals[] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL};
constexpr size_t kAltStack = 64 * 1024;

// Slots are claimed with fetch_add and filled afterwards, so a reader may see a null slot: it skips it.
std::atomic<Worker*> g_workers[kMaxWorkers];
std::atomic<int> g_worker_count{0};
struct sigaction g_previous[NSIG];
std::once_flag g_installed;

void chain(int sig, siginfo_t* info, void* context) {
    const struct sigaction& p = g_previous[sig];
    if (p.sa_flags & SA_SIGINFO) {
        p.sa_sigaction(sig, info, context);
    } else if (p.sa_handler == SIG_IGN) {
        return;
    } else if (p.sa_handler == SIG_DFL) {
        // Let the fault happen again with the default action (a core dump), as without this handler.
        signal(sig, SIG_DFL);
    } else {
        p.sa_handler(sig);
    }
}

void on_fault(int sig, siginfo_t* info, void* context) {
    pthread_t self = pthread_self();
    int n = std::min(g_worker_count.load(std::memory_order_acquire), kMaxWorkers);
    for (int i = 0; i < n; i++) {
        Worker* w = g_workers[i].load(std::memory_order_acquire);
        if (w != nullptr && pthread_equal(w->thread, self) && w->in_kernel) {
            w->fault_signal = sig;
            w->fault_address = info->si_addr;
            siglongjmp(w->recover, 1);
        }
    }
    chain(sig, info, context);
}
} // namespace

void faults_install() {
    std::call_once(g_installed, [] {
        for (int sig : kSignals) {
            struct sigaction sa;
            std::memset(&sa, 0, sizeof sa);
            sigaction(sig, nullptr, &g_previous[sig]);
            sa.sa_sigaction = on_fault;
            sa.sa_mask = g_previous[sig].sa_mask;
            sa.sa_flags = (g_previous[sig].sa_flags | SA_SIGINFO | SA_ONSTACK) & ~SA_RESETHAND;
            sigaction(sig, &sa, nullptr);
        }
    });
}

// Called by the worker itself before it runs any kernel.
void faults_register(Worker* w) {
    w->alt_stack = mmap(nullptr, kAltStack, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (w->alt_stack != MAP_FAILED) {
        stack_t ss;
        ss.ss_sp = w->alt_stack;
        ss.ss_size = kAltStack;
        ss.ss_flags = 0;
        sigaltstack(&ss, nullptr);
    }
    int i = g_worker_count.fetch_add(1);
    if (i < kMaxWorkers) g_workers[i].store(w, std::memory_order_release);
}

// The handler left by a jump, so its signal is still blocked.
void faults_unblock() {
    sigset_t set;
    sigemptyset(&set);
    for (int sig : kSignals) sigaddset(&set, sig);
    pthread_sigmask(SIG_UNBLOCK, &set, nullptr);
}

std::string describe_fault(Worker* w) {
    Launch& l = *w->launch;
    uint3 t = w->current ? l.thread_index[w->current->tid] : uint3{0, 0, 0};
    std::string at = format("block (%u,%u,%u), thread (%u,%u,%u)", w->block_index.x, w->block_index.y,
                            w->block_index.z, t.x, t.y, t.z);
    auto addr = reinterpret_cast<uintptr_t>(w->fault_address);
    switch (w->fault_signal) {
    case SIGFPE:
        return format("kernel %s: arithmetic fault (SIGFPE: an integer division by zero or overflow) in %s", l.name(),
                      at.c_str());
    case SIGILL:
        return format("kernel %s: illegal instruction (SIGILL) at 0x%lx in %s", l.name(), (unsigned long)addr,
                      at.c_str());
    default:
        break;
    }
    if (w->current) {
        auto lo = reinterpret_cast<uintptr_t>(w->current->stack);
        size_t page = (size_t)sysconf(_SC_PAGESIZE);
        if (addr >= lo - page && addr < lo) {
            return format("kernel %s: stack overflow in %s: each CUDA thread has a %zu KiB stack (raise it with "
                          "-Dddrl.cudaemu.stackKB)",
                          l.name(), at.c_str(), w->current->stack_size / 1024);
        }
    }
    return format("kernel %s: illegal memory access (%s at address 0x%lx) in %s", l.name(),
                  w->fault_signal == SIGBUS ? "SIGBUS" : "SIGSEGV", (unsigned long)addr, at.c_str());
}

} // namespace cudaemu
