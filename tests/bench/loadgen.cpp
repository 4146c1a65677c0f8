// A load generator for signetd (issue 8): N keep-alive mTLS connections, one thread each
// (synchronous Beast: simple, and the client's cost is small next to a seal), sending the same
// request until a total count or a duration is reached. Run by tests/bench/performance.sh.
//
//   loadgen --port P --pki DIR [--client platform] --connections N (--requests COUNT | --seconds S)
//           [--warmup K] --target /v1/seal (--body FILE | --bodies LIST) --content-type T
//           [--expect-header NAME[=VALUE]]...
//
// --bodies names a file that lists body files, one per line: each request (warm-up included)
// sends the next, for requests that are good once (a guest's co-signature, issue 22).
//
// Prints one JSON object: {"connections", "requests", "ok", "errors": {"503": n, "transport": n},
// "seconds", "throughput_per_s", "latency_ms": {"mean","p50","p90","p99","max"},
// "response_bytes_mean", "check", "first_error", "client_cpu_seconds"}. A request's latency runs from the start of its
// write to the end of reading its whole response; connecting (or reconnecting) is not in it.
// The first 200 answer is checked ("check"): a JSON answer must parse and carry "document"; a PDF
// answer must start with "%PDF-", be larger than the input and carry the Signet-* headers; a
// time-stamp answer (application/timestamp-reply, POST /v1/timestamp, issue 17) must be a DER
// TimeStampResp whose status is granted and which carries a token (RFC 3161 §2.4.2). Each
// --expect-header must be on that answer too (with that value when one is given): e.g.
// Signet-Level=B-T, so that a seal asked for at B-T is not measured at B-B.

#include <algorithm>
#include <cmath>
#include <atomic>
#include <barrier>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <map>
#include <mutex>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <boost/program_options.hpp>
#include <nlohmann/json.hpp>
#include <openssl/ts.h>
#include <sys/resource.h>

namespace {

namespace net = boost::asio;
namespace http = boost::beast::http;
using Clock = std::chrono::steady_clock;
using TlsStream = net::ssl::stream<net::ip::tcp::socket>;

struct Options {
    std::uint16_t port = 0;
    std::filesystem::path pki;
    std::string client = "platform";
    unsigned connections = 1;
    long requests = 0;     // total, over all connections; 0: use seconds
    double seconds = 0;
    unsigned warmup = 0;   // per connection, not counted
    std::string target = "/v1/seal";
    std::filesystem::path body_file;
    std::filesystem::path bodies_file;
    std::string content_type = "application/json";
    std::vector<std::string> expect_headers;  // NAME or NAME=VALUE, on the first 200 answer
};

[[noreturn]] void die(const std::string& message) {
    std::cerr << "loadgen: " << message << "\n";
    std::exit(2);
}

Options parse_options(int argc, char** argv) {
    namespace po = boost::program_options;
    Options o;
    po::options_description d("loadgen");
    d.add_options()("port", po::value(&o.port)->required(), "signetd's port on 127.0.0.1")(
        "pki", po::value(&o.pki)->required(), "dev-init pki/ folder: tls-ca.pem, CLIENT.pem, CLIENT.key")(
        "client", po::value(&o.client)->default_value("platform"), "client certificate name in --pki")(
        "connections", po::value(&o.connections)->default_value(1), "concurrent keep-alive connections (1..64)")(
        "requests", po::value(&o.requests)->default_value(0), "total measured requests")(
        "seconds", po::value(&o.seconds)->default_value(0.0), "measured duration, when --requests is 0")(
        "warmup", po::value(&o.warmup)->default_value(0), "requests per connection before measuring")(
        "target", po::value(&o.target)->default_value("/v1/seal"), "request target, with its query")(
        "body", po::value(&o.body_file), "file sent as the POST body")(
        "bodies", po::value(&o.bodies_file), "file listing body files, one per request")(
        "content-type", po::value(&o.content_type)->default_value("application/json"), "the body's type")(
        "expect-header", po::value(&o.expect_headers)->composing(),
        "NAME or NAME=VALUE: a header the first 200 answer must carry (repeatable)");
    try {
        po::variables_map vm;
        po::store(po::parse_command_line(argc, argv, d), vm);
        po::notify(vm);
    } catch (const po::error& e) {
        std::ostringstream usage;
        usage << d;
        die(std::string(e.what()) + "\n" + usage.str());
    }
    if (o.connections == 0 || o.connections > 64) die("--connections must be 1..64");
    if ((o.requests > 0) == (o.seconds > 0)) die("give exactly one of --requests and --seconds");
    if (o.body_file.empty() == o.bodies_file.empty()) die("give exactly one of --body and --bodies");
    return o;
}

std::string read_file(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) die("cannot read " + path.string());
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// One connection; reopened after the server closes it or a transport error.
class Connection {
public:
    Connection(net::ssl::context& tls, std::uint16_t port) : tls_(tls), port_(port) {}
    ~Connection() { close(); }

