#pragma once
// Independent checks of a signed PDF: poppler's pdfsig with an NSS database, qpdf --check, and
// openssl cms -verify over each signature's ByteRange. A signature counts only if all accept it.

#include <filesystem>
#include <string>
#include <vector>

namespace signet::test {

struct PdfsigReport {
    int exit_code = -1;
    int signatures = 0;  // "Signature #N" blocks
    int valid = 0;       // "Signature is Valid."
    int trusted = 0;     // "Certificate is Trusted."
    std::string output;
};

PdfsigReport pdfsig(const std::filesystem::path& nss_db, const std::filesystem::path& pdf);

// qpdf --check: exit code 0 and its output.
std::pair<int, std::string> qpdf_check(const std::filesystem::path& pdf);

struct CmsCheck {
    std::vector<std::string> failures;  // one line per signature that did not verify
    int verified = 0;
};

// Extracts every signature (ByteRange + Contents) and runs openssl cms -verify against `ca`.
CmsCheck openssl_verify_all(const std::filesystem::path& pdf, const std::filesystem::path& ca,
                            const std::filesystem::path& work_dir);

struct TimestampCheck {
    std::vector<std::string> failures;  // a signature without a token, or whose token fails
    int verified = 0;
    std::vector<std::string> texts;     // `openssl ts -reply -token_in -text` of each good token
};
// For every signature: its signature time-stamp token (id-aa-signatureTimeStampToken), checked
// by `openssl ts -verify` over the SignerInfo's signature value against `ca`.
TimestampCheck verify_signature_timestamps(const std::filesystem::path& pdf, const std::filesystem::path& ca,
                                           const std::filesystem::path& work_dir);

}  // namespace signet::test
