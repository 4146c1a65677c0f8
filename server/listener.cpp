#include "server/listener.hpp"

#include <boost/asio/strand.hpp>

#include "server/http_session.hpp"
#include "telemetry/log.hpp"

namespace signet::daemon {

namespace net = boost::asio;
using tcp = net::ip::tcp;

Listener::Listener(net::io_context& io, ServerCredentials& credentials, ServerContext& context, Traffic& traffic)
    : io_(io), credentials_(credentials), context_(context), acceptor_(net::make_strand(io)), traffic_(traffic) {}

Result<std::shared_ptr<Listener>> Listener::create(net::io_context& io, ServerCredentials& credentials,
                                                   ServerContext& context, Traffic& traffic) {
    std::shared_ptr<Listener> listener(new Listener(io, credentials, context, traffic));
    boost::system::error_code ec;
    auto address = net::ip::make_address(context.config.server.address, ec);
    if (ec) {
        return fail(Errc::invalid_config,
                    "server.address '" + context.config.server.address + "' is not an IP address");
    }
    tcp::endpoint endpoint(address, context.config.server.port);
    auto& acceptor = listener->acceptor_;
    acceptor.open(endpoint.protocol(), ec);
    if (!ec) acceptor.set_option(net::socket_base::reuse_address(true), ec);
    if (!ec) acceptor.bind(endpoint, ec);
    if (!ec) acceptor.listen(net::socket_base::max_listen_connections, ec);
    if (ec) {
        return fail(Errc::unavailable, "cannot listen on " + context.config.server.address + ":" +
                                           std::to_string(context.config.server.port) + ": " +
                                           ec.message());
    }
    return listener;
}

void Listener::run() { do_accept(); }

void Listener::stop() {
    traffic_.draining = true;
    net::post(acceptor_.get_executor(), [self = shared_from_this()] {
        boost::system::error_code ignored;
        self->acceptor_.close(ignored);
    });
}

void Listener::do_accept() {
    acceptor_.async_accept(net::make_strand(io_),
                           [self = shared_from_this()](boost::system::error_code ec,
                                                       tcp::socket socket) {
                               self->on_accept(ec, std::move(socket));
                           });
}

void Listener::on_accept(boost::system::error_code ec, tcp::socket socket) {
    if (ec == net::error::operation_aborted || !acceptor_.is_open()) return;
    if (ec) {
        log_error("accept failed: " + ec.message());
    } else if (traffic_.connections.fetch_add(1) >= context_.config.limits.max_connections) {
        traffic_.connections.fetch_sub(1);
        boost::system::error_code ignored;
        socket.close(ignored);
    } else {
        // Request/response over TLS: Nagle would hold the last record of a reply until the
        // client's delayed ACK (40 ms on Linux), which doubled the latency of a seal.
        boost::system::error_code ignored;
        socket.set_option(tcp::no_delay(true), ignored);
        std::make_shared<HttpSession>(std::move(socket), credentials_.current(), context_, traffic_)->run();
    }
    do_accept();
}

}  // namespace signet::daemon
