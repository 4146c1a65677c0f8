#include "timestamp/token_info.hpp"

#include <cctype>
#include <climits>
#include <cstddef>
#include <ctime>
#include <string_view>

#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/objects.h>
#include <openssl/pkcs7.h>
#include <openssl/ts.h>
#include <openssl/x509.h>

#include "base/openssl_error.hpp"
#include "base/ssl_ptr.hpp"
#include "base/time.hpp"
#include "base/x509_encoding.hpp"
#include "timestamp/ts_ptr.hpp"

namespace signet::timestamp {
namespace {


// ASN1_INTEGER keeps the magnitude big-endian with the sign in its type, so the bytes are the
// magnitude whatever the sign of the encoded INTEGER.
std::string hex_magnitude(const ASN1_INTEGER* serial) {
    return serial_hex(std::span<const std::uint8_t>(ASN1_STRING_get0_data(serial),
                                                    static_cast<std::size_t>(ASN1_STRING_length(serial))));
}

// The fraction of a GeneralizedTime ("...SS.fffZ", RFC 3161 §2.4.2 allows any precision), which
// ASN1_TIME_to_tm drops.
std::chrono::nanoseconds fraction_of(const ASN1_GENERALIZEDTIME* time) {
    const auto* data = reinterpret_cast<const char*>(ASN1_STRING_get0_data(time));
    const std::string_view text(data, static_cast<std::size_t>(ASN1_STRING_length(time)));
    const std::size_t dot = text.find('.');
    if (dot == std::string_view::npos) return {};
    std::chrono::nanoseconds::rep nanos = 0;
    std::chrono::nanoseconds::rep scale = 100'000'000;
    for (std::size_t i = dot + 1;
         i < text.size() && std::isdigit(static_cast<unsigned char>(text[i])); ++i) {
        nanos += (text[i] - '0') * scale;
        scale /= 10;
    }
    return std::chrono::nanoseconds(nanos);
}

Result<std::chrono::system_clock::time_point> gen_time_of(const ASN1_GENERALIZEDTIME* time) {
    std::tm parts{};
    if (time == nullptr || ASN1_TIME_to_tm(time, &parts) != 1) {
        return openssl_failure(Errc::bad_request, "the token's genTime cannot be read");
    }
    using namespace std::chrono;
    const year_month_day day{year{parts.tm_year + 1900},
                             month{static_cast<unsigned>(parts.tm_mon + 1)},
                             std::chrono::day{static_cast<unsigned>(parts.tm_mday)}};
    if (!day.ok()) return fail(Errc::bad_request, "the token's genTime is not a date");
    const sys_seconds whole =
        sys_days{day} + hours{parts.tm_hour} + minutes{parts.tm_min} + seconds{parts.tm_sec};
    // A GeneralizedTime may say any year up to 9999; system_clock counts nanoseconds in 64 bits
    // (1677 to 2262), so a time outside that would overflow the conversion below (found by
    // tests/fuzz/timestamp_token_fuzz.cpp). The last second is left out for the fraction.
    const auto first = floor<seconds>(system_clock::time_point::min()) + seconds{1};
    const auto last = floor<seconds>(system_clock::time_point::max()) - seconds{1};
    if (whole < first || whole > last) {
        return fail(Errc::bad_request,
                    "the token's genTime is outside the times signet can hold (1677-09-22 to 2262-04-10)");
    }
    return system_clock::time_point(
               duration_cast<system_clock::duration>(whole.time_since_epoch())) +
           duration_cast<system_clock::duration>(fraction_of(time));
}

// RFC 2253 text of the signer certificate's subject, found by the SignerInfo's issuer and
// serial number (RFC 2315 §9.2) among the certificates the token carries; "" without it.
Result<std::string> signer_subject(PKCS7* token) {
    STACK_OF(PKCS7_SIGNER_INFO)* signers = PKCS7_get_signer_info(token);
    if (signers == nullptr || sk_PKCS7_SIGNER_INFO_num(signers) != 1) {
        return fail(Errc::bad_request, "the token does not have exactly one signer");
    }
    const PKCS7_SIGNER_INFO* signer = sk_PKCS7_SIGNER_INFO_value(signers, 0);
    STACK_OF(X509)* certificates = token->d.sign->cert;
    if (certificates == nullptr || signer->issuer_and_serial == nullptr) return std::string();
    X509* certificate = X509_find_by_issuer_and_serial(
        certificates, signer->issuer_and_serial->issuer, signer->issuer_and_serial->serial);
    if (certificate == nullptr) return std::string();
    return name_text(X509_get_subject_name(certificate));
}

}  // namespace

Result<TokenInfo> read_token(std::span<const std::uint8_t> token) {
    if (token.empty() || token.size() > static_cast<std::size_t>(LONG_MAX)) {
        return fail(Errc::bad_request, "the time-stamp token is empty or too large");
    }
    const unsigned char* cursor = token.data();
    Pkcs7 content(d2i_PKCS7(nullptr, &cursor, static_cast<long>(token.size())));
    if (!content || cursor != token.data() + token.size()) {
        return openssl_failure(Errc::bad_request, "the time-stamp token is not a DER ContentInfo");
    }
    if (!PKCS7_type_is_signed(content.get()) || content->d.sign == nullptr) {
        return fail(Errc::bad_request, "the time-stamp token is not a SignedData");
    }
    TsTstInfo tst(PKCS7_to_TS_TST_INFO(content.get()));
    if (!tst) return openssl_failure(Errc::bad_request, "the time-stamp token holds no TSTInfo");

    TokenInfo info;
    const ASN1_INTEGER* serial = TS_TST_INFO_get_serial(tst.get());
    if (serial == nullptr) return fail(Errc::bad_request, "the token has no serial number");
    info.serial_hex = hex_magnitude(serial);

    SIGNET_TRY(info.gen_time, gen_time_of(TS_TST_INFO_get_time(tst.get())));
    info.gen_time_text = format_timestamp(std::chrono::floor<std::chrono::seconds>(info.gen_time));

    const ASN1_OBJECT* policy = TS_TST_INFO_get_policy_id(tst.get());
    char dotted[128];
    const int length = policy == nullptr ? -1 : OBJ_obj2txt(dotted, sizeof dotted, policy, 1);
    if (length <= 0 || static_cast<std::size_t>(length) >= sizeof dotted) {
        return openssl_failure(Errc::bad_request, "the token's policy cannot be read");
    }
    info.policy_oid.assign(dotted, static_cast<std::size_t>(length));

    SIGNET_TRY(info.tsa, signer_subject(content.get()));
    return info;
}

std::string serial_hex(std::span<const std::uint8_t> bytes) {
    static constexpr char digits[] = "0123456789abcdef";
    std::string hex;
    for (std::uint8_t byte : bytes) {
        hex += digits[byte >> 4];
        hex += digits[byte & 0x0f];
    }
    const std::size_t first = hex.find_first_not_of('0');
    return first == std::string::npos ? std::string("0") : hex.substr(first);
}

}  // namespace signet::timestamp
