#pragma once
// The OpenSSL objects of RFC 3161 and the ASN.1 pieces around them, each owned by the one
// deleter of base/ssl_ptr.hpp and named once for the module and its callers.

#include <memory>

#include <openssl/asn1.h>
#include <openssl/bn.h>
#include <openssl/pkcs7.h>
#include <openssl/ts.h>
#include <openssl/x509.h>

#include "base/ssl_ptr.hpp"

namespace signet::timestamp {

using Asn1BitString = std::unique_ptr<ASN1_BIT_STRING, SslDeleter<&ASN1_BIT_STRING_free>>;
using Asn1Integer = std::unique_ptr<ASN1_INTEGER, SslDeleter<&ASN1_INTEGER_free>>;
using BigNum = std::unique_ptr<BIGNUM, SslDeleter<&BN_free>>;
using Pkcs7 = std::unique_ptr<PKCS7, SslDeleter<&PKCS7_free>>;
using TsMsgImprint = std::unique_ptr<TS_MSG_IMPRINT, SslDeleter<&TS_MSG_IMPRINT_free>>;
using TsReq = std::unique_ptr<TS_REQ, SslDeleter<&TS_REQ_free>>;
using TsResp = std::unique_ptr<TS_RESP, SslDeleter<&TS_RESP_free>>;
using TsTstInfo = std::unique_ptr<TS_TST_INFO, SslDeleter<&TS_TST_INFO_free>>;
using X509Algor = std::unique_ptr<X509_ALGOR, SslDeleter<&X509_ALGOR_free>>;

}  // namespace signet::timestamp