    // The response, or nullopt on a transport error (then the connection is closed).
    std::optional<http::response<http::string_body>> exchange(const http::request<http::span_body<const char>>& request) {
        boost::system::error_code ec;
        if (!stream_) return std::nullopt;
        http::write(*stream_, request, ec);
        if (ec) return fail();
        http::response_parser<http::string_body> parser;
        // Beast's default response body limit is 8 MB; a sealed 50 MB PDF (or its base64) is more.
        parser.body_limit(std::uint64_t{1} << 30);
        http::read(*stream_, buffer_, parser, ec);
        if (ec) return fail();
        auto response = parser.release();
        if (!response.keep_alive()) close();
        return response;
    }

    bool ensure_open() {
        if (stream_) return true;
        boost::system::error_code ec;
        stream_.emplace(io_, tls_);
        stream_->next_layer().connect({net::ip::make_address("127.0.0.1"), port_}, ec);
        if (!ec) stream_->next_layer().set_option(net::ip::tcp::no_delay(true), ec);
        if (!ec) stream_->handshake(net::ssl::stream_base::client, ec);
        if (ec) {
            std::cerr << "loadgen: connect: " << ec.message() << "\n";
            close();
            return false;
        }
        return true;
    }

private:
    std::nullopt_t fail() {
        close();
        return std::nullopt;
    }
    // No TLS close_notify: a clean shutdown waits for the server's, which measures nothing.
    void close() {
        if (!stream_) return;
        boost::system::error_code ignored;
        stream_->next_layer().close(ignored);
        stream_.reset();
        buffer_.clear();
    }

