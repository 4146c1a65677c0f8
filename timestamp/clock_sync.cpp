#include "timestamp/clock_sync.hpp"

#include <sys/timex.h>

namespace signet::timestamp {

bool clock_synchronized() {
    struct timex status {};
    // modes 0 reads without changing anything, which needs no privilege. TIME_ERROR (and
    // STA_UNSYNC) is what the kernel reports until a time daemon has set and disciplined it.
    const int state = adjtimex(&status);
    return state != -1 && state != TIME_ERROR && (status.status & STA_UNSYNC) == 0;
}

}  // namespace signet::timestamp
