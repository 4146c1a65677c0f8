#pragma once
// One TLS connection (the Beast async-ssl server's session shape): handshake, then requests in
// a keep-alive loop. Every read has a deadline; headers are read first so that a body over the
// limit is refused with 413 before it is read, and so that a raw PDF body (handler.hpp,
// carries_raw_document) is read under its own limit into the byte vector the job takes; the
// response of a job comes back from the job pool and is written on this connection's strand.

#include <atomic>
#include <chrono>
#include <string>
#include <memory>
#include <optional>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

#include "server/listener.hpp"
#include "server/handler.hpp"
#include "server/server_credentials.hpp"

namespace signet::daemon {

class HttpSession : public std::enable_shared_from_this<HttpSession> {
public:
    HttpSession(boost::asio::ip::tcp::socket&& socket, std::shared_ptr<Credentials> credentials,
                ServerContext& context, Traffic& traffic);
    ~HttpSession();
    void run();

private:
    void on_run();
    void on_handshake(boost::beast::error_code ec);
    void do_read_header();
    void on_read_header(boost::beast::error_code ec, std::size_t bytes);
    void on_continue_sent(boost::beast::error_code ec, std::size_t bytes);
    void do_read_body();
    void on_read_body(boost::beast::error_code ec, std::size_t bytes);
    void dispatch_request();
    void begin_request();
    void send(Reply response, bool close_after);
    std::size_t body_limit(bool raw_document) const;
    // 413 naming the limit and the setting that sets it.
    Error body_too_large(bool raw_document) const;
    // Takes `bytes` of the in-flight body budget for this request; false when the budget has
    // not that much left.
    bool reserve_body(std::uint64_t bytes);
    void release_body();
    void on_write(bool close, boost::beast::error_code ec, std::size_t bytes);
    void do_close();
    // Closes the socket after `duration` unless re-armed or cancelled first: what is pending
    // then ends with operation_aborted.
    void expire_after(std::chrono::steady_clock::duration duration);
    void expire_never();

    std::shared_ptr<Credentials> credentials_;  // those this connection was accepted with
    // A plain socket and one deadline timer per connection, re-armed per request: Beast's
    // tcp_stream re-arms its timer on every read and write, one per 16 KB TLS record (issue 19).
    boost::beast::ssl_stream<boost::asio::ip::tcp::socket> stream_;
    boost::asio::steady_timer deadline_;
    boost::beast::flat_buffer buffer_;
    ServerContext& context_;
    Traffic& traffic_;
    bool in_request_ = false;  // counted in traffic_.requests
    std::uint64_t body_reserved_ = 0;  // this request's part of traffic_.body_bytes
    std::string request_id_;
    std::string request_line_;  // "POST /v1/seal", for the access log line
    std::chrono::steady_clock::time_point request_start_;
    std::optional<config::ClientIdentity> client_;
    std::optional<http::request_parser<http::empty_body>> header_parser_;
    std::optional<http::request_parser<Request::body_type>> body_parser_;
    std::optional<http::request_parser<PdfRequest::body_type>> document_parser_;  // a raw PDF
    std::shared_ptr<Reply> response_;
    std::shared_ptr<http::response<http::empty_body>> interim_;
};

}  // namespace signet::daemon
