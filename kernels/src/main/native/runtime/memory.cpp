// "Device" memory of the emulator: host memory with red zones. Each allocation is 256-byte aligned (as
// cuMemAlloc guarantees) and surrounded by bytes of a known value; strict mode checks them after every
// launch for the pointers the kernel received, and free() checks them always, so a kernel writing past
// either end of a buffer is reported instead of silently corrupting a neighbour.
#include "runtime.h"

#include <cstdlib>
#include <cstring>

namespace cudaemu {

DeviceMemory& device_memory() {
    static DeviceMemory* m = new DeviceMemory(); // never destroyed: workers may outlive static destructors
    return *m;
}

int DeviceMemory::allocate(size_t bytes, bool poison, uintptr_t* out, std::string* message) {
    size_t rounded = (bytes + kRedZone - 1) / kRedZone * kRedZone;
    size_t span = rounded + 2 * kRedZone;
    if (bytes > (size_t)1 << 48) {
        *message = format("cannot allocate %zu bytes of device memory", bytes);
        return ERROR_OUT_OF_MEMORY;
    }
    auto* raw = static_cast<unsigned char*>(std::aligned_alloc(kRedZone, span));
    if (raw == nullptr) {
        *message = format("cannot allocate %zu bytes of device memory (host allocation failed)", bytes);
        return ERROR_OUT_OF_MEMORY;
    }
    std::memset(raw, kRedZoneByte, kRedZone);
    std::memset(raw + kRedZone + bytes, kRedZoneByte, span - kRedZone - bytes);
    // Device memory is not initialised; poison shows reads of unwritten elements as NaN or -1.
    if (poison) std::memset(raw + kRedZone, kPoisonByte, bytes);
    Block b{Allocation{(uintptr_t)(raw + kRedZone), bytes}, raw, span};
    std::lock_guard<std::mutex> g(mu_);
    blocks_.emplace(b.a.user, b);
    used_ += bytes;
    *out = b.a.user;
    return SUCCESS;
}

int DeviceMemory::release(uintptr_t user, std::string* message) {
    Block b;
    {
        std::lock_guard<std::mutex> g(mu_);
        auto it = blocks_.find(user);
        if (it == blocks_.end()) {
            *message = format("0x%lx is not the start of a live device allocation (freed twice, or never allocated)",
                              (unsigned long)user);
            return ERROR_INVALID_VALUE;
        }
        b = it->second;
        blocks_.erase(it);
        used_ -= b.a.bytes;
    }
    std::string corruption;
    bool clean = scan(b, 1, &corruption);
    std::free(b.raw);
    if (!clean) {
        *message = "freeing device memory: " + corruption;
        return ERROR_ILLEGAL_ADDRESS;
    }
    return SUCCESS;
}

bool DeviceMemory::find(uintptr_t p, size_t len, Allocation* out) {
    std::lock_guard<std::mutex> g(mu_);
    auto it = blocks_.upper_bound(p);
    if (it == blocks_.begin()) return false;
    --it;
    const Allocation& a = it->second.a;
    if (p < a.user || p - a.user > a.bytes || len > a.bytes - (p - a.user)) return false;
    *out = a;
    return true;
}

bool DeviceMemory::check_red_zones(uintptr_t p, uint32_t element_size, std::string* message) {
    Block b;
    {
        std::lock_guard<std::mutex> g(mu_);
        auto it = blocks_.upper_bound(p);
        if (it == blocks_.begin()) return true;
        --it;
        b = it->second;
        if (p < b.a.user || p > b.a.user + b.a.bytes) return true;
    }
    return scan(b, element_size, message);
}

bool DeviceMemory::scan(const Block& b, uint32_t element_size, std::string* message) {
    unsigned char* user = b.raw + kRedZone;
    unsigned char* end = user + b.a.bytes;
    unsigned char* limit = b.raw + b.span;
    long first = 0, last = 0;
    bool found = false;
    for (unsigned char* q = b.raw; q < user; q++) {
        if (*q != kRedZoneByte) {
            if (!found) first = q - user;
            last = q - user;
            found = true;
        }
    }
    for (unsigned char* q = end; q < limit; q++) {
        if (*q != kRedZoneByte) {
            if (!found) first = q - user;
            last = q - user;
            found = true;
        }
    }
    if (!found) return true;
    if (element_size == 0) element_size = 1;
    std::string range = element_size > 1
                            ? format("bytes [%ld, %ld], i.e. elements [%ld, %ld] of %zu-byte elements", first, last,
                                     first >= 0 ? first / (long)element_size : -((-first + element_size - 1) / element_size),
                                     last >= 0 ? last / (long)element_size : -((-last + element_size - 1) / element_size),
                                     (size_t)element_size)
                            : format("bytes [%ld, %ld]", first, last);
    *message = format("out-of-bounds write around the %zu-byte device allocation at 0x%lx: %s were modified (%s)",
                      b.a.bytes, (unsigned long)b.a.user, range.c_str(),
                      last < 0                       ? "before its start"
                      : first >= (long)b.a.bytes ? "past its end"
                                                     : "on both sides");
    // Repair, so that the device stays usable and the same write is reported once.
    std::memset(b.raw, kRedZoneByte, kRedZone);
    std::memset(end, kRedZoneByte, limit - end);
    return false;
}

size_t DeviceMemory::used() {
    std::lock_guard<std::mutex> g(mu_);
    return used_;
}

} // namespace cudaemu
