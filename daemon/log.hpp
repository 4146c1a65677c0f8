#pragma once
// Log lines to stderr, which systemd's journal collects. Never pass a secret or a document
// here: messages name things (files, keys by id, clients by fingerprint), not their contents.

#include <string_view>

namespace signet::daemon {

void log_info(std::string_view message);
void log_error(std::string_view message);

}  // namespace signet::daemon
