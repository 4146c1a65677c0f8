#pragma once
// The one error type of signet: a code that says what kind of failure it is (and so which API
// error and HTTP status it becomes) and a sentence for a person. It lives in base/, below every
// other module, so that each of them can use it.

#include <expected>
#include <string>
#include <string_view>
#include <utility>

namespace signet {

enum class Errc {
    bad_request,          // 400: the request itself is malformed
    unauthenticated,      // 401: no client certificate, or one that maps to no role
    forbidden,            // 403
    approval_required,    // 403
    activation_failed,    // 403
    not_found,            // 404
    conflict,             // 409
    too_large,            // 413
    unsupported_media_type,  // 415: a body of a type the route does not take (a logo's)
    invalid_document,     // 422: the PDF cannot be signed
    invalid_certificate,  // 422
    invalid_delegation,   // 422
    unavailable,          // 503: HSM, database or audit log not usable
    certificate_revoked,  // 503: the signing certificate (or its chain) is revoked: no key use
    invalid_config,       // start-up only: a configuration file or a file it names is wrong
    internal,             // a broken invariant or an unexpected library failure
};

// The API's error code ("bad_request", ...) for a code.
constexpr std::string_view to_string(Errc code) {
    switch (code) {
        case Errc::bad_request: return "bad_request";
        case Errc::unauthenticated: return "unauthenticated";
        case Errc::forbidden: return "forbidden";
        case Errc::approval_required: return "approval_required";
        case Errc::activation_failed: return "activation_failed";
        case Errc::not_found: return "not_found";
        case Errc::conflict: return "conflict";
        case Errc::too_large: return "too_large";
        case Errc::unsupported_media_type: return "unsupported_media_type";
        case Errc::invalid_document: return "invalid_document";
        case Errc::invalid_certificate: return "invalid_certificate";
        case Errc::invalid_delegation: return "invalid_delegation";
        case Errc::unavailable: return "unavailable";
        case Errc::certificate_revoked: return "certificate_revoked";
        case Errc::invalid_config: return "invalid_config";
        case Errc::internal: return "internal";
    }
    return "internal";
}

struct Error {
    Errc code;
    std::string message;

    // A copy whose message starts with `context` ("reading /etc/x.pem: ...").
    Error with_context(std::string_view context) const {
        return Error{code, std::string(context) + ": " + message};
    }
};

template <class T>
using Result = std::expected<T, Error>;
using Status = std::expected<void, Error>;

inline std::unexpected<Error> fail(Errc code, std::string message) {
    return std::unexpected<Error>(Error{code, std::move(message)});
}

}  // namespace signet

// Early return of a failure inside a function that returns a Result or Status (the TRY of
// Abseil's and SerenityOS's codebases): SIGNET_TRY assigns the value, SIGNET_CHECK drops it.
#define SIGNET_TRY(target, expression)                                           \
    do {                                                                         \
        auto signet_try_value = (expression);                                    \
        if (!signet_try_value) return std::unexpected(signet_try_value.error()); \
        target = std::move(*signet_try_value);                                   \
    } while (false)

#define SIGNET_CHECK(expression)                                           \
    do {                                                                   \
        if (auto signet_check_status = (expression); !signet_check_status) \
            return std::unexpected(signet_check_status.error());           \
    } while (false)
