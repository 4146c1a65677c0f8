#pragma once
// What the server asks of the API, and the messages they exchange. The server owns the
// connections, limits and deadlines; the API (api/router.hpp) owns the routes. The server sees
// only this interface, so that it depends on no route, job or key.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/core/buffers_range.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/vector_body.hpp>
#include <boost/optional.hpp>

#include "base/error.hpp"
#include "config/client_identity.hpp"
#include "config/config.hpp"

namespace signet::daemon {

namespace http = boost::beast::http;

// A request body read into `Container` (std::string, a byte vector) with `headroom` bytes of
// capacity beyond its Content-Length, appended as it comes. Beast's string_body and vector_body
// resize (zero-filling) before they copy, and the job then grew the buffer again to append the
// signed update: for a 10 MB document that was a fifth of signetd's CPU (docs/performance.md,
// issue 19).
template <typename Container, std::size_t headroom>
struct AppendingBody {
    using value_type = Container;

    class reader {
    public:
        template <bool isRequest, class Fields>
        reader(http::header<isRequest, Fields>&, value_type& body) : body_(body) {}
        void init(const boost::optional<std::uint64_t>& length, boost::beast::error_code& ec) {
            if (length && *length > body_.max_size() - headroom) {
                ec = http::error::buffer_overflow;
                return;
            }
            if (length) body_.reserve(static_cast<std::size_t>(*length) + headroom);
            ec = {};
        }
        template <class ConstBufferSequence>
        std::size_t put(const ConstBufferSequence& buffers, boost::beast::error_code& ec) {
            std::size_t taken = 0;
            for (auto buffer : boost::beast::buffers_range_ref(buffers)) {
                const auto* bytes = static_cast<const typename Container::value_type*>(buffer.data());
                body_.insert(body_.end(), bytes, bytes + buffer.size());
                taken += buffer.size();
            }
            ec = {};
            return taken;
        }
        void finish(boost::beast::error_code& ec) { ec = {}; }

    private:
        value_type& body_;
    };
};

// JSON bodies: room for a parser that reads past the end in blocks (simdjson's 64 bytes).
using Request = http::request<AppendingBody<std::string, 64>>;
using Response = http::response<http::string_body>;
// A raw document job (POST /v1/seal or /v1/sign with Content-Type: application/pdf) and its
// answer: the PDF is read into the vector the job takes, and the job's output vector is the
// response body, so that a large document is neither inflated by base64 nor held twice.
// The document's room: what a signature, its validation data and a document time-stamp append.
using PdfRequest = http::request<AppendingBody<std::vector<std::uint8_t>, 256 * 1024>>;
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
