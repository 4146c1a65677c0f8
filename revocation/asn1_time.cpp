#include "revocation/asn1_time.hpp"

#include <ctime>

#include "base/openssl_error.hpp"

namespace signet::revocation {

Result<Timestamp> to_timestamp(const ASN1_TIME* time) {
    if (time == nullptr) return fail(Errc::internal, "no time given");
    std::tm parts{};
    if (ASN1_TIME_to_tm(time, &parts) != 1)
        return openssl_failure(Errc::invalid_certificate, "unreadable time");
    return Timestamp(std::chrono::seconds(timegm(&parts)));
}

}  // namespace signet::revocation
