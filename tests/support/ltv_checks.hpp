#pragma once
// Structural checks of PAdES B-LT and B-LTA files made with tools that are not signet's, since
// Debian has no LTV validator (issue 18): qpdf reads the file (--check, and --json for the DSS
// and the signature values), openssl checks what the DSS holds and the document time-stamps.
//
// What it covers: qpdf --check; every CRL in /DSS /CRLs verifies against a certificate of the
// DSS or the anchors (`openssl crl -verify`); every OCSP response in /DSS /OCSPs verifies
// (`openssl ocsp -respin`, the DSS certificates offered as -verify_other); every signature has a
// /VRI entry whose key is the upper-case SHA-1 of its stored /Contents; every document
// time-stamp's token verifies over its ByteRange bytes (`openssl ts -verify`) and its ByteRange
// ends where the file does when it is the last one. What it does not: whether the revocation
// data was issued after the signature's time-stamp, whether it covers every certificate of
// every chain (the tests that know the chains check that), and the validation policies of
// ETSI EN 319 102-1.

#include <filesystem>
#include <string>
#include <vector>

namespace signet::test {

struct LtvReport {
    int certificates = 0;    // streams in /DSS /Certs
    int ocsp_responses = 0;  // in /DSS /OCSPs
    int crls = 0;            // in /DSS /CRLs
    int vri_entries = 0;
    int signatures = 0;           // signature values (/Type /Sig or none)
    int document_timestamps = 0;  // /Type /DocTimeStamp values
    std::vector<std::string> problems;  // one sentence per failed check; empty when all passed
};

// `anchors` is a PEM file of the trust anchors (the signing CA, the TSA's CA); `work` a folder
// for the extracted files.
LtvReport check_ltv(const std::filesystem::path& pdf, const std::filesystem::path& anchors,
                    const std::filesystem::path& work);

}  // namespace signet::test
