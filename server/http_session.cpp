#include "server/http_session.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <utility>
#include <variant>

#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>

#include "server/client_certificate.hpp"
#include "server/error_response.hpp"
#include "telemetry/log.hpp"

namespace signet::daemon {

namespace beast = boost::beast;
namespace net = boost::asio;

namespace {

// A caller's X-Request-Id is kept when it is a plain token, so that the platform's logs and
// ours share ids; anything else (too long, spaces, quotes) gets one of ours.
bool usable_request_id(std::string_view id) {
    if (id.empty() || id.size() > 64) return false;
    for (char c : id) {
        bool plain = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-' ||
                     c == '_' || c == '.';
        if (!plain) return false;
    }
    return true;
}

}  // namespace

HttpSession::HttpSession(net::ip::tcp::socket&& socket, std::shared_ptr<Credentials> credentials,
                         ServerContext& context, Traffic& traffic)
    : credentials_(std::move(credentials)),
      stream_(std::move(socket), credentials_->tls),
      deadline_(stream_.get_executor()),
      context_(context),
      traffic_(traffic) {}

HttpSession::~HttpSession() {
    release_body();
    if (in_request_) traffic_.requests.fetch_sub(1);
    traffic_.connections.fetch_sub(1);
}

void HttpSession::run() {
    // The socket's executor is a strand (the listener made it so): every handler of this
    // session runs on it.
    net::dispatch(stream_.get_executor(), [self = shared_from_this()] { self->on_run(); });
}

void HttpSession::on_run() {
    expire_after(context_.config.limits.handshake_timeout);
    stream_.async_handshake(net::ssl::stream_base::server,
                            [self = shared_from_this()](beast::error_code ec) {
                                self->on_handshake(ec);
                            });
}

void HttpSession::on_handshake(beast::error_code ec) {
    if (ec) {
        // The verification's own reason (revoked, CRL expired, unknown CA) for the operator.
        const long verified = SSL_get_verify_result(stream_.native_handle());
        log_info("TLS handshake refused: " + ec.message() +
                 (verified != X509_V_OK ? std::string(" (") + X509_verify_cert_error_string(verified) + ")" : ""));
        return;  // a certificate that does not verify ends here, with a TLS alert
    }
    X509* peer = SSL_get0_peer_certificate(stream_.native_handle());
    if (peer != nullptr) {
        client_ = identify(peer, credentials_->clients);
    }
    do_read_header();
}

void HttpSession::do_read_header() {
    request_id_.clear();  // a reply before the next request's headers are read carries none
    header_parser_.emplace();
    header_parser_->header_limit(static_cast<std::uint32_t>(context_.config.limits.max_header_bytes));
    // The body limit is checked against Content-Length below, with a 413 that says so;
    // Beast's default (1 MB) would otherwise fail the header read. Not boost::none: Beast 1.74
    // compares the length with the optional itself, and any number is greater than none.
    header_parser_->body_limit(std::numeric_limits<std::uint64_t>::max());
    body_parser_.reset();
    document_parser_.reset();
    // One deadline for the whole request (headers and body): a slow client is cut off.
    expire_after(context_.config.limits.request_timeout);
    http::async_read_header(stream_, buffer_, *header_parser_,
                            [self = shared_from_this()](beast::error_code e, std::size_t n) {
                                self->on_read_header(e, n);
                            });
}

void HttpSession::on_read_header(beast::error_code ec, std::size_t) {
    if (ec == http::error::end_of_stream || ec == net::ssl::error::stream_truncated) {
        return do_close();
    }
    if (ec == http::error::header_limit) {
        return send(error_response(Error{Errc::too_large, "the request headers are too large"},
                                   11, false),
                    true);
    }
    if (ec) {
        if (ec != beast::error::timeout && ec != net::error::operation_aborted) {
            log_info("refusing a request: " + ec.message());
            send(error_response(Error{Errc::bad_request, "the request is not valid HTTP/1.1"}, 11,
                                false),
                 true);
        }
        return;
    }
    begin_request();
    const auto& header = header_parser_->get();
    const unsigned version = header.version();
    if (traffic_.draining) {
        return send(error_response(Error{Errc::unavailable, "signetd is stopping; retry on another instance or "
                                                            "after its restart"},
                                   version, false),
                    true);
    }
    const bool raw_document = context_.handler.carries_raw_document(header);
    auto length = header_parser_->content_length();
    std::size_t limit = body_limit(raw_document);
    if (length && *length > limit) {
        // Refused before the body is read; the connection is closed since its body is unread.
        return send(error_response(body_too_large(raw_document), version, false), true);
    }
    // A chunked body may grow to the limit; a request with neither has no body (RFC 9112 §6.3).
    if (!reserve_body(length ? *length : header_parser_->chunked() ? limit : 0)) {
        return send(error_response(Error{Errc::unavailable,
                                         "signetd holds as many request bodies as it allows at once ([limits] "
                                         "max_inflight_body_bytes, " +
                                             std::to_string(context_.config.limits.max_inflight_body_bytes) +
                                             " bytes); retry shortly"},
                                   version, false),
                    true);
    }
    const bool expect_continue = beast::iequals(header[http::field::expect], "100-continue");
    if (raw_document) {
        // A caller who may not submit jobs is refused before its document is read, and the
        // connection closed, as above.
        if (auto allowed = context_.handler.check_raw_client(client_, header); !allowed) {
            return send(error_response(allowed.error(), version, false), true);
        }
        document_parser_.emplace(std::move(*header_parser_));
        document_parser_->body_limit(limit);
    } else {
        body_parser_.emplace(std::move(*header_parser_));
        body_parser_->body_limit(limit);
    }
    header_parser_.reset();
    if (expect_continue) {
        interim_ = std::make_shared<http::response<http::empty_body>>(http::status::continue_, version);
        return http::async_write(stream_, *interim_,
                                 [self = shared_from_this()](beast::error_code e, std::size_t n) {
                                     self->on_continue_sent(e, n);
                                 });
    }
    do_read_body();
}

void HttpSession::on_continue_sent(beast::error_code ec, std::size_t) {
    interim_.reset();
    if (ec) return;
    do_read_body();
}

void HttpSession::do_read_body() {
    auto on_read = [self = shared_from_this()](beast::error_code e, std::size_t n) { self->on_read_body(e, n); };
    if (document_parser_) return http::async_read(stream_, buffer_, *document_parser_, std::move(on_read));
    http::async_read(stream_, buffer_, *body_parser_, std::move(on_read));
}

std::size_t HttpSession::body_limit(bool raw_document) const {
    return raw_document ? context_.config.limits.max_raw_document_bytes : context_.config.limits.max_body_bytes;
}

Error HttpSession::body_too_large(bool raw_document) const {
    return Error{Errc::too_large, "the request body is larger than the limit of " +
                                      std::to_string(body_limit(raw_document)) + " bytes ([limits] " +
                                      (raw_document ? "max_raw_document_bytes" : "max_body_bytes") + ")"};
}

void HttpSession::on_read_body(beast::error_code ec, std::size_t) {
    if (ec == http::error::body_limit) {
        return send(error_response(body_too_large(document_parser_.has_value()), 11, false), true);
    }
    if (ec) {
        if (ec != beast::error::timeout && ec != net::error::operation_aborted &&
            ec != http::error::end_of_stream) {
            log_info("refusing a request body: " + ec.message());
            send(error_response(Error{Errc::bad_request, "the request body could not be read"},
                                11, false),
                 true);
        }
        return;
    }
    dispatch_request();
}

void HttpSession::dispatch_request() {
    // No deadline while the job runs: the job pool bounds the work, and the client waits.
    expire_never();
    RequestScope scope(request_id_);  // the job pool carries it to the thread of the job
    auto done = [self = shared_from_this()](Reply response) {
        // Back onto this connection's strand, whatever thread produced it.
        net::post(self->stream_.get_executor(), [self, response = std::move(response)]() mutable {
            bool close = !std::visit([](const auto& message) { return message.keep_alive(); }, response);
            self->send(std::move(response), close);
        });
    };
    if (document_parser_) {
        PdfRequest request = document_parser_->release();
        document_parser_.reset();
        return context_.handler.handle_raw(client_, std::move(request), std::move(done));
    }
    Request request = body_parser_->release();
    body_parser_.reset();
    context_.handler.handle(client_, std::move(request), std::move(done));
}

void HttpSession::send(Reply response, bool close_after) {
    response_ = std::make_shared<Reply>(std::move(response));
    expire_after(context_.config.limits.request_timeout);
    std::visit(
        [this, close_after](auto& message) {
            if (close_after) message.keep_alive(false);
            message.set(http::field::server, "signetd");
            if (!request_id_.empty()) message.set("X-Request-Id", request_id_);
            http::async_write(stream_, message,
                              [self = shared_from_this(), close_after](beast::error_code e, std::size_t n) {
                                  self->on_write(close_after, e, n);
                              });
        },
        *response_);
}

void HttpSession::begin_request() {
    const auto& header = header_parser_->get();
    std::string_view given = header["X-Request-Id"];
    request_id_ = usable_request_id(given) ? std::string(given) : new_request_id();
    std::string_view target = header.target();
    // The path only: query strings are the caller's data, not the log's.
    request_line_ = std::string(header.method_string()) + " " + std::string(target.substr(0, target.find('?')));
    request_start_ = std::chrono::steady_clock::now();
    in_request_ = true;
    traffic_.requests.fetch_add(1);
}

bool HttpSession::reserve_body(std::uint64_t bytes) {
    const std::uint64_t budget = context_.config.limits.max_inflight_body_bytes;
    std::uint64_t held = traffic_.body_bytes.load();
    do {
        if (bytes > budget - std::min(held, budget)) return false;
    } while (!traffic_.body_bytes.compare_exchange_weak(held, held + bytes));
    body_reserved_ = bytes;
    return true;
}

void HttpSession::release_body() {
    traffic_.body_bytes.fetch_sub(std::exchange(body_reserved_, 0));
}

void HttpSession::on_write(bool close, beast::error_code ec, std::size_t) {
    release_body();  // the request's body, its job and its answer are gone
    if (in_request_) {
        auto elapsed = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - request_start_);
        RequestScope scope(request_id_);
        log_fields(false, request_line_,
                   {{"status", std::visit([](const auto& message) { return message.result_int(); }, *response_)},
                    {"milliseconds", std::round(elapsed.count() * 10) / 10},
                    {"client", client_ ? client_->fingerprint : ""},
                    {"role", client_ && client_->role ? std::string(config::to_string(*client_->role)) : ""}});
        in_request_ = false;
        traffic_.requests.fetch_sub(1);
    }
    response_.reset();
    if (ec) return;
    if (close || traffic_.draining) return do_close();
    do_read_header();
}

void HttpSession::expire_after(std::chrono::steady_clock::duration duration) {
    deadline_.expires_after(duration);
    deadline_.async_wait([weak = weak_from_this()](beast::error_code ec) {
        if (ec) return;  // re-armed or cancelled
        if (auto self = weak.lock()) {
            beast::error_code ignored;
            beast::get_lowest_layer(self->stream_).close(ignored);
        }
    });
}

void HttpSession::expire_never() {
    deadline_.cancel();
}

void HttpSession::do_close() {
    expire_after(std::chrono::seconds(5));
    stream_.async_shutdown([self = shared_from_this()](beast::error_code) {});
}

}  // namespace signet::daemon