    net::io_context io_;
    net::ssl::context& tls_;
    std::uint16_t port_;
    std::optional<TlsStream> stream_;
    boost::beast::flat_buffer buffer_;
};

// RFC 3161 §2.4.2: a TimeStampResp whose PKIStatus is granted (0) or grantedWithMods (1) and
// which carries the timeStampToken.
std::string check_timestamp_reply(const std::string& body) {
    const auto* bytes = reinterpret_cast<const unsigned char*>(body.data());
    TS_RESP* reply = d2i_TS_RESP(nullptr, &bytes, static_cast<long>(body.size()));
    if (reply == nullptr) return "the 200 time-stamp answer is not a DER TimeStampResp";
    std::string wrong;
    const long status = ASN1_INTEGER_get(TS_STATUS_INFO_get0_status(TS_RESP_get_status_info(reply)));
    if (status != 0 && status != 1) {
        wrong = "the 200 time-stamp answer's status is " + std::to_string(status) + ", not granted";
    } else if (TS_RESP_get_token(reply) == nullptr) {
        wrong = "the 200 time-stamp answer is granted but has no token";
    }
    TS_RESP_free(reply);
    return wrong;
}

std::string check_headers(const http::response<http::string_body>& response, const std::vector<std::string>& expected) {
    for (const auto& expectation : expected) {
        const auto equals = expectation.find('=');
        const std::string name = expectation.substr(0, equals);
        const auto found = response.find(name);
        if (found == response.end()) return "the 200 answer has no " + name + " header";
        if (equals != std::string::npos && found->value() != expectation.substr(equals + 1)) {
            return "the 200 answer's " + name + " is '" + std::string(found->value()) + "', not '" +
                   expectation.substr(equals + 1) + "'";
        }
    }
    return "";
}

// The first 200 answer is a seal, an extension or a time-stamp: "" when it looks right, else what is wrong.
std::string check_answer(const http::response<http::string_body>& response, std::size_t input_size) {
    const auto type = std::string(response[http::field::content_type]);
    const auto& body = response.body();
    if (type.starts_with("application/timestamp-reply")) return check_timestamp_reply(body);
    if (type.starts_with("application/json")) {
        auto parsed = nlohmann::json::parse(body, nullptr, false);
        if (parsed.is_discarded()) return "the 200 answer is not JSON";
        if (!parsed.is_object() || !parsed.contains("document") || !parsed["document"].is_string()) {
            return "the 200 JSON answer has no \"document\"";
        }
        return "";
    }
    if (type.starts_with("application/pdf")) {
        if (!body.starts_with("%PDF-")) return "the 200 PDF answer does not start with %PDF-";
        if (body.size() <= input_size) return "the 200 PDF answer is not larger than the input";
        // An extension (POST /v1/extend) adds a document time-stamp, not a signature of a key.
        if (!response["Signet-Timestamps"].empty()) {
            return response["Signet-Document-Timestamp-Serial"].empty()
                       ? "the 200 extension has no Signet-Document-Timestamp-Serial header"
                       : "";
        }
        for (const char* header : {"Signet-Key-Id", "Signet-Certificate-Sha256", "Signet-Digest-Sha256", "Signet-Audit-Seq"}) {
            if (response[header].empty()) return std::string("the 200 PDF answer has no ") + header + " header";
        }
        return "";
    }
    return "the 200 answer has Content-Type '" + type + "'";
}

double percentile(const std::vector<double>& sorted, double p) {
    if (sorted.empty()) return 0;
    // Nearest rank: the smallest value with at least p% of the values at or below it.
    auto rank = static_cast<std::size_t>(std::ceil(p / 100.0 * static_cast<double>(sorted.size())));
    return sorted[std::clamp<std::size_t>(rank, 1, sorted.size()) - 1];
}

}  // namespace

