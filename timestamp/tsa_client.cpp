#include "timestamp/tsa_client.hpp"

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "http_client/http_client.hpp"
#include "timestamp/request.hpp"

namespace signet::timestamp {
namespace {

// One POST of `query` to `url` (RFC 3161 §3.4); the TimeStampResp's bytes, or a sentence saying
// what went wrong.
Result<std::vector<std::uint8_t>> post(const std::string& url,
                                       const std::vector<std::uint8_t>& query,
                                       const ExternalTsas& tsas) {
    http_client::HttpOptions options;
    options.connect_timeout = tsas.connect_timeout;
    options.total_timeout = tsas.total_timeout;
    options.max_response_bytes = tsas.max_response_bytes;
    options.https_ca = tsas.https_ca;
    http_client::HttpResponse response;
    SIGNET_TRY(response, http_client::post(url, "application/timestamp-query", query, options));
    SIGNET_CHECK(http_client::expect_ok(response, "application/timestamp-reply"));
    return std::move(response.body);
}

}  // namespace

Result<ExternalToken> fetch_token(const ExternalTsas& tsas, int hash_nid,
                                  std::span<const std::uint8_t> imprint,
                                  std::chrono::system_clock::time_point not_before,
                                  std::chrono::system_clock::time_point not_after) {
    if (tsas.urls.empty())
        return fail(Errc::unavailable, "no time-stamping authority is configured");
    std::optional<std::vector<std::uint8_t>> nonce;
    SIGNET_TRY(nonce, random_nonce());
    std::vector<std::uint8_t> query;
    SIGNET_TRY(query, make_request(hash_nid, imprint, nonce));

    Expectation expected;
    expected.hash_nid = hash_nid;
    expected.imprint.assign(imprint.begin(), imprint.end());
    expected.nonce = nonce;
    expected.trust = tsas.trust;
    expected.not_before = not_before;
    expected.not_after = not_after;

    std::string failures;
    for (const std::string& url : tsas.urls) {
        auto outcome = [&]() -> Result<CheckedToken> {
            std::vector<std::uint8_t> answer;
            SIGNET_TRY(answer, post(url, query, tsas));
            return check_response(answer, expected);
        }();
        if (outcome) return ExternalToken{std::move(*outcome), http_client::redact_url(url)};
        if (!failures.empty()) failures += "; ";
        failures += http_client::redact_url(url) + ": " + outcome.error().message;
    }
    return fail(Errc::unavailable, "no time-stamping authority gave a usable token: " + failures);
}

}  // namespace signet::timestamp
