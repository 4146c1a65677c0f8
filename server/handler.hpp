#pragma once
// What the server asks of the API, and the messages they exchange. The server owns the
// connections, limits and deadlines; the API (api/router.hpp) owns the routes. The server sees
// only this interface, so that it depends on no route, job or key.

#include <cstdint>
#include <functional>
#include <optional>
#include <variant>

#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/vector_body.hpp>

#include "base/error.hpp"
#include "config/client_identity.hpp"
#include "config/config.hpp"

namespace signet::daemon {

namespace http = boost::beast::http;
using Request = http::request<http::string_body>;
using Response = http::response<http::string_body>;
// A raw document job (POST /v1/seal or /v1/sign with Content-Type: application/pdf) and its
// answer: the PDF is read into the vector the job takes, and the job's output vector is the
// response body, so that a large document is neither inflated by base64 nor held twice.
using PdfRequest = http::request<http::vector_body<std::uint8_t>>;
using PdfResponse = http::response<http::vector_body<std::uint8_t>>;
// Every answer is a Response (JSON, text) but the signed PDF of a raw seal or signature.
using Reply = std::variant<Response, PdfResponse>;
using Completion = std::function<void(Reply)>;

class Handler {
public:
    virtual ~Handler() = default;

    // Whether the request is a raw document job. Its body is read into a byte vector under
    // [limits] max_raw_document_bytes and handed to handle_raw; every other body is read as a
    // string under max_body_bytes and handed to handle.
    virtual bool carries_raw_document(const http::request_header<>& header) const = 0;
    // Whether `client` may send the raw document job of `header`: asked before its body is
    // read, so that no other caller makes signetd read up to max_raw_document_bytes.
    virtual Status check_raw_client(const std::optional<config::ClientIdentity>& client,
                                    const http::request_header<>& header) const = 0;
    // `client` is empty when the caller presented no certificate. `done` may be called on
    // another thread (a job pool's).
    virtual void handle(const std::optional<config::ClientIdentity>& client, Request&& request,
                        Completion done) = 0;
    virtual void handle_raw(const std::optional<config::ClientIdentity>& client, PdfRequest&& request,
                            Completion done) = 0;
};

// What the listener and its sessions share: the limits and addresses of the configuration,
// and the API they serve.
struct ServerContext {
    const config::Config& config;
    Handler& handler;
};

}  // namespace signet::daemon