// This process's CPU time, warm-up included: the client shares the machine with signetd, and
// the script charges each side's CPU to the seals.
double client_cpu_seconds() {
    rusage usage{};
    ::getrusage(RUSAGE_SELF, &usage);
    auto seconds = [](const timeval& t) { return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6; };
    return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

int main(int argc, char** argv) {
    const Options options = parse_options(argc, argv);
    std::vector<std::string> bodies;
    if (!options.body_file.empty()) {
        bodies.push_back(read_file(options.body_file));
    } else {
        std::istringstream list(read_file(options.bodies_file));
        for (std::string line; std::getline(list, line);) {
            if (!line.empty()) bodies.push_back(read_file(line));
        }
        if (bodies.empty()) die(options.bodies_file.string() + " lists no body file");
    }
    std::atomic<std::size_t> next_body{0};

    net::ssl::context tls{net::ssl::context::tls_client};
    try {
        tls.load_verify_file((options.pki / "tls-ca.pem").string());
        tls.set_verify_mode(net::ssl::verify_peer);
        tls.use_certificate_chain_file((options.pki / (options.client + ".pem")).string());
        tls.use_private_key_file((options.pki / (options.client + ".key")).string(), net::ssl::context::pem);
    } catch (const boost::system::system_error& e) {
        die(std::string("TLS set-up: ") + e.what());
    }

    // Shared by the threads; a mutex is enough, a request costs milliseconds.
    std::mutex mutex;
    std::vector<double> latencies_ms;
    std::map<std::string, long> errors;
    long ok = 0;
    double response_bytes = 0;
    std::string check = "no 200 answer";
    bool checked = false;
    nlohmann::json first_error = nullptr;

    std::atomic<long> remaining{options.requests};
    // The clock starts when every connection is open and warm: the barrier's completion runs
    // once, after the last thread arrives and before any is released, so the threads read
    // `deadline` only after it is set.
    Clock::time_point start;
    Clock::time_point deadline;
    auto on_start = [&]() noexcept {
        start = Clock::now();
        deadline = start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(options.seconds));
    };
    std::barrier start_line(static_cast<std::ptrdiff_t>(options.connections), on_start);

    auto run = [&] {
        Connection connection(tls, options.port);
        http::request<http::span_body<const char>> request{http::verb::post, options.target, 11};
        request.set(http::field::host, "127.0.0.1");
        request.set(http::field::content_type, options.content_type);
        request.keep_alive(true);

        // One request: its latency and outcome, recorded when `measured`.
        auto once = [&](bool measured) {
            if (!connection.ensure_open()) {
                std::lock_guard lock(mutex);
                if (measured) ++errors["connect"];
                std::this_thread::sleep_for(std::chrono::milliseconds(50));  // no busy loop on a dead server
                return;
            }
            const std::string& body = bodies[next_body++ % bodies.size()];
            request.body() = {body.data(), body.size()};
            request.prepare_payload();
            const auto begin = Clock::now();
            auto response = connection.exchange(request);
            const double ms = std::chrono::duration<double, std::milli>(Clock::now() - begin).count();
            std::lock_guard lock(mutex);
            if (response && response->result_int() == 200 && !checked) {
                checked = true;
                check = check_answer(*response, body.size());
                if (check.empty()) check = check_headers(*response, options.expect_headers);
                if (check.empty()) check = "ok";
            }
            if (!measured) return;
            if (!response) {
                ++errors["transport"];
                return;
            }
            if (response->result_int() != 200) {
                ++errors[std::to_string(response->result_int())];
                if (first_error.is_null()) {
                    first_error = {{"status", response->result_int()}, {"body", response->body().substr(0, 2000)}};
                }
                return;
            }
            ++ok;
            latencies_ms.push_back(ms);
            response_bytes += static_cast<double>(response->body().size());
        };

        for (unsigned i = 0; i < options.warmup; ++i) once(false);
        // Connected before the clock starts even without warm-up: a handshake is not a seal.
        (void)connection.ensure_open();
        start_line.arrive_and_wait();
        if (options.requests > 0) {
            while (remaining.fetch_sub(1) > 0) once(true);
        } else {
            while (Clock::now() < deadline) once(true);
        }
    };

    std::vector<std::jthread> threads;
    for (unsigned i = 0; i < options.connections; ++i) threads.emplace_back(run);
    threads.clear();  // joins: requests in flight at the deadline finish and count
    const double seconds = std::chrono::duration<double>(Clock::now() - start).count();

    std::sort(latencies_ms.begin(), latencies_ms.end());
    double sum = 0;
    for (double v : latencies_ms) sum += v;
    long failed = 0;
    for (const auto& [status, n] : errors) failed += n;
    const auto count = static_cast<double>(std::max<long>(ok, 1));
    nlohmann::json out = {
        {"connections", options.connections},
        {"requests", ok + failed},
        {"ok", ok},
        {"errors", errors},
        {"seconds", seconds},
        {"throughput_per_s", static_cast<double>(ok) / seconds},
        {"latency_ms",
         {{"mean", sum / count},
          {"p50", percentile(latencies_ms, 50)},
          {"p90", percentile(latencies_ms, 90)},
          {"p99", percentile(latencies_ms, 99)},
          {"max", latencies_ms.empty() ? 0.0 : latencies_ms.back()}}},
        {"response_bytes_mean", response_bytes / count},
        {"check", check},
        {"first_error", first_error},
        {"client_cpu_seconds", client_cpu_seconds()},
    };
    std::cout << out.dump() << "\n";
    // A wrong answer is a broken server, not a slow one: the script must not report its speed.
    return check == "ok" || check == "no 200 answer" ? 0 : 1;
}
