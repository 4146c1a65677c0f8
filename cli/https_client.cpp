#include "cli/https_client.hpp"

#include <algorithm>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <nlohmann/json.hpp>

namespace signet::daemon {
namespace {

namespace net = boost::asio;
namespace ssl = boost::asio::ssl;
namespace beast = boost::beast;
namespace http = boost::beast::http;

struct Url {
    std::string host;
    std::string port;
    std::string target;
};

Result<Url> parse_url(const std::string& url) {
    const std::string scheme = "https://";
    if (url.rfind(scheme, 0) != 0) return fail(Errc::bad_request, "the URL must start with https://");
    std::string rest = url.substr(scheme.size());
    auto slash = rest.find('/');
    std::string authority = rest.substr(0, slash);
    Url parsed;
    parsed.target = slash == std::string::npos ? "/" : rest.substr(slash);
    auto colon = authority.rfind(':');
    if (colon == std::string::npos) {
        parsed.host = authority;
        parsed.port = "443";
    } else {
        parsed.host = authority.substr(0, colon);
        parsed.port = authority.substr(colon + 1);
    }
    if (parsed.host.empty() || parsed.port.empty()) return fail(Errc::bad_request, "the URL names no host");
    return parsed;
}

}  // namespace

Result<HttpsReply> https_call(HttpsRequest call, const ClientCredentials& credentials) {
    const http::verb verb = http::string_to_verb(call.method);
    if (verb == http::verb::unknown) return fail(Errc::bad_request, "unknown HTTP method " + call.method);
    auto parsed = parse_url(call.url);
    if (!parsed) return std::unexpected(parsed.error());
    try {
        net::io_context io;
        ssl::context tls(ssl::context::tls_client);
        tls.set_options(ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1 | ssl::context::no_sslv3);
        tls.set_verify_mode(ssl::verify_peer);
        tls.load_verify_file(credentials.ca.string());
        tls.use_certificate_chain_file(credentials.certificate.string());
        tls.use_private_key_file(credentials.key.string(), ssl::context::pem);
        beast::ssl_stream<beast::tcp_stream> stream(io, tls);
        stream.set_verify_callback(ssl::host_name_verification(parsed->host));
        if (!SSL_set_tlsext_host_name(stream.native_handle(), parsed->host.c_str())) {
            return fail(Errc::unavailable, "cannot set the TLS server name");
        }
        net::ip::tcp::resolver resolver(io);
        stream.next_layer().expires_after(std::chrono::seconds(30));
        stream.next_layer().connect(resolver.resolve(parsed->host, parsed->port));
        stream.handshake(ssl::stream_base::client);

        http::request<http::string_body> request{verb, parsed->target, 11};
        request.set(http::field::host, parsed->host);
        request.set(http::field::user_agent, "signetctl");
        for (const auto& [name, value] : call.headers) request.set(name, value);
        const std::size_t total = call.body.size();
        if (!call.body.empty()) {
            request.set(http::field::content_type, call.content_type);
            request.body() = std::move(call.body);
        }
        request.prepare_payload();
        stream.next_layer().expires_after(std::chrono::seconds(300));
        // In slices, so that a long upload can show its progress.
        http::request_serializer<http::string_body> serializer(request);
        serializer.limit(256 * 1024);
        std::size_t sent = 0;
        beast::error_code write_error;
        while (!serializer.is_done() && !write_error) {
            sent += http::write_some(stream, serializer, write_error);
            if (call.progress) call.progress(std::min(sent, total), total);
        }
        // A body over signetd's limit is refused from its headers and the connection closed:
        // the refusal may be there to read, and says more than the reset.
        beast::flat_buffer buffer;
        http::response_parser<http::string_body> parser;
        parser.body_limit(std::uint64_t{1} << 34);  // an export may be large; bounded all the same
        beast::error_code read_error;
        http::read(stream, buffer, parser, read_error);
        if (read_error) throw boost::system::system_error(write_error ? write_error : read_error);
        auto response = parser.release();
        beast::error_code ignored;
        stream.shutdown(ignored);
        return HttpsReply{response.result_int(), std::move(response.body())};
    } catch (const boost::system::system_error& e) {
        return fail(Errc::unavailable, call.url + ": " + e.code().message());
    }
}

std::string reply_error(const HttpsReply& reply) {
    auto body = nlohmann::json::parse(reply.body, nullptr, false);
    std::string message = body.is_object() && body.contains("message") && body["message"].is_string()
                              ? body["message"].get<std::string>()
                              : reply.body.substr(0, 200);
    return "signetd answered " + std::to_string(reply.status) + ": " + message;
}

}  // namespace signet::daemon
