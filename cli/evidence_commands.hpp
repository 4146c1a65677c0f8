#pragma once
// The commands of evidence that lasts. signetctl timestamp: an RFC 3161 token for a file from
// signetd's own TSA, for operators who want one by hand (`openssl ts -query` and curl do the
// same, docs/api.md). signetctl extend: a signed PDF renewed through POST /v1/extend (the
// missing validation data and a new document time-stamp), the archive's yearly round.

#include <string>
#include <vector>

namespace signet::daemon {

int timestamp_command(const std::vector<std::string>& args);
int extend_command(const std::vector<std::string>& args);

}  // namespace signet::daemon
