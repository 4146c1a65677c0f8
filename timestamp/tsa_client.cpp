#include "timestamp/tsa_client.hpp"

#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "timestamp/request.hpp"

namespace signet::timestamp {
namespace {

struct CurlEasyFree {
    void operator()(CURL* handle) const { curl_easy_cleanup(handle); }
};
using CurlEasy = std::unique_ptr<CURL, CurlEasyFree>;

struct CurlListFree {
    void operator()(curl_slist* list) const { curl_slist_free_all(list); }
};
using CurlList = std::unique_ptr<curl_slist, CurlListFree>;

// curl_global_init is not thread-safe and must run before any other thread uses libcurl; the
// first caller does it for the whole process.
Status ensure_curl_initialised() {
    static std::once_flag once;
    static CURLcode result = CURLE_OK;
    std::call_once(once, [] { result = curl_global_init(CURL_GLOBAL_DEFAULT); });
    if (result != CURLE_OK) {
        return fail(Errc::unavailable,
                    std::string("libcurl cannot start: ") + curl_easy_strerror(result));
    }
    return {};
}

std::string lower(std::string_view text) {
    std::string out(text);
    std::transform(out.begin(), out.end(), out.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return out;
}

bool http_or_https(std::string_view url) {
    const std::string scheme = lower(url.substr(0, url.find(':')));
    return (scheme == "http" || scheme == "https") && url.substr(scheme.size()).starts_with("://");
}

// The URL as messages and the audit show it: without a user name or password (RFC 3986 §3.2.1),
// which a configuration may carry for a TSA that wants HTTP authentication.
std::string redacted(std::string_view url) {
    const std::size_t authority = url.find("://");
    if (authority == std::string_view::npos) return std::string(url);
    const std::size_t end = url.find_first_of("/?#", authority + 3);
    const std::string_view host =
        url.substr(authority + 3, end == std::string_view::npos ? end : end - authority - 3);
    const std::size_t at = host.rfind('@');
    if (at == std::string_view::npos) return std::string(url);
    return std::string(url.substr(0, authority + 3)) + "***@" +
           std::string(url.substr(authority + 3 + at + 1));
}

// RFC 3161 §3.4: the reply's media type; parameters (";charset=...") are tolerated.
bool is_timestamp_reply(const char* content_type) {
    if (content_type == nullptr) return false;
    std::string_view type(content_type);
    type = type.substr(0, type.find(';'));
    while (!type.empty() && std::isspace(static_cast<unsigned char>(type.back())))
        type.remove_suffix(1);
    while (!type.empty() && std::isspace(static_cast<unsigned char>(type.front())))
        type.remove_prefix(1);
    return lower(type) == "application/timestamp-reply";
}

struct Body {
    std::vector<std::uint8_t> bytes;
    std::size_t limit = 0;
    bool too_large = false;
};

std::size_t write_body(char* data, std::size_t size, std::size_t count, void* user) {
    auto* body = static_cast<Body*>(user);
    const std::size_t length = size * count;
    if (length > body->limit - body->bytes.size()) {
        body->too_large = true;
        return 0;  // libcurl stops the transfer with CURLE_WRITE_ERROR
    }
    body->bytes.insert(body->bytes.end(), data, data + length);
    return length;
}

std::string transfer_error(CURL* handle, CURLcode code, const char* detail,
                           const ExternalTsas& tsas) {
    switch (code) {
        case CURLE_OPERATION_TIMEDOUT:
            return "timed out (connect " + std::to_string(tsas.connect_timeout.count()) +
                   " ms, total " + std::to_string(tsas.total_timeout.count()) + " ms)";
        case CURLE_COULDNT_CONNECT: {
            long os_error = 0;
            curl_easy_getinfo(handle, CURLINFO_OS_ERRNO, &os_error);
            if (os_error == ECONNREFUSED) return "connection refused";
            std::string text = "cannot connect";
            if (os_error != 0)
                text += std::string(": ") + std::strerror(static_cast<int>(os_error));
            return text;
        }
        case CURLE_FILESIZE_EXCEEDED:
            return "answer too large (more than " + std::to_string(tsas.max_response_bytes) +
                   " bytes)";
        default: {
            std::string text = curl_easy_strerror(code);
            if (detail != nullptr && *detail != '\0') text += std::string(" (") + detail + ")";
            return text;
        }
    }
}

template <class T>
bool set(CURL* handle, CURLoption option, T value) {
    return curl_easy_setopt(handle, option, value) == CURLE_OK;
}

// One POST of `query` to `url`; the TimeStampResp's bytes, or a sentence saying what went wrong.
Result<std::vector<std::uint8_t>> post(const std::string& url,
                                       const std::vector<std::uint8_t>& query,
                                       const ExternalTsas& tsas) {
    CurlEasy handle(curl_easy_init());
    if (!handle) return fail(Errc::unavailable, "cannot create a libcurl handle");
    // "Expect:" turns off 100-continue, which TSAs need not implement.
    CurlList headers(curl_slist_append(nullptr, "Content-Type: application/timestamp-query"));
    if (headers) {
        if (curl_slist* more = curl_slist_append(headers.get(), "Expect:")) {
            headers.release();
            headers.reset(more);
        }
    }
    if (!headers) return fail(Errc::unavailable, "cannot allocate the request headers");

    Body body;
    body.limit = tsas.max_response_bytes;
    char detail[CURL_ERROR_SIZE] = {};
    CURL* h = handle.get();
    const bool configured =
        set(h, CURLOPT_URL, url.c_str()) && set(h, CURLOPT_PROTOCOLS_STR, "http,https") &&
        set(h, CURLOPT_FOLLOWLOCATION, 0L) && set(h, CURLOPT_NOSIGNAL, 1L) &&
        set(h, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(tsas.connect_timeout.count())) &&
        set(h, CURLOPT_TIMEOUT_MS, static_cast<long>(tsas.total_timeout.count())) &&
        set(h, CURLOPT_POST, 1L) && set(h, CURLOPT_POSTFIELDS, query.data()) &&
        set(h, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(query.size())) &&
        set(h, CURLOPT_HTTPHEADER, headers.get()) && set(h, CURLOPT_USERAGENT, "signetd") &&
        set(h, CURLOPT_MAXFILESIZE_LARGE, static_cast<curl_off_t>(tsas.max_response_bytes)) &&
        set(h, CURLOPT_WRITEFUNCTION, &write_body) && set(h, CURLOPT_WRITEDATA, &body) &&
        set(h, CURLOPT_ERRORBUFFER, detail) && set(h, CURLOPT_SSL_VERIFYPEER, 1L) &&
        set(h, CURLOPT_SSL_VERIFYHOST, 2L) &&
        (tsas.https_ca.empty() || set(h, CURLOPT_CAINFO, tsas.https_ca.c_str()));
    if (!configured) return fail(Errc::unavailable, "cannot configure the libcurl handle");

    const CURLcode code = curl_easy_perform(h);
    if (body.too_large) {
        return fail(Errc::unavailable, "answer too large (more than " +
                                           std::to_string(tsas.max_response_bytes) + " bytes)");
    }
    if (code != CURLE_OK) return fail(Errc::unavailable, transfer_error(h, code, detail, tsas));

    long http_status = 0;
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &http_status);
    if (http_status != 200)
        return fail(Errc::unavailable, "HTTP status " + std::to_string(http_status));
    const char* content_type = nullptr;
    curl_easy_getinfo(h, CURLINFO_CONTENT_TYPE, &content_type);
    if (!is_timestamp_reply(content_type)) {
        return fail(Errc::unavailable, std::string("the answer's Content-Type is ") +
                                           (content_type == nullptr ? "missing" : content_type) +
                                           ", not application/timestamp-reply");
    }
    return std::move(body.bytes);
}

}  // namespace

Result<ExternalToken> fetch_token(const ExternalTsas& tsas, int hash_nid,
                                  std::span<const std::uint8_t> imprint,
                                  std::chrono::system_clock::time_point not_before,
                                  std::chrono::system_clock::time_point not_after) {
    if (tsas.urls.empty())
        return fail(Errc::unavailable, "no time-stamping authority is configured");
    SIGNET_CHECK(ensure_curl_initialised());
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
            if (!http_or_https(url))
                return fail(Errc::unavailable, "not an http:// or https:// URL");
            std::vector<std::uint8_t> answer;
            SIGNET_TRY(answer, post(url, query, tsas));
            return check_response(answer, expected);
        }();
        if (outcome) return ExternalToken{std::move(*outcome), redacted(url)};
        if (!failures.empty()) failures += "; ";
        failures += redacted(url) + ": " + outcome.error().message;
    }
    return fail(Errc::unavailable, "no time-stamping authority gave a usable token: " + failures);
}

}  // namespace signet::timestamp
