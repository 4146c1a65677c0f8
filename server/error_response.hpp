#pragma once
// The contract's error answer, {"error": "<code>", "message": "<sentence>"}, with the HTTP
// status its code gives (DESIGN.md's API contract). The server sends it for the refusals it
// makes itself (limits, deadlines, a stop) and the API for every other.

#include <string>

#include <boost/beast/http/message.hpp>
#include <boost/beast/http/status.hpp>
#include <boost/beast/http/string_body.hpp>

#include "base/error.hpp"

namespace signet::daemon {

// {"error": "<code>", "message": "<sentence>"}
std::string error_body(const Error& error);

boost::beast::http::status status_of(Errc code);

boost::beast::http::response<boost::beast::http::string_body> json_response(boost::beast::http::status status,
                                                                            std::string body, unsigned version,
                                                                            bool keep_alive);

// A JSON error response for `error`, counted as a refusal in /metrics.
boost::beast::http::response<boost::beast::http::string_body> error_response(const Error& error, unsigned version,
                                                                             bool keep_alive);

}  // namespace signet::daemon
