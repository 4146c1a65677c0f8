#pragma once
// Fixtures for the pdf tests, all made at run time: a development PKI with software keys, PDFs
// from real producers (ps2pdf, groff, qpdf) and hand-written ones with precise damage, and the
// real validators (pdfsig with its own NSS database, qpdf --check, openssl cms, pdftotext).

#include <cstdint>
#include <filesystem>
#include <ostream>
#include <span>
#include <string>
#include <vector>

#include "devpki/dev_pki.hpp"
#include "pdf/cades.hpp"
#include "pdf/prepare.hpp"
#include "tests/support/process.hpp"
#include "tests/support/temp_dir.hpp"

namespace signet {
// For Boost.Test's messages.
inline std::ostream& operator<<(std::ostream& out, Errc code) { return out << to_string(code); }
}  // namespace signet

namespace signet::pdf::test {

using signet::test::TempDir;

// A root CA, `intermediates` intermediate CAs, and a signing certificate, all with `algorithm`
// keys ("rsa-3072", "ec-p256").
struct Pki {
    devpki::Key root_key;
    devpki::Cert root;
    std::vector<devpki::Key> intermediate_keys;
    std::vector<devpki::Cert> intermediates;  // issued by the root first
    devpki::Key key;
    devpki::Cert cert;

    // The signer view: chain is the intermediates (closest to the signer first) then the root.
    cms::Signer signer() const;
    // Writes the root as PEM to `path`.
    void write_root(const std::filesystem::path& path) const;
};
Pki make_pki(const std::string& algorithm, int intermediates = 0);

// EVP_DigestSign with SHA-256 over the to-be-signed bytes, as an HSM would.
cms::SignCallback software_signer(EVP_PKEY* key);

// Producers. Each writes `path` and fails the test if the tool fails.
void make_ps2pdf(const std::filesystem::path& path, int pages = 2);
void make_groff(const std::filesystem::path& path);
void make_qpdf(const std::filesystem::path& source, const std::filesystem::path& path,
               const std::vector<std::string>& options);
// A hybrid-reference file (ISO 32000-1 §7.5.8.4) from `source`, a file with object streams
// and one cross-reference stream (qpdf --object-streams=generate): `source` followed by a
// classic table of its uncompressed objects whose trailer's /XRefStm names that stream, the
// way PDF 1.5 writers kept files readable by PDF 1.4 readers. qpdf writes no hybrid files.
void make_hybrid(const std::filesystem::path& source, const std::filesystem::path& path);

// A classic PDF written by hand: objects[i] is the text between "N 0 obj" and "endobj" of object
// i + 1; object 1 must be the catalog. The xref table and trailer are computed.
std::string hand_written_pdf(const std::vector<std::string>& objects,
                             const std::string& trailer_extra = {});
// The smallest sound one-page document, with `page_extra` inside the page dictionary and
// `catalog_extra` inside the catalog; `more` are objects 5, 6, ...
std::string simple_pdf(const std::string& page_extra = {}, const std::string& catalog_extra = {},
                       const std::vector<std::string>& more = {});

// The signed file: the original followed by the update.
std::vector<std::uint8_t> joined(std::span<const std::uint8_t> original,
                                 const PreparedDocument& prepared);

// What sign_file makes: the prepared and embedded update, and the signed file.
struct SignedFile {
    PreparedDocument prepared;
    std::vector<std::uint8_t> bytes;
};
// prepare → build_cades_signature → embed, the way the daemon chains them.
SignedFile sign_file(const std::filesystem::path& input, const Pki& pki,
                     const PrepareRequest& request);
PrepareRequest invisible_request(const Pki& pki);

void write_bytes(const std::filesystem::path& path, const std::vector<std::uint8_t>& bytes);
std::vector<std::uint8_t> read_bytes(const std::filesystem::path& path);

// An NSS database in `dir` that trusts the PKI's root for signing.
void make_nss_db(const std::filesystem::path& dir, const Pki& pki);
// pdfsig's report for `pdf`, checked against `nss_dir`.
signet::test::RunResult pdfsig(const std::filesystem::path& nss_dir,
                               const std::filesystem::path& pdf);
// How many signatures pdfsig found valid and trusted.
int valid_trusted_signatures(const std::string& pdfsig_output);
int signature_count(const std::string& pdfsig_output);
// The common checks of a signed output: pdfsig (trusting `nss_dir`) finds `signatures`
// PAdES signatures, all valid and trusted, and qpdf --check passes.
// openssl cms -verify over the two ByteRange parts of `file`, the CMS being `cms`.
void check_cms(const TempDir& dir, const Pki& pki, const std::vector<std::uint8_t>& file,
               const PreparedDocument& prepared, const std::vector<std::uint8_t>& cms);
void check_signed(const std::filesystem::path& nss_dir, const std::filesystem::path& pdf,
                  int signatures);

}  // namespace signet::pdf::test
