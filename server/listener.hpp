#pragma once
// Accepts connections and hands each to an HttpSession on its own strand; beyond the
// configured number of connections a new one is closed at once. On SIGTERM it stops accepting
// and the sessions drain: requests under way finish, new ones on open connections get 503.

#include <atomic>
#include <memory>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>

#include "server/handler.hpp"
#include "server/server_credentials.hpp"

namespace signet::daemon {

// Shared by the listener and its sessions.
struct Traffic {
    std::atomic<unsigned> connections{0};
    std::atomic<unsigned> requests{0};  // from a request's headers to its response written
    std::atomic<std::uint64_t> body_bytes{0};  // reserved by those requests ([limits] max_inflight_body_bytes)
    std::atomic<bool> draining{false};
    // SIGTERM was received: /v1/health says so, so that a load balancer stops sending here,
    // while requests are still served until `draining`.
    std::atomic<bool> leaving{false};
};

class Listener : public std::enable_shared_from_this<Listener> {
public:
    static Result<std::shared_ptr<Listener>> create(boost::asio::io_context& io,
                                                    ServerCredentials& credentials,
                                                    ServerContext& context, Traffic& traffic);
    void run();
    // Stops accepting; open connections finish the request under way and then close.
    void stop();
    boost::asio::ip::tcp::endpoint local_endpoint() const { return acceptor_.local_endpoint(); }

private:
    Listener(boost::asio::io_context& io, ServerCredentials& credentials, ServerContext& context, Traffic& traffic);
    void do_accept();
    void on_accept(boost::system::error_code ec, boost::asio::ip::tcp::socket socket);

    boost::asio::io_context& io_;
    ServerCredentials& credentials_;
    ServerContext& context_;
    boost::asio::ip::tcp::acceptor acceptor_;
    // Outlives the io_context: sessions still queued in it when it is destroyed count down.
    Traffic& traffic_;
};

}  // namespace signet::daemon
