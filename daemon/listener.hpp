#pragma once
// Accepts connections and hands each to an HttpSession on its own strand; beyond the
// configured number of connections a new one is closed at once.

#include <atomic>
#include <memory>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>

#include "daemon/router.hpp"

namespace signet::daemon {

class Listener : public std::enable_shared_from_this<Listener> {
public:
    static Result<std::shared_ptr<Listener>> create(boost::asio::io_context& io,
                                                    boost::asio::ssl::context& tls,
                                                    Services& services);
    void run();
    void stop();
    boost::asio::ip::tcp::endpoint local_endpoint() const { return acceptor_.local_endpoint(); }

private:
    Listener(boost::asio::io_context& io, boost::asio::ssl::context& tls, Services& services);
    void do_accept();
    void on_accept(boost::system::error_code ec, boost::asio::ip::tcp::socket socket);

    boost::asio::io_context& io_;
    boost::asio::ssl::context& tls_;
    Services& services_;
    boost::asio::ip::tcp::acceptor acceptor_;
    std::atomic<unsigned> connections_{0};
};

}  // namespace signet::daemon
