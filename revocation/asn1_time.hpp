#pragma once
// ASN1_TIME (UTCTime or GeneralizedTime) as seconds since the epoch, so that validity windows
// are judged against signet's Clock (tests move it) rather than the system time that
// OpenSSL's own checks (OCSP_check_validity, X509_cmp_current_time) read.

#include <openssl/asn1.h>

#include "base/error.hpp"
#include "base/time.hpp"

namespace signet::revocation {

Result<Timestamp> to_timestamp(const ASN1_TIME* time);

}  // namespace signet::revocation
