#include "idempotency/idempotent_request.hpp"

#include <boost/beast/http/field.hpp>

#include "base/base64.hpp"
#include "server/error_response.hpp"
#include "telemetry/log.hpp"

namespace signet::idempotency {
namespace {

namespace http = boost::beast::http;

constexpr std::size_t max_key_bytes = 255;

bool visible_ascii(std::string_view text) {
    return std::ranges::all_of(text, [](char c) { return c > 0x20 && c < 0x7f && c != '"' && c != '\\'; });
}

// Fields that belong to the connection, not to the answer.
bool connection_field(http::field name) {
    return name == http::field::content_length || name == http::field::connection ||
           name == http::field::keep_alive || name == http::field::transfer_encoding;
}

}  // namespace

Result<std::optional<KeyedRequest>> keyed_request(const http::request_header<>& header,
                                                  const std::string& client_sha256) {
    auto found = header.find("Idempotency-Key");
    if (found == header.end()) return std::optional<KeyedRequest>{};
    if (header.count("Idempotency-Key") > 1) return fail(Errc::bad_request, "a request has at most one Idempotency-Key");
    std::string_view key = found->value();
    if (key.size() >= 2 && key.front() == '"' && key.back() == '"') key = key.substr(1, key.size() - 2);
    if (key.empty() || key.size() > max_key_bytes || !visible_ascii(key)) {
        return fail(Errc::bad_request, "the Idempotency-Key must be 1 to 255 visible ASCII characters");
    }
    std::string head = std::string(header.method_string()) + '\n' + std::string(header.target()) + '\n' +
                       std::string(header[http::field::content_type]);
    return std::optional<KeyedRequest>(KeyedRequest{client_sha256, std::string(key), std::move(head), {}});
}

std::optional<KeyedRequest> with_body(std::optional<KeyedRequest> keyed, std::span<const std::uint8_t> body) {
    // The body's digest first: the request's is then over a few hundred bytes, not a copy of it.
    if (keyed) keyed->request_sha256 = sha256_hex(keyed->head + '\n' + sha256_hex(body));
    return keyed;
}

Answer answer_of(const daemon::Reply& reply) {
    return std::visit(
        [](const auto& response) {
            Answer answer;
            answer.status = static_cast<int>(response.result_int());
            for (const auto& field : response) {
                if (connection_field(field.name())) continue;
                answer.fields.emplace_back(std::string(field.name_string()), std::string(field.value()));
            }
            answer.body.assign(response.body().begin(), response.body().end());
            return answer;
        },
        reply);
}

daemon::Response response_of(Answer answer, unsigned version, bool keep_alive) {
    daemon::Response response{static_cast<http::status>(answer.status), version};
    for (const auto& [name, value] : answer.fields) response.insert(name, value);
    response.keep_alive(keep_alive);
    response.body() = std::move(answer.body);
    response.prepare_payload();
    return response;
}

daemon::Reply run_once(AnswerStore& store, const std::optional<KeyedRequest>& keyed, const std::string& tenant,
                       unsigned version, bool keep_alive, const std::function<daemon::Reply(const KeepReply*)>& work) {
    if (!keyed) return work(nullptr);
    const Scope scope{keyed->client, tenant, keyed->key};
    auto begun = store.begin(scope, keyed->request_sha256);
    if (!begun) return daemon::error_response(begun.error(), version, keep_alive);
    if (begun->replay) return response_of(std::move(*begun->replay), version, keep_alive);
    bool kept = false;
    const KeepReply keep = [&](const daemon::Reply& reply, std::int64_t outcome_seq) -> Status {
        SIGNET_CHECK(store.keep_locked(scope, keyed->request_sha256, answer_of(reply), outcome_seq));
        kept = true;
        return {};
    };
    daemon::Reply reply = work(&keep);
    const int status = std::visit([](const auto& response) { return static_cast<int>(response.result_int()); }, reply);
    if (!kept && status < 500) {
        // A refusal, or a job whose outcome is recorded apart from its answer.
        if (auto stored = store.keep(scope, keyed->request_sha256, answer_of(reply)); !stored) {
            daemon::log_error("an answer for an Idempotency-Key could not be kept: " + stored.error().message);
        }
    }
    return reply;
}

}  // namespace signet::idempotency
