#include "tests/integration/support/tls_client.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>

#include <functional>
#include <optional>

namespace signet::test {

namespace net = boost::asio;
namespace http = boost::beast::http;

struct TlsClient::Impl {
    net::io_context io;
    net::ssl::context tls{net::ssl::context::tls_client};
    // Made after the context holds the client certificate: SSL_new copies it at creation.
    std::optional<net::ssl::stream<net::ip::tcp::socket>> stream;
    boost::beast::flat_buffer buffer;

    // The context only: connect_within() makes the connection.
    Impl(const std::filesystem::path& pki, const std::string& client) {
        tls.load_verify_file((pki / "tls-ca.pem").string());
        tls.set_verify_mode(net::ssl::verify_peer);
        tls.use_certificate_chain_file((pki / (client + ".pem")).string());
        tls.use_private_key_file((pki / (client + ".key")).string(), net::ssl::context::pem);
    }

    Impl(const std::filesystem::path& pki, std::uint16_t port, const std::string& client) : Impl(pki, client) {
        stream.emplace(io, tls);
        stream->next_layer().connect({net::ip::make_address("127.0.0.1"), port});
        stream->handshake(net::ssl::stream_base::client);
    }

    // Runs the operations `start` begins (it calls its argument when the last one ends) until
    // they end or `limit` passes; at the limit the socket is cancelled, which ends them with an
    // error.
    template <class Start>
    void run_within(std::chrono::seconds limit, Start start) {
        net::steady_timer timer(io, limit);
        timer.async_wait([this](boost::system::error_code ec) {
            if (!ec) stream->next_layer().cancel();
        });
        start([&timer] { timer.cancel(); });
        io.restart();
        io.run();
    }

    boost::system::error_code connect_within(std::uint16_t port, std::chrono::seconds limit) {
        stream.emplace(io, tls);
        boost::system::error_code failed;
        run_within(limit, [&](auto finished) {
            stream->next_layer().async_connect(
                {net::ip::make_address("127.0.0.1"), port}, [&, finished](boost::system::error_code ec) {
                    if (ec) {
                        failed = ec;
                        return finished();
                    }
                    stream->async_handshake(net::ssl::stream_base::client,
                                            [&, finished](boost::system::error_code ec2) {
                                                failed = ec2;
                                                finished();
                                            });
                });
        });
        return failed;
    }
};

TlsClient::TlsClient(const std::filesystem::path& pki, std::uint16_t port, const std::string& client)
    : impl_(std::make_unique<Impl>(pki, port, client)) {}

TlsClient::TlsClient(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

std::expected<std::unique_ptr<TlsClient>, std::string> TlsClient::open(const std::filesystem::path& pki,
                                                                       std::uint16_t port, const std::string& client,
                                                                       std::chrono::seconds limit) {
    auto impl = std::make_unique<Impl>(pki, client);
    if (const auto failed = impl->connect_within(port, limit)) return std::unexpected(failed.message());
    return std::make_unique<TlsClient>(std::move(impl));
}

TlsClient::~TlsClient() {
    boost::system::error_code ignored;
    impl_->stream->next_layer().close(ignored);
}

void TlsClient::write(const std::string& bytes) { net::write(*impl_->stream, net::buffer(bytes)); }

int TlsClient::get(const std::string& path) {
    http::request<http::empty_body> request{http::verb::get, path, 11};
    request.set(http::field::host, "127.0.0.1");
    boost::system::error_code ec;
    http::write(*impl_->stream, request, ec);
    if (ec) return 0;
    http::response<http::string_body> response;
    http::read(*impl_->stream, impl_->buffer, response, ec);
    return ec ? 0 : static_cast<int>(response.result_int());
}

TlsAnswer TlsClient::request(const std::string& method, const std::string& path, const std::string& body,
                             const std::vector<std::pair<std::string, std::string>>& headers,
                             std::chrono::seconds limit) {
    http::request<http::string_body> request{http::string_to_verb(method), path, 11};
    request.set(http::field::host, "127.0.0.1");
    for (const auto& [name, value] : headers) request.set(name, value);
    request.body() = body;
    request.prepare_payload();
    http::response_parser<http::string_body> parser;
    parser.body_limit(64 * 1024 * 1024);  // above any answer signetd sends (a sealed document)
    boost::system::error_code failed;
    impl_->run_within(limit, [&](auto finished) {
        http::async_write(*impl_->stream, request, [&, finished](boost::system::error_code ec, std::size_t) {
            if (ec) {
                failed = ec;
                return finished();
            }
            http::async_read(*impl_->stream, impl_->buffer, parser,
                             [&, finished](boost::system::error_code ec2, std::size_t) {
                                 failed = ec2;
                                 finished();
                             });
        });
    });
    TlsAnswer answer;
    if (failed) {
        answer.error = failed.message();
        return answer;
    }
    answer.status = static_cast<int>(parser.get().result_int());
    answer.connection_open = parser.get().keep_alive();
    answer.body = std::move(parser.get().body());
    return answer;
}

std::string TlsClient::read_all_within(std::chrono::seconds limit) {
    std::string received;
    char chunk[4096];
    net::steady_timer timer(impl_->io, limit);
    timer.async_wait([this](boost::system::error_code ec) {
        if (!ec) impl_->stream->next_layer().cancel();
    });
    std::function<void(boost::system::error_code, std::size_t)> on_read = [&](boost::system::error_code ec,
                                                                              std::size_t n) {
        received.append(chunk, n);
        if (ec) return (void)timer.cancel();
        impl_->stream->async_read_some(net::buffer(chunk), on_read);
    };
    impl_->stream->async_read_some(net::buffer(chunk), on_read);
    impl_->io.restart();
    impl_->io.run();
    return received;
}

bool TlsClient::closed_within(std::chrono::seconds limit) {
    // A read that ends (EOF, truncation, reset) means the server closed; the timer cancels the
    // read when it does not.
    bool closed = false;
    char byte = 0;
    net::steady_timer timer(impl_->io, limit);
    timer.async_wait([this](boost::system::error_code ec) {
        if (!ec) impl_->stream->next_layer().cancel();
    });
    impl_->stream->async_read_some(net::buffer(&byte, 1), [&](boost::system::error_code ec, std::size_t) {
        closed = ec && ec != net::error::operation_aborted;
        timer.cancel();
    });
    impl_->io.restart();
    impl_->io.run();
    return closed;
}

}  // namespace signet::test
