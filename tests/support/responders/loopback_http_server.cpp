#include "tests/support/responders/loopback_http_server.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <random>
#include <stdexcept>
#include <string_view>

namespace signet::test {
namespace {

constexpr std::size_t max_head_bytes = 16 * 1024;
constexpr std::size_t max_body_bytes = 1024 * 1024;
constexpr int read_timeout_ms = 5000;

// A socket bound to 127.0.0.1 on a free port of [first, last] (first == 0: the kernel's pick),
// listening when asked; a random start, so that parallel tests rarely race for one port.
UniqueFd bind_in(std::uint16_t first, std::uint16_t last, std::uint16_t& chosen, bool listening) {
    const bool any = first == 0;
    std::mt19937 random(std::random_device{}());
    const std::uint32_t span = any ? 1 : static_cast<std::uint32_t>(last - first) + 1;
    const auto start = static_cast<std::uint32_t>(random() % span);
    for (std::uint32_t i = 0; i < span; ++i) {
        const auto port = any ? std::uint16_t{0} : static_cast<std::uint16_t>(first + (start + i) % span);
        UniqueFd fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
        if (!fd) throw std::runtime_error(std::string("socket: ") + std::strerror(errno));
        // A port a previous server left in TIME_WAIT is free to listen on again.
        const int reuse = 1;
        ::setsockopt(fd.get(), SOL_SOCKET, SO_REUSEADDR, &reuse, sizeof reuse);
        sockaddr_in address{};
        address.sin_family = AF_INET;
        address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        address.sin_port = htons(port);
        if (::bind(fd.get(), reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0) continue;
        if (listening && ::listen(fd.get(), 16) != 0) continue;
        socklen_t length = sizeof address;
        if (::getsockname(fd.get(), reinterpret_cast<sockaddr*>(&address), &length) != 0) continue;
        chosen = ntohs(address.sin_port);
        return fd;
    }
    throw std::runtime_error("no free loopback port in " + std::to_string(first) + "-" + std::to_string(last));
}

// Waits for `fd` to be readable; false on timeout or when the server is being destroyed.
bool wait_readable(int fd, int wake_fd) {
    pollfd fds[2] = {{fd, POLLIN, 0}, {wake_fd, POLLIN, 0}};
    for (;;) {
        const int ready = ::poll(fds, 2, read_timeout_ms);
        if (ready < 0 && errno == EINTR) continue;
        return ready > 0 && fds[1].revents == 0 && fds[0].revents != 0;
    }
}

std::optional<std::size_t> content_length(std::string head) {
    std::transform(head.begin(), head.end(), head.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    const std::size_t at = head.find("\r\ncontent-length:");
    if (at == std::string::npos) return std::nullopt;
    std::size_t cursor = at + std::strlen("\r\ncontent-length:");
    while (cursor < head.size() && head[cursor] == ' ') ++cursor;
    std::size_t value = 0;
    bool digits = false;
    for (; cursor < head.size() && std::isdigit(static_cast<unsigned char>(head[cursor])); ++cursor) {
        value = value * 10 + static_cast<std::size_t>(head[cursor] - '0');
        if (value > max_body_bytes) return std::nullopt;
        digits = true;
    }
    return digits ? std::optional<std::size_t>(value) : std::nullopt;
}

void send_all(int fd, std::string_view bytes) {
    while (!bytes.empty()) {
        const ssize_t sent = ::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
        if (sent < 0 && errno == EINTR) continue;
        if (sent <= 0) return;  // the client went away; nothing to tell it
        bytes.remove_prefix(static_cast<std::size_t>(sent));
    }
}

void send_answer(int fd, const HttpAnswer& answer) {
    send_all(fd, "HTTP/1.1 " + answer.status + "\r\nContent-Type: " + answer.content_type +
                     "\r\nContent-Length: " + std::to_string(answer.body.size()) + "\r\nConnection: close\r\n\r\n");
    send_all(fd, answer.body);
}

}  // namespace

LoopbackHttpServer::LoopbackHttpServer(std::uint16_t first, std::uint16_t last, Handler handler, Hold hold)
    : handler_(std::move(handler)), hold_(std::move(hold)) {
    listener_ = bind_in(first, last, port_, true);
    int wake[2];
    if (::pipe2(wake, O_CLOEXEC) != 0) throw std::runtime_error(std::string("pipe2: ") + std::strerror(errno));
    wake_read_.reset(wake[0]);
    wake_write_.reset(wake[1]);
    thread_ = std::thread([this] { serve(); });
}

LoopbackHttpServer::~LoopbackHttpServer() {
    const char stop = 's';
    while (::write(wake_write_.get(), &stop, 1) < 0 && errno == EINTR) {
    }
    if (thread_.joinable()) thread_.join();
}

void LoopbackHttpServer::serve() {
    for (;;) {
        pollfd fds[2] = {{listener_.get(), POLLIN, 0}, {wake_read_.get(), POLLIN, 0}};
        if (::poll(fds, 2, -1) < 0) {
            if (errno == EINTR) continue;
            return;
        }
        if (fds[1].revents != 0) return;
        if ((fds[0].revents & POLLIN) == 0) continue;
        UniqueFd connection(::accept4(listener_.get(), nullptr, nullptr, SOCK_CLOEXEC));
        if (!connection) continue;
        if (hold_ && hold_()) {
            held_.push_back(std::move(connection));
            continue;
        }
        handle(std::move(connection));
    }
}

std::optional<HttpExchange> LoopbackHttpServer::read_request(int fd) {
    std::string received;
    std::size_t head_end = std::string::npos;
    std::size_t body_length = 0;
    char buffer[16 * 1024];
    while (head_end == std::string::npos || received.size() < head_end + 4 + body_length) {
        if (!wait_readable(fd, wake_read_.get())) return std::nullopt;
        const ssize_t got = ::recv(fd, buffer, sizeof buffer, 0);
        if (got < 0 && errno == EINTR) continue;
        if (got <= 0) return std::nullopt;
        received.append(buffer, static_cast<std::size_t>(got));
        if (head_end != std::string::npos) continue;
        head_end = received.find("\r\n\r\n");
        if (head_end == std::string::npos) {
            if (received.size() > max_head_bytes) return std::nullopt;
            continue;
        }
        const auto length = content_length(received.substr(0, head_end + 2));
        if (received.starts_with("POST ") && !length) {
            send_answer(fd, {"411 Length Required", "text/plain", "Content-Length needed\n"});
            return std::nullopt;
        }
        body_length = length.value_or(0);
    }
    HttpExchange exchange;
    const std::size_t method_end = received.find(' ');
    const std::size_t path_end = received.find(' ', method_end + 1);
    exchange.method = received.substr(0, method_end);
    exchange.path = received.substr(method_end + 1, path_end - method_end - 1);
    exchange.body = received.substr(head_end + 4, body_length);
    return exchange;
}

void LoopbackHttpServer::handle(UniqueFd connection) {
    const auto exchange = read_request(connection.get());
    if (!exchange) return;
    try {
        send_answer(connection.get(), handler_(*exchange));
    } catch (const std::exception&) {
        // A failed answer is a closed connection: the client reports it.
    }
}

std::uint16_t unused_port(std::uint16_t first, std::uint16_t last) {
    std::uint16_t port = 0;
    bind_in(first, last, port, false);  // bound, not listening, closed at once
    return port;
}

}  // namespace signet::test
