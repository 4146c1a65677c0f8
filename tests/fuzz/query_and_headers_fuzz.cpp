// A request's head as the server reads it: the target's query (api/query.hpp) for the audit
// and document routes, the raw forms of seal, sign, cosign and extend (api/raw_request.hpp, the target
// being the input), and the Idempotency-Key header (idempotency/idempotent_request.hpp) of a
// request head that Beast's parser read from the input, as server/http_session.cpp reads one.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/parser.hpp>

#include "api/query.hpp"
#include "api/raw_request.hpp"
#include "idempotency/idempotent_request.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace signet::daemon;
    namespace http = boost::beast::http;
    const std::string_view target(reinterpret_cast<const char*>(data), size);
    (void)parse_query(target, {"after", "limit"});
    (void)parse_query(target, {"tenant", "from", "to"});
    const std::vector<std::uint8_t> document = {'%', 'P', 'D', 'F', '-', '1', '.', '7', '\n'};
    (void)parse_raw_seal_request(target, document);
    (void)parse_raw_sign_request(target, document);
    (void)parse_raw_extend_request(target, document);
    (void)parse_raw_cosign_request(target, document);

    http::request_parser<http::empty_body> parser;
    parser.header_limit(16 * 1024);
    parser.eager(false);
    boost::beast::error_code error;
    parser.put(boost::asio::buffer(data, size), error);
    if (error || !parser.is_header_done()) return 0;
    const std::string client(64, 'a');
    (void)signet::idempotency::keyed_request(parser.get().base(), client);
    (void)parse_query(parser.get().target(), {"tenant", "actor", "otp", "page", "rect", "level"});
    return 0;
}
