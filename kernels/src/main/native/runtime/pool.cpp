// One pool of worker threads serves every module and stream. Launches queue in submission order; each
// worker takes blocks from the oldest launch that still has some, so blocks of one launch run in
// parallel and launches from different streams overlap when a launch has fewer blocks than workers.
#include "runtime.h"

#include <cstdarg>
#include <deque>
#include <thread>

namespace cudaemu {

std::string format(const char* fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    char small[512];
    int n = std::vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    if (n < (int)sizeof small) return std::string(small, n < 0 ? 0 : n);
    std::string s(n, '\0');
    va_start(ap, fmt);
    std::vsnprintf(s.data(), n + 1, fmt, ap);
    va_end(ap);
    return s;
}

bool Launch::claim(uint64_t* block) {
    uint64_t i = next.load(std::memory_order_relaxed);
    while (i < total_blocks) {
        if (next.compare_exchange_weak(i, i + 1, std::memory_order_relaxed)) {
            *block = i;
            return true;
        }
    }
    return false;
}

void Launch::fail(int c, const std::string& m) {
    {
        std::lock_guard<std::mutex> g(error_mu);
        if (code == SUCCESS) {
            code = c;
            message = m;
        }
    }
    failed.store(true);
    next.store(total_blocks); // no further blocks; those already running finish
}

namespace {
struct Pool {
    std::mutex mu;
    std::condition_variable work_cv;
    std::deque<Launch*> queue;
    std::vector<Worker*> workers;
    bool started = false;
};

Pool& pool() {
    static Pool* p = new Pool(); // never destroyed: workers run until the process exits
    return *p;
}

void worker_main(Worker* w) {
    w->thread = pthread_self();
    faults_register(w);
    Pool& p = pool();
    std::unique_lock<std::mutex> lock(p.mu);
    for (;;) {
        p.work_cv.wait(lock, [&] { return !p.queue.empty(); });
        Launch* l = p.queue.front();
        l->active_workers++;
        lock.unlock();
        w->run_launch(l);
        lock.lock();
        // run_launch returns once every block is claimed: nobody may pick this launch up again.
        if (!l->exhausted) {
            l->exhausted = true;
            for (auto it = p.queue.begin(); it != p.queue.end(); ++it) {
                if (*it == l) {
                    p.queue.erase(it);
                    break;
                }
            }
        }
        if (--l->active_workers == 0) {
            l->done = true;
            l->done_cv.notify_all();
        }
    }
}
} // namespace

void pool_start(const Config& c) {
    Pool& p = pool();
    std::lock_guard<std::mutex> g(p.mu);
    if (p.started) return;
    if (c.trap_signals) faults_install();
    for (int i = 0; i < c.workers; i++) {
        Worker* w = new Worker();
        w->index = i;
        w->stack_size = c.stack_bytes;
        p.workers.push_back(w);
        std::thread(worker_main, w).detach();
    }
    p.started = true;
}

bool pool_started() {
    Pool& p = pool();
    std::lock_guard<std::mutex> g(p.mu);
    return p.started;
}

int pool_workers() {
    Pool& p = pool();
    std::lock_guard<std::mutex> g(p.mu);
    return (int)p.workers.size();
}

int pool_run(Launch* l) {
    Pool& p = pool();
    std::unique_lock<std::mutex> lock(p.mu);
    p.queue.push_back(l);
    // Wake as many workers as there are blocks, not more: the others would only contend for the lock.
    if (l->total_blocks >= p.workers.size()) {
        p.work_cv.notify_all();
    } else {
        for (uint64_t i = 0; i < l->total_blocks; i++) p.work_cv.notify_one();
    }
    l->done_cv.wait(lock, [&] { return l->done; });
    return l->code;
}

} // namespace cudaemu
