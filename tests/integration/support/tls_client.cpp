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

    Impl(const std::filesystem::path& pki, std::uint16_t port, const std::string& client) {
        tls.load_verify_file((pki / "tls-ca.pem").string());
        tls.set_verify_mode(net::ssl::verify_peer);
        tls.use_certificate_chain_file((pki / (client + ".pem")).string());
        tls.use_private_key_file((pki / (client + ".key")).string(), net::ssl::context::pem);
        stream.emplace(io, tls);
        stream->next_layer().connect({net::ip::make_address("127.0.0.1"), port});
        stream->handshake(net::ssl::stream_base::client);
    }
};

TlsClient::TlsClient(const std::filesystem::path& pki, std::uint16_t port, const std::string& client)
    : impl_(std::make_unique<Impl>(pki, port, client)) {}

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
