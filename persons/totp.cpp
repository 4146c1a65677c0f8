#include "persons/totp.hpp"

#include <mutex>
#include <vector>

#include <liboath/oath.h>
#include <openssl/rand.h>

namespace signet::daemon {
namespace {

constexpr std::size_t seed_bytes = 20;  // RFC 4226 §4 recommends 160 bits for HMAC-SHA-1

Status initialise_oath() {
    static std::once_flag once;
    static int result = OATH_OK;
    std::call_once(once, [] { result = oath_init(); });
    if (result != OATH_OK) return fail(Errc::internal, std::string("liboath: ") + oath_strerror(result));
    return {};
}

// RFC 3986 unreserved characters stay, everything else is %XX.
std::string percent_encoded(std::string_view text) {
    static constexpr char hex[] = "0123456789ABCDEF";
    std::string out;
    for (unsigned char c : text) {
        if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
            c == '_' || c == '~') {
            out += static_cast<char>(c);
        } else {
            out += '%';
            out += hex[c >> 4];
            out += hex[c & 0x0F];
        }
    }
    return out;
}

}  // namespace

Result<Secret> new_totp_seed() {
    std::string seed(seed_bytes, '\0');
    if (RAND_bytes(reinterpret_cast<unsigned char*>(seed.data()), static_cast<int>(seed.size())) != 1) {
        return fail(Errc::unavailable, "the random generator failed; no authenticator was enrolled");
    }
    return Secret(std::move(seed));
}

Result<std::string> otpauth_uri(const Secret& seed, std::string_view issuer, std::string_view account) {
    SIGNET_CHECK(initialise_oath());
    char* base32 = nullptr;
    size_t length = 0;
    const int rc = oath_base32_encode(seed.reveal().data(), seed.size(), &base32, &length);
    if (rc != OATH_OK) return fail(Errc::internal, std::string("liboath: ") + oath_strerror(rc));
    Secret encoded(std::string(base32, length));
    explicit_bzero(base32, length);
    free(base32);  // liboath allocates with malloc
    std::string secret(encoded.reveal());
    // Authenticator apps expect the secret without its '=' padding.
    while (!secret.empty() && secret.back() == '=') secret.pop_back();
    std::string uri = "otpauth://totp/" + percent_encoded(issuer) + ":" + percent_encoded(account) + "?secret=" +
                      secret + "&issuer=" + percent_encoded(issuer) + "&algorithm=SHA1&digits=" +
                      std::to_string(totp_digits) + "&period=" + std::to_string(totp_step_length.count());
    explicit_bzero(secret.data(), secret.size());
    return uri;
}

Result<std::optional<std::int64_t>> totp_step_of(const Secret& seed, std::string_view code, signet::Timestamp now) {
    SIGNET_CHECK(initialise_oath());
    if (code.size() != totp_digits || code.find_first_not_of("0123456789") != std::string_view::npos) {
        return std::optional<std::int64_t>();
    }
    const std::string otp(code);
    int position = 0;
    uint64_t counter = 0;
    const int rc = oath_totp_validate4(seed.reveal().data(), seed.size(), now.time_since_epoch().count(),
                                       static_cast<unsigned>(totp_step_length.count()), 0, 1, &position, &counter,
                                       0, otp.c_str());
    if (rc == OATH_INVALID_OTP) return std::optional<std::int64_t>();
    if (rc < 0) return fail(Errc::internal, std::string("liboath: ") + oath_strerror(rc));
    return std::optional<std::int64_t>(static_cast<std::int64_t>(counter));
}

Result<std::string> totp_code(const Secret& seed, std::int64_t step) {
    SIGNET_CHECK(initialise_oath());
    char otp[16] = {};
    const time_t at = static_cast<time_t>(step * totp_step_length.count());
    const int rc = oath_totp_generate(seed.reveal().data(), seed.size(), at,
                                      static_cast<unsigned>(totp_step_length.count()), 0, totp_digits, otp);
    if (rc != OATH_OK) return fail(Errc::internal, std::string("liboath: ") + oath_strerror(rc));
    return std::string(otp);
}

}  // namespace signet::daemon
