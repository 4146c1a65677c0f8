#pragma once
// signetctl timestamp: an RFC 3161 token for a file from signetd's own TSA, for operators who
// want one by hand (`openssl ts -query` and curl do the same, docs/api.md).

#include <string>
#include <vector>

namespace signet::daemon {

int timestamp_command(const std::vector<std::string>& args);

}  // namespace signet::daemon
