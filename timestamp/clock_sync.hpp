#pragma once
// Whether the kernel considers the system clock synchronised (adjtimex(2): an NTP or PTP daemon
// disciplines it, and the maximum error is bounded). A TSA whose clock drifts freely stamps
// times nobody can rely on: `[timestamp] require_synchronized_clock` refuses tokens then.

namespace signet::timestamp {

bool clock_synchronized();

}  // namespace signet::timestamp
