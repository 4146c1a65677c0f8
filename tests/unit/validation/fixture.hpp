#pragma once
// The validation tests' world, made at run time: a development PKI (pdf_fixtures.hpp's Pki)
// whose root also issues a TSA certificate, so that one CRL of that root, written by devpki and
// read by the revocation checker as a local file, answers for every chain; time-stamp tokens
// made by the real `openssl ts -reply`; files signed by signet's own PAdES code.

#include <array>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "base/time.hpp"
#include "pdf/cades.hpp"
#include "pdf/ltv/signatures.hpp"
#include "revocation/revocation_checker.hpp"
#include "tests/support/pdf_fixtures.hpp"
#include "validation/validation.hpp"

namespace signet::validation::test {

using pdf::test::Pki;
using pdf::test::TempDir;

class World {
public:
    World();

    // A DER TimeStampToken from `openssl ts -reply` over `data` (a SHA-256 imprint).
    std::vector<std::uint8_t> token_over(std::span<const std::uint8_t> data);
    // What build_cades_signature calls for B-T.
    pdf::TimestampCallback timestamper();
    // The token made last, for a signature or a document time-stamp.
    const std::vector<std::uint8_t>& last_token() const { return last_token_; }

    // A ps2pdf document signed by signet's PAdES code, B-B or (with a time-stamp) B-T.
    std::vector<std::uint8_t> signed_document(bool timestamped);
    // `file` followed by a document time-stamp over all of it.
    std::vector<std::uint8_t> with_document_timestamp(const std::vector<std::uint8_t>& file);
    // `file` followed by a DSS update with validation_data() of `verdicts`.
    std::vector<std::uint8_t> with_validation_data(const std::vector<std::uint8_t>& file,
                                                   const pdf::SignatureList& listed,
                                                   const std::vector<Verdict>& verdicts);

    // The root's CRL, listing `revoked` as revoked now, in crl_file().
    void publish_crl(std::vector<X509*> revoked = {});
    std::filesystem::path crl_file() const { return dir / "root.crl"; }
    // A fresh checker on `crl_files` only (no OCSP, no CDP) and options trusting the root.
    std::unique_ptr<revocation::RevocationChecker> checker(std::vector<std::filesystem::path> crl_files);
    Options options(revocation::RevocationChecker& checker, bool require = true) const;

    // list_signatures, which must succeed.
    static pdf::SignatureList listed(std::span<const std::uint8_t> file);
    // validate() with a fresh checker on the CRL, which must succeed as a call.
    std::vector<Verdict> verdicts(std::span<const std::uint8_t> file);

    TempDir dir{"signet-validation"};
    Pki pki = pdf::test::make_pki("ec-p256");
    devpki::Key tsa_key;
    devpki::Cert tsa_cert;
    SystemClock clock;

private:
    std::vector<std::uint8_t> token_for(const std::array<std::uint8_t, 32>& digest);

    std::size_t counter_ = 0;
    std::vector<std::uint8_t> last_token_;
};

// Every verdict in a line, for messages.
std::string reasons(const std::vector<Verdict>& verdicts);
bool contains(const std::string& text, const std::string& part);
// verdicts[index] exists and is refused with a reason that contains `cause`.
void expect_refused(const std::vector<Verdict>& verdicts, std::size_t index, const std::string& cause);

}  // namespace signet::validation::test
