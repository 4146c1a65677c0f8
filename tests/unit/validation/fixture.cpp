#include "tests/unit/validation/fixture.hpp"

#include <boost/test/unit_test.hpp>

#include <openssl/evp.h>

#include <array>
#include <chrono>

#include "devpki/dev_crl.hpp"
#include "pdf/ltv/dss.hpp"
#include "tests/support/need.hpp"
#include "tests/support/process.hpp"
#include "timestamp/request.hpp"

namespace signet::validation::test {
namespace {

using signet::test::need;

std::array<std::uint8_t, 32> sha256(std::span<const std::uint8_t> data) {
    std::array<std::uint8_t, 32> digest{};
    BOOST_REQUIRE(EVP_Digest(data.data(), data.size(), digest.data(), nullptr, EVP_sha256(), nullptr) == 1);
    return digest;
}

}  // namespace

World::World() {
    tsa_key = need(devpki::generate_key("ec-p256"));
    devpki::CertificateSpec spec;
    spec.common_name = "signet validation test TSA";
    spec.usage = devpki::Usage::time_stamping;
    tsa_cert = need(devpki::issue(spec, tsa_key.get(), pki.root.get(), pki.root_key.get()));
    need(devpki::write_certificate(dir / "tsa.pem", tsa_cert.get()));
    need(devpki::write_private_key(dir / "tsa.key", tsa_key.get()));
    pki.write_root(dir / "root.pem");
    // openssl-ts(1) "CONFIGURATION FILE OPTIONS": the token carries the TSA certificate and the
    // root (certs), names the TSA certificate in signing-certificate-v2 (ess_cert_id_alg).
    const std::string folder = dir.path().string();
    signet::test::write_file(dir / "ts.cnf", "[tsa]\ndefault_tsa = validation_tsa\n[validation_tsa]\n"
                                             "serial = " + folder + "/tsa.serial\ncrypto_device = builtin\n"
                                             "signer_cert = " + folder + "/tsa.pem\nsigner_key = " + folder +
                                             "/tsa.key\ncerts = " + folder + "/root.pem\nsigner_digest = sha256\n"
                                             "default_policy = 1.2.3.4.1\ndigests = sha256\naccuracy = secs:1\n"
                                             "ess_cert_id_alg = sha256\n");
    publish_crl();
}

std::vector<std::uint8_t> World::token_for(const std::array<std::uint8_t, 32>& digest) {
    auto query = need(timestamp::make_request(NID_sha256, digest, std::nullopt));
    const std::string name = "token" + std::to_string(++counter_);
    pdf::test::write_bytes(dir / (name + ".tsq"), query);
    auto made = signet::test::run({"openssl", "ts", "-reply", "-config", (dir / "ts.cnf").string(), "-queryfile",
                                   (dir / (name + ".tsq")).string(), "-token_out", "-out",
                                   (dir / (name + ".der")).string()});
    BOOST_REQUIRE_MESSAGE(made.exit_code == 0, made.output);
    return pdf::test::read_bytes(dir / (name + ".der"));
}

std::vector<std::uint8_t> World::token_over(std::span<const std::uint8_t> data) {
    last_token_ = token_for(sha256(data));
    return last_token_;
}

pdf::TimestampCallback World::timestamper() {
    return [this](std::span<const std::uint8_t> signature_value) -> Result<std::vector<std::uint8_t>> {
        return token_over(signature_value);
    };
}

std::vector<std::uint8_t> World::signed_document(bool timestamped) {
    const auto input = dir / ("in" + std::to_string(++counter_) + ".pdf");
    pdf::test::make_ps2pdf(input);
    pdf::PrepareRequest request = pdf::test::invisible_request(pki);
    if (timestamped) request.contents_size += pdf::timestamp_attribute_bound(4096);
    auto prepared = need(pdf::prepare(input, request));
    auto cms = need(pdf::build_cades_signature(prepared.digest, pki.signer(), pdf::test::software_signer(pki.key.get()),
                                               timestamped ? timestamper() : pdf::TimestampCallback()));
    need(pdf::embed(prepared, cms));
    return pdf::test::joined(pdf::test::read_bytes(input), prepared);
}

std::vector<std::uint8_t> World::with_document_timestamp(const std::vector<std::uint8_t>& file) {
    pdf::PrepareRequest request;
    request.document_timestamp = true;
    request.contents_size = 8192;
    auto prepared = need(pdf::prepare(file, request));
    // The imprint is the SHA-256 of the ByteRange, which prepare computed.
    last_token_ = token_for(prepared.digest);
    need(pdf::embed(prepared, last_token_));
    return pdf::test::joined(file, prepared);
}

std::vector<std::uint8_t> World::with_validation_data(const std::vector<std::uint8_t>& file,
                                                      const pdf::SignatureList& listed,
                                                      const std::vector<Verdict>& verdicts) {
    const auto data = validation_data(verdicts, listed.fields, clock.now());
    auto update = need(pdf::dss_update(file, data));
    std::vector<std::uint8_t> out = file;
    out.insert(out.end(), update.begin(), update.end());
    return out;
}

void World::publish_crl(std::vector<X509*> revoked) {
    auto crl = need(devpki::next_crl(pki.root.get(), pki.root_key.get(), nullptr, revoked, std::chrono::days(7)));
    need(devpki::write_crl(crl_file(), crl.get()));
}

std::unique_ptr<revocation::RevocationChecker> World::checker(std::vector<std::filesystem::path> crl_files) {
    revocation::CheckerOptions options;
    options.crl_files = std::move(crl_files);
    options.use_ocsp = false;
    options.use_crl_urls = false;
    return std::make_unique<revocation::RevocationChecker>(std::move(options), clock);
}

Options World::options(revocation::RevocationChecker& checker, bool require) const {
    Options options;
    options.trust_anchors = {pki.root.get()};
    options.checker = &checker;
    options.require_revocation = require;
    options.clock = &clock;
    return options;
}

pdf::SignatureList World::listed(std::span<const std::uint8_t> file) {
    auto listed = pdf::list_signatures(file);
    BOOST_REQUIRE_MESSAGE(listed, signet::test::error_of(listed));
    return std::move(*listed);
}

std::vector<Verdict> World::verdicts(std::span<const std::uint8_t> file) {
    auto revocation = checker({crl_file()});
    auto result = validate(file, listed(file), options(*revocation));
    BOOST_REQUIRE_MESSAGE(result, signet::test::error_of(result));
    return std::move(*result);
}

std::string reasons(const std::vector<Verdict>& verdicts) {
    std::string text;
    for (const Verdict& verdict : verdicts) {
        text += verdict.field + " (" + verdict.level + "): " + (verdict.valid ? "valid" : verdict.reason) +
                (verdict.note.empty() ? "" : " [" + verdict.note + "]") + "\n";
    }
    return text;
}

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

void expect_refused(const std::vector<Verdict>& verdicts, std::size_t index, const std::string& cause) {
    BOOST_TEST_MESSAGE(reasons(verdicts));
    BOOST_REQUIRE(index < verdicts.size());
    BOOST_TEST(!verdicts[index].valid);
    BOOST_TEST(contains(verdicts[index].reason, cause), verdicts[index].reason);
}

}  // namespace signet::validation::test
