#include "http_client/http_client.hpp"

#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <memory>
#include <mutex>
#include <string>
#include <utility>

namespace signet::http_client {
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

std::string too_large_text(const HttpOptions& options) {
    return "answer too large (more than " + std::to_string(options.max_response_bytes) + " bytes)";
}

std::string transfer_error(CURL* handle, CURLcode code, const char* detail,
                           const HttpOptions& options) {
    switch (code) {
        case CURLE_OPERATION_TIMEDOUT:
            return "timed out (connect " + std::to_string(options.connect_timeout.count()) +
                   " ms, total " + std::to_string(options.total_timeout.count()) + " ms)";
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
            return too_large_text(options);
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

// One exchange; `body` is null for a GET.
Result<HttpResponse> exchange(const std::string& url, std::string_view content_type,
                              const std::span<const std::uint8_t>* body,
                              const HttpOptions& options) {
    if (!is_http_url(url)) return fail(Errc::unavailable, "not an http:// or https:// URL");
    SIGNET_CHECK(ensure_curl_initialised());
    CurlEasy handle(curl_easy_init());
    if (!handle) return fail(Errc::unavailable, "cannot create a libcurl handle");
    CurlList headers;
    if (body != nullptr) {
        // "Expect:" turns off 100-continue, which small servers (TSAs, OCSP) need not implement.
        const std::string type_header = "Content-Type: " + std::string(content_type);
        headers.reset(curl_slist_append(nullptr, type_header.c_str()));
        if (headers) {
            if (curl_slist* more = curl_slist_append(headers.get(), "Expect:")) {
                headers.release();
                headers.reset(more);
            }
        }
        if (!headers) return fail(Errc::unavailable, "cannot allocate the request headers");
    }

    Body answer;
    answer.limit = options.max_response_bytes;
    char detail[CURL_ERROR_SIZE] = {};
    CURL* h = handle.get();
    bool configured =
        set(h, CURLOPT_URL, url.c_str()) && set(h, CURLOPT_PROTOCOLS_STR, "http,https") &&
        set(h, CURLOPT_FOLLOWLOCATION, 0L) && set(h, CURLOPT_NOSIGNAL, 1L) &&
        set(h, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(options.connect_timeout.count())) &&
        set(h, CURLOPT_TIMEOUT_MS, static_cast<long>(options.total_timeout.count())) &&
        set(h, CURLOPT_USERAGENT, "signetd") &&
        set(h, CURLOPT_MAXFILESIZE_LARGE, static_cast<curl_off_t>(options.max_response_bytes)) &&
        set(h, CURLOPT_WRITEFUNCTION, &write_body) && set(h, CURLOPT_WRITEDATA, &answer) &&
        set(h, CURLOPT_ERRORBUFFER, detail) && set(h, CURLOPT_SSL_VERIFYPEER, 1L) &&
        set(h, CURLOPT_SSL_VERIFYHOST, 2L) &&
        (options.https_ca.empty() || set(h, CURLOPT_CAINFO, options.https_ca.c_str()));
    if (body != nullptr) {
        configured = configured && set(h, CURLOPT_POST, 1L) &&
                     set(h, CURLOPT_POSTFIELDS, body->data()) &&
                     set(h, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body->size())) &&
                     set(h, CURLOPT_HTTPHEADER, headers.get());
    } else {
        configured = configured && set(h, CURLOPT_HTTPGET, 1L);
    }
    if (!configured) return fail(Errc::unavailable, "cannot configure the libcurl handle");

    const CURLcode code = curl_easy_perform(h);
    if (answer.too_large) return fail(Errc::unavailable, too_large_text(options));
    if (code != CURLE_OK) return fail(Errc::unavailable, transfer_error(h, code, detail, options));

    HttpResponse response;
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &response.status);
    const char* type = nullptr;
    curl_easy_getinfo(h, CURLINFO_CONTENT_TYPE, &type);
    if (type != nullptr) response.content_type = type;
    response.body = std::move(answer.bytes);
    return response;
}

}  // namespace

bool is_http_url(std::string_view url) {
    const std::string scheme = lower(url.substr(0, url.find(':')));
    return (scheme == "http" || scheme == "https") && url.substr(scheme.size()).starts_with("://");
}

std::string redact_url(std::string_view url) {
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

bool media_type_is(std::string_view content_type, std::string_view media_type) {
    std::string_view type = content_type.substr(0, content_type.find(';'));
    while (!type.empty() && std::isspace(static_cast<unsigned char>(type.back())))
        type.remove_suffix(1);
    while (!type.empty() && std::isspace(static_cast<unsigned char>(type.front())))
        type.remove_prefix(1);
    return lower(type) == lower(media_type);
}

Result<HttpResponse> post(const std::string& url, std::string_view content_type,
                          std::span<const std::uint8_t> body, const HttpOptions& options) {
    return exchange(url, content_type, &body, options);
}

Result<HttpResponse> get(const std::string& url, const HttpOptions& options) {
    return exchange(url, {}, nullptr, options);
}

Status expect_ok(const HttpResponse& response, std::string_view media_type) {
    if (response.status != 200)
        return fail(Errc::unavailable, "HTTP status " + std::to_string(response.status));
    if (!media_type_is(response.content_type, media_type)) {
        return fail(Errc::unavailable, "the answer's Content-Type is " +
                                           (response.content_type.empty() ? std::string("missing")
                                                                          : response.content_type) +
                                           ", not " + std::string(media_type));
    }
    return {};
}

}  // namespace signet::http_client
